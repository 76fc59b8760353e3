/*
 * imageio.c -- reading an image whatever its format (told by its first
 * bytes: PNG, TIFF, else raw float32 of a given size), and the raw
 * reader and writer. PNG and TIFF have files of their own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "image.h"

static int read_raw(am_image *im, const char *path, const char *name, size_t w, size_t h, double px, char *err,
		    size_t errlen)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "cannot open %s: %s", name, strerror(errno));
		return -1;
	}
	if (w == 0 || h == 0) {
		snprintf(err, errlen,
			 "%s is neither PNG nor TIFF; for a raw float32 array give its width and height (%lld bytes)",
			 name, (long long)st.st_size);
		return -1;
	}
	if ((unsigned long long)st.st_size != (unsigned long long)w * h * 4) {
		snprintf(err, errlen, "%s has %lld bytes, but a %zu x %zu float32 array needs %llu; check width and height",
			 name, (long long)st.st_size, w, h, (unsigned long long)w * h * 4);
		return -1;
	}
	if (am_image_new(im, w, h, px) != 0) {
		snprintf(err, errlen, "%s: %zu x %zu is too large", name, w, h);
		return -1;
	}
	FILE *f = fopen(path, "rb");
	float *row = malloc(w * sizeof *row);
	int rc = f && row ? 0 : -1;
	for (size_t y = 0; rc == 0 && y < h; y++) {
		if (fread(row, sizeof *row, w, f) != w) {
			rc = -1;
			break;
		}
		for (size_t x = 0; x < w; x++) {
			if (!isfinite(row[x])) {
				snprintf(err, errlen, "%s: pixel (%zu, %zu) is not a finite number", name, x, y);
				rc = -2;
				break;
			}
			im->v[y * w + x] = row[x];
		}
	}
	if (f)
		fclose(f);
	free(row);
	if (rc != 0) {
		if (rc == -1)
			snprintf(err, errlen, "cannot read %s", name);
		am_image_free(im);
		return -1;
	}
	return 0;
}

int am_image_read(am_image *im, const char *path, const char *name, size_t raw_w, size_t raw_h, double px,
		  char *err, size_t errlen)
{
	if (!name)
		name = path;
	memset(im, 0, sizeof *im);
	unsigned char sig[8] = {0};
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "cannot open %s: %s", name, strerror(errno));
		return -1;
	}
	size_t got = fread(sig, 1, sizeof sig, f);
	fclose(f);
	if (got == 0) {
		snprintf(err, errlen, "%s is empty; give a PNG, TIFF or raw float32 image", name);
		return -1;
	}
	int rc;
	if (got >= 8 && !memcmp(sig, "\x89PNG\r\n\x1a\n", 8))
		rc = am_png_read(im, path, name, err, errlen);
	else if (got >= 4 && (!memcmp(sig, "II*\0", 4) || !memcmp(sig, "MM\0*", 4)))
		rc = am_tiff_read(im, path, name, err, errlen);
	else
		return read_raw(im, path, name, raw_w, raw_h, px, err, errlen);
	if (rc == 0 && px > 0)
		im->px = px; /* the caller's value wins over the file's */
	return rc;
}

int am_image_write_raw(const char *path, const am_image *im, char *err, size_t errlen)
{
	am_afile af;
	if (am_afile_open(&af, path, err, errlen) != 0)
		return -1;
	for (size_t i = 0; i < im->w * im->h; i++) {
		float v = (float)im->v[i];
		fwrite(&v, sizeof v, 1, af.f);
	}
	return am_afile_commit(&af, err, errlen);
}
