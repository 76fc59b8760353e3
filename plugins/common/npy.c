/*
 * npy.c -- reading and writing .npy arrays (see npy.h).
 */
#define _GNU_SOURCE
#include "npy.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int fail(char *err, size_t errlen, const char *name, const char *msg)
{
	snprintf(err, errlen, "%s: %s", name, msg);
	return -1;
}

/* The value of `key` in the header dict, e.g. 'descr': '<f8'. */
static const char *dict_value(const char *h, const char *key)
{
	const char *p = strstr(h, key);
	if (!p)
		return NULL;
	p = strchr(p + strlen(key), ':');
	if (!p)
		return NULL;
	p++;
	while (*p == ' ')
		p++;
	return p;
}

static const char *const types[] = {"'<f8'", "'<f4'", "'<i8'", "'<i4'", "'|u1'", "'|b1'"};
static const size_t sizes[] = {8, 4, 8, 4, 1, 1};

/* Reads the header of the .npy open in f and checks that the data it
 * describes is in the file: dtype index into types[], dims, ndim. */
static int read_header(FILE *f, const char *name, int *type, size_t dims[2], int *ndim, char *err, size_t errlen)
{
	unsigned char pre[12];
	char *hdr = NULL;
	int rc = -1;
	if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0) {
		fail(err, errlen, name, "not a .npy file (no \\x93NUMPY magic)");
		goto done;
	}
	size_t hlen;
	if (pre[6] == 1) {
		hlen = pre[8] | (size_t)pre[9] << 8;
	} else if (pre[6] == 2 || pre[6] == 3) {
		if (fread(pre + 10, 1, 2, f) != 2) {
			fail(err, errlen, name, "truncated header");
			goto done;
		}
		hlen = pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
	} else {
		fail(err, errlen, name, "unknown .npy format version");
		goto done;
	}
	if (hlen > 1 << 20 || !(hdr = calloc(hlen + 1, 1)) || fread(hdr, 1, hlen, f) != hlen) {
		fail(err, errlen, name, "truncated or oversized header");
		goto done;
	}
	const char *descr = dict_value(hdr, "'descr'"), *fo = dict_value(hdr, "'fortran_order'");
	const char *shape = dict_value(hdr, "'shape'");
	if (!descr || !fo || !shape || *shape != '(') {
		fail(err, errlen, name, "header lacks descr, fortran_order or shape");
		goto done;
	}
	if (strncmp(fo, "False", 5) != 0) {
		fail(err, errlen, name, "Fortran-order arrays are not supported; save with np.ascontiguousarray");
		goto done;
	}
	size_t d3[3] = {0, 1, 1};
	int nd = 0;
	for (const char *p = shape + 1; *p && *p != ')' && nd < 3;) {
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == ')')
			break;
		char *end;
		unsigned long long v = strtoull(p, &end, 10);
		if (end == p)
			break;
		d3[nd++] = (size_t)v;
		p = end;
	}
	if (nd < 1 || nd > 2) {
		fail(err, errlen, name, "only 1-D and 2-D arrays are supported");
		goto done;
	}
	int t = -1;
	for (int i = 0; i < 6; i++)
		if (strncmp(descr, types[i], strlen(types[i])) == 0)
			t = i;
	if (t < 0) {
		snprintf(err, errlen, "%s: dtype %.8s is not supported; use float64, float32, int64, int32 or uint8", name,
			 descr);
		goto done;
	}
	size_t count = d3[0] * d3[1];
	if (d3[1] && count / d3[1] != d3[0]) {
		fail(err, errlen, name, "shape overflows");
		goto done;
	}
	/* The data must be in the file before it is allocated: a shape alone
	 * may claim any size (found by tests/fuzz/fuzz_npy.c). */
	struct stat sb;
	long here = ftell(f);
	if (count > SIZE_MAX / 8 || fstat(fileno(f), &sb) != 0 || here < 0 ||
	    (unsigned long long)(sb.st_size - here) < (unsigned long long)count * sizes[t]) {
		snprintf(err, errlen, "%s: the data is shorter than its shape (%zu x %zu) says", name, d3[0], d3[1]);
		goto done;
	}
	*type = t, dims[0] = d3[0], dims[1] = d3[1], *ndim = nd;
	rc = 0;
done:
	free(hdr);
	return rc;
}

/* Element i of raw data of type t, as a double. */
static double element(const unsigned char *raw, int t, size_t i)
{
	const unsigned char *p = raw + i * sizes[t];
	if (t == 0) {
		double v;
		memcpy(&v, p, 8);
		return v;
	}
	if (t == 1) {
		float x;
		memcpy(&x, p, 4);
		return x;
	}
	if (t == 2) {
		int64_t x;
		memcpy(&x, p, 8);
		return (double)x;
	}
	if (t == 3) {
		int32_t x;
		memcpy(&x, p, 4);
		return x;
	}
	return *p;
}

/* Opens path and reads its header; NULL with the message set on error. */
static FILE *open_npy(const char *path, const char *name, int *t, size_t dims[2], int *nd, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", name, strerror(errno));
		return NULL;
	}
	if (read_header(f, name, t, dims, nd, err, errlen) != 0) {
		fclose(f);
		return NULL;
	}
	return f;
}

/* The dims[0] x dims[1] elements of type t after the header, into dst. */
static int read_body(FILE *f, const char *name, int t, const size_t dims[2], void *dst, char *err, size_t errlen)
{
	size_t count = dims[0] * dims[1];
	if (fread(dst, sizes[t], count, f) == count)
		return 0;
	snprintf(err, errlen, "%s: the data is shorter than its shape (%zu x %zu) says", name, dims[0], dims[1]);
	return -1;
}

int wnpy_read(wnpy *out, const char *path, const char *name, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	int rc = -1, t, nd;
	size_t dims[2];
	unsigned char *raw = NULL;
	FILE *f = open_npy(path, name, &t, dims, &nd, err, errlen);
	if (!f)
		return -1;
	size_t count = dims[0] * dims[1];
	raw = malloc(count * sizes[t] + 1);
	out->data = malloc((count ? count : 1) * sizeof *out->data);
	if (!raw || !out->data) {
		fail(err, errlen, name, "out of memory");
		goto done;
	}
	if (read_body(f, name, t, dims, raw, err, errlen) != 0)
		goto done;
	for (size_t i = 0; i < count; i++)
		out->data[i] = element(raw, t, i);
	out->rows = dims[0];
	out->cols = nd == 2 ? dims[1] : 1;
	out->ndim = nd;
	rc = 0;
done:
	fclose(f);
	free(raw);
	if (rc != 0)
		wnpy_free(out);
	return rc;
}

int wnpy_read_int(int32_t **data, size_t *rows, size_t *cols, const char *path, const char *name, char *err,
		  size_t errlen)
{
	*data = NULL;
	int rc = -1, t, nd;
	size_t dims[2];
	unsigned char *raw = NULL;
	FILE *f = open_npy(path, name, &t, dims, &nd, err, errlen);
	if (!f)
		return -1;
	if (t == 0 || t == 1) {
		snprintf(err, errlen, "%s: holds floating-point numbers; an integer array (int32) is needed", name);
		goto done;
	}
	size_t count = dims[0] * dims[1];
	/* int32 is read in place; other widths go through a second buffer */
	*data = malloc((count ? count : 1) * sizeof **data);
	raw = t == 3 ? (unsigned char *)*data : malloc(count * sizes[t] + 1);
	if (!*data || !raw) {
		fail(err, errlen, name, "out of memory");
		goto done;
	}
	if (read_body(f, name, t, dims, raw, err, errlen) != 0)
		goto done;
	for (size_t i = 0; t != 3 && i < count; i++) {
		double v = element(raw, t, i);
		(*data)[i] = v < INT32_MIN || v > INT32_MAX ? -2 : (int32_t)v;
	}
	*rows = dims[0];
	*cols = nd == 2 ? dims[1] : 1;
	rc = 0;
done:
	fclose(f);
	if (raw != (unsigned char *)*data)
		free(raw);
	if (rc != 0) {
		free(*data);
		*data = NULL;
	}
	return rc;
}

static int write_npy(const char *path, const char *descr, const void *data, size_t esize, size_t rows, size_t cols,
		     int ndim, char *err, size_t errlen)
{
	char dict[256];
	int n = ndim == 1 ? snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%zu,), }",
				     descr, rows)
			  : snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%zu, %zu), }",
				     descr, rows, cols);
	/* Pad so that the data starts on a 64-byte boundary, as numpy does. */
	size_t total = 10 + (size_t)n + 1, pad = (64 - total % 64) % 64;
	size_t hlen = (size_t)n + pad + 1;
	FILE *f = fopen(path, "wb");
	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hlen & 0xff),
				 (unsigned char)(hlen >> 8)};
	int bad = fwrite(pre, 1, 10, f) != 10 || fwrite(dict, 1, (size_t)n, f) != (size_t)n;
	for (size_t i = 0; i < pad && !bad; i++)
		bad = fputc(' ', f) == EOF;
	bad = bad || fputc('\n', f) == EOF;
	size_t count = rows * (ndim == 1 ? 1 : cols);
	bad = bad || (count && fwrite(data, esize, count, f) != count);
	if (fclose(f) != 0 || bad) {
		snprintf(err, errlen, "cannot write %s", path);
		return -1;
	}
	return 0;
}

int wnpy_write_f8(const char *path, const double *data, size_t rows, size_t cols, int ndim, char *err,
		     size_t errlen)
{
	return write_npy(path, "<f8", data, 8, rows, cols, ndim, err, errlen);
}

int wnpy_write_i4(const char *path, const int32_t *data, size_t n, char *err, size_t errlen)
{
	return write_npy(path, "<i4", data, 4, n, 1, 1, err, errlen);
}

int wnpy_write_i4_2d(const char *path, const int32_t *data, size_t rows, size_t cols, char *err, size_t errlen)
{
	return write_npy(path, "<i4", data, 4, rows, cols, 2, err, errlen);
}

void wnpy_free(wnpy *a)
{
	free(a->data);
	memset(a, 0, sizeof *a);
}
