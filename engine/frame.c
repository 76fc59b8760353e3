/*
 * frame.c -- length-prefixed JSON frames over pipes (see frame.h).
 */
#include "frame.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int write_all(int fd, const void *p, size_t n)
{
	if (weft_write_all(fd, p, n) != 0)
		return weft_err_set(WEFT_EIO, "cannot write to the worker pipe: %s (the worker process died; the "
					      "node's log says why)", strerror(errno));
	return WEFT_OK;
}

/* 1 when all n bytes were read, 0 on EOF before any byte, error otherwise. */
static int read_all(int fd, void *p, size_t n)
{
	char *c = p;
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, c + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return weft_err_set(WEFT_EIO, "cannot read the worker pipe: %s (the worker process died; the "
						      "node's log says why)", strerror(errno));
		if (r == 0)
			return got ? weft_err_set(WEFT_EIO, "the worker pipe closed in the middle of a message: the "
							    "worker process died; the node's log says why") : 0;
		got += (size_t)r;
	}
	return 1;
}

static void put_len(unsigned char b[4], uint32_t n)
{
	b[0] = (unsigned char)(n >> 24);
	b[1] = (unsigned char)(n >> 16);
	b[2] = (unsigned char)(n >> 8);
	b[3] = (unsigned char)n;
}

static uint32_t get_len(const unsigned char b[4])
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

char *weft_frame_encode(const char *data, size_t len, size_t *frame_len)
{
	if (len > WEFT_FRAME_MAX) {
		weft_err_set(WEFT_EINVALID, "message of %zu bytes is too large for the worker protocol", len);
		return NULL;
	}
	char *frame = malloc(len + 4);
	if (!frame) {
		weft_err_set(WEFT_ERROR, "out of memory");
		return NULL;
	}
	put_len((unsigned char *)frame, (uint32_t)len);
	memcpy(frame + 4, data, len);
	*frame_len = len + 4;
	return frame;
}

int weft_frame_write(int fd, const char *data, size_t len)
{
	size_t flen;
	char *frame = weft_frame_encode(data, len, &flen);
	if (!frame)
		return WEFT_ERROR;
	int rc = write_all(fd, frame, flen);
	free(frame);
	return rc;
}

int weft_frame_read(int fd, char **data, size_t *len)
{
	unsigned char hdr[4];
	int r = read_all(fd, hdr, 4);
	if (r <= 0)
		return r == 0 ? WEFT_ENOTFOUND : r;
	uint32_t n = get_len(hdr);
	if (n > WEFT_FRAME_MAX)
		return weft_err_set(WEFT_EINVALID, "worker protocol: frame of %u bytes is too large", n);
	char *buf = malloc((size_t)n + 1);
	if (!buf)
		return weft_err_set(WEFT_ERROR, "out of memory");
	r = n ? read_all(fd, buf, n) : 1;
	if (r != 1) {
		free(buf);
		return r == 0 ? weft_err_set(WEFT_EIO, "the worker pipe closed in the middle of a message: the "
						       "worker process died; the node's log says why") : r;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return WEFT_OK;
}

int weft_frame_feed(weft_frame_buf *f, const char *data, size_t len)
{
	if (f->start && f->start == f->in.len) {
		f->in.len = 0; /* everything consumed: reuse the buffer */
		f->start = 0;
	}
	return weft_buf_put(&f->in, data, len);
}

int weft_frame_next(weft_frame_buf *f, char **data, size_t *len)
{
	size_t avail = f->in.len - f->start;
	if (avail < 4)
		return 0;
	const unsigned char *p = (const unsigned char *)f->in.data + f->start;
	uint32_t n = get_len(p);
	if (n > WEFT_FRAME_MAX)
		return weft_err_set(WEFT_EINVALID, "worker protocol: frame of %u bytes is too large", n);
	if (avail - 4 < n)
		return 0;
	char *out = malloc((size_t)n + 1);
	if (!out)
		return weft_err_set(WEFT_ERROR, "out of memory");
	memcpy(out, p + 4, n);
	out[n] = '\0';
	f->start += 4 + (size_t)n;
	*data = out;
	*len = n;
	return 1;
}

void weft_frame_buf_free(weft_frame_buf *f)
{
	weft_buf_free(&f->in);
	f->start = 0;
}
