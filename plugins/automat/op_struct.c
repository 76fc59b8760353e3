/*
 * op_struct.c -- automat.lattice, automat.columns, automat.match_template,
 * automat.reconstruct.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elements.h"
#include "match.h"
#include "motif.h"
#include "ops.h"
#include "recon.h"
#include "spectrum.h"
#include "steps.h"

int am_run_lattice(weft_op_ctx *ctx, const weft_host_api *api)
{
	am_image im;
	int rc = am_op_image(&im, ctx, api, "image");
	if (rc != WEFT_OK)
		return rc;
	char err[ERRLEN];
	am_spectrum S;
	am_lattice L;
	if (am_spectrum_compute(&S, &im, err, sizeof err) != 0) {
		am_image_free(&im);
		return api->fail(ctx, "%s", err);
	}
	if (am_lattice_estimate(&L, &im, &S, err, sizeof err) != 0)
		rc = api->fail(ctx, "%s", err);
	else if (L.periodicity < weft_op_param_float(ctx, api, "min_periodicity"))
		rc = api->fail(ctx, "not periodic enough: periodicity %.2f < %.2f; no lattice is reported for it",
			       L.periodicity, weft_op_param_float(ctx, api, "min_periodicity"));
	am_spectrum_free(&S);
	if (rc == WEFT_OK)
		rc = wop_set_json(ctx, api, "out", "lattice.json", am_lattice_to_json(&L, im.px, im.w, im.h));
	if (rc == WEFT_OK)
		rc = weft_op_set_float(ctx, api, "a", L.len_a);
	if (rc == WEFT_OK)
		rc = weft_op_set_float(ctx, api, "b", L.len_b);
	if (rc == WEFT_OK)
		rc = weft_op_set_float(ctx, api, "gamma", L.gamma);
	am_image_free(&im);
	return rc;
}

int am_run_columns(weft_op_ctx *ctx, const weft_host_api *api)
{
	am_image im;
	am_lattice L;
	double px;
	size_t w, h;
	int rc = am_op_image(&im, ctx, api, "image");
	if (rc != WEFT_OK)
		return rc;
	if ((rc = am_op_lattice(&L, &px, &w, &h, ctx, api, "lattice")) != WEFT_OK) {
		am_image_free(&im);
		return rc;
	}
	char err[ERRLEN], path[4096], eb[8][4];
	const char *el[8];
	size_t ne;
	if (am_parse_elements(weft_op_param_string(ctx, api, "elements"), eb, el, &ne, err, sizeof err) != 0) {
		am_image_free(&im);
		return api->fail(ctx, "elements: %s", err);
	}
	am_elements_hint hint;
	am_elements_hint_of(&hint, el, ne);
	am_colset cols;
	if (am_find_columns(&cols, &im, &L, &hint, err, sizeof err) != 0) {
		am_image_free(&im);
		return api->fail(ctx, "%s", err);
	}
	/* species by brightness: as many intensity classes as elements, the
	 * brightest class the heaviest element */
	double centres[8];
	am_element_sort(el, ne);
	int nclass = 0;
	if (ne && cols.averaged) { /* per-site intensities: species by their ratios */
		int *cls = malloc((cols.n ? cols.n : 1) * sizeof *cls);
		double *v = malloc((cols.n ? cols.n : 1) * sizeof *v);
		if (!cls || !v) {
			free(cls), free(v), am_colset_free(&cols), am_image_free(&im);
			return api->fail(ctx, "out of memory classifying %zu columns", cols.n);
		}
		for (size_t i = 0; i < cols.n; i++)
			v[i] = cols.v[i].intensity;
		nclass = am_species_by_ratio(v, cols.n, (int)ne, AM_SAME_SPECIES, cls);
		for (size_t i = 0; i < cols.n; i++)
			cols.v[i].cls = cls[i];
		free(cls), free(v);
	} else if (ne)
		nclass = am_columns_classify(&cols, (int)ne, centres);
	if (cols.n == 0)
		rc = api->fail(ctx, "no atom columns stand out of the background; denoise harder or check the image");
	snprintf(path, sizeof path, "%s/columns.csv", api->workdir(ctx));
	FILE *f = rc == WEFT_OK ? fopen(path, "w") : NULL;
	if (rc == WEFT_OK && !f)
		rc = api->fail(ctx, "cannot write %s", path);
	if (f) {
		fprintf(f, "x_px,y_px,intensity%s%s\n", nclass ? ",class,element" : "", cols.averaged ? ",site" : "");
		for (size_t i = 0; i < cols.n; i++) {
			fprintf(f, "%.4f,%.4f,%.6g", cols.v[i].x, cols.v[i].y, cols.v[i].intensity);
			if (nclass) /* classes run dimmest first, elements lightest first */
				fprintf(f, ",%d,%s", cols.v[i].cls, el[cols.v[i].cls]);
			if (cols.averaged)
				fprintf(f, ",%d", cols.v[i].site);
			fprintf(f, "\n");
		}
		if (fclose(f) != 0)
			rc = api->fail(ctx, "cannot write %s", path);
	}
	if (rc == WEFT_OK)
		rc = weft_op_set_file(ctx, api, "out", path);
	if (rc == WEFT_OK)
		rc = weft_op_set_int(ctx, api, "count", (int64_t)cols.n);
	am_colset_free(&cols);
	am_image_free(&im);
	return rc;
}

static int load_inputs(am_colset *cols, am_lattice *L, double *px, size_t *w, size_t *h, weft_op_ctx *ctx,
		       const weft_host_api *api)
{
	int rc = am_op_columns(cols, ctx, api, "columns");
	if (rc == WEFT_OK && (rc = am_op_lattice(L, px, w, h, ctx, api, "lattice")) != WEFT_OK)
		am_colset_free(cols);
	return rc;
}

static int load_library(am_library *lib, weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *dir = weft_op_input_path(ctx, api, "library");
	char err[ERRLEN];
	if (!dir)
		return api->fail(ctx, "input 'library' must be a directory of template CIFs (weft.dir(...))");
	if (am_library_load(lib, dir, err, sizeof err) != 0)
		return api->fail(ctx, "%s", err);
	return WEFT_OK;
}

int am_run_match(weft_op_ctx *ctx, const weft_host_api *api)
{
	am_colset cols;
	am_lattice L;
	am_library lib;
	double px;
	size_t w, h, ne;
	char err[ERRLEN], eb[8][4];
	const char *el[8];
	if (am_parse_elements(weft_op_param_string(ctx, api, "elements"), eb, el, &ne, err, sizeof err) != 0)
		return api->fail(ctx, "elements: %s", err);
	int rc = load_inputs(&cols, &L, &px, &w, &h, ctx, api);
	if (rc != WEFT_OK)
		return rc;
	if ((rc = load_library(&lib, ctx, api)) != WEFT_OK) {
		am_colset_free(&cols);
		return rc;
	}
	am_match *m = calloc(lib.n, sizeof *m);
	double min = weft_op_param_float(ctx, api, "min_score");
	if (!m)
		rc = api->fail(ctx, "out of memory");
	json_t *ranked = json_array();
	if (rc == WEFT_OK && am_match_templates(m, &lib, &cols, &L, px, w, h, ne ? el : NULL, ne) != 0)
		rc = api->fail(ctx, "out of memory");
	if (rc == WEFT_OK) {
		for (size_t i = 0; i < lib.n; i++)
			json_array_append_new(ranked, json_pack("{s:s, s:f, s:f, s:f, s:f, s:b}", "template",
								lib.t[m[i].index].name, "score", m[i].score,
								"distance_similarity", m[i].hist_sim, "brightness_similarity",
								m[i].intensity_sim, "lattice_error", m[i].lattice_err,
								"elements_ok", m[i].elements_ok));
	}
	int matched = rc == WEFT_OK && lib.n && am_match_accepted(&m[0], min);
	const char *best = matched ? lib.t[m[0].index].name : "";
	if (rc == WEFT_OK)
		rc = wop_set_json(ctx, api, "report", "match.json",
				  json_pack("{s:s, s:b, s:s, s:f, s:f, s:o}", "format", "automat-match/1", "matched", matched,
					    "template", best, "score", lib.n ? m[0].score : 0.0, "min_score", min,
					    "ranked", ranked));
	else
		json_decref(ranked);
	if (rc == WEFT_OK)
		rc = weft_op_set_bool(ctx, api, "matched", matched);
	if (rc == WEFT_OK)
		rc = weft_op_set_string(ctx, api, "template", best);
	if (rc == WEFT_OK)
		rc = weft_op_set_float(ctx, api, "score", lib.n ? m[0].score : 0.0);
	free(m);
	am_library_free(&lib);
	am_colset_free(&cols);
	return rc;
}

int am_run_reconstruct(weft_op_ctx *ctx, const weft_host_api *api)
{
	am_colset cols;
	am_lattice L;
	double px;
	size_t w, h, ne;
	char err[ERRLEN], eb[8][4];
	const char *el[8], *tname = weft_op_param_string(ctx, api, "template");
	if (am_parse_elements(weft_op_param_string(ctx, api, "elements"), eb, el, &ne, err, sizeof err) != 0)
		return api->fail(ctx, "elements: %s", err);
	int rc = load_inputs(&cols, &L, &px, &w, &h, ctx, api);
	if (rc != WEFT_OK)
		return rc;
	am_struct s = {0};
	json_t *rep = json_pack("{s:s}", "format", "automat-reconstruct/1");
	if (tname && *tname) { /* the template line */
		am_library lib;
		if ((rc = load_library(&lib, ctx, api)) == WEFT_OK) {
			size_t t = 0;
			while (t < lib.n && strcmp(lib.t[t].name, tname))
				t++;
			if (t == lib.n)
				rc = api->fail(ctx, "template '%s' is not in the library", tname);
			else if (am_template_fit(&s, &lib.t[t], &L) != 0)
				rc = api->fail(ctx, "out of memory");
			am_library_free(&lib);
		}
		json_object_set_new(rep, "line", json_string("template"));
		json_object_set_new(rep, "template", json_string(tname));
	} else { /* the template-free line */
		am_recon_opts o = {weft_op_param_float(ctx, api, "merge_tol"), weft_op_param_float(ctx, api, "min_support"),
				   weft_op_param_float(ctx, api, "vacuum"), px, el, ne};
		am_site *sites = NULL;
		size_t ns = 0;
		if (am_reconstruct(&s, &sites, &ns, &cols, &L, w, h, &o, err, sizeof err) != 0)
			rc = api->fail(ctx, "%s", err);
		json_t *js = json_array();
		for (size_t i = 0; i < ns; i++)
			json_array_append_new(js, json_pack("{s:f, s:f, s:f, s:I, s:s}", "u", sites[i].u, "v", sites[i].v,
							    "intensity", sites[i].intensity, "seen", (json_int_t)sites[i].count,
							    "element", s.at[i].el));
		free(sites);
		json_object_set_new(rep, "line", json_string("template-free"));
		json_object_set_new(rep, "sites", js);
		/* what the summary checks a template-free cell by: the elements
		 * given that no column took (a light column lost beside heavy
		 * ones, or an element that is not there), and whether the cell is
		 * a multiple of a smaller one that maps every site onto its kind */
		json_t *missing = json_array();
		for (size_t e = 0; e < ne; e++) {
			size_t i = 0;
			while (i < s.n && strcmp(s.at[i].el, el[e]))
				i++;
			if (i == s.n)
				json_array_append_new(missing, json_string(el[e]));
		}
		json_object_set_new(rep, "elements_without_column", missing);
		am_proj pr;
		char perr[ERRLEN];
		if (rc == WEFT_OK && s.n > 0 && am_proj_from_struct(&pr, &s, perr, sizeof perr) == 0) {
			double cell = s.a * s.b * sin(s.gamma * M_PI / 180);
			double small = pr.len_a * pr.len_b * sin(pr.gamma * M_PI / 180);
			json_object_set_new(rep, "reduces_by", json_real(small > 0 ? round(100 * cell / small) / 100 : 1));
			am_proj_free(&pr);
		}
	}
	if (rc == WEFT_OK) {
		json_object_set_new(rep, "cell", json_pack("{s:f, s:f, s:f, s:f}", "a", s.a, "b", s.b, "c", s.c, "gamma",
							   s.gamma));
		json_object_set_new(rep, "atoms", json_integer((json_int_t)s.n));
		rc = am_op_set_structure(ctx, api, "out", "structure.cif", &s);
	}
	if (rc == WEFT_OK)
		rc = wop_set_json(ctx, api, "report", "reconstruct.json", rep);
	else
		json_decref(rep);
	am_struct_free(&s);
	am_colset_free(&cols);
	return rc;
}

