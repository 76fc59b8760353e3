/*
 * ratelimit.h -- politeness per host: requests to one host are spaced at
 * least 1/rate seconds apart (or the host's Crawl-delay, when longer), and
 * a 429 or 503 with Retry-After closes the host until then. Time is passed
 * in, so the limiter is a pure function of its calls and unit-testable.
 * Thread-safe: the fetch threads of one crawl share it.
 */
#ifndef AUTODATA_RATELIMIT_H
#define AUTODATA_RATELIMIT_H

typedef struct adt_limiter adt_limiter;

/* `rate`: requests per second per host (> 0). NULL when out of memory. */
adt_limiter *adt_limiter_new(double rate);
void adt_limiter_free(adt_limiter *l);
/* Reserves the next slot for `host` at or after `now` and returns how long
 * to sleep before using it (0: go now). -1 when out of memory. */
double adt_limiter_reserve(adt_limiter *l, const char *host, double now);
/* The host asked us to wait until `until` (Retry-After, a back-off). */
int adt_limiter_block(adt_limiter *l, const char *host, double until);
/* The host's own minimum spacing (robots.txt Crawl-delay), if longer. */
int adt_limiter_set_interval(adt_limiter *l, const char *host, double seconds);

#endif
