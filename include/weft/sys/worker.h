/*
 * weft/sys/worker.h -- the body of `weft worker`, the process the engine
 * starts to run ops of untrusted plugins (docs/workers.md). A front-end
 * that ships its own binary calls it from its `worker` command.
 */
#ifndef WEFT_SYS_WORKER_H
#define WEFT_SYS_WORKER_H

#include "weft/weft.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Serves op runs from the engine over in_fd / out_fd until EOF. */
WEFT_EXTERN int weft_worker_main(const char *store_dir, int in_fd, int out_fd);

#ifdef __cplusplus
}
#endif
#endif
