/*
 * weft/sys/error.h -- setting the thread-local last error that
 * weft_error_last() reads, for front-ends and layers built on libweft
 * (the DSL) that report errors through the same slot.
 */
#ifndef WEFT_SYS_ERROR_H
#define WEFT_SYS_ERROR_H

#include "weft/weft.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sets the calling thread's last error; returns `code` for tail calls. */
WEFT_EXTERN int weft_err_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefixes the current last error with more context ("node x: ..."). */
WEFT_EXTERN int weft_err_wrap(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif
#endif
