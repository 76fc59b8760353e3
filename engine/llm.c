/*
 * llm.c -- see llm.h.
 *
 * Every answer that is used is first written to the store, under
 * llm/HH/HASH.json, keyed by what decides it (model, messages, schema,
 * temperature, max_tokens, seed: never the url or the key), so a rerun or
 * a resume never asks again and never pays twice. Only an answer that
 * parsed and satisfied its schema is written: a wrong answer is never
 * cached. libcurl is mapped the first time a request is sent (dyn_curl.h).
 */
#define _GNU_SOURCE
#include "llm.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dyn_curl.h"
#include "jsonschema.h"
#include "util.h"
#include "value_jansson.h"

#define MAX_REPLY (8u << 20) /* no chat reply is this long */

typedef struct cfg {
	const char *url, *model, *key_env;
	double temperature, timeout;
	int64_t max_tokens, retries;
} cfg;

static const char *str_of(const weft_value *m, const char *k, const char *dflt)
{
	const char *s = weft_value_get_string(weft_value_map_get(m, k), NULL);
	return s && *s ? s : dflt;
}

static double num_of(const weft_value *m, const char *k, double dflt)
{
	const weft_value *v = weft_value_map_get(m, k);
	weft_type t = weft_value_type(v);
	return v && (t == WEFT_T_INT || t == WEFT_T_FLOAT) ? weft_value_get_float(v) : dflt;
}

static void read_cfg(cfg *c, const weft_value *config, const weft_value *request)
{
	c->url = str_of(config, "url", NULL);
	c->model = str_of(config, "model", "default");
	c->key_env = str_of(config, "api_key_env", NULL);
	c->temperature = num_of(request, "temperature", num_of(config, "temperature", 0));
	c->max_tokens = (int64_t)num_of(request, "max_tokens", num_of(config, "max_tokens", 1024));
	c->timeout = num_of(config, "timeout", 60);
	c->retries = (int64_t)num_of(config, "retries", 2);
	if (c->retries < 0)
		c->retries = 0;
	if (c->retries > 10)
		c->retries = 10;
	if (!(c->timeout > 0))
		c->timeout = 60;
}

char *weft_llm_identity(const weft_value *config)
{
	cfg c;
	read_cfg(&c, config, NULL);
	if (!c.url)
		return weft_strdup("none");
	return weft_sprintf("%s t=%.17g max=%lld", c.model, c.temperature, (long long)c.max_tokens);
}

int weft_llm_config_check(const weft_value *config, const char *where)
{
	static const char *const keys[] = {"url", "model", "api_key_env", "temperature", "max_tokens", "timeout",
					   "retries"};
	static const weft_type types[] = {WEFT_T_STRING, WEFT_T_STRING, WEFT_T_STRING, WEFT_T_FLOAT,
					  WEFT_T_INT,    WEFT_T_FLOAT,  WEFT_T_INT};
	const size_t n = sizeof keys / sizeof *keys;
	if (!config || weft_value_type(config) == WEFT_T_NULL)
		return WEFT_OK;
	if (weft_value_type(config) != WEFT_T_MAP)
		return weft_err_set(WEFT_EINVALID, "%s: llm must be a map such as {url = \"http://127.0.0.1:8080/v1\", "
						   "model = \"qwen2.5\"}", where);
	for (size_t i = 0; i < weft_value_len(config); i++) {
		const char *k = weft_value_map_key_at(config, i);
		weft_type t = weft_value_type(weft_value_map_value_at(config, i));
		size_t j = 0;
		while (j < n && strcmp(keys[j], k))
			j++;
		if (j == n) {
			const char *s = weft_suggest(k, keys, n);
			return weft_err_set(WEFT_EINVALID, "%s: unknown llm setting '%s'%s%s%s", where, k,
					    s ? " (did you mean '" : "; known: url, model, api_key_env, temperature, "
								 "max_tokens, timeout, retries",
					    s ? s : "", s ? "'?)" : "");
		}
		int ok = t == types[j] || (types[j] == WEFT_T_FLOAT && t == WEFT_T_INT);
		if (!ok)
			return weft_err_set(WEFT_EINVALID, "%s: llm.%s must be %s", where, k,
					    types[j] == WEFT_T_STRING ? "a string"
					    : types[j] == WEFT_T_INT  ? "a whole number"
								  : "a number");
	}
	return WEFT_OK;
}

void weft_llm_stats_add(weft_llm_stats *to, const weft_llm_stats *from)
{
	to->calls += from->calls;
	to->cache_hits += from->cache_hits;
	to->requests += from->requests;
	to->unavailable += from->unavailable;
	to->failed += from->failed;
	to->prompt_tokens += from->prompt_tokens;
	to->completion_tokens += from->completion_tokens;
	to->seconds += from->seconds;
}

int weft_llm_stats_any(const weft_llm_stats *s)
{
	return s->calls || s->cache_hits || s->unavailable || s->failed;
}

json_t *weft_llm_stats_json(const weft_llm_stats *s)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f}", "cache_hits", (json_int_t)s->cache_hits, "calls",
			 (json_int_t)s->calls, "completion_tokens", (json_int_t)s->completion_tokens, "failed",
			 (json_int_t)s->failed, "prompt_tokens", (json_int_t)s->prompt_tokens, "requests",
			 (json_int_t)s->requests, "unavailable", (json_int_t)s->unavailable, "seconds", s->seconds);
}

static uint64_t jcount(const json_t *j, const char *k)
{
	json_int_t v = json_integer_value(json_object_get(j, k));
	return v > 0 ? (uint64_t)v : 0;
}

void weft_llm_stats_from_json(weft_llm_stats *s, const json_t *j)
{
	memset(s, 0, sizeof *s);
	if (!json_is_object(j))
		return;
	s->calls = (unsigned)jcount(j, "calls");
	s->cache_hits = (unsigned)jcount(j, "cache_hits");
	s->requests = (unsigned)jcount(j, "requests");
	s->unavailable = (unsigned)jcount(j, "unavailable");
	s->failed = (unsigned)jcount(j, "failed");
	s->prompt_tokens = jcount(j, "prompt_tokens");
	s->completion_tokens = jcount(j, "completion_tokens");
	s->seconds = json_number_value(json_object_get(j, "seconds"));
}

/* ------------------------------------------------------------ cache */

static int cache_key(char out[65], const cfg *c, const weft_value *request)
{
	weft_value *k = weft_value_map();
	int rc = k ? WEFT_OK : weft_err_set(WEFT_ERROR, "out of memory");
	const weft_value *messages = weft_value_map_get(request, "messages");
	const weft_value *schema = weft_value_map_get(request, "schema");
	const weft_value *seed = weft_value_map_get(request, "seed");
	if (rc == WEFT_OK) {
		weft_value_map_set(k, "v", weft_value_cstr("weft-llm-1"));
		weft_value_map_set(k, "model", weft_value_cstr(c->model));
		weft_value_map_set(k, "messages", weft_value_copy(messages));
		weft_value_map_set(k, "temperature", weft_value_float(c->temperature));
		weft_value_map_set(k, "max_tokens", weft_value_int(c->max_tokens));
		if (schema)
			weft_value_map_set(k, "schema", weft_value_copy(schema));
		if (seed)
			weft_value_map_set(k, "seed", weft_value_copy(seed));
		rc = weft_value_hash(out, k);
	}
	weft_value_free(k);
	return rc;
}

static char *cache_path(const char *store_dir, const char key[65])
{
	return weft_sprintf("%s/llm/%.2s/%s.json", store_dir, key, key + 2);
}

static weft_value *cache_get(const char *store_dir, const char key[65])
{
	char *path = cache_path(store_dir, key), *text = NULL;
	size_t len = 0;
	weft_value *v = NULL;
	char err[128];
	if (path && weft_read_file(path, &text, &len) == WEFT_OK &&
	    weft_value_from_json(&v, text, len, err, sizeof err) == WEFT_OK &&
	    (weft_value_type(v) != WEFT_T_MAP || !weft_value_get_string(weft_value_map_get(v, "content"), NULL))) {
		weft_value_free(v); /* not an entry of ours: asked again */
		v = NULL;
	}
	free(path);
	free(text);
	return v;
}

static void cache_put(const char *store_dir, const char key[65], const weft_value *response)
{
	char *path = cache_path(store_dir, key), *dir = path ? weft_path_dirname(path) : NULL;
	char *text = weft_value_to_json(response, 0);
	/* A failed write costs a second request later, never a wrong answer. */
	if (dir && text && weft_mkdirs(dir, 0700) == WEFT_OK)
		(void)weft_write_file_atomic(path, text, strlen(text), 1);
	free(text);
	free(dir);
	free(path);
}

/* ------------------------------------------------------------ HTTP */

typedef struct reply {
	char *p;
	size_t n;
	int overflow;
} reply;

static size_t on_data(char *data, size_t size, size_t nmemb, void *user)
{
	reply *b = user;
	size_t add = size * nmemb;
	if (b->n + add > MAX_REPLY) {
		b->overflow = 1;
		return 0;
	}
	char *q = realloc(b->p, b->n + add + 1);
	if (!q)
		return 0;
	memcpy(q + b->n, data, add);
	b->p = q;
	b->n += add;
	b->p[b->n] = '\0';
	return add;
}

/* One POST of `body`; *status and the reply text (caller frees). A
 * transport failure returns an error naming the endpoint. */
static int post(char **text, long *status, const cfg *c, const char *body)
{
	*text = NULL;
	*status = 0;
	if (weft_curl_load() != WEFT_OK)
		return WEFT_ERROR;
	size_t ul = strlen(c->url);
	while (ul > 0 && c->url[ul - 1] == '/')
		ul--;
	char *url = weft_sprintf("%.*s/chat/completions", (int)ul, c->url), *auth = NULL;
	const char *key = c->key_env ? getenv(c->key_env) : NULL;
	if (key && *key)
		auth = weft_sprintf("Authorization: Bearer %s", key);
	CURL *h = lc()->curl_easy_init();
	struct curl_slist *hdr = lc()->curl_slist_append(NULL, "Content-Type: application/json");
	if (hdr && auth)
		hdr = lc()->curl_slist_append(hdr, auth);
	reply b = {0};
	int rc = WEFT_OK;
	if (!url || !h || !hdr || (key && *key && !auth)) {
		rc = weft_err_set(WEFT_ERROR, "out of memory preparing the LLM request");
		goto done;
	}
	(lc()->curl_easy_setopt)(h, CURLOPT_URL, url);
	(lc()->curl_easy_setopt)(h, CURLOPT_POSTFIELDS, body);
	(lc()->curl_easy_setopt)(h, CURLOPT_HTTPHEADER, hdr);
	(lc()->curl_easy_setopt)(h, CURLOPT_WRITEFUNCTION, on_data);
	(lc()->curl_easy_setopt)(h, CURLOPT_WRITEDATA, &b);
	(lc()->curl_easy_setopt)(h, CURLOPT_TIMEOUT_MS, (long)(c->timeout * 1000));
	(lc()->curl_easy_setopt)(h, CURLOPT_NOSIGNAL, 1L); /* ops run on threads */
	(lc()->curl_easy_setopt)(h, CURLOPT_PROTOCOLS_STR, "http,https");
	CURLcode cc = lc()->curl_easy_perform(h);
	(lc()->curl_easy_getinfo)(h, CURLINFO_RESPONSE_CODE, status);
	if (cc != CURLE_OK)
		rc = weft_err_set(WEFT_EIO, "LLM endpoint %s: %s", url,
				  b.overflow ? "the reply is over 8 MiB" : lc()->curl_easy_strerror(cc));
	else {
		*text = b.p;
		b.p = NULL;
	}
done:
	if (h)
		lc()->curl_easy_cleanup(h);
	lc()->curl_slist_free_all(hdr);
	free(b.p);
	if (auth) {
		memset(auth, 0, strlen(auth)); /* the key lives no longer than the request */
		free(auth);
	}
	free(url);
	return rc;
}

/* ------------------------------------------------------------ answers */

/* The first JSON object or array in `text` (models wrap answers in prose
 * or code fences), as a value; NULL when there is none. */
static weft_value *json_in(const char *text)
{
	for (const char *p = text; (p = strpbrk(p, "{[")); p++) {
		json_error_t je;
		json_t *j = json_loads(p, JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY, &je);
		if (json_is_object(j) || json_is_array(j)) {
			weft_value *v = weft_value_from_jansson(j);
			json_decref(j);
			return v;
		}
		json_decref(j);
	}
	return NULL;
}

typedef struct attempt {
	long status;
	char *content;  /* the answer's text */
	char *refusal;  /* set when the model refused */
	int64_t prompt_tokens, completion_tokens;
	char *server_error; /* the error message of a non-200 reply */
} attempt;

static void attempt_free(attempt *a)
{
	free(a->content);
	free(a->refusal);
	free(a->server_error);
	memset(a, 0, sizeof *a);
}

static void parse_reply(attempt *a, const char *text)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	if (a->status != 200) {
		const char *m = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
		a->server_error = weft_strdup(m ? m : text ? text : "");
	} else {
		json_t *msg = json_object_get(json_array_get(json_object_get(j, "choices"), 0), "message");
		const char *content = json_string_value(json_object_get(msg, "content"));
		const char *refusal = json_string_value(json_object_get(msg, "refusal"));
		if (content)
			a->content = weft_strdup(content);
		if (refusal)
			a->refusal = weft_strdup(refusal);
		json_t *u = json_object_get(j, "usage");
		a->prompt_tokens = json_integer_value(json_object_get(u, "prompt_tokens"));
		a->completion_tokens = json_integer_value(json_object_get(u, "completion_tokens"));
	}
	json_decref(j);
}

static json_t *request_body(const cfg *c, const weft_value *messages, const weft_value *schema, int use_format,
			    const weft_value *seed)
{
	json_t *body = json_object();
	json_t *msgs = weft_value_to_jansson(messages);
	if (!body || !json_is_array(msgs)) {
		json_decref(body);
		json_decref(msgs);
		return NULL;
	}
	if (schema && !use_format) {
		/* A server without structured output gets the schema in words. */
		json_t *sch = weft_value_to_jansson(schema);
		char *s = sch ? json_dumps(sch, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		char *sys = s ? weft_sprintf("Answer with one JSON value, and nothing else, that follows this JSON "
					     "Schema: %s", s) : NULL;
		if (sys)
			json_array_insert_new(msgs, 0, json_pack("{s:s,s:s}", "role", "system", "content", sys));
		free(sys);
		free(s);
		json_decref(sch);
	}
	json_object_set_new(body, "model", json_string(c->model));
	json_object_set_new(body, "messages", msgs);
	json_object_set_new(body, "temperature", json_real(c->temperature));
	json_object_set_new(body, "max_tokens", json_integer(c->max_tokens));
	if (seed && weft_value_type(seed) == WEFT_T_INT)
		json_object_set_new(body, "seed", json_integer(weft_value_get_int(seed)));
	if (schema && use_format)
		json_object_set_new(body, "response_format",
				    json_pack("{s:s,s:{s:s,s:o,s:b}}", "type", "json_schema", "json_schema", "name",
					      "answer", "schema", weft_value_to_jansson(schema), "strict", 1));
	return body;
}

/* Appends the model's answer and what was wrong with it, so the next
 * request asks again with the error in view. */
static int reask(weft_value *messages, const char *content, const char *problem)
{
	weft_value *a = weft_value_map(), *u = weft_value_map();
	char *msg = weft_sprintf("That answer is not valid: %s. Answer again with only a JSON value that follows the "
				 "schema.", problem);
	int rc = a && u && msg ? WEFT_OK : weft_err_set(WEFT_ERROR, "out of memory");
	if (rc == WEFT_OK) {
		weft_value_map_set(a, "role", weft_value_cstr("assistant"));
		weft_value_map_set(a, "content", weft_value_cstr(content));
		weft_value_map_set(u, "role", weft_value_cstr("user"));
		weft_value_map_set(u, "content", weft_value_cstr(msg));
		rc = weft_value_list_push(messages, a);
		a = NULL;
		if (rc == WEFT_OK)
			rc = weft_value_list_push(messages, u);
		u = NULL;
	}
	weft_value_free(a);
	weft_value_free(u);
	free(msg);
	return rc;
}

static int check_request(const weft_value *request)
{
	const weft_value *m = weft_value_map_get(request, "messages");
	if (weft_value_type(request) != WEFT_T_MAP || weft_value_type(m) != WEFT_T_LIST || !weft_value_len(m))
		return weft_err_set(WEFT_EINVALID, "llm_chat: the request must be a map with a non-empty list "
						   "`messages` of {role, content} (a bug in the op)");
	for (size_t i = 0; i < weft_value_len(m); i++) {
		const weft_value *e = weft_value_list_at(m, i);
		if (!weft_value_get_string(weft_value_map_get(e, "role"), NULL) ||
		    !weft_value_get_string(weft_value_map_get(e, "content"), NULL))
			return weft_err_set(WEFT_EINVALID, "llm_chat: message %zu lacks a role or content (a bug in the op)",
					    i);
	}
	const weft_value *s = weft_value_map_get(request, "schema");
	if (s && weft_value_type(s) != WEFT_T_MAP)
		return weft_err_set(WEFT_EINVALID, "llm_chat: `schema` must be a JSON Schema object (a bug in the op)");
	return WEFT_OK;
}

static weft_value *make_response(const cfg *c, const attempt *a, weft_value *json)
{
	weft_value *r = weft_value_map();
	if (!r)
		return NULL;
	weft_value_map_set(r, "content", weft_value_cstr(a->content));
	if (json)
		weft_value_map_set(r, "json", json);
	weft_value_map_set(r, "model", weft_value_cstr(c->model));
	weft_value_map_set(r, "prompt_tokens", weft_value_int(a->prompt_tokens));
	weft_value_map_set(r, "completion_tokens", weft_value_int(a->completion_tokens));
	return r;
}

int weft_llm_chat(weft_value **response, const char *store_dir, const weft_value *config, const weft_value *request,
		  weft_llm_stats *stats)
{
	weft_llm_stats none = {0};
	if (!stats)
		stats = &none;
	*response = NULL;
	int rc = check_request(request);
	if (rc != WEFT_OK)
		return rc;
	cfg c;
	read_cfg(&c, config, request);
	if (!c.url) {
		stats->unavailable++;
		return weft_err_set(WEFT_ENOTFOUND, "no LLM endpoint is configured (weft.yaml `llm: {url, model}` or a "
						    "node's llm = {...}); the op uses its rule");
	}
	char key[65];
	if ((rc = cache_key(key, &c, request)) != WEFT_OK)
		return rc;
	weft_value *hit = cache_get(store_dir, key);
	if (hit) {
		stats->cache_hits++;
		weft_value_map_set(hit, "cached", weft_value_bool(1));
		*response = hit;
		return WEFT_OK;
	}
	stats->calls++;
	const weft_value *schema = weft_value_map_get(request, "schema");
	weft_value *messages = weft_value_copy(weft_value_map_get(request, "messages"));
	if (!messages)
		return weft_err_set(WEFT_ERROR, "out of memory");
	int use_format = schema != NULL;
	char problem[512] = "";
	rc = WEFT_ERROR;
	for (int64_t tries = 0; tries <= c.retries && !*response; tries++) {
		json_t *body = request_body(&c, messages, schema, use_format, weft_value_map_get(request, "seed"));
		char *btext = body ? json_dumps(body, JSON_COMPACT) : NULL;
		json_decref(body);
		char *text = NULL;
		attempt a = {0};
		double t0 = weft_mono();
		rc = btext ? post(&text, &a.status, &c, btext) : weft_err_set(WEFT_ERROR, "out of memory");
		stats->seconds += weft_mono() - t0;
		stats->requests++;
		free(btext);
		if (rc != WEFT_OK) {
			snprintf(problem, sizeof problem, "%s", weft_error_last());
			free(text);
			continue;
		}
		parse_reply(&a, text);
		free(text);
		stats->prompt_tokens += (uint64_t)(a.prompt_tokens > 0 ? a.prompt_tokens : 0);
		stats->completion_tokens += (uint64_t)(a.completion_tokens > 0 ? a.completion_tokens : 0);
		if (a.status == 400 && use_format) {
			/* No structured output here: ask with the schema in words,
			 * without spending a retry on it. */
			use_format = 0;
			tries--;
			snprintf(problem, sizeof problem, "HTTP 400: %.300s", a.server_error ? a.server_error : "");
		} else if (a.status != 200) {
			snprintf(problem, sizeof problem, "the endpoint answered HTTP %ld: %.300s", a.status,
				 a.server_error ? a.server_error : "");
		} else if (a.refusal || !a.content) {
			snprintf(problem, sizeof problem, "the model refused: %.300s",
				 a.refusal ? a.refusal : "(no content in its answer)");
		} else if (!schema) {
			*response = make_response(&c, &a, NULL);
		} else {
			weft_value *json = json_in(a.content);
			char why[256] = "it holds no JSON object or array";
			if (json && weft_schema_check(schema, json, why, sizeof why) == 0) {
				*response = make_response(&c, &a, json);
				json = NULL;
			} else {
				snprintf(problem, sizeof problem, "the answer does not follow the schema (%s)", why);
				if (reask(messages, a.content, why) != WEFT_OK)
					tries = c.retries;
			}
			weft_value_free(json);
		}
		attempt_free(&a);
	}
	weft_value_free(messages);
	if (!*response) {
		stats->failed++;
		return weft_err_set(WEFT_EIO, "LLM endpoint %s (model %s): %s, after %lld request(s); the op uses its rule",
				    c.url, c.model, problem, (long long)c.retries + 1);
	}
	cache_put(store_dir, key, *response);
	weft_value_map_set(*response, "cached", weft_value_bool(0));
	return WEFT_OK;
}
