/*
 * error.c -- the thread-local last error (libgit2's git_error_last model),
 * so ops on worker threads never clobber each other's messages.
 *
 * It is the one piece of state under util/, and there must be one copy of
 * it per process: libweft.so holds it and exports the setters
 * (weft/sys/error.h), and libweft_dsl.so uses that copy instead of
 * linking its own.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static _Thread_local char last_error[2048];

const char *weft_error_last(void)
{
	return last_error[0] ? last_error : "no error recorded";
}

void weft_error_clear(void)
{
	last_error[0] = '\0';
}

int weft_err_set(int code, const char *fmt, ...)
{
	/* Format apart first: callers may pass weft_error_last() itself as an
	 * argument, and vsnprintf must not read the buffer it writes. */
	char msg[sizeof last_error];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	memcpy(last_error, msg, sizeof msg);
	return code;
}

int weft_err_wrap(int code, const char *fmt, ...)
{
	char prefix[1024], old[sizeof last_error];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	memcpy(old, last_error, sizeof old);
	/* Truncation is fine here: the prefix matters more than the tail. */
	size_t pl = strlen(prefix), ol = strlen(old);
	if (pl > sizeof last_error - 3)
		pl = sizeof last_error - 3;
	if (ol > sizeof last_error - 3 - pl)
		ol = sizeof last_error - 3 - pl;
	memcpy(last_error, prefix, pl);
	memcpy(last_error + pl, ": ", 2);
	memcpy(last_error + pl + 2, old, ol);
	last_error[pl + 2 + ol] = '\0';
	return code;
}
