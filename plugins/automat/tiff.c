/*
 * tiff.c -- TIFF reading and writing with libtiff. Errors go to a
 * per-handle handler (TIFFOpenExt), not libtiff's process-wide one, so
 * concurrent ops do not share or clobber a message.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

#include "atomic_file.h"
#include "image.h"

typedef struct tifferr {
	char msg[200];
} tifferr;

static int on_error(TIFF *t, void *user, const char *module, const char *fmt, va_list ap)
{
	(void)t, (void)module;
	tifferr *e = user;
	if (!e->msg[0])
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	return 1;
}

static int on_warning(TIFF *t, void *user, const char *module, const char *fmt, va_list ap)
{
	(void)t, (void)user, (void)module, (void)fmt, (void)ap;
	return 1; /* unknown tags and the like: not our concern */
}

static TIFF *open_tiff(const char *path, const char *mode, tifferr *e)
{
	TIFFOpenOptions *o = TIFFOpenOptionsAlloc();
	if (!o)
		return NULL;
	TIFFOpenOptionsSetErrorHandlerExtR(o, on_error, e);
	TIFFOpenOptionsSetWarningHandlerExtR(o, on_warning, NULL);
	/* No single allocation libtiff makes for a file's claims (strip
	 * tables, a scanline) may pass 256 MiB. */
	TIFFOpenOptionsSetMaxSingleMemAlloc(o, (tmsize_t)256 << 20);
	TIFF *t = TIFFOpenExt(path, mode, o);
	TIFFOpenOptionsFree(o);
	return t;
}

static double sample(const unsigned char *row, size_t i, int bits, int fmt)
{
	if (bits == 8)
		return fmt == SAMPLEFORMAT_INT ? ((const int8_t *)row)[i] : row[i];
	if (bits == 16 && fmt == SAMPLEFORMAT_INT)
		return ((const int16_t *)(const void *)row)[i];
	if (bits == 16)
		return ((const uint16_t *)(const void *)row)[i];
	if (fmt == SAMPLEFORMAT_IEEEFP)
		return ((const float *)(const void *)row)[i];
	if (fmt == SAMPLEFORMAT_INT)
		return ((const int32_t *)(const void *)row)[i];
	return ((const uint32_t *)(const void *)row)[i];
}

int am_tiff_read(am_image *im, const char *path, const char *name, char *err, size_t errlen)
{
	if (!name)
		name = path;
	memset(im, 0, sizeof *im);
	tifferr e = {""};
	TIFF *t = open_tiff(path, "r", &e);
	if (!t) {
		snprintf(err, errlen, "%s is not a readable TIFF (%s)", name, e.msg[0] ? e.msg : "cannot open");
		return -1;
	}
	uint32_t w = 0, h = 0;
	uint16_t bits = 0, spp = 1, fmt = SAMPLEFORMAT_UINT, planar = PLANARCONFIG_CONTIG;
	TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w);
	TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h);
	TIFFGetFieldDefaulted(t, TIFFTAG_BITSPERSAMPLE, &bits);
	TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLESPERPIXEL, &spp);
	TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLEFORMAT, &fmt);
	TIFFGetFieldDefaulted(t, TIFFTAG_PLANARCONFIG, &planar);
	const char *why = NULL;
	if (TIFFIsTiled(t))
		why = "tiled TIFFs are not supported; save it with strips";
	else if (bits != 8 && bits != 16 && bits != 32)
		why = "only 8-, 16- and 32-bit samples are supported";
	else if (fmt == SAMPLEFORMAT_IEEEFP && bits != 32)
		why = "floating-point samples must be 32-bit";
	else if (spp != 1 && spp != 3 && spp != 4)
		why = "only grayscale, RGB and RGBA are supported";
	else if (spp > 1 && planar != PLANARCONFIG_CONTIG)
		why = "separate colour planes are not supported";
	if (why || am_image_new(im, w, h, 0) != 0) {
		snprintf(err, errlen, "%s: %s", name,
			 why ? why : "image is empty or too large: at most 8192 x 8192 pixels (67 M) are read");
		TIFFClose(t);
		return -1;
	}
	/* The scanline libtiff hands back must hold what the loop reads: a
	 * file whose tags disagree (photometric subsampling, a bogus
	 * SamplesPerPixel) is refused, not read past. */
	tmsize_t line = TIFFScanlineSize(t);
	if (line <= 0 || (uint64_t)line < (uint64_t)w * spp * (bits / 8u)) {
		snprintf(err, errlen, "%s: its tags disagree about the row size (%lld bytes for %u x %u samples of %u bits); "
				      "export the image again",
			 name, (long long)line, (unsigned)w, (unsigned)spp, (unsigned)bits);
		am_image_free(im);
		TIFFClose(t);
		return -1;
	}
	unsigned char *row = _TIFFmalloc(line);
	int rc = row ? 0 : -1;
	for (uint32_t y = 0; rc == 0 && y < h; y++) {
		if (TIFFReadScanline(t, row, y, 0) < 0) {
			rc = -1;
			break;
		}
		for (uint32_t x = 0; x < w; x++) {
			double v;
			if (spp == 1)
				v = sample(row, x, bits, fmt);
			else /* Rec. 709 luma */
				v = 0.2126 * sample(row, (size_t)x * spp, bits, fmt) +
				    0.7152 * sample(row, (size_t)x * spp + 1, bits, fmt) +
				    0.0722 * sample(row, (size_t)x * spp + 2, bits, fmt);
			im->v[(size_t)y * w + x] = v;
		}
	}
	if (row)
		_TIFFfree(row);
	const char *desc = NULL;
	if (TIFFGetField(t, TIFFTAG_IMAGEDESCRIPTION, &desc) && desc && strstr(desc, "pixel_size="))
		im->px = strtod(strstr(desc, "pixel_size=") + 11, NULL);
	TIFFClose(t);
	if (rc != 0) {
		snprintf(err, errlen, "%s is truncated or corrupt (%s); export the image again", name,
			 e.msg[0] ? e.msg : "cannot read a row");
		am_image_free(im);
	}
	return rc;
}

int am_image_write_tiff(const char *path, const am_image *im, char *err, size_t errlen)
{
	am_afile af;
	if (am_afile_open(&af, path, err, errlen) != 0)
		return -1;
	fclose(af.f); /* libtiff opens the temporary by name */
	af.f = NULL;
	tifferr e = {""};
	TIFF *t = open_tiff(af.tmp, "w", &e);
	float *row = malloc(im->w * sizeof *row);
	int rc = t && row ? 0 : -1;
	if (rc == 0) {
		TIFFSetField(t, TIFFTAG_IMAGEWIDTH, (uint32_t)im->w);
		TIFFSetField(t, TIFFTAG_IMAGELENGTH, (uint32_t)im->h);
		TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 32);
		TIFFSetField(t, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_IEEEFP);
		TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
		TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
		TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
		TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 1);
		char desc[64];
		snprintf(desc, sizeof desc, "weft automat pixel_size=%.9g", im->px);
		TIFFSetField(t, TIFFTAG_IMAGEDESCRIPTION, desc);
	}
	for (size_t y = 0; rc == 0 && y < im->h; y++) {
		for (size_t x = 0; x < im->w; x++)
			row[x] = (float)im->v[y * im->w + x];
		if (TIFFWriteScanline(t, row, (uint32_t)y, 0) < 0)
			rc = -1;
	}
	free(row);
	if (t)
		TIFFClose(t);
	if (rc != 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, e.msg[0] ? e.msg : "out of memory");
		am_afile_abort(&af);
		return -1;
	}
	return am_afile_commit(&af, err, errlen);
}
