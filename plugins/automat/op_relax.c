/*
 * op_relax.c -- automat.relax, automat.compare, automat.report.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compare.h"
#include "ops.h"
#include "relax.h"

int am_relax_op(am_struct *s, weft_op_ctx *ctx, const weft_host_api *api)
{
	int rc = WEFT_OK;
	am_relax_opts o = {weft_op_param_float(ctx, api, "fmax"), (int)weft_op_param_int(ctx, api, "max_steps")};
	am_relax_result r;
	char err[ERRLEN];
	if (o.fmax <= 0 || o.max_steps < 0)
		rc = api->fail(ctx, "fmax must be positive and max_steps at least 0");
	else if (am_relax(s, &o, &r, err, sizeof err) != 0)
		rc = api->fail(ctx, "%s", err);
	if (rc == WEFT_OK)
		rc = am_op_set_structure(ctx, api, "out", "relaxed.cif", s);
	if (rc == WEFT_OK)
		rc = wop_set_json(ctx, api, "report", "relax.json",
				  json_pack("{s:s, s:s, s:s, s:f, s:f, s:f, s:f, s:i, s:b, s:I}", "format", "automat-relax/1",
					    "method", "FIRE", "potential", "Morse pair potential, covalent-radius r0 (stand-in)",
					    "energy_per_atom_initial", r.e0, "energy_per_atom", r.e, "max_force", r.fmax,
					    "max_displacement", r.max_shift, "steps", r.steps, "converged", r.converged,
					    "atoms", (json_int_t)s->n));
	if (rc == WEFT_OK)
		rc = weft_op_set_float(ctx, api, "energy", r.e);
	return rc;
}

int am_run_compare(weft_op_ctx *ctx, const weft_host_api *api)
{
	am_struct a, b;
	int rc = am_op_structure(&a, ctx, api, "a");
	if (rc != WEFT_OK)
		return rc;
	if ((rc = am_op_structure(&b, ctx, api, "b")) != WEFT_OK) {
		am_struct_free(&a);
		return rc;
	}
	am_cmp_opts o = {weft_op_param_float(ctx, api, "ltol"), weft_op_param_float(ctx, api, "atol"), weft_op_param_float(ctx, api, "stol")};
	am_cmp r;
	char err[ERRLEN];
	if (am_compare(&r, &a, &b, &o, err, sizeof err) != 0)
		rc = api->fail(ctx, "%s", err);
	if (rc == WEFT_OK)
		rc = wop_set_json(ctx, api, "report", "compare.json",
				  json_pack("{s:s, s:b, s:b, s:f, s:f, s:f, s:f, s:f, s:I, s:I, s:s}", "format",
					    "automat-compare/1", "match", r.match, "lattice_match", r.lattice_match,
					    "error_a", r.err_a, "error_b", r.err_b, "error_gamma", r.err_gamma, "rmsd",
					    isfinite(r.rmsd) ? r.rmsd : -1.0, "max_distance",
					    isfinite(r.max_dist) ? r.max_dist : -1.0, "columns_a", (json_int_t)r.cols_a,
					    "columns_b", (json_int_t)r.cols_b, "why", r.why));
	if (rc == WEFT_OK)
		rc = weft_op_set_bool(ctx, api, "match", r.match);
	am_struct_free(&a), am_struct_free(&b);
	return rc;
}

/* The report reads each of these when given; ops.c declares them. */
const char *const am_report_in[AM_REPORT_N_IN] = {"quality?", "lattice?", "match?", "choice?", "reconstruct?", "relax?", "compare?"};

int am_run_report(weft_op_ctx *ctx, const weft_host_api *api)
{
	json_t *out = json_pack("{s:s}", "format", "automat-report/1");
	for (size_t i = 0; out && i < sizeof am_report_in / sizeof *am_report_in; i++) {
		char name[32];
		snprintf(name, sizeof name, "%.*s", (int)strlen(am_report_in[i]) - 1, am_report_in[i]); /* drop the '?' */
		const weft_value *v = api->input(ctx, name);
		if (!v)
			continue; /* not every line has every stage */
		char err[ERRLEN];
		json_t *j = wop_input_json(ctx, api, name, NULL, err, sizeof err);
		if (!j) {
			json_decref(out);
			return api->fail(ctx, "input '%s' is not a JSON report: %s", name, err[0] ? err : "not a file");
		}
		json_object_set_new(out, name, j);
	}
	return wop_set_json(ctx, api, "out", "report.json", out);
}

