/* A plugin built with the SDK kit (weft/ophelp.h) whose op reads a
 * parameter under a misspelt name: the engine must fail the node, naming
 * the name and the declared ones, instead of letting it read 0
 * (tests/unit/test_graph.c). `good` reads only what it declares. */
#include <weft/ophelp.h>

static int run_typo(weft_op_ctx *ctx, const weft_host_api *api)
{
	double sigma = weft_op_param_float(ctx, api, "sigmaa");
	return weft_op_set_float(ctx, api, "out", sigma);
}

static int run_good(weft_op_ctx *ctx, const weft_host_api *api)
{
	return weft_op_set_float(ctx, api, "out", 2 * weft_op_param_float(ctx, api, "sigma"));
}

static const weft_param_spec params[] = {
	{"sigma", WEFT_T_FLOAT, "1.5", "width"},
	{"seed", WEFT_T_INT, "1", "seed"},
};

static const weft_op_desc op_typo = {
	WEFT_OP_DESC("typo", "1", run_typo, WEFT_OP_DETERMINISTIC, "reads 'sigmaa'"),
	WEFT_OP_PARAMS(params),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};
static const weft_op_desc op_good = {
	WEFT_OP_DESC("good", "1", run_good, WEFT_OP_DETERMINISTIC, "reads 'sigma'"),
	WEFT_OP_PARAMS(params),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};
static const weft_op_desc *const ops[] = {&op_typo, &op_good};
static const weft_plugin_desc plugin = WEFT_PLUGIN_DESC("typo", "1", "MIT", "misspelt parameter", ops);

WEFT_PLUGIN_EXPORT const weft_plugin_desc *weft_plugin_entry(const weft_host_api *api)
{
	return weft_plugin_accept(api, &plugin);
}
