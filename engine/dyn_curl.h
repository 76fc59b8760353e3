/*
 * dyn_curl.h -- the libcurl functions weft calls, bound at first use
 * (dynlib.h): only a run whose ops ask an LLM maps libcurl. llm.c calls
 * lc()->curl_...(...) after weft_curl_load().
 */
#ifndef WEFT_DYN_CURL_H
#define WEFT_DYN_CURL_H

#include <curl/curl.h>

#define WEFT_CURL_FUNCS(X) \
	X(curl_easy_cleanup) \
	X(curl_easy_getinfo) \
	X(curl_easy_init) \
	X(curl_easy_perform) \
	X(curl_easy_setopt) \
	X(curl_easy_strerror) \
	X(curl_global_init) \
	X(curl_slist_append) \
	X(curl_slist_free_all)

typedef struct weft_curl_api {
#define X(f) __typeof__(&f) f;
	WEFT_CURL_FUNCS(X)
#undef X
} weft_curl_api;

/* Maps libcurl once per process (and runs its global set-up, which is
 * not thread-safe before 7.84, under the same lock); WEFT_OK, or an error
 * saying what to install. Call before lc(). */
int weft_curl_load(void);
/* The bound table; valid after weft_curl_load() succeeded. */
const weft_curl_api *lc(void);

#endif
