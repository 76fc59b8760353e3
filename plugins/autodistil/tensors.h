/*
 * tensors.h -- the two tensor files the scorer reads: safetensors (the
 * weights model.py saves: an 8-byte little-endian header length, a JSON
 * header naming each tensor's dtype, shape and byte range, then the data)
 * and NumPy's .npy (the token ids of the held-out set and the probe).
 *
 * Both are read whole (bounded) and checked before any tensor is used:
 * dtype, shape against the byte range, ranges inside the file and not
 * overlapping the header. Only what this plugin writes is accepted:
 * safetensors F32, .npy little-endian int32 or int64, C order, 1 or 2
 * dimensions.
 */
#ifndef AUTODISTIL_TENSORS_H
#define AUTODISTIL_TENSORS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ad_tensors ad_tensors;

/* Opens a safetensors file of at most `max` bytes. NULL with err. */
ad_tensors *ad_tensors_open(const char *path, size_t max, char *err, size_t errlen);
void ad_tensors_free(ad_tensors *t);
/* The header's __metadata__ (string values), or NULL; borrowed. */
const json_t *ad_tensors_meta(const ad_tensors *t);
/* The float32 tensor `name` with exactly `ndim` dimensions, its shape in
 * dims; NULL with err when absent or of another rank or dtype. */
const float *ad_tensors_get(const ad_tensors *t, const char *name, int ndim, int64_t *dims, char *err,
			    size_t errlen);

/* Parses a safetensors image (for the fuzz target and the tests); takes
 * ownership of buf (malloc'd) on success and on failure. */
ad_tensors *ad_tensors_parse(char *buf, size_t len, const char *what, char *err, size_t errlen);

/* Reads a .npy of int32 or int64 into int32 rows x cols (a 1-D array is
 * one row). *out is malloc'd. 0, or -1 with err. */
int ad_npy_read_i32(const char *path, size_t max, int32_t **out, int64_t *rows, int64_t *cols, char *err,
		    size_t errlen);
int ad_npy_parse_i32(const char *buf, size_t len, const char *what, int32_t **out, int64_t *rows, int64_t *cols,
		     char *err, size_t errlen);

#endif
