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

/* ------------------------------------------------------------ messages */

/* The required body keys of each message type: its schema. */
static const struct {
	const char *type;
	const char *keys[6];
} SCHEMAS[] = {
	{"plan", {"instruction", "start", "fields", NULL}},
	{"pages", {"pages", "scope", NULL}},
	{"apis", {"calls", "documents", "endpoints", NULL}},
	{"blueprint", {"templates", "apis", "fields", NULL}},
	{"program", {"sources", "covered", NULL}},
	{"records", {"records", "sources", NULL}},
	{"verdict", {"ok", "problems", "reject", NULL}},
};

static int check_body(const char *type, json_t *body, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof SCHEMAS / sizeof *SCHEMAS; i++) {
		if (strcmp(SCHEMAS[i].type, type))
			continue;
		for (size_t k = 0; SCHEMAS[i].keys[k]; k++)
			if (!json_object_get(body, SCHEMAS[i].keys[k])) {
				snprintf(err, errlen, "a '%s' message without '%s' in its body", type, SCHEMAS[i].keys[k]);
				return -1;
			}
		return 0;
	}
	snprintf(err, errlen, "a message of unknown type '%s'", type);
	return -1;
}

/* The newest message of `type` in input "inbox" (a list of messages, or one
 * message), or NULL. */
static const weft_value *inbox_get(weft_op_ctx *ctx, const weft_host_api *api, const char *type)
{
	const weft_value *in = api->input(ctx, "inbox");
	if (!in)
		return NULL;
	const weft_value *found = NULL;
	size_t n = api->value_type(in) == WEFT_T_LIST ? api->value_len(in) : 1;
	for (size_t i = 0; i < n; i++) {
		const weft_value *m = api->value_type(in) == WEFT_T_LIST ? api->value_list_at(in, i) : in;
		if (!m || api->value_type(m) != WEFT_T_MAP)
			continue;
		const weft_value *t = api->value_map_get(m, "type");
		const char *ts = t && api->value_type(t) == WEFT_T_STRING ? api->value_string(t, NULL) : NULL;
		if (ts && !strcmp(ts, type))
			found = m;
	}
	return found;
}

/* A message's body as JSON, checked against its type; NULL (and the op
 * failed) when the inbox lacks it or it is malformed. */
static json_t *need_body(weft_op_ctx *ctx, const weft_host_api *api, const char *type)
{
	const weft_value *m = inbox_get(ctx, api, type);
	if (!m) {
		api->fail(ctx, "%s: no '%s' message in the inbox; route one to this agent (see the pipeline's routes)",
			  api->node_name(ctx), type);
		return NULL;
	}
	json_t *body = wop_value_to_json(api, api->value_map_get(m, "body"));
	char err[256];
	if (!body || check_body(type, body, err, sizeof err)) {
		api->fail(ctx, "%s: %s", api->node_name(ctx), body ? err : "a message without a body");
		json_decref(body);
		return NULL;
	}
	return body;
}

/* The path of artifact `ref` of the newest `type` message, or NULL. */
static const char *ref_path(weft_op_ctx *ctx, const weft_host_api *api, const char *type, const char *ref)
{
	const weft_value *m = inbox_get(ctx, api, type);
	const weft_value *refs = m ? api->value_map_get(m, "refs") : NULL;
	const weft_value *a = refs ? api->value_map_get(refs, ref) : NULL;
	return a ? weft_op_path_of(ctx, api, a) : NULL;
}

static const weft_value *ref_value(weft_op_ctx *ctx, const weft_host_api *api, const char *type, const char *ref)
{
	const weft_value *m = inbox_get(ctx, api, type);
	const weft_value *refs = m ? api->value_map_get(m, "refs") : NULL;
	return refs ? api->value_map_get(refs, ref) : NULL;
}

/* Sets output "message": {type, from, body, refs}. Steals body, and adds
 * the seconds since `t0` to it; `refs` are name/value pairs (values
 * copied), NULL-terminated. */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int send(weft_op_ctx *ctx, const weft_host_api *api, double t0, const char *type, json_t *body, ...)
{
	/* the agent's own seconds, for the report's wall time */
	json_object_set_new(body, "seconds", json_real(round((now_s() - t0) * 1000) / 1000));
	json_t *m = json_pack("{s:s, s:s, s:o}", "type", type, "from", api->node_name(ctx), "body", body);
	weft_value *v = m ? wop_value_from_json(api, m) : NULL;
	json_decref(m);
	weft_value *refs = api->value_new_map();
	va_list ap;
	va_start(ap, body);
	for (const char *name; (name = va_arg(ap, const char *));) {
		const weft_value *r = va_arg(ap, const weft_value *);
		if (r && refs)
			api->value_map_set(refs, name, api->value_copy(r));
	}
	va_end(ap);
	if (!v || !refs || api->value_map_set(v, "refs", refs) != WEFT_OK) {
		api->value_free(v);
		return api->fail(ctx, "out of memory");
	}
	return weft_op_set_value(ctx, api, "message", v);
}

/* Imports a file or directory of the work dir as output `name`; the value
 * (borrowed from the outputs) in *out. */
static int set_artifact(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *path,
			const weft_value **out)
{
	weft_value *art = NULL;
	if (api->artifact_import(&art, ctx, path) != WEFT_OK)
		return api->fail(ctx, "cannot store %s: %s", path, api->error_last());
	weft_value *copy = api->value_copy(art);
	if (api->set_output(ctx, name, art) != WEFT_OK) {
		api->value_free(copy);
		return WEFT_ERROR;
	}
	*out = copy; /* the caller frees it */
	return WEFT_OK;
}

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
	double t0 = now_s();
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
	return send(ctx, api, t0, "plan", body, NULL);
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
	double t0 = now_s();
	json_t *plan = need_body(ctx, api, "plan");
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
	if (set_artifact(ctx, api, "pages", dir, &pages) != WEFT_OK) {
		json_decref(summary);
		return WEFT_ERROR;
	}
	rc = send(ctx, api, t0, "pages", summary, "pages", pages, NULL);
	api->value_free((weft_value *)pages);
	return rc;
}

/* ---------------------------------------------------------------- tools */

static int run_tools(weft_op_ctx *ctx, const weft_host_api *api)
{
	double t0 = now_s();
	json_t *pbody = need_body(ctx, api, "pages");
	if (!pbody)
		return WEFT_ERROR;
	json_decref(pbody);
	const char *pages = ref_path(ctx, api, "pages", "pages");
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
	if (set_artifact(ctx, api, "apis", dir, &apis) != WEFT_OK) {
		json_decref(summary);
		return WEFT_ERROR;
	}
	rc = send(ctx, api, t0, "apis", summary, "apis", apis, NULL);
	api->value_free((weft_value *)apis);
	return rc;
}

/* ------------------------------------------------------------ blueprint */

/* The crawl the agent reads: its own (the newest "pages" and "apis"
 * messages of its inbox: without the artifact cache every agent crawls for
 * itself), else the one the `type` message refers to. */
static int load_site(weft_op_ctx *ctx, const weft_host_api *api, const char *type, adt_site *site)
{
	int own = inbox_get(ctx, api, "pages") != NULL;
	const char *pages = own ? ref_path(ctx, api, "pages", "pages") : ref_path(ctx, api, type, "pages");
	const char *apis = own ? ref_path(ctx, api, "apis", "apis") : ref_path(ctx, api, type, "apis");
	char err[512];
	if (!pages)
		return api->fail(ctx, "%s: the '%s' message carries no pages", api->node_name(ctx), type);
	if (adt_site_load(site, pages, apis, (size_t)weft_op_param_int(ctx, api, "max_pages"), err, sizeof err))
		return api->fail(ctx, "%s: %s", api->node_name(ctx), err);
	return WEFT_OK;
}

static int run_blueprint(weft_op_ctx *ctx, const weft_host_api *api)
{
	double t0 = now_s();
	json_t *plan = need_body(ctx, api, "plan");
	json_t *pb = plan ? need_body(ctx, api, "pages") : NULL;
	json_t *ab = pb ? need_body(ctx, api, "apis") : NULL;
	if (!ab) {
		json_decref(plan);
		json_decref(pb);
		return WEFT_ERROR;
	}
	/* a site view for the engineer: the pages' own, and the APIs' */
	adt_site site;
	const char *pages = ref_path(ctx, api, "pages", "pages");
	const char *apis = ref_path(ctx, api, "apis", "apis");
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
	return send(ctx, api, t0, "blueprint", body, "pages", ref_value(ctx, api, "pages", "pages"), "apis",
		    ref_value(ctx, api, "apis", "apis"), NULL);
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
	double t0 = now_s();
	json_t *bp = need_body(ctx, api, "blueprint");
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
	if (set_artifact(ctx, api, "program", path, &prog) != WEFT_OK) {
		json_decref(body);
		return WEFT_ERROR;
	}
	rc = send(ctx, api, t0, "program", body, "program", prog, "pages", ref_value(ctx, api, "blueprint", "pages"),
		      "apis", ref_value(ctx, api, "blueprint", "apis"), NULL);
	api->value_free((weft_value *)prog);
	return rc;
}

/* ----------------------------------------------------------------- test */

static int write_jsonl(const char *path, json_t *records)
{
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *fp = fopen(tmp, "w");
	if (!fp)
		return -1;
	size_t i;
	json_t *r;
	int ok = 1;
	json_array_foreach(records, i, r)
	{
		char *s = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
		ok = ok && s && fprintf(fp, "%s\n", s) >= 0;
		free(s);
	}
	ok = fclose(fp) == 0 && ok;
	if (!ok || rename(tmp, path)) {
		remove(tmp);
		return -1;
	}
	return 0;
}

static json_t *read_jsonl(const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	json_t *out = json_array();
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	while (getline(&line, &cap, fp) > 0) {
		lineno++;
		json_error_t je;
		json_t *j = json_loads(line, 0, &je);
		if (!json_is_object(j)) {
			snprintf(err, errlen, "%s:%zu: not a JSON object (%s)", path, lineno, j ? "" : je.text);
			json_decref(j);
			json_decref(out);
			out = NULL;
			break;
		}
		json_array_append_new(out, j);
	}
	free(line);
	fclose(fp);
	return out;
}

static int run_test(weft_op_ctx *ctx, const weft_host_api *api)
{
	double t0 = now_s();
	json_t *pm = need_body(ctx, api, "program");
	if (!pm)
		return WEFT_ERROR;
	json_decref(pm);
	const char *ppath = ref_path(ctx, api, "program", "program");
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
	if (!weft_op_workfile(ctx, api, "records.jsonl", path, sizeof path) || write_jsonl(path, records)) {
		json_decref(records);
		json_decref(stats);
		return api->fail(ctx, "autodata.test: cannot write the records");
	}
	json_decref(records);
	const weft_value *rv = NULL;
	if (set_artifact(ctx, api, "records", path, &rv) != WEFT_OK) {
		json_decref(stats);
		return WEFT_ERROR;
	}
	int rc = send(ctx, api, t0, "records", stats, "records", rv, "program", ref_value(ctx, api, "program", "program"),
		      NULL);
	api->value_free((weft_value *)rv);
	return rc;
}

/* ------------------------------------------------------------- validate */

static int run_validate(weft_op_ctx *ctx, const weft_host_api *api)
{
	double t0 = now_s();
	json_t *rb = need_body(ctx, api, "records");
	if (!rb)
		return WEFT_ERROR;
	json_decref(rb);
	const char *rpath = ref_path(ctx, api, "records", "records");
	const char *ppath = ref_path(ctx, api, "records", "program");
	char err[512];
	json_t *records = rpath ? read_jsonl(rpath, err, sizeof err) : NULL;
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
	return send(ctx, api, t0, "verdict", verdict, "records", ref_value(ctx, api, "records", "records"), "program",
		    ref_value(ctx, api, "records", "program"), NULL);
}

/* --------------------------------------------------------------- export */

static void csv_cell(FILE *fp, json_t *v)
{
	char *s = NULL;
	if (json_is_array(v)) {
		size_t cap = 1, i;
		json_t *x;
		json_array_foreach(v, i, x) cap += strlen(json_string_value(x) ?: "") + 2;
		s = calloc(1, cap);
		json_array_foreach(v, i, x)
		{
			if (s && i)
				strcat(s, "; ");
			if (s)
				strcat(s, json_string_value(x) ?: "");
		}
	} else if (json_is_string(v)) {
		s = strdup(json_string_value(v));
	} else if (v && !json_is_null(v)) {
		s = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
	}
	if (!s)
		return;
	int quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		fputc('"', fp);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			fputc('"', fp);
		fputc(*p, fp);
	}
	if (quote)
		fputc('"', fp);
	free(s);
}

static int run_export(weft_op_ctx *ctx, const weft_host_api *api)
{
	json_t *vb = need_body(ctx, api, "verdict");
	if (!vb)
		return WEFT_ERROR;
	const char *rpath = ref_path(ctx, api, "verdict", "records");
	const char *ppath = ref_path(ctx, api, "verdict", "program");
	char err[512], dir[4096], path[4300];
	json_t *records = rpath ? read_jsonl(rpath, err, sizeof err) : NULL;
	json_error_t je;
	json_t *program = ppath ? json_load_file(ppath, 0, &je) : NULL;
	if (!records || !program || !weft_op_workfile(ctx, api, "dataset", dir, sizeof dir) || mkdir(dir, 0755)) {
		json_decref(records);
		json_decref(program);
		json_decref(vb);
		return api->fail(ctx, "autodata.export: %s", !records ? err : "cannot read the program or make the dataset");
	}
	json_t *fields = json_object_get(program, "fields");
	/* the dataset: the wanted fields only, in their order */
	json_t *clean = json_array();
	size_t i, k;
	json_t *r, *f;
	json_array_foreach(records, i, r)
	{
		json_t *o = json_object();
		json_array_foreach(fields, k, f)
		{
			const char *name = json_string_value(json_object_get(f, "name"));
			json_t *v = json_object_get(r, name);
			json_object_set(o, name, v ? v : json_null());
		}
		json_array_append_new(clean, o);
	}
	snprintf(path, sizeof path, "%s/dataset.jsonl", dir);
	int bad = write_jsonl(path, clean);
	snprintf(path, sizeof path, "%s/dataset.csv", dir);
	FILE *fp = bad ? NULL : fopen(path, "w");
	if (fp) {
		json_array_foreach(fields, k, f)
		{
			if (k)
				fputc(',', fp);
			csv_cell(fp, json_object_get(f, "name"));
		}
		fputs("\r\n", fp);
		json_array_foreach(clean, i, r)
		{
			json_array_foreach(fields, k, f)
			{
				if (k)
					fputc(',', fp);
				csv_cell(fp, json_object_get(r, json_string_value(json_object_get(f, "name"))));
			}
			fputs("\r\n", fp);
		}
		bad = fclose(fp) != 0;
	} else {
		bad = 1;
	}
	size_t n = json_array_size(clean);
	json_decref(clean);
	json_decref(records);
	json_decref(program);
	json_decref(vb);
	if (bad)
		return api->fail(ctx, "autodata.export: cannot write %s", path);
	if (weft_op_set_file(ctx, api, "out", dir) != WEFT_OK)
		return WEFT_ERROR;
	return weft_op_set_int(ctx, api, "records", (int64_t)n);
}

/* ---------------------------------------------------------------- report */

static int run_report(weft_op_ctx *ctx, const weft_host_api *api)
{
	/* every message the run made, in the order the pipeline lists them */
	json_t *all = wop_value_to_json(api, api->input(ctx, "inbox"));
	json_t *extra = wop_value_to_json(api, api->param(ctx, "figures"));
	if (!json_is_array(all)) {
		json_decref(all);
		json_decref(extra);
		return api->fail(ctx, "autodata.report: the inbox is not a list of messages");
	}
	long llm_calls = 0, llm_tokens = 0, turns = 0, fetched = 0, requests = 0, hits = 0, notmod = 0, crawls = 0;
	double agent_seconds = 0;
	json_t *plan = NULL, *pages = NULL, *apis = NULL, *verdict = NULL, *records = NULL;
	size_t i;
	json_t *m;
	json_array_foreach(all, i, m)
	{
		const char *t = json_string_value(json_object_get(m, "type"));
		json_t *b = json_object_get(m, "body");
		json_t *llm = json_object_get(b, "llm");
		llm_calls += (long)json_integer_value(json_object_get(llm, "calls"));
		agent_seconds += json_number_value(json_object_get(b, "seconds"));
		llm_tokens += (long)json_integer_value(json_object_get(llm, "tokens"));
		if (!t)
			continue;
		if (!strcmp(t, "plan"))
			plan = b;
		else if (!strcmp(t, "pages") || !strcmp(t, "apis")) {
			/* every crawl counts (one per agent without the artifact cache) */
			json_t *h = json_object_get(b, "http");
			fetched += (long)json_integer_value(json_object_get(h, "fetched"));
			requests += (long)json_integer_value(json_object_get(h, "requests"));
			hits += (long)json_integer_value(json_object_get(h, "cache_hits"));
			notmod += (long)json_integer_value(json_object_get(h, "not_modified"));
			if (!strcmp(t, "pages")) {
				crawls++;
				pages = pages ? pages : b;
			} else {
				apis = apis ? apis : b;
			}
		}
		else if (!strcmp(t, "verdict")) {
			verdict = b;
			turns++;
		} else if (!strcmp(t, "records"))
			records = b;
	}
	json_t *summary = json_pack(
		"{s:O?, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:O?, s:O?, s:b, s:O?}", "instruction",
		json_object_get(plan, "instruction"), "pages", (json_int_t)json_integer_value(json_object_get(pages, "pages")),
		"api_documents", (json_int_t)json_integer_value(json_object_get(apis, "documents")), "requests",
		(json_int_t)requests, "fetched", (json_int_t)fetched, "http_cache_hits", (json_int_t)hits, "not_modified",
		(json_int_t)notmod, "llm_calls", (json_int_t)llm_calls, "llm_tokens", (json_int_t)llm_tokens, "records",
		json_object_get(verdict, "records"), "fields", json_object_get(verdict, "fields"), "ok",
		json_is_true(json_object_get(verdict, "ok")), "problems", json_object_get(verdict, "problems"));
	json_object_set_new(summary, "turns", json_integer(turns));
	json_object_set_new(summary, "crawls", json_integer(crawls));
	json_object_set_new(summary, "agent_seconds", json_real(round(agent_seconds * 1000) / 1000));
	json_object_set_new(summary, "merged", json_integer(json_integer_value(json_object_get(records, "merged"))));
	json_object_set_new(summary, "plan_decided_by", json_incref(json_object_get(plan, "decided_by")));
	if (json_is_object(extra))
		json_object_update(summary, extra);
	char path[4096];
	if (!weft_op_workfile(ctx, api, "report.md", path, sizeof path)) {
		json_decref(all);
		json_decref(extra);
		json_decref(summary);
		return WEFT_ERROR;
	}
	FILE *fp = fopen(path, "w");
	if (fp) {
		fprintf(fp, "# AutoData run\n\n");
		fprintf(fp, "Instruction: %s\n\n", json_string_value(json_object_get(plan, "instruction")) ?: "");
		fprintf(fp, "| what | value |\n|---|---|\n");
		const char *k;
		json_t *v;
		json_object_foreach(summary, k, v)
		{
			if (json_is_object(v) || json_is_array(v) || !strcmp(k, "instruction"))
				continue;
			char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(6));
			fprintf(fp, "| %s | %s |\n", k, s ? s : "");
			free(s);
		}
		fprintf(fp, "\n## Fields\n\n| field | filled | of its type |\n|---|---|---|\n");
		json_object_foreach(json_object_get(verdict, "fields"), k, v)
		fprintf(fp, "| %s | %.3f | %.3f |\n", k, json_real_value(json_object_get(v, "filled")),
			json_real_value(json_object_get(v, "valid")));
		json_t *probs = json_object_get(verdict, "problems");
		if (json_array_size(probs)) {
			fprintf(fp, "\n## Problems left\n\n");
			json_array_foreach(probs, i, v) fprintf(fp, "- %s\n", json_string_value(v));
		}
		if (fclose(fp)) {
			fp = NULL;
		} else {
			fp = (FILE *)1;
		}
	}
	json_decref(all);
	json_decref(extra);
	if (!fp) {
		json_decref(summary);
		return api->fail(ctx, "autodata.report: cannot write %s", path);
	}
	if (weft_op_set_file(ctx, api, "out", path) != WEFT_OK) {
		json_decref(summary);
		return WEFT_ERROR;
	}
	weft_value *sv = wop_value_from_json(api, summary);
	json_decref(summary);
	return sv ? weft_op_set_value(ctx, api, "summary", sv) : api->fail(ctx, "out of memory");
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
	WEFT_OP_DESC("export", "1", run_export, WEFT_OP_DETERMINISTIC, "The dataset: dataset.csv and dataset.jsonl."),
	WEFT_OP_INPUTS(WEFT_NAMES("inbox")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "records")),
};
static const weft_op_desc op_report = {
	WEFT_OP_DESC("report", "1", run_report, WEFT_OP_DETERMINISTIC,
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
