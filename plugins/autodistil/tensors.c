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
