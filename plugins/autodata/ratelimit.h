/*
 * ratelimit.h -- politeness per host: requests to one host are spaced at
 * least 1/rate seconds apart (or the host's Crawl-delay, when longer), and
 * a 429 or 503 with Retry-After closes the host until then. Time is passed
 * in, so the limiter is a pure function of its calls and unit-testable.
 * Thread-safe: the fetch threads of one crawl share it.
 */
#ifndef AUTODATA_RATELIMIT_H
#define AUTODATA_RATELIMIT_H

typedef struct ad_limiter ad_limiter;

/* `rate`: requests per second per host (> 0). NULL when out of memory. */
ad_limiter *ad_limiter_new(double rate);
void ad_limiter_free(ad_limiter *l);
/* Reserves the next slot for `host` at or after `now` and returns how long
 * to sleep before using it (0: go now). -1 when out of memory. */
double ad_limiter_reserve(ad_limiter *l, const char *host, double now);
/* The host asked us to wait until `until` (Retry-After, a back-off). */
int ad_limiter_block(ad_limiter *l, const char *host, double until);
/* The host's own minimum spacing (robots.txt Crawl-delay), if longer. */
int ad_limiter_set_interval(ad_limiter *l, const char *host, double seconds);

#endif
