/*
 * op_image.c -- automat.simulate, automat.load_image, automat.denoise,
 * automat.quality.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cif.h"
#include "filter.h"
#include "ops.h"
#include "quality.h"
#include "sim.h"
#include "steps.h"

int am_simulate_op(am_struct *s, weft_op_ctx *ctx, const weft_host_api *api)
{
	int rc = WEFT_OK;
	int64_t size = weft_op_param_int(ctx, api, "size");
	am_sim_opts o = AM_SIM_OPTS_INIT;
	o.w = o.h = (size_t)(size > 0 ? size : 0);
	o.px = weft_op_param_float(ctx, api, "pixel_size"), o.rotation = weft_op_param_float(ctx, api, "rotation");
	o.sigma = weft_op_param_float(ctx, api, "sigma"), o.dose = weft_op_param_float(ctx, api, "dose");
	o.read_noise = weft_op_param_float(ctx, api, "read_noise"), o.drift = weft_op_param_float(ctx, api, "drift");
	o.jitter = weft_op_param_float(ctx, api, "jitter"), o.seed = (uint64_t)weft_op_param_int(ctx, api, "seed");
	char err[ERRLEN], png[4096];
	am_image im;
	if (size < 32 || size > 8192)
		rc = api->fail(ctx, "size must be 32..8192 pixels");
	else if (am_simulate(&im, s, &o, err, sizeof err) != 0)
		rc = api->fail(ctx, "%s", err);
	else {
		snprintf(png, sizeof png, "%s/image.png", api->workdir(ctx));
		if (am_image_write_png(png, &im, 0, 0, err, sizeof err) != 0)
			rc = api->fail(ctx, "%s", err);
		else if ((rc = weft_op_set_file(ctx, api, "image", png)) == WEFT_OK)
			rc = am_op_set_structure(ctx, api, "truth", "truth.cif", s);
		am_image_free(&im);
	}
	return rc;
}

int am_run_load(weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *p = weft_op_input_path(ctx, api, "file");
	int64_t w = weft_op_param_int(ctx, api, "width"), h = weft_op_param_int(ctx, api, "height");
	double px = weft_op_param_float(ctx, api, "pixel_size");
	char err[ERRLEN];
	am_image im;
	if (!p)
		return api->fail(ctx, "input 'file' must be an image file (PNG, TIFF or raw float32)");
	if (w < 0 || h < 0 || px < 0)
		return api->fail(ctx, "width, height and pixel_size cannot be negative");
	if (am_image_read(&im, p, "the image", (size_t)w, (size_t)h, px, err, sizeof err) != 0)
		return api->fail(ctx, "%s", err);
	int rc = WEFT_OK;
	double mean, sd;
	am_image_stats(&im, &mean, &sd);
	if (!(im.px > 0))
		rc = api->fail(ctx, "the image has no pixel size; give pixel_size in Angstrom per pixel (-p pixel_size=0.1)");
	if (rc == WEFT_OK)
		rc = am_op_set_image(ctx, api, "out", "image.tiff", &im);
	if (rc == WEFT_OK)
		rc = wop_set_json(ctx, api, "info", "info.json",
				  json_pack("{s:I, s:I, s:f, s:f, s:f}", "width", (json_int_t)im.w, "height",
					    (json_int_t)im.h, "pixel_size", im.px, "mean", mean, "sd", sd));
	am_image_free(&im);
	return rc;
}

int am_denoise_op(am_image *im, weft_op_ctx *ctx, const weft_host_api *api)
{
	int rc = WEFT_OK;
	int64_t level = weft_op_param_int(ctx, api, "level");
	char err[ERRLEN];
	const char *method = "none";
	if (level < 0 || level > AM_DENOISE_MAX)
		rc = api->fail(ctx, "level must be 0 (chosen from the noise) to %d", AM_DENOISE_MAX);
	if (rc == WEFT_OK && level == AM_DENOISE_AUTO) {
		double snr = am_snr(im);
		if (isnan(snr))
			rc = api->fail(ctx, "out of memory measuring the noise");
		level = am_denoise_level(snr);
	}
	if (rc == WEFT_OK && am_denoise(im, (int)level, &method, err, sizeof err) != 0)
		rc = api->fail(ctx, "denoise level %d: %s", (int)level, err);
	if (rc == WEFT_OK)
		rc = am_op_set_image(ctx, api, "out", "denoised.tiff", im);
	if (rc == WEFT_OK)
		rc = weft_op_set_string(ctx, api, "method", method);
	if (rc == WEFT_OK)
		rc = weft_op_set_int(ctx, api, "level", level);
	return rc;
}

int am_quality_op(am_image *im, weft_op_ctx *ctx, const weft_host_api *api)
{
	int rc = WEFT_OK;
	am_quality_opts o = {weft_op_param_float(ctx, api, "min_periodicity"), weft_op_param_float(ctx, api, "min_snr"),
			     weft_op_param_float(ctx, api, "min_cnr")};
	am_quality q;
	char err[ERRLEN];
	if (am_quality_measure(&q, im, &o, err, sizeof err) != 0)
		rc = api->fail(ctx, "%s", err);
	if (rc == WEFT_OK) {
		json_t *j = json_pack("{s:s, s:b, s:s, s:f, s:f, s:f, s:f, s:i, s:i, s:{s:f, s:f, s:f}}", "format",
				      "automat-quality/1", "pass", q.pass, "verdict", q.verdict, "periodicity",
				      q.periodicity, "snr", isfinite(q.snr) ? q.snr : 1e9, "cnr", q.cnr, "noise_sigma",
				      q.noise_sigma, "suggested_level", am_denoise_level(q.snr), "denoise_level",
				      (int)weft_op_param_int(ctx, api, "level"), "thresholds", "periodicity", o.min_periodicity,
				      "snr", o.min_snr, "cnr", o.min_cnr);
		if (j && q.has_lattice)
			json_object_set_new(j, "lattice", am_lattice_to_json(&q.lattice, im->px, im->w, im->h));
		rc = wop_set_json(ctx, api, "report", "quality.json", j);
	}
	if (rc == WEFT_OK)
		rc = weft_op_set_bool(ctx, api, "pass", q.pass);
	if (rc == WEFT_OK)
		rc = weft_op_set_string(ctx, api, "verdict", q.verdict);
	if (rc == WEFT_OK)
		rc = weft_op_set_int(ctx, api, "level", am_denoise_level(q.snr));
	if (rc == WEFT_OK)
		rc = weft_op_set_int(ctx, api, "next", am_gate_next(&q, &o, (int)weft_op_param_int(ctx, api, "level")));
	if (rc == WEFT_OK)
		rc = weft_op_set_float(ctx, api, "periodicity", q.periodicity);
	return rc;
}

