/*
 * image.c -- the image type: making, copying, freeing, statistics. The
 * formats are read and written in imageio.c (detection, raw), png.c, tiff.c.
 */
#define _GNU_SOURCE
#include "image.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int am_image_new(am_image *im, size_t w, size_t h, double px)
{
	memset(im, 0, sizeof *im);
	if (w == 0 || h == 0 || w > 65536 || h > 65536 || w * h > AM_IMAGE_MAX_PIXELS)
		return -1;
	im->v = calloc(w * h, sizeof *im->v);
	if (!im->v)
		return -1;
	im->w = w, im->h = h, im->px = px;
	return 0;
}

void am_image_free(am_image *im)
{
	free(im->v);
	memset(im, 0, sizeof *im);
}

int am_image_copy(am_image *dst, const am_image *src)
{
	if (am_image_new(dst, src->w, src->h, src->px) != 0)
		return -1;
	memcpy(dst->v, src->v, src->w * src->h * sizeof *dst->v);
	dst->threads = src->threads;
	return 0;
}

void am_image_stats(const am_image *im, double *mean, double *sd)
{
	size_t n = im->w * im->h;
	double s = 0, ss = 0;
	for (size_t i = 0; i < n; i++)
		s += im->v[i];
	double m = n ? s / (double)n : 0;
	for (size_t i = 0; i < n; i++)
		ss += (im->v[i] - m) * (im->v[i] - m);
	*mean = m;
	*sd = n ? sqrt(ss / (double)n) : 0;
}
