/*
 * fetch.h -- the crawler's HTTP client, on libcurl: robots.txt read and
 * obeyed per host, requests spaced per host (ratelimit.h), retries with
 * exponential back-off, 429/503 answered by waiting for Retry-After, a size
 * cap on every body, and an HTTP cache on disk whose entries carry their
 * ETag and Last-Modified: an entry younger than max_age is served without a
 * request, an older one is revalidated with If-None-Match /
 * If-Modified-Since, and only a 304 or a new 200 replaces it. Entries are
 * written to a temporary name and renamed, and checked against their
 * SHA-256 when read, so a kill leaves no half entry and a damaged one is
 * fetched again.
 */
#ifndef AUTODATA_FETCH_H
#define AUTODATA_FETCH_H

#include <stddef.h>

typedef struct ad_fetcher ad_fetcher;

typedef struct {
	const char *cache_dir; /* the HTTP cache's directory, or NULL: none */
	const char *agent;     /* User-Agent and the robots.txt product token */
	double rate;           /* requests per second per host */
	int max_retries;       /* after the first attempt */
	double max_age;        /* seconds a cached entry is served unrevalidated */
	double max_wait;       /* the longest Retry-After or back-off we accept */
	size_t max_bytes;      /* a larger body is refused */
	double timeout;        /* seconds per attempt */
	int robots;            /* 1: obey robots.txt */
	/* polled while waiting: non-zero stops the fetch (Ctrl-C) */
	int (*cancelled)(void *arg);
	void *arg;
} ad_fetch_opts;

typedef struct {
	long status;        /* HTTP status of the final answer (200 after a 304) */
	char *body;         /* NUL-terminated; free with ad_response_clear */
	size_t len;
	char *content_type; /* or NULL */
	int cached;         /* 0 fetched, 1 served from the cache, 2 revalidated (304) */
	int attempts;
} ad_response;

typedef struct {
	long requests;      /* every request sent, retries and robots.txt included */
	long fetched;       /* 200 answers with a body */
	long not_modified;  /* 304 answers */
	long cache_hits;    /* answers served with no request */
	long retries;       /* attempts after a failure */
	long throttled;     /* 429 and 503 answers */
	long bytes;         /* body bytes received */
	double waited;      /* seconds slept for politeness and back-off */
} ad_fetch_stats;

ad_fetcher *ad_fetcher_new(const ad_fetch_opts *o);
void ad_fetcher_free(ad_fetcher *f);
/* GETs `url` with the extra request headers `headers` ("Name: value",
 * NULL-terminated, or NULL; they are part of the cache key). 0 with *out
 * filled for any HTTP answer (check out->status); -2 with `err` naming the
 * rule when robots.txt forbids it; -1 with `err` set when the URL is not
 * http(s), the body is too large, the run was cancelled, or every attempt
 * failed. */
int ad_fetch(ad_fetcher *f, const char *url, const char *const *headers, ad_response *out, char *err,
	     size_t errlen);
void ad_response_clear(ad_response *r);
ad_fetch_stats ad_fetcher_stats(const ad_fetcher *f);

/* "http://host:port" of `url` into `out`; 0, or -1 when it is not http(s). */
int ad_url_origin(const char *url, char *out, size_t cap);

#endif
