/*
 * tensors.h -- safetensors, the weights file the scorer reads (model.py
 * writes it: an 8-byte little-endian header length, a JSON header naming
 * each tensor's dtype, shape and byte range, then the data). The token
 * ids come as .npy, through plugins/common/npy.h.
 *
 * The file is read whole (bounded) and every entry checked before any
 * tensor is used: a known dtype, the shape against the byte range, the
 * range inside the data section.
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

#endif
