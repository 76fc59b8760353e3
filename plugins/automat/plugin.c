/*
 * plugin.c -- the automat plugin: AutoMat's STEM-image-to-structure
 * pipeline on weft's plugin ABI. Ops live in op_image.c, op_struct.c and
 * op_relax.c; this file holds the artifacts they pass.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <fftw3.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cif.h"
#include "csv.h"
#include "elements.h"
#include "ops.h"

int am_op_image(am_image *im, weft_op_ctx *ctx, const weft_host_api *api, const char *name)
{
	const char *p = weft_op_input_path(ctx, api, name);
	char err[ERRLEN];
	if (!p)
		return api->fail(ctx, "input '%s' must be an image made by automat.load_image or automat.denoise", name);
	if (am_image_read(im, p, name, 0, 0, 0, err, sizeof err) != 0)
		return api->fail(ctx, "input '%s': %s", name, err);
	/* The node's CPU slots (host API 1.7) for the per-pixel filters. */
	im->threads = api->struct_size >= offsetof(weft_host_api, cpus) + sizeof(void *) ? api->cpus(ctx) : 1;
	return WEFT_OK;
}

int am_with_image(weft_op_ctx *ctx, const weft_host_api *api, am_image_op *body)
{
	am_image im;
	int rc = am_op_image(&im, ctx, api, "image");
	if (rc != WEFT_OK)
		return rc;
	rc = body(&im, ctx, api);
	am_image_free(&im);
	return rc;
}

int am_op_set_image(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *file,
		    const am_image *im)
{
	char path[4096], err[ERRLEN];
	snprintf(path, sizeof path, "%s/%s", api->workdir(ctx), file);
	if (am_image_write_tiff(path, im, err, sizeof err) != 0)
		return api->fail(ctx, "%s", err);
	return weft_op_set_file(ctx, api, name, path);
}

json_t *am_lattice_to_json(const am_lattice *L, double px, size_t w, size_t h)
{
	return json_pack("{s:s, s:f, s:f, s:f, s:[f,f], s:[f,f], s:[f,f], s:[f,f], s:f, s:f, s:I, s:I, s:f, s:I, s:I}",
			 "format", "automat-lattice/1", "a", L->len_a, "b", L->len_b, "gamma", L->gamma, "a_px", L->a[0],
			 L->a[1], "b_px", L->b[0], L->b[1], "ga", L->ga[0], L->ga[1], "gb", L->gb[0], L->gb[1],
			 "periodicity", L->periodicity, "indexed", L->indexed, "peaks", (json_int_t)L->npeaks,
			 "reflections", (json_int_t)L->nrefl, "pixel_size", px, "width", (json_int_t)w, "height",
			 (json_int_t)h);
}

static int vec2(const json_t *j, const char *k, double v[2])
{
	const json_t *a = json_object_get(j, k);
	if (!json_is_array(a) || json_array_size(a) != 2)
		return -1;
	v[0] = json_number_value(json_array_get(a, 0)), v[1] = json_number_value(json_array_get(a, 1));
	return 0;
}

int am_op_lattice(am_lattice *L, double *px, size_t *w, size_t *h, weft_op_ctx *ctx, const weft_host_api *api,
		  const char *name)
{
	memset(L, 0, sizeof *L);
	char err[ERRLEN];
	json_t *j = wop_input_json(ctx, api, name, "automat-lattice/1", err, sizeof err);
	if (!j || vec2(j, "a_px", L->a) || vec2(j, "b_px", L->b) || vec2(j, "ga", L->ga) || vec2(j, "gb", L->gb)) {
		json_decref(j);
		return api->fail(ctx, "input '%s' must be a lattice made by automat.lattice", name);
	}
	L->len_a = json_number_value(json_object_get(j, "a"));
	L->len_b = json_number_value(json_object_get(j, "b"));
	L->gamma = json_number_value(json_object_get(j, "gamma"));
	L->periodicity = json_number_value(json_object_get(j, "periodicity"));
	*px = json_number_value(json_object_get(j, "pixel_size"));
	*w = (size_t)json_integer_value(json_object_get(j, "width"));
	*h = (size_t)json_integer_value(json_object_get(j, "height"));
	json_decref(j);
	return WEFT_OK;
}

int am_op_columns(am_colset *c, weft_op_ctx *ctx, const weft_host_api *api, const char *name)
{
	return am_op_columns_named(c, NULL, ctx, api, name);
}

int am_op_columns_named(am_colset *c, char (*names)[8], weft_op_ctx *ctx, const weft_host_api *api,
			const char *name)
{
	memset(c, 0, sizeof *c);
	const char *p = weft_op_input_path(ctx, api, name);
	char err[ERRLEN];
	wcsv t;
	if (!p)
		return api->fail(ctx, "input '%s' must be columns made by automat.columns", name);
	if (wcsv_read(&t, p, "columns.csv", err, sizeof err) != 0)
		return api->fail(ctx, "%s", err);
	int rc = WEFT_OK;
	/* the class and element columns, when asked for and there */
	int classes = names && t.ncols >= 5 && !strcmp(t.names[3], "class") && !strcmp(t.names[4], "element");
	if (t.ncols < 3 || strcmp(t.names[0], "x_px") || strcmp(t.names[1], "y_px") || strcmp(t.names[2], "intensity"))
		rc = api->fail(ctx, "input '%s' is not a columns table (x_px,y_px,intensity)", name);
	else if (!(c->v = calloc(t.nrows ? t.nrows : 1, sizeof *c->v)))
		rc = api->fail(ctx, "out of memory");
	/* a site column: the columns are the lattice-averaged sites tiled */
	long site_col = -1;
	for (size_t k = 3; k < t.ncols; k++)
		if (!strcmp(t.names[k], "site"))
			site_col = (long)k;
	int averaged = site_col >= 0 && t.nrows > 0;
	for (size_t i = 0; rc == WEFT_OK && i < t.nrows; i++) {
		const char *x = wcsv_cell(&t, i, 0), *y = wcsv_cell(&t, i, 1), *v = wcsv_cell(&t, i, 2);
		if (!x || !y || !v) {
			rc = api->fail(ctx, "columns.csv:%zu: a cell is empty", i + 2);
			break;
		}
		const char *st = site_col >= 0 ? wcsv_cell(&t, i, (size_t)site_col) : NULL;
		c->v[c->n++] = (am_col){strtod(x, NULL), strtod(y, NULL), strtod(v, NULL), -1, st ? atoi(st) : -1};
		if (c->v[c->n - 1].site < 0)
			averaged = 0;
		const char *k = classes ? wcsv_cell(&t, i, 3) : NULL, *e = classes ? wcsv_cell(&t, i, 4) : NULL;
		int cls = k ? atoi(k) : -1;
		if (cls >= 0 && cls < 8) {
			c->v[c->n - 1].cls = cls;
			if (e)
				snprintf(names[cls], 8, "%s", e);
		}
	}
	wcsv_free(&t);
	c->averaged = averaged;
	if (rc != WEFT_OK)
		am_colset_free(c);
	return rc;
}

int am_op_structure(am_struct *s, weft_op_ctx *ctx, const weft_host_api *api, const char *name)
{
	const char *p = weft_op_input_path(ctx, api, name);
	char err[ERRLEN];
	if (!p)
		return api->fail(ctx, "input '%s' must be a CIF file", name);
	if (am_cif_read(s, p, err, sizeof err) != 0)
		return api->fail(ctx, "input '%s': %s", name, err);
	return WEFT_OK;
}

int am_with_structure(weft_op_ctx *ctx, const weft_host_api *api, am_struct_op *body)
{
	am_struct s;
	int rc = am_op_structure(&s, ctx, api, "structure");
	if (rc != WEFT_OK)
		return rc;
	rc = body(&s, ctx, api);
	am_struct_free(&s);
	return rc;
}

int am_op_set_structure(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *file,
			const am_struct *s)
{
	char path[4096], err[ERRLEN];
	snprintf(path, sizeof path, "%s/%s", api->workdir(ctx), file);
	if (am_cif_write(path, s, err, sizeof err) != 0)
		return api->fail(ctx, "%s", err);
	return weft_op_set_file(ctx, api, name, path);
}

int am_parse_elements(const char *list, char buf[8][4], const char *el[8], size_t *n, char *err, size_t errlen)
{
	*n = 0;
	const char *p = list ? list : "";
	while (*p) {
		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		size_t len = 0;
		char tok[16];
		while (p[len] && p[len] != ',' && !isspace((unsigned char)p[len]) && len < sizeof tok - 1)
			tok[len] = p[len], len++;
		tok[len] = '\0';
		p += len;
		if (*n == 8) {
			snprintf(err, errlen, "at most 8 elements, please");
			return -1;
		}
		if (!am_element_z(tok) || len > 3) {
			snprintf(err, errlen, "'%s' is not an element symbol (write them like Mo,S)", tok);
			return -1;
		}
		memcpy(buf[*n], tok, len + 1); /* len <= 3, checked above */
		el[*n] = buf[*n];
		(*n)++;
	}
	return 0;
}

WEFT_PLUGIN_EXPORT const weft_plugin_desc *weft_plugin_entry(const weft_host_api *api)
{
	/* ops may run on several threads at once; FFTW's planner is not
	 * reentrant unless told so, once, before any plan */
	fftw_make_planner_thread_safe();
	return weft_plugin_accept(api, &am_plugin);
}
