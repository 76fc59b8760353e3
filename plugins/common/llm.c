/*
 * llm.c -- see llm.h. One curl easy handle per call: the calls are rare
 * (a decision per pipeline run), and a handle of its own keeps each op
 * free of shared state. libcurl's global set-up happens here, per call,
 * not when a plugin loads: most runs never ask a model, and every weft
 * process loads every plugin. It is reference-counted and, from libcurl
 * 7.84 on (CURL_VERSION_THREADSAFE), safe to call from any thread.
 */
#define _GNU_SOURCE
#include "llm.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct buf {
	char *p;
	size_t n;
	int overflow;
} buf;

static size_t on_data(char *data, size_t size, size_t nmemb, void *user)
{
	buf *b = user;
	size_t add = size * nmemb;
	if (b->n + add > (8u << 20)) { /* 8 MiB: no chat reply is that long */
		b->overflow = 1;
		return 0;
	}
	char *q = realloc(b->p, b->n + add + 1);
	if (!q)
		return 0;
	memcpy(q + b->n, data, add);
	b->p = q, b->n += add;
	b->p[b->n] = '\0';
	return add;
}

int wllm_chat(char **content, const wllm_opts *o, const char *system, const char *user, char *err, size_t errlen)
{
	*content = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errlen, "libcurl could not initialise");
		return -1;
	}
	char *url = NULL, *auth = NULL, *body = NULL;
	size_t ul = strlen(o->base_url);
	while (ul > 0 && o->base_url[ul - 1] == '/')
		ul--;
	if (asprintf(&url, "%.*s/chat/completions", (int)ul, o->base_url) < 0)
		url = NULL;
	json_t *req = json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s}], s:f}", "model", o->model, "messages", "role", "system",
				"content", system, "role", "user", "content", user, "temperature", o->temperature);
	body = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	CURL *c = curl_easy_init();
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
	if (o->api_key && *o->api_key && asprintf(&auth, "Authorization: Bearer %s", o->api_key) >= 0)
		hdr = curl_slist_append(hdr, auth);
	buf b = {0};
	int rc = -1;
	if (!url || !body || !c || !hdr) {
		snprintf(err, errlen, "out of memory preparing the LLM request");
		goto done;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(o->timeout * 1000));
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* ops may run on threads */
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	CURLcode cc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (cc != CURLE_OK) {
		snprintf(err, errlen, "LLM server %s: %s", url, b.overflow ? "reply too large" : curl_easy_strerror(cc));
		goto done;
	}
	json_error_t je;
	json_t *j = b.p ? json_loads(b.p, 0, &je) : NULL;
	if (status != 200) {
		const char *msg = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
		snprintf(err, errlen, "LLM server %s answered HTTP %ld%s%.200s", url, status, msg ? ": " : "", msg ? msg : "");
		json_decref(j);
		goto done;
	}
	const char *text = json_string_value(
		json_object_get(json_object_get(json_array_get(json_object_get(j, "choices"), 0), "message"), "content"));
	if (!text) {
		snprintf(err, errlen, "LLM server %s sent no choices[0].message.content; is it OpenAI-compatible?", url);
		json_decref(j);
		goto done;
	}
	*content = strdup(text);
	json_decref(j);
	rc = *content ? 0 : -1;
	if (rc != 0)
		snprintf(err, errlen, "out of memory");
done:
	if (c)
		curl_easy_cleanup(c);
	curl_slist_free_all(hdr);
	free(url), free(auth), free(body), free(b.p);
	curl_global_cleanup();
	return rc;
}

json_t *wllm_json_in(const char *text)
{
	for (const char *p = strchr(text, '{'); p; p = strchr(p + 1, '{')) {
		json_error_t je;
		json_t *j = json_loads(p, JSON_DISABLE_EOF_CHECK, &je);
		if (json_is_object(j))
			return j;
		json_decref(j);
	}
	return NULL;
}
