/*
 * npy.h -- NumPy .npy files (format 1.0/2.0), the arrays AutoWS reads and
 * writes: 1-D or 2-D, C order, little-endian float64, float32, int64,
 * int32 or uint8. Anything else is refused with a message saying what was
 * found, so numpy users know what to convert.
 */
#ifndef WEFT_PLUGINS_NPY_H
#define WEFT_PLUGINS_NPY_H

#include <stddef.h>
#include <stdint.h>

typedef struct wnpy {
	size_t rows, cols; /* a 1-D array has cols = 1 */
	int ndim;
	double *data;      /* converted to double, rows * cols */
} wnpy;

int wnpy_read(wnpy *out, const char *path, const char *name, char *err, size_t errlen);
/* An integer array as int32, without going through doubles (a label
 * matrix of 10^8 votes): *data (malloc'd) is rows x cols. */
int wnpy_read_int(int32_t **data, size_t *rows, size_t *cols, const char *path, const char *name, char *err,
		  size_t errlen);
/* Writes rows x cols doubles (ndim 1 or 2) as '<f8'. */
int wnpy_write_f8(const char *path, const double *data, size_t rows, size_t cols, int ndim, char *err,
		     size_t errlen);
/* Writes n int32 values as '<i4' (1-D). */
int wnpy_write_i4(const char *path, const int32_t *data, size_t n, char *err, size_t errlen);
/* Writes rows x cols int32 values as a 2-D '<i4' array. */
int wnpy_write_i4_2d(const char *path, const int32_t *data, size_t rows, size_t cols, char *err, size_t errlen);
void wnpy_free(wnpy *a);

#endif
