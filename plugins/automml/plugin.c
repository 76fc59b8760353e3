/*
 * plugin.c -- automml: AutoMMLab (Yang et al., AAAI 2025) on weft, from a
 * request in plain language to a trained, exported model
 * (docs/plugins/automml.md).
 *
 *   parse    request -> the structured parse (the LLM with a JSON Schema,
 *            else the rules of parse.c); says which ran
 *   data     parse -> the zoo's dataset for the task, narrowed to the
 *            requested objects (Python)
 *   profile  data -> the task's zoo models with measured CPU latency (Python)
 *   select   parse + data + profile -> the model: counted here (arch.c),
 *            filtered by the request's limits, ranked by prior
 *   train    a training node: model + data + the six hyperparameters ->
 *            validation and test metric, weights (Python, checkpointed)
 *   export   TorchScript and ONNX, with the parity check and latency (Python)
 *   report   the one-page Markdown report (Python)
 *
 * The Python bodies are share/automml/ops.py; their files and the zoo are
 * in the ops' keys (WEFT_OP_PYTHON).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <weft/ophelp.h>

#include "jsonio.h"

#include "parse.h"
#include "select.h"

/* ------------------------------------------------------------ parse */

static const char SYSTEM[] =
	"You are the product manager of a computer vision model team. The user describes the model they want. "
	"Summarise their requirements for data, model and deployment as JSON following the schema: data.object "
	"lists the target objects as singular nouns; model.task is classification, detection, segmentation or "
	"keypoint (a task that needs both detection and classification is detection); specific_model is the model "
	"the user names, lower case, or \"none\"; speed, flops and parameters carry a value and a unit (value 0 "
	"and unit none when not stated); metrics give a name and a target value, percentages as fractions "
	"(98% -> 0.98); deploy.gpu is cpu, gpu or none; deploy['inference engine'] is onnxruntime, ncnn, openvino "
	"or none. Answer with the JSON only.";

static int run_parse(weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *text = weft_op_param_string(ctx, api, "request");
	char err[512];
	/* The rules first: they also say whether the request is usable. */
	json_t *rules = automml_parse_rules(text, err, sizeof err);
	if (!rules)
		return api->fail(ctx, "automml.parse: %s", err);
	json_t *schema = automml_parse_schema();
	json_t *req = json_pack("{s:[{s:s,s:s},{s:s,s:s}],s:o,s:f}", "messages", "role", "system", "content", SYSTEM,
				"role", "user", "content", text, "schema", schema, "temperature", 0.0);
	weft_value *vreq = wop_value_from_json(api, req), *resp = NULL;
	json_decref(req);
	int rc = vreq ? api->llm_chat(ctx, vreq, &resp) : WEFT_ERROR;
	api->value_free(vreq);
	json_t *parse = NULL;
	const char *by = "rules";
	char why[512] = "";
	if (rc == WEFT_ENOTFOUND) {
		snprintf(why, sizeof why, "no LLM endpoint is configured");
	} else if (rc != WEFT_OK) {
		snprintf(why, sizeof why, "the LLM failed: %s", api->error_last());
	} else {
		parse = wop_value_to_json(api, api->value_map_get(resp, "json"));
		if (parse && automml_parse_normalise(parse) == 0) {
			by = "llm";
		} else {
			snprintf(why, sizeof why, "the LLM's answer is not a parse (no data.object or a task outside the four)");
			json_decref(parse);
			parse = NULL;
		}
	}
	api->value_free(resp);
	if (!parse) {
		parse = rules;
		rules = NULL;
		api->log(ctx, WEFT_LOG_INFO, "request parsed by the rules: %s", why);
	}
	json_decref(rules);
	int ok = api->set_output(ctx, "out", wop_value_from_json(api, parse)) == WEFT_OK &&
		 api->set_output(ctx, "parsed_by", api->value_new_string(by, strlen(by))) == WEFT_OK &&
		 api->set_output(ctx, "fallback_reason", api->value_new_string(why, strlen(why))) == WEFT_OK;
	json_decref(parse);
	return ok ? WEFT_OK : api->fail(ctx, "automml.parse: cannot set outputs: %s", api->error_last());
}

/* ------------------------------------------------------------ select */

static int run_select(weft_op_ctx *ctx, const weft_host_api *api)
{
	json_t *parse = wop_value_to_json(api, api->input(ctx, "parse"));
	json_t *data = wop_value_to_json(api, api->input(ctx, "data"));
	json_t *cands = wop_value_to_json(api, api->input(ctx, "candidates"));
	char err[1024];
	limits lim;
	int rc = WEFT_OK;
	const json_t *shape = json_object_get(data, "input");
	if (!parse || !data || !json_is_array(cands) || json_array_size(shape) != 3) {
		rc = api->fail(ctx, "automml.select: needs parse (automml.parse), data (automml.data) and candidates "
				    "(automml.profile)");
	} else if (select_limits(json_object_get(parse, "model"), &lim, err, sizeof err) != 0) {
		rc = api->fail(ctx, "automml.select: %s", err);
	} else {
		const char *spec = json_string_value(json_object_get(json_object_get(parse, "model"), "specific_model"));
		json_t *res = select_model(cands, &lim, spec, (int)json_integer_value(json_array_get(shape, 0)),
					   (int)json_integer_value(json_array_get(shape, 1)),
					   (int)json_integer_value(json_array_get(shape, 2)),
					   (int)json_integer_value(json_object_get(data, "classes")),
					   (int)json_integer_value(json_object_get(data, "keypoints")), err, sizeof err);
		if (!res) {
			rc = api->fail(ctx, "automml.select: %s", err);
		} else {
			json_object_set_new(res, "limits", json_pack("{s:f,s:f,s:f}", "params", lim.params, "flops",
								     lim.flops, "latency_ms", lim.latency_ms));
			if (json_is_true(json_object_get(res, "relaxed")))
				api->log(ctx, WEFT_LOG_WARN, "no model met the request's limits; relaxed them by 1.2x: %s",
					 json_string_value(json_object_get(res, "why")));
			if (api->set_output(ctx, "out", wop_value_from_json(api, json_object_get(res, "chosen"))) != WEFT_OK ||
			    api->set_output(ctx, "selection", wop_value_from_json(api, res)) != WEFT_OK)
				rc = api->fail(ctx, "automml.select: cannot set outputs");
			json_decref(res);
		}
	}
	json_decref(parse);
	json_decref(data);
	json_decref(cands);
	return rc;
}

/* ------------------------------------------------------------ Python bodies */

#define PY_OP(fn_)                                                                                             \
	static int run_##fn_(weft_op_ctx *ctx, const weft_host_api *api)                                      \
	{                                                                                                      \
		return api->python_run(ctx, "ops.py", #fn_, NULL);                                             \
	}
PY_OP(data)
PY_OP(profile)
PY_OP(train)
PY_OP(export)
PY_OP(report)

/* ------------------------------------------------------------ descriptors */

static const weft_param_spec parse_params[] = {
	{"request", WEFT_T_STRING, NULL, "what the model is for, in plain language"},
};
static const weft_op_desc op_parse = {
	WEFT_OP_DESC("parse", "1", run_parse, WEFT_OP_DETERMINISTIC | WEFT_OP_USES_LLM,
		     "Request understanding: the LLM with AutoMMLab's parse schema, else the rule parser. Outputs the "
		     "parse, parsed_by (llm or rules) and fallback_reason."),
	WEFT_OP_PARAMS(parse_params),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "parsed_by", "fallback_reason")),
};
static const weft_param_spec data_params[] = {
	{"seed", WEFT_T_INT, "0", "seed of the synthetic generators and the splits"},
	{"size", WEFT_T_INT, "0", "images per split for synthetic data (0: the zoo's default)"},
	{"python", WEFT_T_STRING, "\"\"", "the interpreter (default $WEFT_PYTHON, else python3)"},
};
static const weft_op_desc op_data = {
	WEFT_OP_DESC("data", "1", run_data, WEFT_OP_DETERMINISTIC | WEFT_OP_ISOLATED | WEFT_OP_PYTHON,
		     "Data selection: the zoo dataset of the parse's task whose labels match the requested objects, "
		     "narrowed to them; writes train/val/test splits (.npz) and says what matched."),
	WEFT_OP_PARAMS(data_params),
	WEFT_OP_INPUTS(WEFT_NAMES("parse")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "dataset")),
};
static const weft_param_spec py_params[] = {
	{"python", WEFT_T_STRING, "\"\"", "the interpreter (default $WEFT_PYTHON, else python3)"},
};
static const weft_op_desc op_profile = {
	WEFT_OP_DESC("profile", "1", run_profile, WEFT_OP_DETERMINISTIC | WEFT_OP_ISOLATED | WEFT_OP_PYTHON,
		     "The zoo's models for the data's task, each built and timed on one CPU (median latency of a "
		     "batch of one, ms), with torch's parameter count."),
	WEFT_OP_PARAMS(py_params),
	WEFT_OP_INPUTS(WEFT_NAMES("data")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};
static const weft_op_desc op_select = {
	WEFT_OP_DESC("select", "1", run_select, WEFT_OP_DETERMINISTIC,
		     "Model selection: counts each candidate's parameters and FLOPs, keeps those within the request's "
		     "limits (relaxed by 1.2x when none is, and said), ranks by prior; refuses a request no model "
		     "can meet."),
	WEFT_OP_INPUTS(WEFT_NAMES("parse", "data", "candidates")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "selection")),
};
static const weft_param_spec train_params[] = {
	{"iters", WEFT_T_INT, "300", "training iterations"},
	{"batch_size", WEFT_T_INT, "32", "batch size"},
	{"optimizer", WEFT_T_STRING, "\"SGD\"", "SGD, Adam, AdamW or RMSprop"},
	{"lr", WEFT_T_FLOAT, "0.05", "initial learning rate"},
	{"weight_decay", WEFT_T_FLOAT, "0.0001", "weight decay"},
	{"lr_schedule", WEFT_T_STRING, "\"CosineAnnealingLR\"", "MultiStepLR, CosineAnnealingLR, StepLR or PolyLR"},
	{"seed", WEFT_T_INT, "0", "seed of the initial weights and the batches"},
	{"python", WEFT_T_STRING, "\"\"", "the interpreter (default $WEFT_PYTHON, else python3)"},
};
static const weft_op_desc op_train = {
	WEFT_OP_DESC("train", "1", run_train,
		     WEFT_OP_DETERMINISTIC | WEFT_OP_ISOLATED | WEFT_OP_PYTHON | WEFT_OP_RETRYABLE | WEFT_OP_VARIADIC_OUTPUTS,
		     "A training node: the selected model on the data with the six hyperparameters; checkpoints "
		     "every 50 iterations and resumes from them. Outputs the validation metric (out), the test "
		     "metric, and the weights."),
	WEFT_OP_PARAMS(train_params),
	WEFT_OP_INPUTS(WEFT_NAMES("model", "data", "dataset")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "test", "weights", "metric")),
};
static const weft_op_desc op_export = {
	WEFT_OP_DESC("export", "1", run_export, WEFT_OP_DETERMINISTIC | WEFT_OP_ISOLATED | WEFT_OP_PYTHON | WEFT_OP_VARIADIC_OUTPUTS,
		     "Deployment: TorchScript and ONNX files, each reloaded and compared with the trained model "
		     "(max abs diff), with latency, parameters and FLOPs checked against the request."),
	WEFT_OP_PARAMS(py_params),
	WEFT_OP_INPUTS(WEFT_NAMES("model", "data", "dataset", "weights", "parse", "selection")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "torchscript", "onnx")),
};
static const weft_op_desc op_report = {
	WEFT_OP_DESC("report", "2", run_report, WEFT_OP_DETERMINISTIC | WEFT_OP_ISOLATED | WEFT_OP_PYTHON,
		     "The one-page Markdown report: request, parse, data, model choice and why, the HPO trials, the "
		     "final metric and the constraint checks; `warnings` lists what the request asked and the model "
		     "does not give (a relaxed limit, a failed check, a missed metric target), for `weft run --strict`."),
	WEFT_OP_PARAMS(py_params),
	WEFT_OP_INPUTS(WEFT_NAMES("request", "parsed_by", "parse", "data", "selection", "hpo", "deploy", "final")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "warnings")),
};

static const weft_op_desc *const ops[] = {&op_parse, &op_data, &op_profile, &op_select, &op_train, &op_export, &op_report};
static const weft_plugin_desc automml_plugin =
	WEFT_PLUGIN_DESC("automml", "1", "MIT", "AutoMMLab: a request in plain language to a trained, exported model", ops);

WEFT_PLUGIN_EXPORT const weft_plugin_desc *weft_plugin_entry(const weft_host_api *api)
{
	return weft_plugin_accept(api, &automml_plugin);
}
