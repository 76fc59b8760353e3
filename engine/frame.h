/*
 * frame.h -- the worker protocol's framing: each message is a 4-byte
 * big-endian length followed by that many bytes of JSON.
 */
#ifndef WEFT_FRAME_H
#define WEFT_FRAME_H

#include <stddef.h>

#include "util.h"

/* Frames above this size are a protocol error, not a message. */
#define WEFT_FRAME_MAX (256u << 20)

/* The frame for `data` (header + bytes), for callers that write it
 * themselves (e.g. with uv_write); caller frees. NULL if too large. */
char *weft_frame_encode(const char *data, size_t len, size_t *frame_len);
/* Blocking write of one frame; retries on EINTR and short writes. */
int weft_frame_write(int fd, const char *data, size_t len);
/* Blocking read of one frame; WEFT_ENOTFOUND on a clean EOF before it. The
 * frame is NUL-terminated; caller frees. */
int weft_frame_read(int fd, char **data, size_t *len);

/* Incremental decoding for event loops: feed bytes as they arrive, then
 * take whole frames out. */
typedef struct weft_frame_buf {
	weft_buf in;
	size_t start; /* bytes before this are consumed */
} weft_frame_buf;
int weft_frame_feed(weft_frame_buf *f, const char *data, size_t len);
/* 1 and a NUL-terminated copy (caller frees) when a whole frame is there,
 * 0 when more bytes are needed, an error for an oversized frame. */
int weft_frame_next(weft_frame_buf *f, char **data, size_t *len);
void weft_frame_buf_free(weft_frame_buf *f);

#endif
