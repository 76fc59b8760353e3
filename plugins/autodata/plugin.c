/*
 * plugin.c -- autodata: AutoData (Ma et al., 2025) on weft, from an
 * instruction and the fields wanted to a dataset collected from web sites
 * by agents (docs/plugins/autodata.md).
 *
 * Each agent is an op; pipelines/autodata.lua wires them as nodes and
 * routes their messages along the message hypergraph. A message is a map
 * {type, from, body, refs}: `body` is typed JSON (checked by the receiver
 * against its type's required keys), `refs` holds artifacts of the store
 * (pages, API answers, programs, records) by reference, so a page is
 * fetched once and never travels inside a message.
 *
 *   plan        instruction + fields -> the plan (field types; the LLM when
 *               configured, else the lexicon's guesses)
 *   browse      plan -> pages: the polite crawl (fetch.c, crawl.c)
 *   tools       pages -> API answers: the JSON endpoints the pages' scripts
 *               call, with their keys and parameters
 *   blueprint   plan + pages + APIs -> what the site is made of: URL
 *               templates, their repeated structures, the APIs
 *   engineer    blueprint (+ a verdict) -> an extraction program (induce.c;
 *               the LLM's rules instead when they pass on the crawl)
 *   test        program -> records, by running it (extract.c)
 *   validate    records -> a verdict; its rejections go back to the engineer
 *   export      records -> dataset.csv and dataset.jsonl
 *   report      every message -> report.md and the figures
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>
#include <weft/ophelp.h>

#include "agentmsg.h"
#include "crawl.h"
#include "extract.h"
#include "fetch.h"
#include "induce.h"
#include "jsonio.h"
#include "lexicon.h"
#include "llmrules.h"
#include "site.h"
#include "validate.h"

#define AGENT "weft-autodata/0.1"

/* ----------------------------------------------------------------- plan */

/* "title,authors" or ["title", {"name": "pdf", "type": "url"}] -> fields */
static json_t *parse_fields(weft_op_ctx *ctx, const weft_host_api *api, char *err, size_t errlen)
{
	const weft_value *v = api->param(ctx, "fields");
	json_t *out = json_array();
	json_t *in = wop_value_to_json(api, v);
	if (json_is_string(in)) {
		char *s = strdup(json_string_value(in));
		for (char *tok = strtok(s, ", "); tok; tok = strtok(NULL, ", "))
			json_array_append_new(out, json_string(tok));
		free(s);
		json_decref(in);
		in = json_incref(out);
		json_decref(out);
		out = json_array();
	}
	size_t i;
	json_t *f;
	json_array_foreach(in, i, f)
	{
		const char *name = json_is_string(f) ? json_string_value(f) : json_string_value(json_object_get(f, "name"));
		const char *type = json_string_value(json_object_get(f, "type"));
		if (!name || !*name || strlen(name) > 64) {
			snprintf(err, errlen, "field %zu: a name of 1 to 64 characters", i + 1);
			json_decref(in);
			json_decref(out);
			return NULL;
		}
		if (type && adt_type_parse(type) < 0) {
			snprintf(err, errlen, "field '%s': type '%s' is not one of text, number, date, url, list", name, type);
			json_decref(in);
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, json_pack("{s:s, s:s, s:s}", "name", name, "type",
						     type ? type : adt_type_name(adt_type_guess(name)), "typed_by",
						     type ? "user" : "lexicon"));
	}
	json_decref(in);
	if (!json_array_size(out) || json_array_size(out) > 64) {
		snprintf(err, errlen, "between 1 and 64 fields are wanted, not %zu", json_array_size(out));
		json_decref(out);
		return NULL;
	}
	return out;
}

static const char PLAN_SYSTEM[] =
	"You plan a web data collection. Given the user's instruction and the fields they want, give each field "
	"the type of its values: text, number, date, url (a link, e.g. to a PDF) or list (several values, e.g. "
	"authors). Answer with JSON only.";

static int run_plan(weft_op_ctx *ctx, const weft_host_api *api)
{
	double t0 = adt_now();
	const char *instruction = weft_op_param_string(ctx, api, "instruction");
	const char *start = weft_op_param_string(ctx, api, "start");
	const char *scope = weft_op_param_string(ctx, api, "scope");
	char err[256];
	json_t *fields = parse_fields(ctx, api, err, sizeof err);
	if (!fields)
		return api->fail(ctx, "autodata.plan: %s", err);
	char origin[512];
	if (adt_url_origin(start, origin, sizeof origin)) {
		json_decref(fields);
		return api->fail(ctx, "autodata.plan: start '%s' is not an http(s) URL", start);
	}
	/* the LLM types the fields the user left untyped */
	json_t *names = json_array();
	size_t i;
	json_t *f;
	json_array_foreach(fields, i, f)
	json_array_append(names, json_object_get(f, "name"));
	char *user = NULL;
	char *nj = json_dumps(names, JSON_COMPACT);
	if (asprintf(&user, "Instruction: %s\nFields: %s", instruction, nj ? nj : "[]") < 0)
		user = NULL;
	free(nj);
	json_t *schema = json_pack("{s:s, s:{s:{s:s, s:{s:s, s:{s:{s:s}, s:{s:s, s:[s,s,s,s,s]}}, s:[s,s]}}}, s:[s]}",
				   "type", "object", "properties", "fields", "type", "array", "items", "type", "object",
				   "properties", "name", "type", "string", "type", "type", "string", "enum", "text",
				   "number", "date", "url", "list", "required", "name", "type", "required", "fields");
	json_t *req = json_pack("{s:[{s:s,s:s},{s:s,s:s?}], s:o, s:f}", "messages", "role", "system", "content",
				PLAN_SYSTEM, "role", "user", "content", user, "schema", schema, "temperature", 0.0);
	free(user);
	json_decref(names);
	weft_value *vreq = wop_value_from_json(api, req), *resp = NULL;
	json_decref(req);
	int rc = vreq ? api->llm_chat(ctx, vreq, &resp) : WEFT_ERROR;
	api->value_free(vreq);
	const char *by = "lexicon";
	char why[300] = "";
	long tokens = 0;
	if (rc == WEFT_ENOTFOUND) {
		snprintf(why, sizeof why, "no LLM endpoint is configured");
	} else if (rc != WEFT_OK) {
		snprintf(why, sizeof why, "the LLM failed: %s", api->error_last());
	} else {
		json_t *ans = wop_value_to_json(api, api->value_map_get(resp, "json"));
		const weft_value *pt = api->value_map_get(resp, "prompt_tokens");
		const weft_value *ct = api->value_map_get(resp, "completion_tokens");
		tokens = (pt ? (long)api->value_int(pt) : 0) + (ct ? (long)api->value_int(ct) : 0);
		size_t used = 0;
		json_array_foreach(fields, i, f)
		{
			if (strcmp(json_string_value(json_object_get(f, "typed_by")), "lexicon"))
				continue;
			size_t j;
			json_t *g;
			json_array_foreach(json_object_get(ans, "fields"), j, g)
			{
				if (!strcmp(json_string_value(json_object_get(g, "name")) ?: "",
					    json_string_value(json_object_get(f, "name")))) {
					json_object_set(f, "type", json_object_get(g, "type"));
					json_object_set_new(f, "typed_by", json_string("llm"));
					used++;
				}
			}
		}
		by = "llm";
		if (!used)
			snprintf(why, sizeof why, "the LLM typed none of the untyped fields");
		json_decref(ans);
	}
	api->value_free(resp);
	json_t *body = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:{s:i, s:I}}", "instruction", instruction, "start",
				 start, "scope", scope, "fields", fields, "decided_by", by, "fallback_reason", why, "llm",
				 "calls", rc == WEFT_OK, "tokens", (json_int_t)tokens);
	return adt_send(ctx, api, t0, "plan", body, NULL);
}

/* ---------------------------------------------------------- the fetcher */

static int cancelled_cb(void *arg)
{
	void **a = arg;
	const weft_host_api *api = a[1];
	return api->cancelled((weft_op_ctx *)a[0]);
}

static adt_fetcher *make_fetcher(weft_op_ctx *ctx, const weft_host_api *api, void *cb_arg[2])
{
	const char *cache = NULL;
	int use_cache = weft_op_param_bool(ctx, api, "http_cache");
	if (use_cache && api->struct_size >= offsetof(weft_host_api, cache_dir) + sizeof(void *))
		cache = api->cache_dir(ctx);
	const char *who = weft_op_param_string(ctx, api, "agent");
	if (who && *who)
		api->log(ctx, WEFT_LOG_INFO, "crawling for the %s agent", who);
	cb_arg[0] = ctx;
	cb_arg[1] = (void *)api;
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", cache ? cache : "");
	adt_fetch_opts o = {
		.cache_dir = cache,
		.agent = AGENT,
		.rate = weft_op_param_float(ctx, api, "rate"),
		.max_retries = (int)weft_op_param_int(ctx, api, "attempts"),
		.max_age = weft_op_param_float(ctx, api, "max_age"),
		.max_wait = weft_op_param_float(ctx, api, "max_wait"),
		.max_bytes = (size_t)weft_op_param_int(ctx, api, "max_bytes"),
		.timeout = weft_op_param_float(ctx, api, "request_timeout"),
		.robots = weft_op_param_bool(ctx, api, "robots"),
		.cancelled = cancelled_cb,
		.arg = cb_arg,
	};
	if (!cache && use_cache)
		api->log(ctx, WEFT_LOG_WARN, "no HTTP cache: %s", api->error_last());
	return adt_fetcher_new(&o);
}

static json_t *fetch_stats(const adt_fetcher *f)
{
	adt_fetch_stats s = adt_fetcher_stats(f);
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f}", "requests", (json_int_t)s.requests, "fetched",
			 (json_int_t)s.fetched, "not_modified", (json_int_t)s.not_modified, "cache_hits",
			 (json_int_t)s.cache_hits, "retries", (json_int_t)s.retries, "throttled",
			 (json_int_t)s.throttled, "bytes", (json_int_t)s.bytes, "waited_s", s.waited);
}

/* --------------------------------------------------------------- browse */

static int run_browse(weft_op_ctx *ctx, const weft_host_api *api)
{
	double t0 = adt_now();
	json_t *plan = adt_need_body(ctx, api, "plan");
	if (!plan)
		return WEFT_ERROR;
	void *cb[2];
	adt_fetcher *f = make_fetcher(ctx, api, cb);
	char dir[4096], err[1024];
	if (!f || !weft_op_workfile(ctx, api, "pages", dir, sizeof dir)) {
		adt_fetcher_free(f);
		json_decref(plan);
		return f ? WEFT_ERROR : api->fail(ctx, "out of memory");
	}
	const char *scope = json_string_value(json_object_get(plan, "scope"));
	adt_crawl_opts o = {.start = json_string_value(json_object_get(plan, "start")),
			   .scope = scope && *scope ? scope : NULL,
			   .max_pages = (int)weft_op_param_int(ctx, api, "max_pages")};
	json_t *summary = NULL;
	int rc = adt_crawl(f, &o, dir, &summary, err, sizeof err);
	json_t *stats = fetch_stats(f);
	adt_fetcher_free(f);
	json_decref(plan);
	if (rc) {
		json_decref(stats);
		return api->fail(ctx, "autodata.browse: %s", err);
	}
	json_object_set_new(summary, "http", stats);
	api->log(ctx, WEFT_LOG_INFO, "crawled %lld pages", (long long)json_integer_value(json_object_get(summary, "pages")));
	const weft_value *pages = NULL;
	if (adt_set_artifact(ctx, api, "pages", dir, &pages) != WEFT_OK) {
		json_decref(summary);
		return WEFT_ERROR;
	}
	rc = adt_send(ctx, api, t0, "pages", summary, "pages", pages, NULL);
	api->value_free((weft_value *)pages);
	return rc;
}

/* ---------------------------------------------------------------- tools */

static int run_tools(weft_op_ctx *ctx, const weft_host_api *api)
{
	double t0 = adt_now();
	json_t *pbody = adt_need_body(ctx, api, "pages");
	if (!pbody)
		return WEFT_ERROR;
	json_decref(pbody);
	const char *pages = adt_ref_path(ctx, api, "pages", "pages");
	if (!pages)
		return api->fail(ctx, "autodata.tools: the 'pages' message carries no pages");
	void *cb[2];
	adt_fetcher *f = make_fetcher(ctx, api, cb);
	char dir[4096], err[1024];
	if (!f || !weft_op_workfile(ctx, api, "apis", dir, sizeof dir)) {
		adt_fetcher_free(f);
		return f ? WEFT_ERROR : api->fail(ctx, "out of memory");
	}
	adt_crawl_opts o = {.max_api_calls = (int)weft_op_param_int(ctx, api, "max_calls")};
	json_t *summary = NULL;
	int rc = adt_discover_apis(f, &o, pages, dir, &summary, err, sizeof err);
	json_t *stats = fetch_stats(f);
	adt_fetcher_free(f);
	if (rc) {
		json_decref(stats);
		return api->fail(ctx, "autodata.tools: %s", err);
	}
	json_object_set_new(summary, "http", stats);
	const weft_value *apis = NULL;
	if (adt_set_artifact(ctx, api, "apis", dir, &apis) != WEFT_OK) {
		json_decref(summary);
		return WEFT_ERROR;
	}
	rc = adt_send(ctx, api, t0, "apis", summary, "apis", apis, NULL);
	api->value_free((weft_value *)apis);
	return rc;
}

/* ------------------------------------------------------------ blueprint */

/* The crawl the agent reads: its own (the newest "pages" and "apis"
 * messages of its inbox: without the artifact cache every agent crawls for
 * itself), else the one the `type` message refers to. */
static int load_site(weft_op_ctx *ctx, const weft_host_api *api, const char *type, adt_site *site)
{
	int own = adt_inbox_get(ctx, api, "pages") != NULL;
	const char *pages = own ? adt_ref_path(ctx, api, "pages", "pages") : adt_ref_path(ctx, api, type, "pages");
	const char *apis = own ? adt_ref_path(ctx, api, "apis", "apis") : adt_ref_path(ctx, api, type, "apis");
	char err[512];
	if (!pages)
		return api->fail(ctx, "%s: the '%s' message carries no pages", api->node_name(ctx), type);
	if (adt_site_load(site, pages, apis, (size_t)weft_op_param_int(ctx, api, "max_pages"), err, sizeof err))
		return api->fail(ctx, "%s: %s", api->node_name(ctx), err);
	return WEFT_OK;
}

static int run_blueprint(weft_op_ctx *ctx, const weft_host_api *api)
{
	double t0 = adt_now();
	json_t *plan = adt_need_body(ctx, api, "plan");
	json_t *pb = plan ? adt_need_body(ctx, api, "pages") : NULL;
	json_t *ab = pb ? adt_need_body(ctx, api, "apis") : NULL;
	if (!ab) {
		json_decref(plan);
		json_decref(pb);
		return WEFT_ERROR;
	}
	/* a site view for the engineer: the pages' own, and the APIs' */
	adt_site site;
	const char *pages = adt_ref_path(ctx, api, "pages", "pages");
	const char *apis = adt_ref_path(ctx, api, "apis", "apis");
	char err[512];
	if (!pages || adt_site_load(&site, pages, apis, (size_t)weft_op_param_int(ctx, api, "max_pages"), err,
				   sizeof err)) {
		json_decref(plan);
		json_decref(pb);
		json_decref(ab);
		return api->fail(ctx, "autodata.blueprint: %s", pages ? err : "no pages");
	}
	json_t *tmpls = json_array();
	for (size_t t = 0; t < site.n_tmpls; t++) {
		size_t n = 0;
		const char *example = NULL;
		for (size_t i = 0; i < site.n_pages; i++)
			if (!strcmp(site.pages[i].tmpl, site.tmpls[t])) {
				n++;
				example = example ? example : site.pages[i].url;
			}
		json_array_append_new(tmpls, json_pack("{s:s, s:I, s:s}", "template", site.tmpls[t], "pages",
						       (json_int_t)n, "example", example));
	}
	json_t *body = json_pack("{s:o, s:O, s:O, s:I, s:I}", "templates", tmpls, "apis",
				 json_object_get(ab, "endpoints"), "fields", json_object_get(plan, "fields"), "n_pages",
				 (json_int_t)site.n_pages, "n_api_documents", (json_int_t)site.n_apis);
	adt_site_free(&site);
	json_decref(plan);
	json_decref(pb);
	json_decref(ab);
	return adt_send(ctx, api, t0, "blueprint", body, "pages", adt_ref_value(ctx, api, "pages", "pages"), "apis",
		    adt_ref_value(ctx, api, "apis", "apis"), NULL);
}

/* ------------------------------------------------------------- engineer */

/* The messages the agent received go into its prompt, as AutoData's agents
 * read theirs: type, sender and body (refs stay references), each cut at
 * 2,000 characters. Routing decides how many there are, and so the
 * tokens: broadcasting costs more. */
static void append_inbox(weft_op_ctx *ctx, const weft_host_api *api, json_t *req)
{
	json_t *user = json_array_get(json_object_get(req, "messages"), 1);
	const char *text = json_string_value(json_object_get(user, "content"));
	json_t *in = wop_value_to_json(api, api->input(ctx, "inbox"));
	if (!user || !text || !json_is_array(in)) {
		json_decref(in);
		return;
	}
	size_t cap = strlen(text) + 64, len = strlen(text);
	char *buf = malloc(cap);
	if (!buf) {
		json_decref(in);
		return;
	}
	memcpy(buf, text, len + 1);
	size_t i;
	json_t *m;
	json_array_foreach(in, i, m)
	{
		char *b = json_dumps(json_object_get(m, "body"), JSON_COMPACT | JSON_SORT_KEYS);
		char head[200];
		int w = snprintf(head, sizeof head, "\nMessage %zu, %s from %s: ", i + 1,
				 json_string_value(json_object_get(m, "type")) ?: "?",
				 json_string_value(json_object_get(m, "from")) ?: "?");
		size_t bl = b ? strlen(b) : 0;
		if (bl > 2000)
			bl = 2000;
		char *nb = realloc(buf, len + (size_t)w + bl + 2);
		if (nb) {
			buf = nb;
			memcpy(buf + len, head, (size_t)w);
			len += (size_t)w;
			memcpy(buf + len, b ? b : "", bl);
			len += bl;
			buf[len] = 0;
		}
		free(b);
	}
	json_object_set_new(user, "content", json_string(buf));
	free(buf);
	json_decref(in);
}

static int run_engineer(weft_op_ctx *ctx, const weft_host_api *api)
{
	double t0 = adt_now();
	json_t *bp = adt_need_body(ctx, api, "blueprint");
	if (!bp)
		return WEFT_ERROR;
	/* the rejections of every verdict so far */
	json_t *reject = json_array();
	const weft_value *in = api->input(ctx, "inbox");
	size_t n = in && api->value_type(in) == WEFT_T_LIST ? api->value_len(in) : 0;
	for (size_t i = 0; i < n; i++) {
		const weft_value *m = api->value_list_at(in, i);
		const weft_value *t = m ? api->value_map_get(m, "type") : NULL;
		if (!t || api->value_type(t) != WEFT_T_STRING || strcmp(api->value_string(t, NULL), "verdict"))
			continue;
		json_t *b = wop_value_to_json(api, api->value_map_get(m, "body"));
		json_array_extend(reject, json_object_get(b, "reject"));
		json_decref(b);
	}
	adt_site site;
	if (load_site(ctx, api, "blueprint", &site) != WEFT_OK) {
		json_decref(bp);
		json_decref(reject);
		return WEFT_ERROR;
	}
	char err[512];
	json_t *program = adt_induce(&site, json_object_get(bp, "fields"), reject, err, sizeof err);
	if (!program) {
		adt_site_free(&site);
		json_decref(bp);
		json_decref(reject);
		return api->fail(ctx, "autodata.engineer: %s", err);
	}
	size_t covered = 0, nsrc = json_array_size(json_object_get(program, "sources"));
	covered = nsrc ? (size_t)json_integer_value(json_object_get(json_array_get(json_object_get(program, "sources"), 0),
								    "covered"))
		       : 0;
	/* the LLM may propose rules instead; they are tried on the whole crawl
	 * before they are used (llmrules.h) */
	const char *by = "induction";
	char why[600] = "";
	long calls = 0, tokens = 0;
	json_t *req = adt_llm_request(&site, json_object_get(bp, "fields"));
	append_inbox(ctx, api, req);
	weft_value *vreq = req ? wop_value_from_json(api, req) : NULL, *resp = NULL;
	json_decref(req);
	int rc = vreq ? api->llm_chat(ctx, vreq, &resp) : WEFT_ERROR;
	api->value_free(vreq);
	if (rc == WEFT_ENOTFOUND) {
		snprintf(why, sizeof why, "no LLM endpoint is configured");
	} else if (rc != WEFT_OK) {
		snprintf(why, sizeof why, "the LLM failed: %s", api->error_last());
	} else {
		calls = 1;
		const weft_value *pt = api->value_map_get(resp, "prompt_tokens");
		const weft_value *ct = api->value_map_get(resp, "completion_tokens");
		tokens = (pt ? (long)api->value_int(pt) : 0) + (ct ? (long)api->value_int(ct) : 0);
		json_t *ans = wop_value_to_json(api, api->value_map_get(resp, "json"));
		json_t *lp = adt_llm_program(ans, program, why, sizeof why);
		json_decref(ans);
		if (lp) {
			json_t *chosen = adt_llm_choose(&site, lp, program, &by, why, sizeof why);
			json_decref(lp);
			json_decref(program);
			program = chosen;
		}
	}
	api->value_free(resp);
	api->log(ctx, WEFT_LOG_INFO, "program by %s%s%s", by, *why ? ": " : "", why);
	adt_site_free(&site);
	json_decref(bp);
	json_object_set_new(program, "decided_by", json_string(by));
	json_object_set_new(program, "fallback_reason", json_string(why));
	json_object_set_new(program, "rejected", reject);
	char path[4096];
	if (!weft_op_workfile(ctx, api, "program.json", path, sizeof path) ||
	    json_dump_file(program, path, JSON_INDENT(1) | JSON_SORT_KEYS)) {
		json_decref(program);
		return api->fail(ctx, "autodata.engineer: cannot write the program");
	}
	json_t *srcs = json_array();
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(program, "sources"), i, s)
	json_array_append_new(srcs, json_pack("{s:O, s:O, s:O}", "kind", json_object_get(s, "kind"), "template",
					      json_object_get(s, "template"), "covered", json_object_get(s, "covered")));
	json_t *body = json_pack("{s:o, s:I, s:I, s:s, s:s, s:{s:I, s:I}}", "sources", srcs, "covered", (json_int_t)covered,
				 "rejected", (json_int_t)json_array_size(json_object_get(program, "rejected")),
				 "decided_by", by, "fallback_reason", why, "llm", "calls", (json_int_t)calls, "tokens",
				 (json_int_t)tokens);
	json_decref(program);
	const weft_value *prog = NULL;
	if (adt_set_artifact(ctx, api, "program", path, &prog) != WEFT_OK) {
		json_decref(body);
		return WEFT_ERROR;
	}
	rc = adt_send(ctx, api, t0, "program", body, "program", prog, "pages", adt_ref_value(ctx, api, "blueprint", "pages"),
		      "apis", adt_ref_value(ctx, api, "blueprint", "apis"), NULL);
	api->value_free((weft_value *)prog);
	return rc;
}

/* ----------------------------------------------------------------- test */

static int run_test(weft_op_ctx *ctx, const weft_host_api *api)
{
	double t0 = adt_now();
	json_t *pm = adt_need_body(ctx, api, "program");
	if (!pm)
		return WEFT_ERROR;
	json_decref(pm);
	const char *ppath = adt_ref_path(ctx, api, "program", "program");
	json_error_t je;
	json_t *program = ppath ? json_load_file(ppath, 0, &je) : NULL;
	if (!program)
		return api->fail(ctx, "autodata.test: the program does not read: %s", ppath ? je.text : "no program ref");
	adt_site site;
	if (load_site(ctx, api, "program", &site) != WEFT_OK) {
		json_decref(program);
		return WEFT_ERROR;
	}
	char err[512], path[4096];
	json_t *stats = NULL;
	json_t *records = adt_extract(&site, program, &stats, err, sizeof err);
	adt_site_free(&site);
	json_decref(program);
	if (!records)
		return api->fail(ctx, "autodata.test: %s", err);
	if (!weft_op_workfile(ctx, api, "records.jsonl", path, sizeof path) || adt_write_jsonl(path, records)) {
		json_decref(records);
		json_decref(stats);
		return api->fail(ctx, "autodata.test: cannot write the records");
	}
	json_decref(records);
	const weft_value *rv = NULL;
	if (adt_set_artifact(ctx, api, "records", path, &rv) != WEFT_OK) {
		json_decref(stats);
		return WEFT_ERROR;
	}
	int rc = adt_send(ctx, api, t0, "records", stats, "records", rv, "program", adt_ref_value(ctx, api, "program", "program"),
		      NULL);
	api->value_free((weft_value *)rv);
	return rc;
}

/* ------------------------------------------------------------- validate */

static int run_validate(weft_op_ctx *ctx, const weft_host_api *api)
{
	double t0 = adt_now();
	json_t *rb = adt_need_body(ctx, api, "records");
	if (!rb)
		return WEFT_ERROR;
	json_decref(rb);
	const char *rpath = adt_ref_path(ctx, api, "records", "records");
	const char *ppath = adt_ref_path(ctx, api, "records", "program");
	char err[512];
	json_t *records = rpath ? adt_read_jsonl(rpath, err, sizeof err) : NULL;
	json_error_t je;
	json_t *program = ppath ? json_load_file(ppath, 0, &je) : NULL;
	if (!records || !program) {
		json_decref(records);
		json_decref(program);
		return api->fail(ctx, "autodata.validate: %s", !records ? (rpath ? err : "no records ref") : je.text);
	}
	json_t *verdict = adt_validate(records, program, weft_op_param_float(ctx, api, "min_filled"),
				      weft_op_param_float(ctx, api, "min_valid"));
	json_decref(records);
	json_decref(program);
	if (!verdict)
		return api->fail(ctx, "out of memory");
	return adt_send(ctx, api, t0, "verdict", verdict, "records", adt_ref_value(ctx, api, "records", "records"), "program",
		    adt_ref_value(ctx, api, "records", "program"), NULL);
}

/* ---------------------------------------------------------- descriptors */

#define FETCH_PARAMS                                                                                               \
	{"rate", WEFT_T_FLOAT, "10", "requests per second per host"},                                               \
		{"attempts", WEFT_T_INT, "6", "HTTP attempts after a failure (429, 5xx, a network error)"},              \
		{"max_age", WEFT_T_FLOAT, "86400", "seconds a cached page is used without revalidation"},          \
		{"max_wait", WEFT_T_FLOAT, "60", "the longest Retry-After or back-off accepted, seconds"},          \
		{"max_bytes", WEFT_T_INT, "16777216", "the largest body accepted"},                                 \
		{"request_timeout", WEFT_T_FLOAT, "30", "seconds per HTTP request"},                                             \
		{"robots", WEFT_T_BOOL, "true", "obey robots.txt (turn off only for sites you own)"},            \
		{"http_cache", WEFT_T_BOOL, "true", "keep and use the HTTP cache in the store"},                     \
		{"agent", WEFT_T_STRING, "\"\"", "the agent this crawl is for (a crawl of its own when there is no artifact cache)"}

static const weft_param_spec plan_params[] = {
	{"instruction", WEFT_T_STRING, NULL, "what to collect, in plain language"},
	{"fields", WEFT_T_ANY, NULL, "the fields wanted: \"a,b\", or a list of names or {name, type}"},
	{"start", WEFT_T_STRING, NULL, "the URL the crawl starts at"},
	{"scope", WEFT_T_STRING, "\"\"", "the URL prefix the crawl stays in (default: the start's directory)"},
};
static const weft_param_spec browse_params[] = {
	{"max_pages", WEFT_T_INT, "400", "pages fetched at most"},
	FETCH_PARAMS,
};
static const weft_param_spec tools_params[] = {
	{"max_calls", WEFT_T_INT, "500", "API requests at most"},
	FETCH_PARAMS,
};
static const weft_param_spec site_params[] = {
	{"max_pages", WEFT_T_INT, "2000", "pages loaded at most"},
};
static const weft_param_spec validate_params[] = {
	{"min_filled", WEFT_T_FLOAT, "0.9", "share of records that must have each field"},
	{"min_valid", WEFT_T_FLOAT, "0.9", "share of filled values that must have the field's type"},
};
static const weft_param_spec report_params[] = {
	{"figures", WEFT_T_MAP, "{}", "more figures for the summary (turns, routing, wall time)"},
};

#define MSG_OUT WEFT_OP_OUTPUTS(WEFT_NAMES("message"))
static const weft_op_desc op_plan = {
	WEFT_OP_DESC("plan", "1", run_plan, WEFT_OP_DETERMINISTIC | WEFT_OP_USES_LLM,
		     "Research: the plan (the fields and their types; the LLM when configured)."),
	WEFT_OP_PARAMS(plan_params),
	MSG_OUT,
};
static const weft_op_desc op_browse = {
	WEFT_OP_DESC("browse", "1", run_browse, WEFT_OP_DETERMINISTIC | WEFT_OP_RETRYABLE,
		     "Research: crawls the site politely (robots.txt, rate limit, retries, HTTP cache)."),
	WEFT_OP_PARAMS(browse_params),
	WEFT_OP_INPUTS(WEFT_NAMES("inbox")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("message", "pages")),
};
static const weft_op_desc op_tools = {
	WEFT_OP_DESC("tools", "1", run_tools, WEFT_OP_DETERMINISTIC | WEFT_OP_RETRYABLE,
		     "Research: finds the JSON APIs the pages' scripts call, and fetches them."),
	WEFT_OP_PARAMS(tools_params),
	WEFT_OP_INPUTS(WEFT_NAMES("inbox")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("message", "apis")),
};
static const weft_op_desc op_blueprint = {
	WEFT_OP_DESC("blueprint", "1", run_blueprint, WEFT_OP_DETERMINISTIC,
		     "Research: the site's URL templates and APIs, for the engineer."),
	WEFT_OP_PARAMS(site_params),
	WEFT_OP_INPUTS(WEFT_NAMES("inbox")),
	MSG_OUT,
};
static const weft_op_desc op_engineer = {
	WEFT_OP_DESC("engineer", "1", run_engineer, WEFT_OP_DETERMINISTIC | WEFT_OP_USES_LLM,
		     "Development: an extraction program by wrapper induction (XPath over the pages, keys of the APIs)."),
	WEFT_OP_PARAMS(site_params),
	WEFT_OP_INPUTS(WEFT_NAMES("inbox")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("message", "program")),
};
static const weft_op_desc op_test = {
	WEFT_OP_DESC("test", "1", run_test, WEFT_OP_DETERMINISTIC, "Development: runs the program over the crawl."),
	WEFT_OP_PARAMS(site_params),
	WEFT_OP_INPUTS(WEFT_NAMES("inbox")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("message", "records")),
};
static const weft_op_desc op_validate = {
	WEFT_OP_DESC("validate", "1", run_validate, WEFT_OP_DETERMINISTIC,
		     "Development: checks types, completeness and duplicates; rejections go to the engineer."),
	WEFT_OP_PARAMS(validate_params),
	WEFT_OP_INPUTS(WEFT_NAMES("inbox")),
	MSG_OUT,
};
static const weft_op_desc op_export = {
	WEFT_OP_DESC("export", "1", adt_run_export, WEFT_OP_DETERMINISTIC, "The dataset: dataset.csv and dataset.jsonl."),
	WEFT_OP_INPUTS(WEFT_NAMES("inbox")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "records")),
};
static const weft_op_desc op_report = {
	WEFT_OP_DESC("report", "1", adt_run_report, WEFT_OP_DETERMINISTIC,
		     "report.md and the run's figures: pages, requests, cache hits, LLM calls and tokens, turns."),
	WEFT_OP_PARAMS(report_params),
	WEFT_OP_INPUTS(WEFT_NAMES("inbox")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "summary")),
};

static const weft_op_desc *const ops[] = {&op_plan,     &op_browse, &op_tools,   &op_blueprint, &op_engineer,
					  &op_test,     &op_validate, &op_export, &op_report};
static const weft_plugin_desc plugin = WEFT_PLUGIN_DESC(
	"autodata", "0.1.0", "MIT", "AutoData: an instruction to a dataset collected from web sites by agents", ops);

WEFT_PLUGIN_EXPORT const weft_plugin_desc *weft_plugin_entry(const weft_host_api *api)
{
	return weft_plugin_accept(api, &plugin);
}
