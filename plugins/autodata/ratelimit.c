/*
 * ratelimit.c -- see ratelimit.h. A handful of hosts per crawl: a list.
 */
#include "ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct host {
	char *name;
	double next;     /* the earliest time of the next request */
	double interval; /* seconds between requests */
	struct host *link;
} host;

struct adt_limiter {
	pthread_mutex_t mu;
	double interval;
	host *hosts;
};

adt_limiter *adt_limiter_new(double rate)
{
	if (!(rate > 0))
		return NULL;
	adt_limiter *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	if (pthread_mutex_init(&l->mu, NULL)) {
		free(l);
		return NULL;
	}
	l->interval = 1.0 / rate;
	return l;
}

void adt_limiter_free(adt_limiter *l)
{
	if (!l)
		return;
	for (host *h = l->hosts, *n; h; h = n) {
		n = h->link;
		free(h->name);
		free(h);
	}
	pthread_mutex_destroy(&l->mu);
	free(l);
}

/* The host's entry, made on first sight; NULL when out of memory. Locked. */
static host *get(adt_limiter *l, const char *name)
{
	for (host *h = l->hosts; h; h = h->link)
		if (!strcmp(h->name, name))
			return h;
	host *h = calloc(1, sizeof *h);
	if (!h || !(h->name = strdup(name))) {
		free(h);
		return NULL;
	}
	h->interval = l->interval;
	h->link = l->hosts;
	l->hosts = h;
	return h;
}

double adt_limiter_reserve(adt_limiter *l, const char *name, double now)
{
	pthread_mutex_lock(&l->mu);
	host *h = get(l, name);
	double wait = -1;
	if (h) {
		double at = h->next > now ? h->next : now;
		h->next = at + h->interval;
		wait = at - now;
	}
	pthread_mutex_unlock(&l->mu);
	return wait;
}

int adt_limiter_block(adt_limiter *l, const char *name, double until)
{
	pthread_mutex_lock(&l->mu);
	host *h = get(l, name);
	if (h && until > h->next)
		h->next = until;
	pthread_mutex_unlock(&l->mu);
	return h ? 0 : -1;
}

int adt_limiter_set_interval(adt_limiter *l, const char *name, double seconds)
{
	pthread_mutex_lock(&l->mu);
	host *h = get(l, name);
	if (h && seconds > h->interval)
		h->interval = seconds;
	pthread_mutex_unlock(&l->mu);
	return h ? 0 : -1;
}
