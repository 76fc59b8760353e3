/*
 * op_summary.c -- automat.summary: the page a person reads (summary.md),
 * the column overlay (overlay.png) and the plausibility warnings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "summary.h"
#include "textout.h"

/* Overlays wider than this are scaled down: a picture, not the data. */
#define OVERLAY_MAX_SIDE 1024

int am_run_summary(weft_op_ctx *ctx, const weft_host_api *api)
{
	char err[ERRLEN], path[4096];
	json_t *report = wop_input_json(ctx, api, "report", "automat-report/1", err, sizeof err);
	if (!report)
		return api->fail(ctx, "input 'report' must be automat.report's JSON: %s", err[0] ? err : "not a file");
	am_image im;
	am_colset cols = {0};
	int rc = am_op_image(&im, ctx, api, "image");
	if (rc != WEFT_OK) {
		json_decref(report);
		return rc;
	}
	char names[8][8] = {{0}};
	if ((rc = am_op_columns_named(&cols, names, ctx, api, "columns")) != WEFT_OK) {
		am_image_free(&im);
		json_decref(report);
		return rc;
	}
	json_t *warnings = am_summary_warnings(report);
	size_t w = 0, h = 0;
	unsigned char *rgb = am_summary_overlay(&im, &cols, OVERLAY_MAX_SIDE, &w, &h);
	char *md = warnings ? am_summary_markdown(report, warnings, &cols, (const char(*)[8])names, "overlay.png") : NULL;
	if (!warnings || !rgb || !md) {
		rc = api->fail(ctx, "out of memory");
	} else if (!weft_op_workfile(ctx, api, "overlay.png", path, sizeof path)) {
		rc = WEFT_ERROR;
	} else if (am_png_write_rgb(path, rgb, w, h, err, sizeof err) != 0) {
		rc = api->fail(ctx, "%s", err);
	} else if ((rc = weft_op_set_file(ctx, api, "png", path)) == WEFT_OK) {
		rc = wop_set_text(ctx, api, "md", "summary.md", md);
	}
	for (size_t i = 0; rc == WEFT_OK && i < json_array_size(warnings); i++)
		api->log(ctx, WEFT_LOG_WARN, "%s", json_string_value(json_array_get(warnings, i)));
	if (rc == WEFT_OK)
		rc = weft_op_set_value(ctx, api, "warnings", wop_value_from_json(api, warnings));
	if (rc == WEFT_OK)
		rc = weft_op_set_bool(ctx, api, "plausible", json_array_size(warnings) == 0);
	free(md);
	free(rgb);
	json_decref(warnings);
	am_colset_free(&cols);
	am_image_free(&im);
	json_decref(report);
	return rc;
}
