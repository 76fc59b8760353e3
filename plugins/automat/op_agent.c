/*
 * op_agent.c -- automat.choose_line: the agent's choice between the
 * template line and the template-free line.
 *
 * The rule is automat.match_template's verdict (`matched`, its template),
 * taken from its report rather than decided again here. When the run has
 * an LLM (weft.yaml `llm:` or the node's llm = {...}), the model reads the
 * quality and match reports through api->llm_chat and chooses instead: its
 * answer must follow a JSON Schema (a line, a template, a reason; the
 * engine asks again when it does not) and, for the template line, name one
 * of the ranked templates with the requested elements. Anything else -- no
 * endpoint, an HTTP error, a template outside the ranking -- falls back on
 * the rule, and the report says why.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

static const char SYSTEM[] =
	"You direct the analysis of an atomic-resolution STEM image. Given the image quality report and the "
	"ranked template matches (score = distance-histogram similarity x sqrt(brightness similarity) x lattice "
	"agreement), choose the template line (a library structure fitted to the measured lattice) or the "
	"template-free line (the minimal cell rebuilt from the detected atom columns). Answer with JSON only: "
	"{\"line\": \"template\" or \"template-free\", \"template\": \"<name from the ranking, for the template "
	"line>\", \"reason\": \"<one sentence>\"}";

static const char SCHEMA[] =
	"{\"type\":\"object\",\"required\":[\"line\"],\"properties\":{\"line\":{\"enum\":[\"template\","
	"\"template-free\"]},\"template\":{\"type\":\"string\"},\"reason\":{\"type\":\"string\"}}}";

/* {messages: [system, user], schema}; NULL when out of memory. */
static weft_value *request(const weft_host_api *api, const char *user)
{
	weft_value *req = api->value_new_map(), *msgs = api->value_new_list(), *schema = NULL;
	const char *roles[2] = {"system", "user"}, *texts[2] = {SYSTEM, user};
	for (int i = 0; i < 2 && msgs; i++) {
		weft_value *m = api->value_new_map();
		if (!m || api->value_map_set(m, "role", api->value_new_string(roles[i], strlen(roles[i]))) != WEFT_OK ||
		    api->value_map_set(m, "content", api->value_new_string(texts[i], strlen(texts[i]))) != WEFT_OK ||
		    api->value_list_push(msgs, m) != WEFT_OK) {
			api->value_free(msgs);
			msgs = NULL;
		}
	}
	char err[64];
	if (!req || !msgs || api->value_map_set(req, "messages", msgs) != WEFT_OK ||
	    api->value_from_json(&schema, SCHEMA, strlen(SCHEMA), err, sizeof err) != WEFT_OK ||
	    api->value_map_set(req, "schema", schema) != WEFT_OK) {
		api->value_free(req);
		return NULL;
	}
	return req;
}

/* The model's choice, checked against the ranking; NULL template for the
 * template-free line. Returns 0 when the answer is usable. */
static int check_answer(const json_t *ans, const json_t *ranked, const char **line, const char **tmpl, char *why,
			size_t whylen)
{
	const char *l = json_string_value(json_object_get(ans, "line"));
	const char *t = json_string_value(json_object_get(ans, "template"));
	if (!l || (strcmp(l, "template") && strcmp(l, "template-free"))) {
		snprintf(why, whylen, "the answer names no line (\"template\" or \"template-free\")");
		return -1;
	}
	*line = l, *tmpl = NULL;
	if (!strcmp(l, "template-free"))
		return 0;
	for (size_t i = 0; t && i < json_array_size(ranked); i++) {
		const json_t *r = json_array_get(ranked, i);
		const char *name = json_string_value(json_object_get(r, "template"));
		if (name && !strcmp(t, name) && json_is_true(json_object_get(r, "elements_ok"))) {
			*tmpl = t;
			return 0;
		}
	}
	snprintf(why, whylen, "the answer's template '%.60s' is not a ranked template with the sample's elements",
		 t ? t : "(none)");
	return -1;
}

int am_run_choose(weft_op_ctx *ctx, const weft_host_api *api)
{
	char why[ERRLEN + 64] = "", err[ERRLEN];
	json_t *match = wop_input_json(ctx, api, "match", "automat-match/1", err, sizeof err);
	json_t *quality = wop_input_json(ctx, api, "quality", "automat-quality/1", err, sizeof err);
	if (!match || !quality) {
		json_decref(match), json_decref(quality);
		return api->fail(ctx, "inputs 'match' and 'quality' must be reports of automat.match_template and "
				      "automat.quality");
	}
	double min = json_number_value(json_object_get(match, "min_score"));
	double score = json_number_value(json_object_get(match, "score"));
	const json_t *ranked = json_object_get(match, "ranked");
	int rule_template = json_is_true(json_object_get(match, "matched"));
	const char *line = rule_template ? "template" : "template-free";
	const char *tmpl = rule_template ? json_string_value(json_object_get(match, "template")) : NULL;
	const char *by = "rule";
	json_t *ans = NULL;
	char *reply = NULL;
	int asked = 0;
	/* what the model sees: the gate's numbers and the top five templates */
	json_t *top = json_array();
	for (size_t i = 0; top && i < json_array_size(ranked) && i < 5; i++)
		json_array_append(top, json_array_get(ranked, i));
	json_t *u = top ? json_pack("{s:O, s:o, s:f}", "quality", quality, "ranked_templates", top, "rule_min_score", min)
			: NULL;
	char *user = u ? json_dumps(u, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
	json_decref(u);
	weft_value *req = user ? request(api, user) : NULL, *resp = NULL;
	int rc = req ? api->llm_chat(ctx, req, &resp) : api->fail(ctx, "out of memory");
	api->value_free(req);
	free(user);
	if (!req)
		goto done;
	if (rc == WEFT_ENOTFOUND) {
		rc = WEFT_OK; /* no LLM configured: the rule, as documented */
	} else if (rc != WEFT_OK) {
		asked = 1;
		snprintf(why, sizeof why, "%s", api->error_last());
		rc = WEFT_OK;
	} else {
		asked = 1;
		const char *content = api->value_string(api->value_map_get(resp, "content"), NULL);
		reply = content ? strdup(content) : NULL;
		char *js = api->value_to_json(api->value_map_get(resp, "json"));
		ans = js ? json_loads(js, 0, NULL) : NULL;
		free(js);
		const char *l, *t;
		if (ans && check_answer(ans, ranked, &l, &t, why, sizeof why) == 0)
			line = l, tmpl = t, by = "llm";
		else if (!ans)
			snprintf(why, sizeof why, "the answer holds no JSON object");
	}
	api->value_free(resp);
	if (asked && strcmp(by, "llm"))
		api->log(ctx, WEFT_LOG_WARN, "LLM step fell back on the rule: %s", why);
	int matched = !strcmp(line, "template");
	json_t *rep = json_pack("{s:s, s:s, s:s, s:s, s:b, s:f, s:f}", "format", "automat-choice/1", "line", line,
				"template", tmpl ? tmpl : "", "decided_by", by, "rule_template", rule_template,
				"best_score", score, "min_score", min);
	if (rep && asked) {
		json_object_set_new(rep, "llm_answer", reply ? json_string(reply) : json_null());
		if (why[0])
			json_object_set_new(rep, "llm_fallback", json_string(why));
		if (ans && json_string_value(json_object_get(ans, "reason")))
			json_object_set(rep, "reason", json_object_get(ans, "reason"));
	}
	rc = wop_set_json(ctx, api, "report", "choice.json", rep);
	if (rc == WEFT_OK)
		rc = weft_op_set_bool(ctx, api, "matched", matched);
	if (rc == WEFT_OK)
		rc = weft_op_set_string(ctx, api, "template", tmpl ? tmpl : "");
	if (rc == WEFT_OK)
		rc = weft_op_set_string(ctx, api, "decided_by", by);
done:
	free(reply);
	json_decref(ans), json_decref(match), json_decref(quality);
	return rc;
}

/* Cached like any op: a resumed or repeated run keeps the decision it
 * made, rather than asking the model again and perhaps getting another. */
