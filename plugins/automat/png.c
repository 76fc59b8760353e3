/*
 * png.c -- PNG reading and writing with libpng. libpng reports errors by
 * longjmp; each entry point sets its jump buffer before the first libpng
 * call and frees everything it holds on the way out, so a truncated or
 * corrupt file is an error message, never a crash.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "image.h"

typedef struct pngerr {
	char msg[200];
} pngerr;

static void on_error(png_structp p, png_const_charp msg)
{
	pngerr *e = png_get_error_ptr(p);
	snprintf(e->msg, sizeof e->msg, "%s", msg);
	png_longjmp(p, 1);
}

static void on_warning(png_structp p, png_const_charp msg)
{
	(void)p, (void)msg; /* e.g. a bad CRC in an ancillary chunk: not fatal */
}

/* The libpng part of am_png_read, apart so that none of its arguments
 * changes after its setjmp. */
static int read_png(FILE *f, am_image *im, const char *name, char *err, size_t errlen)
{
	pngerr e = {""};
	png_structp p = png_create_read_struct(PNG_LIBPNG_VER_STRING, &e, on_error, on_warning);
	png_infop info = p ? png_create_info_struct(p) : NULL;
	png_bytep row = NULL;
	if (!p || !info) {
		png_destroy_read_struct(&p, &info, NULL);
		snprintf(err, errlen, "out of memory reading %s", name);
		return -1;
	}
	/* volatile: these change after setjmp and are read after a longjmp */
	png_bytep volatile vrow = NULL;
	if (setjmp(png_jmpbuf(p))) {
		free(vrow);
		am_image_free(im);
		png_destroy_read_struct(&p, &info, NULL);
		snprintf(err, errlen, "%s is truncated or corrupt (%s); export the image again", name,
			 e.msg[0] ? e.msg : "libpng error");
		return -1;
	}
	png_init_io(p, f);
	/* libpng's own caps, before it allocates for what the header claims */
	png_set_user_limits(p, 65536, 65536);
	png_set_chunk_malloc_max(p, 64u << 20);
	png_read_info(p, info);
	png_uint_32 w = png_get_image_width(p, info), h = png_get_image_height(p, info);
	int depth = png_get_bit_depth(p, info), type = png_get_color_type(p, info);
	if (type == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(p);
	if (type == PNG_COLOR_TYPE_GRAY && depth < 8)
		png_set_expand_gray_1_2_4_to_8(p);
	if (type & PNG_COLOR_MASK_ALPHA)
		png_set_strip_alpha(p);
	if (type == PNG_COLOR_TYPE_RGB || type == PNG_COLOR_TYPE_RGB_ALPHA || type == PNG_COLOR_TYPE_PALETTE)
		png_set_rgb_to_gray_fixed(p, 1, -1, -1); /* Rec. 709 luma */
	if (depth == 16)
		png_set_swap(p); /* native-endian uint16 on little-endian hosts */
	png_read_update_info(p, info);
	size_t rb = png_get_rowbytes(p, info);
	int d16 = png_get_bit_depth(p, info) == 16;
	if (am_image_new(im, w, h, 0) != 0)
		png_error(p, "image too large: at most 8192 x 8192 pixels (67 M) are read");
	vrow = row = malloc(rb);
	if (!row)
		png_error(p, "out of memory");
	for (png_uint_32 y = 0; y < h; y++) {
		png_read_row(p, row, NULL);
		for (png_uint_32 x = 0; x < w; x++)
			im->v[(size_t)y * w + x] = d16 ? ((const uint16_t *)(void *)row)[x] : row[x];
	}
	png_read_end(p, info);
	png_textp text;
	int nt = 0;
	if (png_get_text(p, info, &text, &nt) > 0)
		for (int i = 0; i < nt; i++)
			if (!strcmp(text[i].key, "pixel_size"))
				im->px = strtod(text[i].text, NULL);
	free(row);
	png_destroy_read_struct(&p, &info, NULL);
	return 0;
}

/* Walks the chunk headers: every chunk must fit in what is left of the
 * file. libpng allocates a chunk's claimed length before reading it, so a
 * 100-byte file claiming a 2 GB chunk is refused here instead. */
static int chunks_fit(FILE *f, const char *name, char *err, size_t errlen)
{
	if (fseeko(f, 0, SEEK_END) != 0)
		return 0; /* not seekable: libpng's own limits apply */
	off_t size = ftello(f), pos = 8;
	unsigned char h[8];
	/* A header needs 8 bytes; a chunk whose header is there but whose CRC
	 * cannot be is refused too (libpng would allocate its length first). */
	while (pos + 8 <= size) {
		if (fseeko(f, pos, SEEK_SET) != 0 || fread(h, 1, 8, f) != 8)
			break;
		uint64_t len = ((uint64_t)h[0] << 24) | ((uint64_t)h[1] << 16) | ((uint64_t)h[2] << 8) | h[3];
		if (pos + 12 > size || len > (uint64_t)(size - pos - 12)) {
			snprintf(err, errlen, "%s is truncated or corrupt (chunk %.4s at byte %lld claims %llu bytes, the file "
					      "has %lld left); export the image again",
				 name, (const char *)h + 4, (long long)pos, (unsigned long long)len,
				 (long long)(size - pos - 12 > 0 ? size - pos - 12 : 0));
			return -1;
		}
		if (!memcmp(h + 4, "IEND", 4))
			break;
		pos += 12 + (off_t)len;
	}
	return fseeko(f, 0, SEEK_SET) == 0 ? 0 : -1;
}

int am_png_read(am_image *im, const char *path, const char *name, char *err, size_t errlen)
{
	memset(im, 0, sizeof *im);
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "cannot open %s: %s", name ? name : path, strerror(errno));
		return -1;
	}
	if (chunks_fit(f, name ? name : path, err, errlen) != 0) {
		fclose(f);
		return -1;
	}
	int rc = read_png(f, im, name ? name : path, err, errlen);
	fclose(f);
	return rc;
}

/* Row y of a picture, as libpng takes it. */
typedef png_const_bytep (*png_row_fn)(void *ctx, size_t y);

/* One writer for both pictures: w x h at `depth` bits in `color`, an
 * optional tEXt pair, each row from `row`. Atomic. Nothing it changes
 * lives across its setjmp: what rows need is the caller's. */
static int write_png(const char *path, size_t w, size_t h, int depth, int color, const char *text_key,
		     const char *text, png_row_fn row, void *ctx, char *err, size_t errlen)
{
	am_afile af;
	if (am_afile_open(&af, path, err, errlen) != 0)
		return -1;
	pngerr e = {""};
	png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, &e, on_error, on_warning);
	png_infop info = p ? png_create_info_struct(p) : NULL;
	if (!p || !info || setjmp(png_jmpbuf(p))) {
		png_destroy_write_struct(&p, &info);
		am_afile_abort(&af);
		snprintf(err, errlen, "cannot write %s: %s", path, e.msg[0] ? e.msg : "out of memory");
		return -1;
	}
	png_init_io(p, af.f);
	/* zlib's fastest level: these are pictures and intermediate images,
	 * and level 6 took a quarter of a second for a 1024 x 1024 overlay
	 * (about 10% larger files at level 1) */
	png_set_compression_level(p, 1);
	png_set_IHDR(p, info, (png_uint_32)w, (png_uint_32)h, depth, color, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (text_key) {
		png_text t = {PNG_TEXT_COMPRESSION_NONE, (char *)text_key, (char *)text, strlen(text), 0, NULL, NULL};
		png_set_text(p, info, &t, 1);
	}
	png_write_info(p, info);
	if (depth == 16)
		png_set_swap(p); /* rows are host-order uint16 */
	for (size_t y = 0; y < h; y++)
		png_write_row(p, row(ctx, y));
	png_write_end(p, info);
	png_destroy_write_struct(&p, &info);
	return am_afile_commit(&af, err, errlen);
}

typedef struct gray16 {
	const am_image *im;
	double lo, hi;
	uint16_t *row;
} gray16;

static png_const_bytep gray16_row(void *ctx, size_t y)
{
	gray16 *g = ctx;
	for (size_t x = 0; x < g->im->w; x++) {
		double v = (g->im->v[y * g->im->w + x] - g->lo) / (g->hi - g->lo) * 65535.0;
		g->row[x] = (uint16_t)(v < 0 ? 0 : v > 65535 ? 65535 : lround(v));
	}
	return (png_const_bytep)g->row;
}

typedef struct rgb8 {
	const unsigned char *rgb;
	size_t w;
} rgb8;

static png_const_bytep rgb8_row(void *ctx, size_t y)
{
	const rgb8 *r = ctx;
	return r->rgb + y * r->w * 3;
}

int am_png_write_rgb(const char *path, const unsigned char *rgb, size_t w, size_t h, char *err, size_t errlen)
{
	if (!w || !h || w > 65535 || h > 65535) {
		snprintf(err, errlen, "cannot write %s: %zu x %zu pixels", path, w, h);
		return -1;
	}
	rgb8 r = {rgb, w};
	return write_png(path, w, h, 8, PNG_COLOR_TYPE_RGB, NULL, NULL, rgb8_row, &r, err, errlen);
}

int am_image_write_png(const char *path, const am_image *im, double lo, double hi, char *err, size_t errlen)
{
	if (lo == hi) {
		lo = INFINITY, hi = -INFINITY;
		for (size_t i = 0; i < im->w * im->h; i++)
			lo = im->v[i] < lo ? im->v[i] : lo, hi = im->v[i] > hi ? im->v[i] : hi;
		if (!(hi > lo))
			hi = lo + 1;
	}
	gray16 g = {im, lo, hi, malloc((im->w ? im->w : 1) * sizeof(uint16_t))};
	if (!g.row) {
		snprintf(err, errlen, "cannot write %s: out of memory", path);
		return -1;
	}
	char pxs[64];
	snprintf(pxs, sizeof pxs, "%.9g", im->px);
	int rc = write_png(path, im->w, im->h, 16, PNG_COLOR_TYPE_GRAY, "pixel_size", pxs, gray16_row, &g, err, errlen);
	free(g.row);
	return rc;
}
