/*
 * llm.h -- weft's OpenAI-compatible chat client (llm.c), behind the host
 * API's llm_chat: every answer cached in the store, JSON answers checked
 * against the caller's schema and asked for again when they do not match.
 *
 * Config (a map, from weft.yaml `llm:` with a node's `llm = {...}` over
 * it): url (the base, e.g. http://127.0.0.1:8080/v1), model, api_key_env
 * (the name of the variable that holds the key: the key itself is read at
 * call time and never written anywhere), temperature (0), max_tokens
 * (1024), timeout (seconds per request, 60), retries (2: further requests
 * after a failed or invalid answer).
 *
 * Request (a map): messages = [{role, content}...], and optionally schema
 * (a JSON Schema the answer must satisfy; the answer is then JSON),
 * temperature and max_tokens (over the config's), seed.
 *
 * Response (a map): content (the text), json (the parsed answer, with a
 * schema), model, cached (bool), prompt_tokens, completion_tokens.
 */
#ifndef WEFT_LLM_H
#define WEFT_LLM_H

#include <jansson.h>
#include <stdint.h>

#include "weft/run.h"
#include "weft/weft.h"

/* What a node's LLM calls came to, for the record: the type the run
 * reader hands out (weft/run.h), so writer and reader share one. */
typedef weft_run_llm weft_llm_stats;

void weft_llm_stats_add(weft_llm_stats *to, const weft_llm_stats *from);
/* Whether anything was asked (or would have been). */
int weft_llm_stats_any(const weft_llm_stats *s);
/* The stats as the record and the worker protocol carry them: {calls,
 * cache_hits, requests, unavailable, failed, prompt_tokens,
 * completion_tokens, seconds}. New reference. */
json_t *weft_llm_stats_json(const weft_llm_stats *s);
void weft_llm_stats_from_json(weft_llm_stats *s, const json_t *j);

/* The identity of a config for cache keys: model, temperature and
 * max_tokens, never the url or the key; "none" without a url. Caller frees. */
char *weft_llm_identity(const weft_value *config);

/* Asks once (with retries). WEFT_ENOTFOUND when `config` has no url: the
 * caller falls back to its rule. Other errors name the endpoint and what
 * went wrong. `stats` is added to (may be NULL). */
int weft_llm_chat(weft_value **response, const char *store_dir, const weft_value *config, const weft_value *request,
		  weft_llm_stats *stats);

#endif
