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

typedef struct adt_fetcher adt_fetcher;

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
} adt_fetch_opts;

typedef struct {
	long status;        /* HTTP status of the final answer (200 after a 304) */
	char *body;         /* NUL-terminated; free with adt_response_clear */
	size_t len;
	char *content_type; /* or NULL */
	int cached;         /* 0 fetched, 1 served from the cache, 2 revalidated (304) */
	int attempts;
} adt_response;

typedef struct {
	long requests;      /* every request sent, retries and robots.txt included */
	long fetched;       /* 200 answers with a body */
	long not_modified;  /* 304 answers */
	long cache_hits;    /* answers served with no request */
	long retries;       /* attempts after a failure */
	long throttled;     /* 429 and 503 answers */
	long bytes;         /* body bytes received */
	double waited;      /* seconds slept for politeness and back-off */
} adt_fetch_stats;

adt_fetcher *adt_fetcher_new(const adt_fetch_opts *o);
void adt_fetcher_free(adt_fetcher *f);
/* GETs `url` with the extra request headers `headers` ("Name: value",
 * NULL-terminated, or NULL; they are part of the cache key). 0 with *out
 * filled for any HTTP answer (check out->status); -2 with `err` naming the
 * rule when robots.txt forbids it; -1 with `err` set when the URL is not
 * http(s), the body is too large, the run was cancelled, or every attempt
 * failed. */
int adt_fetch(adt_fetcher *f, const char *url, const char *const *headers, adt_response *out, char *err,
	     size_t errlen);
void adt_response_clear(adt_response *r);
adt_fetch_stats adt_fetcher_stats(const adt_fetcher *f);

/* "http://host:port" of `url` into `out`; 0, or -1 when it is not http(s). */
int adt_url_origin(const char *url, char *out, size_t cap);

#endif
