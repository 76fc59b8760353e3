/*
 * tensors.c -- bounded readers of safetensors and .npy (tensors.h).
 */
#include "tensors.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

struct ad_tensors {
	char *buf;
	size_t len;
	size_t data; /* offset of the data section */
	json_t *header;
	char what[256];
};

void ad_tensors_free(ad_tensors *t)
{
	if (!t)
		return;
	json_decref(t->header);
	free(t->buf);
	free(t);
}

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

ad_tensors *ad_tensors_parse(char *buf, size_t len, const char *what, char *err, size_t errlen)
{
	ad_tensors *t = calloc(1, sizeof *t);
	if (!t) {
		free(buf);
		snprintf(err, errlen, "%s: out of memory", what);
		return NULL;
	}
	t->buf = buf;
	t->len = len;
	snprintf(t->what, sizeof t->what, "%s", what);
	if (len < 8) {
		snprintf(err, errlen, "%s: %zu bytes, too short for safetensors", what, len);
		goto fail;
	}
	uint64_t n = le64((const unsigned char *)buf);
	if (n == 0 || n > len - 8 || n > (16u << 20)) {
		snprintf(err, errlen, "%s: a header of %llu bytes in a file of %zu; not safetensors", what,
			 (unsigned long long)n, len);
		goto fail;
	}
	json_error_t je;
	t->header = json_loadb(buf + 8, (size_t)n, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(t->header)) {
		snprintf(err, errlen, "%s: the safetensors header is not a JSON object (%s)", what, je.text);
		goto fail;
	}
	t->data = 8 + (size_t)n;
	/* Every entry checked once here, so that get() can trust them. */
	const char *name;
	json_t *e;
	json_object_foreach(t->header, name, e)
	{
		if (strcmp(name, "__metadata__") == 0)
			continue;
		const json_t *sh = json_object_get(e, "shape"), *off = json_object_get(e, "data_offsets");
		const char *dt = json_string_value(json_object_get(e, "dtype"));
		if (!dt || !json_is_array(sh) || json_array_size(off) != 2 || json_array_size(sh) > 8) {
			snprintf(err, errlen, "%s: tensor %s lacks dtype, shape or data_offsets", what, name);
			goto fail;
		}
		json_int_t b = json_integer_value(json_array_get(off, 0)), en = json_integer_value(json_array_get(off, 1));
		uint64_t count = 1;
		for (size_t i = 0; i < json_array_size(sh); i++) {
			json_int_t d = json_integer_value(json_array_get(sh, i));
			if (!json_is_integer(json_array_get(sh, i)) || d < 0 || d > (1 << 30) ||
			    (d && count > UINT64_MAX / (uint64_t)d)) {
				snprintf(err, errlen, "%s: tensor %s has a bad shape", what, name);
				goto fail;
			}
			count *= (uint64_t)d;
		}
		static const struct {
			const char *name;
			size_t width;
		} dtypes[] = {{"F64", 8}, {"I64", 8}, {"U64", 8}, {"F32", 4}, {"I32", 4}, {"U32", 4}, {"F16", 2},
			      {"BF16", 2}, {"I16", 2}, {"U16", 2}, {"I8", 1}, {"U8", 1}, {"BOOL", 1}};
		size_t width = 0;
		for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
			if (strcmp(dt, dtypes[i].name) == 0)
				width = dtypes[i].width;
		if (!width) {
			snprintf(err, errlen, "%s: tensor %s has dtype %s, not one of safetensors'", what, name, dt);
			goto fail;
		}
		if (b < 0 || en < b || (uint64_t)en > len - t->data || (uint64_t)(en - b) != count * width) {
			snprintf(err, errlen, "%s: tensor %s: bytes [%lld, %lld) do not hold its shape or lie outside the file",
				 what, name, (long long)b, (long long)en);
			goto fail;
		}
	}
	return t;
fail:
	ad_tensors_free(t);
	return NULL;
}

ad_tensors *ad_tensors_open(const char *path, size_t max, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	if (wio_read_all(&buf, &len, path, "weights", max, err, errlen) != 0)
		return NULL;
	return ad_tensors_parse(buf, len, path, err, errlen);
}

const json_t *ad_tensors_meta(const ad_tensors *t)
{
	return json_object_get(t->header, "__metadata__");
}

const float *ad_tensors_get(const ad_tensors *t, const char *name, int ndim, int64_t *dims, char *err,
			    size_t errlen)
{
	const json_t *e = json_object_get(t->header, name);
	if (!e || strcmp(name, "__metadata__") == 0) {
		snprintf(err, errlen, "%s: no tensor %s", t->what, name);
		return NULL;
	}
	const json_t *sh = json_object_get(e, "shape");
	if (strcmp(json_string_value(json_object_get(e, "dtype")), "F32") != 0 || (int)json_array_size(sh) != ndim) {
		snprintf(err, errlen, "%s: tensor %s is not a %d-D float32 tensor", t->what, name, ndim);
		return NULL;
	}
	for (int i = 0; i < ndim; i++)
		dims[i] = json_integer_value(json_array_get(sh, (size_t)i));
	size_t b = (size_t)json_integer_value(json_array_get(json_object_get(e, "data_offsets"), 0));
	/* The data section follows an 8-aligned header; a tensor's offset is
	 * 4-aligned when the writer packs float32 tensors, as model.py does. */
	if ((t->data + b) % sizeof(float) != 0) {
		snprintf(err, errlen, "%s: tensor %s is not 4-byte aligned", t->what, name);
		return NULL;
	}
	return (const float *)(const void *)(t->buf + t->data + b);
}

/* ---------------------------------------------------------------- .npy */

static const char *dict_value(const char *h, size_t n, const char *key)
{
	size_t kl = strlen(key);
	for (size_t i = 0; i + kl < n; i++)
		if (memcmp(h + i, key, kl) == 0) {
			i += kl;
			while (i < n && (h[i] == ' ' || h[i] == ':'))
				i++;
			return i < n ? h + i : NULL;
		}
	return NULL;
}

int ad_npy_parse_i32(const char *buf, size_t len, const char *what, int32_t **out, int64_t *rows, int64_t *cols,
		     char *err, size_t errlen)
{
	*out = NULL;
	if (len < 10 || memcmp(buf, "\x93NUMPY", 6) != 0) {
		snprintf(err, errlen, "%s: not a .npy file", what);
		return -1;
	}
	int major = (unsigned char)buf[6];
	size_t hl, off;
	if (major == 1) {
		hl = (unsigned char)buf[8] | (size_t)(unsigned char)buf[9] << 8;
		off = 10;
	} else if (major == 2 || major == 3) {
		if (len < 12) {
			snprintf(err, errlen, "%s: truncated .npy header", what);
			return -1;
		}
		hl = (size_t)le64((const unsigned char[8]){(unsigned char)buf[8], (unsigned char)buf[9],
							   (unsigned char)buf[10], (unsigned char)buf[11], 0, 0, 0, 0});
		off = 12;
	} else {
		snprintf(err, errlen, "%s: .npy version %d", what, major);
		return -1;
	}
	if (hl > len - off || hl > 65536) {
		snprintf(err, errlen, "%s: the .npy header runs past the file", what);
		return -1;
	}
	const char *h = buf + off;
	const char *descr = dict_value(h, hl, "'descr'"), *fo = dict_value(h, hl, "'fortran_order'"),
		   *shape = dict_value(h, hl, "'shape'");
	if (!descr || !fo || !shape) {
		snprintf(err, errlen, "%s: the .npy header lacks descr, fortran_order or shape", what);
		return -1;
	}
	size_t left = hl - (size_t)(descr - h);
	int width = left >= 5 && memcmp(descr, "'<i4'", 5) == 0 ? 4 : left >= 5 && memcmp(descr, "'<i8'", 5) == 0 ? 8 : 0;
	if (!width || strncmp(fo, "False", 5) != 0) {
		snprintf(err, errlen, "%s: want a C-order little-endian int32 or int64 .npy", what);
		return -1;
	}
	int64_t d[2] = {1, 1};
	int nd = 0;
	const char *p = shape, *end = h + hl;
	if (p >= end || *p != '(') {
		snprintf(err, errlen, "%s: bad .npy shape", what);
		return -1;
	}
	p++;
	while (p < end && *p != ')') {
		if (*p == ' ' || *p == ',') {
			p++;
			continue;
		}
		if (*p < '0' || *p > '9' || nd == 2) {
			snprintf(err, errlen, "%s: want a 1-D or 2-D .npy", what);
			return -1;
		}
		int64_t v = 0;
		while (p < end && *p >= '0' && *p <= '9' && v < (INT64_C(1) << 40))
			v = v * 10 + (*p++ - '0');
		d[nd++] = v;
	}
	if (nd == 1) {
		d[1] = d[0];
		d[0] = 1;
	}
	if (nd == 0 || d[0] <= 0 || d[1] <= 0 || d[0] > (1 << 24) || d[1] > (1 << 24) ||
	    (uint64_t)d[0] * (uint64_t)d[1] * (uint64_t)width != len - off - hl) {
		snprintf(err, errlen, "%s: the .npy shape does not match its %zu data bytes", what, len - off - hl);
		return -1;
	}
	size_t n = (size_t)(d[0] * d[1]);
	int32_t *v = malloc(n * sizeof *v);
	if (!v) {
		snprintf(err, errlen, "%s: out of memory", what);
		return -1;
	}
	const unsigned char *src = (const unsigned char *)buf + off + hl;
	for (size_t i = 0; i < n; i++) {
		int64_t x = 0;
		if (width == 4) {
			uint32_t u = (uint32_t)src[4 * i] | (uint32_t)src[4 * i + 1] << 8 | (uint32_t)src[4 * i + 2] << 16 |
				     (uint32_t)src[4 * i + 3] << 24;
			x = (int32_t)u;
		} else {
			x = (int64_t)le64(src + 8 * i);
		}
		if (x < INT32_MIN || x > INT32_MAX) {
			free(v);
			snprintf(err, errlen, "%s: value %lld at %zu does not fit a token id", what, (long long)x, i);
			return -1;
		}
		v[i] = (int32_t)x;
	}
	*out = v;
	*rows = d[0];
	*cols = d[1];
	return 0;
}

int ad_npy_read_i32(const char *path, size_t max, int32_t **out, int64_t *rows, int64_t *cols, char *err,
		    size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	if (wio_read_all(&buf, &len, path, ".npy", max, err, errlen) != 0)
		return -1;
	int rc = ad_npy_parse_i32(buf, len, path, out, rows, cols, err, errlen);
	free(buf);
	return rc;
}
