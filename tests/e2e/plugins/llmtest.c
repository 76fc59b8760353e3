/*
 * llmtest.c -- a plugin for tests/e2e/llm.sh: one op that asks the LLM
 * through api->llm_chat to pick one of `choices` for `question`, with a
 * JSON Schema, and falls back to a documented rule (the first choice in
 * byte order) when there is no endpoint or it fails. Its outputs say which
 * path ran, as every LLM op must.
 */
#include <string.h>

#include <weft/ophelp.h>

static int run_pick(weft_op_ctx *ctx, const weft_host_api *api)
{
	const weft_value *choices = api->param(ctx, "choices");
	size_t n = api->value_len(choices);
	if (n == 0)
		return api->fail(ctx, "choices must list at least one answer");
	const char *rule = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *c = api->value_string(api->value_list_at(choices, i), NULL);
		if (!c)
			return api->fail(ctx, "choices must be strings");
		if (!rule || strcmp(c, rule) < 0)
			rule = c;
	}
	/* {messages, schema}: the schema limits the answer to the choices. */
	weft_value *req = api->value_new_map(), *msgs = api->value_new_list();
	weft_value *sys = api->value_new_map(), *user = api->value_new_map();
	const char *q = weft_op_param_string(ctx, api, "question");
	api->value_map_set(sys, "role", api->value_new_string("system", 6));
	api->value_map_set(sys, "content", api->value_new_string("Pick one choice. Answer in JSON.", 32));
	api->value_map_set(user, "role", api->value_new_string("user", 4));
	api->value_map_set(user, "content", api->value_new_string(q, strlen(q)));
	api->value_list_push(msgs, sys);
	api->value_list_push(msgs, user);
	api->value_map_set(req, "messages", msgs);
	weft_value *schema = NULL;
	char err[64];
	char text[4096];
	size_t at = (size_t)snprintf(text, sizeof text,
				     "{\"type\":\"object\",\"required\":[\"choice\"],\"additionalProperties\":false,"
				     "\"properties\":{\"why\":{\"type\":\"string\"},\"choice\":{\"enum\":[");
	for (size_t i = 0; i < n && at < sizeof text; i++)
		at += (size_t)snprintf(text + at, sizeof text - at, "%s\"%s\"", i ? "," : "",
				       api->value_string(api->value_list_at(choices, i), NULL));
	if (at < sizeof text)
		snprintf(text + at, sizeof text - at, "]}}}");
	if (api->value_from_json(&schema, text, strlen(text), err, sizeof err) != WEFT_OK) {
		api->value_free(req);
		return api->fail(ctx, "choices must be plain words");
	}
	api->value_map_set(req, "schema", schema);
	weft_value *resp = NULL;
	int rc = api->llm_chat(ctx, req, &resp);
	api->value_free(req);
	const char *choice = rule, *by = "rule";
	char note[512] = "";
	if (rc == WEFT_OK) {
		choice = api->value_string(api->value_map_get(api->value_map_get(resp, "json"), "choice"), NULL);
		by = "llm";
		snprintf(note, sizeof note, "%s", api->value_bool(api->value_map_get(resp, "cached")) ? "cached" : "asked");
	} else {
		snprintf(note, sizeof note, "%s", api->error_last());
	}
	rc = weft_op_set_string(ctx, api, "out", choice);
	if (rc == WEFT_OK)
		rc = weft_op_set_string(ctx, api, "by", by);
	if (rc == WEFT_OK)
		rc = weft_op_set_string(ctx, api, "note", note);
	api->value_free(resp);
	return rc;
}

static const weft_param_spec params[] = {
	{"question", WEFT_T_STRING, NULL, "what to ask"},
	{"choices", WEFT_T_LIST, NULL, "the answers it may give (plain words)"},
};
static const weft_op_desc op_pick = {
	WEFT_OP_DESC("pick", "1", run_pick, WEFT_OP_DETERMINISTIC | WEFT_OP_USES_LLM,
		     "Asks the LLM to pick one of `choices`; without one (or when it fails), the first in byte "
		     "order. `by` says which path ran."),
	WEFT_OP_PARAMS(params),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "by", "note")),
};
static const weft_op_desc *const ops[] = {&op_pick};
static const weft_plugin_desc plugin = WEFT_PLUGIN_DESC("llmtest", "1", "MIT", "tests the LLM host API", ops);

WEFT_PLUGIN_EXPORT const weft_plugin_desc *weft_plugin_entry(const weft_host_api *api)
{
	return weft_plugin_accept(api, &plugin);
}
