/*
 * pytest.c -- a third-party plugin for tests/e2e/python.sh, built against
 * the SDK alone:
 *   pytest.fit    an op whose body is a Python function shipped in the
 *                 plugin's share directory (share/pytest/fit.py), run
 *                 through api->python_run;
 *   pytest.count  a C op that checkpoints through the host API: it counts
 *                 to n, saving each step as bytes, and resumes from the
 *                 newest committed step when retried or resumed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <weft/ophelp.h>

static int run_fit(weft_op_ctx *ctx, const weft_host_api *api)
{
	return api->python_run(ctx, "fit.py", "main", NULL);
}

static int run_count(weft_op_ctx *ctx, const weft_host_api *api)
{
	int64_t n = weft_op_param_int(ctx, api, "n");
	double nap = weft_op_param_float(ctx, api, "nap");
	const char *path = NULL;
	int64_t step = -1, start = 0, sum = 0;
	int rc = api->checkpoint_latest(ctx, "count", &path, &step, NULL);
	if (rc == WEFT_OK) {
		FILE *f = fopen(path, "r");
		long long s = 0;
		if (!f || fscanf(f, "%lld", &s) != 1) {
			if (f)
				fclose(f);
			return api->fail(ctx, "checkpoint %s is not a number", path);
		}
		fclose(f);
		sum = s;
		start = step + 1;
	} else if (rc != WEFT_ENOTFOUND) {
		return api->fail(ctx, "checkpoint_latest: %s", api->error_last());
	}
	for (int64_t i = start; i < n; i++) {
		struct timespec ts = {(time_t)nap, (long)((nap - (double)(time_t)nap) * 1e9)};
		nanosleep(&ts, NULL);
		if (api->cancelled(ctx))
			return WEFT_ECANCELLED;
		sum += i;
		char buf[32];
		int len = snprintf(buf, sizeof buf, "%lld", (long long)sum);
		if (api->checkpoint_save(ctx, "count", NULL, buf, (size_t)len, i, NULL, 0) != WEFT_OK)
			return api->fail(ctx, "checkpoint_save: %s", api->error_last());
		api->progress(ctx, (double)(i + 1) / (double)n, "counting");
	}
	weft_value *out = api->value_new_map();
	api->value_map_set(out, "sum", api->value_new_int(sum));
	api->value_map_set(out, "start", api->value_new_int(start));
	return api->set_output(ctx, "out", out);
}

static const weft_param_spec fit_params[] = {
	{"k", WEFT_T_INT, "1", "multiplier"},
};
static const weft_op_desc op_fit = {
	WEFT_OP_DESC("fit", "1", run_fit, WEFT_OP_DETERMINISTIC | WEFT_OP_ISOLATED | WEFT_OP_PYTHON | WEFT_OP_VARIADIC_OUTPUTS,
		     "Python body: share/pytest/fit.py main(k, xs)."),
	WEFT_OP_PARAMS(fit_params),
	WEFT_OP_INPUTS(WEFT_NAMES("xs")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};
static const weft_param_spec count_params[] = {
	{"n", WEFT_T_INT, "10", "count to"},
	{"nap", WEFT_T_FLOAT, "0.1", "seconds per step"},
};
static const weft_op_desc op_count = {
	WEFT_OP_DESC("count", "1", run_count, WEFT_OP_DETERMINISTIC | WEFT_OP_RETRYABLE,
		     "Sums 0..n-1 a step at a time, checkpointing every step."),
	WEFT_OP_PARAMS(count_params),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};
static const weft_op_desc *const ops[] = {&op_fit, &op_count};
static const weft_plugin_desc plugin = WEFT_PLUGIN_DESC("pytest", "1", "MIT", "Python and checkpoint test ops", ops);

WEFT_PLUGIN_EXPORT const weft_plugin_desc *weft_plugin_entry(const weft_host_api *api)
{
	return weft_plugin_accept(api, &plugin);
}
