/*
 * sched_prefetch.c -- keys and cache lookups of the ready FIFO's next
 * nodes, made ahead on two threads.
 *
 * A rerun with nothing to do spends most of its loop on each ready node's
 * key (inputs resolved and hashed) and cache lookup (entry read, every
 * artifact it names stat'ed and checked). Those read only finished nodes
 * and the store, so for a window of ready nodes they are made ahead by
 * this thread and a helper, each taking the next node; start_node then
 * only moves a hit to CACHED. The action cache's handle is not
 * thread-safe: the loop thread copies each hit's bytes out of the packs
 * between the two parallel steps (keys; then decoding the entries and
 * checking the artifacts they name).
 *
 * Nothing here moves a node. What it cannot do ahead (an op that asks an
 * LLM or runs Python, the first node of an op, a node whose inputs have no
 * result) is left alone; a miss or a damaged entry goes the usual way from
 * its key on, so a damaged entry is dropped exactly as before. Runs with
 * one CPU slot (-j1) make nothing ahead.
 */
#include <pthread.h>
#include <stdlib.h>

#include "cache.h"
#include "sched_state.h"
#include "util.h"

/* Fewer ready nodes than this are not worth waking the helper for. */
#define WINDOW_MIN 16
#define WINDOW_MAX 512

typedef struct sched_prefetch sched_prefetch;
typedef void item_fn(sched_prefetch *pf, size_t i);

/* How long the helper polls for the next turn before it sleeps: a rerun's
 * windows come every 100-200 microseconds, and waking a sleeping thread
 * took about as long as a window's work. */
#define SPIN_SECONDS 300e-6

struct sched_prefetch {
	run_state *rs;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t go, done;
	unsigned gen;    /* turns begun (atomic: the helper polls it) */
	unsigned closed; /* the last turn the loop thread finished its share of */
	int helping;     /* the helper is taking items of the current turn */
	int quit;
	item_fn *fn;
	size_t next; /* the window's next item to take (atomic) */
	/* the window: node ids, and what was found for each */
	uint32_t ids[WINDOW_MAX];
	size_t n;
	uint8_t keyed[WINDOW_MAX];
	weft_buf bytes; /* the hits' entries, copied out of the packs */
	size_t off[WINDOW_MAX], len[WINDOW_MAX];
	int own[WINDOW_MAX];
	uint8_t fetched[WINDOW_MAX], intact[WINDOW_MAX];
	weft_value *outs[WINDOW_MAX], *hashes[WINDOW_MAX];
	double computed[WINDOW_MAX];
};

/* Takes items until none is left: both threads do, so neither waits for
 * the other to start. */
static void take_items(sched_prefetch *pf)
{
	size_t i;
	while ((i = __atomic_fetch_add(&pf->next, 1, __ATOMIC_ACQ_REL)) < pf->n)
		pf->fn(pf, i);
}

static void *helper(void *arg)
{
	sched_prefetch *pf = arg;
	unsigned seen = 0;
	for (;;) {
		double until = weft_mono() + SPIN_SECONDS;
		while (__atomic_load_n(&pf->gen, __ATOMIC_ACQUIRE) == seen && weft_mono() < until)
			;
		pthread_mutex_lock(&pf->mu);
		while (!pf->quit && pf->gen == seen)
			pthread_cond_wait(&pf->go, &pf->mu);
		if (pf->quit) {
			pthread_mutex_unlock(&pf->mu);
			break;
		}
		seen = pf->gen;
		/* A turn the loop thread has finished alone is over. */
		pf->helping = pf->closed != seen;
		pthread_mutex_unlock(&pf->mu);
		if (!pf->helping)
			continue;
		take_items(pf);
		pthread_mutex_lock(&pf->mu);
		pf->helping = 0;
		pthread_cond_signal(&pf->done);
		pthread_mutex_unlock(&pf->mu);
	}
	return NULL;
}

/* fn for every item of the window, on this thread and the helper; returns
 * when all are done. */
static void each(sched_prefetch *pf, item_fn *fn)
{
	pthread_mutex_lock(&pf->mu);
	pf->fn = fn;
	__atomic_store_n(&pf->next, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&pf->gen, pf->gen + 1, __ATOMIC_RELEASE);
	pthread_cond_signal(&pf->go);
	pthread_mutex_unlock(&pf->mu);
	take_items(pf);
	pthread_mutex_lock(&pf->mu);
	pf->closed = pf->gen;
	while (pf->helping)
		pthread_cond_wait(&pf->done, &pf->mu);
	pthread_mutex_unlock(&pf->mu);
}

int sched_prefetch_start(run_state *rs)
{
	rs->prefetch = NULL;
	if (rs->jobs < 2)
		return WEFT_OK;
	sched_prefetch *pf = calloc(1, sizeof *pf);
	if (!pf)
		return weft_err_set(WEFT_ERROR, "out of memory");
	pf->rs = rs;
	int mu = pthread_mutex_init(&pf->mu, NULL) == 0;
	int go = mu && pthread_cond_init(&pf->go, NULL) == 0;
	int done = go && pthread_cond_init(&pf->done, NULL) == 0;
	if (!done || pthread_create(&pf->thread, NULL, helper, pf) != 0) {
		/* Not an error: the run makes its keys one by one, as with -j1. */
		if (done)
			pthread_cond_destroy(&pf->done);
		if (go)
			pthread_cond_destroy(&pf->go);
		if (mu)
			pthread_mutex_destroy(&pf->mu);
		free(pf);
		return WEFT_OK;
	}
	rs->prefetch = pf;
	return WEFT_OK;
}

void sched_prefetch_free(run_state *rs)
{
	sched_prefetch *pf = rs->prefetch;
	if (!pf)
		return;
	pthread_mutex_lock(&pf->mu);
	pf->quit = 1;
	pthread_cond_signal(&pf->go);
	pthread_mutex_unlock(&pf->mu);
	pthread_join(pf->thread, NULL);
	pthread_cond_destroy(&pf->done);
	pthread_cond_destroy(&pf->go);
	pthread_mutex_destroy(&pf->mu);
	weft_buf_free(&pf->bytes);
	free(pf);
	rs->prefetch = NULL;
}

/* Whether node `id` can have its key made off the loop thread now. */
static int can_key(run_state *rs, uint32_t id)
{
	node *n = weft_graph_node(rs->eng, id);
	if (weft_node_run(rs->eng, id)->state != NS_READY || !sched_key_is_local(rs->eng, n))
		return 0;
	for (uint32_t d = 0; d < n->n_deps; d++)
		if (!ns_has_result((node_state)weft_node_run(rs->eng, n->deps[d])->state))
			return 0;
	return 1;
}

static void key_item(sched_prefetch *pf, size_t i)
{
	weft_engine *eng = pf->rs->eng;
	node *n = weft_graph_node(eng, pf->ids[i]);
	node_run *nr = weft_node_run(eng, pf->ids[i]);
	weft_value *in = NULL;
	char *err = NULL;
	pf->keyed[i] = 0;
	if (sched_resolve(&in, eng, n->inputs, &err) != WEFT_OK) {
		weft_value_free(in);
		free(err);
		return;
	}
	weft_value_free(nr->resolved_inputs);
	nr->resolved_inputs = in;
	pf->keyed[i] = sched_key(eng, n, nr) == WEFT_OK;
}

/* A fetched entry decoded, and the artifacts it names checked. */
static void check_item(sched_prefetch *pf, size_t i)
{
	pf->outs[i] = pf->hashes[i] = NULL;
	pf->intact[i] = 0;
	if (!pf->fetched[i] || weft_cache_parse(&pf->outs[i], &pf->hashes[i], &pf->computed[i],
						 pf->bytes.data + pf->off[i], pf->len[i],
						 weft_node_run(pf->rs->eng, pf->ids[i])->key) != WEFT_OK) {
		weft_value_free(pf->outs[i]);
		weft_value_free(pf->hashes[i]);
		pf->outs[i] = pf->hashes[i] = NULL;
		return;
	}
	pf->intact[i] = sched_verify_outputs(pf->rs->eng->store, pf->outs[i]) == WEFT_OK;
}

void sched_prefetch_window(run_state *rs)
{
	sched_prefetch *pf = rs->prefetch;
	if (!pf || rs->head >= rs->tail || weft_node_run(rs->eng, rs->ready[rs->head])->prefetched)
		return;
	/* The nodes from the FIFO's head that were not looked at yet; every
	 * one looked at is marked, so each is looked at once. */
	pf->n = 0;
	for (size_t at = rs->head; at < rs->tail && pf->n < WINDOW_MAX; at++) {
		node_run *nr = weft_node_run(rs->eng, rs->ready[at]);
		if (nr->prefetched)
			continue;
		nr->prefetched = PF_SEEN;
		if (can_key(rs, rs->ready[at]))
			pf->ids[pf->n++] = rs->ready[at];
	}
	if (pf->n < WINDOW_MIN)
		return;
	each(pf, key_item);
	/* The entries' bytes, here: the pack handle is the loop thread's.
	 * Decoding them and checking their artifacts is shared again. */
	int any = 0;
	pf->bytes.len = 0;
	for (size_t i = 0; i < pf->n; i++) {
		node *n = weft_graph_node(rs->eng, pf->ids[i]);
		node_run *nr = weft_node_run(rs->eng, pf->ids[i]);
		pf->fetched[i] = 0;
		if (!pf->keyed[i])
			continue;
		nr->prefetched = PF_KEYED;
		if (!n->deterministic || rs->opts->force || nr->forced)
			continue;
		pf->fetched[i] = weft_cache_fetch_in(&pf->bytes, &pf->off[i], &pf->len[i], &pf->own[i], rs->ac,
						     nr->key) == WEFT_OK;
		any |= pf->fetched[i];
	}
	if (!any)
		return;
	each(pf, check_item);
	for (size_t i = 0; i < pf->n; i++) {
		if (!pf->outs[i])
			continue; /* a miss or a damaged entry: the usual path sees it again */
		node_run *nr = weft_node_run(rs->eng, pf->ids[i]);
		if (!pf->intact[i]) {
			/* Looked up again on the usual path, which drops the entry. */
			weft_value_free(pf->outs[i]);
			weft_value_free(pf->hashes[i]);
			continue;
		}
		if (!rs->opts->plan_only)
			weft_cache_touch_in(rs->ac, nr->key, pf->bytes.data + pf->off[i], pf->len[i], pf->own[i]);
		weft_value_free(nr->outputs);
		nr->outputs = pf->outs[i];
		if (pf->hashes[i]) {
			weft_value_free(nr->input_hashes);
			nr->input_hashes = pf->hashes[i];
		}
		nr->computed = pf->computed[i];
		nr->prefetched = PF_HIT;
	}
}

void sched_prefetch_forget(run_state *rs, uint32_t id)
{
	node_run *nr = weft_node_run(rs->eng, id);
	if (nr->prefetched == PF_HIT) {
		/* A hit found ahead for a node that never started (the run
		 * stopped first): it has no outputs in this run. */
		weft_value_free(nr->outputs);
		nr->outputs = NULL;
		weft_value_free(nr->input_hashes);
		nr->input_hashes = NULL;
	}
	nr->prefetched = 0;
}
