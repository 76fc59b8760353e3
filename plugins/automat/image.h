/*
 * image.h -- a grayscale image of doubles with its pixel size, and the
 * readers and writers for the formats a microscope hands over: PNG (8 or
 * 16 bit), TIFF (8/16/32-bit integers or 32-bit floats) and raw
 * little-endian float32 arrays.
 *
 * Pixel (x, y) is v[y * w + x]; px is Angstrom per pixel, 0 when unknown.
 */
#ifndef AUTOMAT_IMAGE_H
#define AUTOMAT_IMAGE_H

#include <stddef.h>

typedef struct am_image {
	size_t w, h;
	double px;
	double *v;
	/* How many threads the filters may run on this image (0 or 1: the
	 * caller's alone); a copy keeps it. The result is the same for any. */
	unsigned threads;
} am_image;

/* The largest image read or made: 8192 x 8192 pixels (512 MiB of doubles).
 * A file's header alone must not decide what is allocated: a 100-byte PNG
 * can claim 65536 x 65536. */
#define AM_IMAGE_MAX_PIXELS ((size_t)1 << 26)

/* A zeroed w x h image; -1 when w or h is 0, w * h is over
 * AM_IMAGE_MAX_PIXELS, or memory is short. */
int am_image_new(am_image *im, size_t w, size_t h, double px);
void am_image_free(am_image *im);
int am_image_copy(am_image *dst, const am_image *src);

/* Reads path, telling the format from its first bytes (PNG and TIFF
 * signatures); anything else is read as raw float32 of raw_w x raw_h,
 * which must then match the file size exactly. A pixel size stored in the
 * file (a PNG tEXt "pixel_size" in Angstrom, or "pixel_size=" in a TIFF
 * ImageDescription, as the writers here store it) is used when px is 0.
 * Errors call the file `name` (NULL: its path) and say what is wrong. */
int am_image_read(am_image *im, const char *path, const char *name, size_t raw_w, size_t raw_h, double px,
		  char *err, size_t errlen);
int am_png_read(am_image *im, const char *path, const char *name, char *err, size_t errlen);
int am_tiff_read(am_image *im, const char *path, const char *name, char *err, size_t errlen);

/* 16-bit grayscale, scaled so [lo, hi] spans 0..65535 (lo == hi: the
 * image's own range), with the pixel size in a tEXt chunk. Atomic. */
int am_image_write_png(const char *path, const am_image *im, double lo, double hi, char *err, size_t errlen);
/* 8-bit RGB, w x h, rows of 3 * w bytes: for pictures people read (the
 * column overlay). Atomic. */
int am_png_write_rgb(const char *path, const unsigned char *rgb, size_t w, size_t h, char *err, size_t errlen);
/* 32-bit float TIFF, one strip per row, the pixel size in its
 * ImageDescription ("pixel_size=0.1"), which the reader takes back. Atomic. */
int am_image_write_tiff(const char *path, const am_image *im, char *err, size_t errlen);
/* Raw little-endian float32, row-major. Atomic. */
int am_image_write_raw(const char *path, const am_image *im, char *err, size_t errlen);

/* Mean and standard deviation of the pixels. */
void am_image_stats(const am_image *im, double *mean, double *sd);

#endif
