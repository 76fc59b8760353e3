/*
 * lookahead.c -- see lookahead.h.
 *
 * The script's thread (the producer) fills one slot per node added, then
 * publishes how many are filled; one thread of ours takes them in order.
 * Slots live in chunks that never move, reached through a table of chunk
 * pointers allocated once, so neither side ever reads memory the other may
 * move. The thread reads of a node only what is fixed when it is added
 * (its deps, params and inputs; refs by name are bound at validation,
 * which stops it first) and of the engine only what is thread-safe (the
 * store's stat cache and objects); the action cache is read through a
 * handle of its own. It holds the store's lock shared from its start to
 * the run's, so `weft cache gc` cannot remove an object it found between
 * its lookup and the run that uses it.
 *
 * What it finds it writes straight into node_run entries (key, resolved
 * inputs, outputs, PF_KEYED / PF_HIT), in blocks it allocates itself and
 * the run adopts as its own: nothing is copied, no second table of 10^5
 * entries is held, and zeroing the blocks (4 MB for 10,000 nodes, a page
 * fault per 4 KiB) is done on its core, not at the run's start.
 */
#include "lookahead.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acpack.h"
#include "cache.h"
#include "hash.h"
#include "sched_state.h"
#include "storelock.h"
#include "util.h"
#include "value_internal.h"

/* The thread starts once this many nodes are waiting: a small graph's
 * keys cost less than starting it. */
#define LA_START 64
#define LA_CHUNK WEFT_RUN_BLOCK
#define LA_MAX_CHUNKS 16384u /* 16M nodes; nodes beyond are left to the run */

/* What the producer says of a node, before the slot is published. */
typedef struct la_slot {
	const node *n; /* NULL: not for the lookahead */
	const weft_op_desc *desc;
	const weft_hasher *prefix;
} la_slot;

/* A hit on an old entry, which the run appends again (weft_cache_touch_in). */
typedef struct la_touch {
	uint32_t id;
	size_t off, len; /* its bytes in la->touch_bytes */
} la_touch;

struct weft_lookahead {
	weft_engine *eng;
	la_slot **chunks;  /* LA_MAX_CHUNKS entries, fixed; the producer's */
	node_run **blocks; /* the same, the thread's: the run adopts them */
	uint32_t filled;   /* the producer's count of slots */
	uint32_t published; /* atomic: slots below are the thread's to read */
	uint32_t done;      /* the thread's: slots below were looked at */
	int quit;           /* atomic */
	int sleeping;       /* atomic: the thread waits for slots */
	int started, off;
	int adopted; /* the run took the blocks */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t more, idle; /* slots were published; the thread waits */
	weft_acpack *ac;
	int lock_fd;
	weft_buf entry;       /* the entry being decoded */
	weft_buf touches;     /* la_touch records */
	weft_buf touch_bytes; /* their entries */
};

static la_slot *slot_of(weft_lookahead *la, uint32_t id)
{
	la_slot *c = la->chunks[id / LA_CHUNK];
	return c ? &c[id % LA_CHUNK] : NULL;
}

/* The entry of node `id` in the thread's blocks (NULL: none was made). */
static node_run *entry_of(weft_lookahead *la, uint32_t id)
{
	node_run *b = la->blocks[id / LA_CHUNK];
	return b ? &b[id % LA_CHUNK] : NULL;
}

/* Whether node `id` (below la->done) is a verified hit. */
static int is_hit(weft_lookahead *la, uint32_t id)
{
	node_run *nr = entry_of(la, id);
	return nr && nr->prefetched == PF_HIT;
}

/* A ref's value from the entry of its node, which must be a hit. */
static int slot_result(void *ctx, const weft_value *ref, const weft_value **res, char **err)
{
	weft_lookahead *la = ctx;
	uint32_t id = ref->u.r.node;
	(void)err; /* nothing to tell: the run's usual path says it */
	if (id >= la->done || !is_hit(la, id))
		return WEFT_ECANCELLED;
	la_slot *t = slot_of(la, id);
	return sched_output_in(res, NODE_OP, t->n->name, t->desc, entry_of(la, id)->outputs, ref->u.r.output, NULL);
}

/* The key of node `id`, then its entry, decoded and its objects checked. */
static void look(weft_lookahead *la, uint32_t id)
{
	la_slot *s = slot_of(la, id);
	if (!s || !s->n)
		return;
	node_run **b = &la->blocks[id / LA_CHUNK];
	if (!*b && !(*b = calloc(LA_CHUNK, sizeof **b)))
		return;
	node_run *nr = &(*b)[id % LA_CHUNK];
	const node *n = s->n;
	for (uint32_t d = 0; d < n->n_deps; d++)
		if (n->deps[d] >= id || !is_hit(la, n->deps[d]))
			return;
	char *err = NULL;
	if (sched_resolve_with(&nr->resolved_inputs, n->inputs, slot_result, la, &err) != WEFT_OK) {
		free(err);
		weft_value_free(nr->resolved_inputs);
		nr->resolved_inputs = NULL;
		return;
	}
	if (sched_key_local(nr->key, s->prefix, n, nr->resolved_inputs) != WEFT_OK)
		return;
	nr->prefetched = PF_KEYED;
	size_t off, len;
	int own;
	la->entry.len = 0;
	if (weft_cache_fetch_in(&la->entry, &off, &len, &own, la->ac, nr->key) != WEFT_OK)
		return;
	const char *data = la->entry.data + off;
	weft_value *outs = NULL, *hashes = NULL;
	double computed = 0;
	if (weft_cache_parse(&outs, &hashes, &computed, data, len, nr->key) != WEFT_OK ||
	    sched_verify_outputs(la->eng->store, outs) != WEFT_OK) {
		weft_value_free(outs);
		weft_value_free(hashes);
		return;
	}
	if (weft_cache_needs_touch(data, len)) {
		la_touch t = {id, la->touch_bytes.len, len};
		if (weft_buf_put(&la->touch_bytes, data, len) != WEFT_OK ||
		    weft_buf_put(&la->touches, &t, sizeof t) != WEFT_OK) {
			weft_value_free(outs);
			weft_value_free(hashes);
			return;
		}
	}
	nr->outputs = outs;
	nr->input_hashes = hashes;
	nr->computed = computed;
	nr->prefetched = PF_HIT;
	if (hashes) {
		/* A hit with its inputs' hashes never reads its inputs again:
		 * they are freed here, on the thread whose heap holds them (a
		 * free from the run's thread costs an atomic push per block). */
		weft_value_free(nr->resolved_inputs);
		nr->resolved_inputs = NULL;
	}
}

static void *lookahead_main(void *arg)
{
	weft_lookahead *la = arg;
	/* gc holds the lock: nothing is looked at (the run waits for gc),
	 * but slots are still taken, so that a waiter is answered. */
	int locked = weft_store_lock(&la->lock_fd, la->eng->store_dir, 0, 0) == WEFT_OK;
	for (;;) {
		uint32_t pub = __atomic_load_n(&la->published, __ATOMIC_ACQUIRE);
		while (la->done < pub && !__atomic_load_n(&la->quit, __ATOMIC_ACQUIRE)) {
			if (locked)
				look(la, la->done);
			la->done++;
		}
		pthread_mutex_lock(&la->mu);
		/* Sleeping is announced before the count is read again, and the
		 * producer publishes before it reads `sleeping`: one of the two
		 * sees the other, so no slot is left waiting. */
		__atomic_store_n(&la->sleeping, 1, __ATOMIC_SEQ_CST);
		pthread_cond_broadcast(&la->idle);
		while (!__atomic_load_n(&la->quit, __ATOMIC_SEQ_CST) &&
		       __atomic_load_n(&la->published, __ATOMIC_SEQ_CST) == la->done)
			pthread_cond_wait(&la->more, &la->mu);
		__atomic_store_n(&la->sleeping, 0, __ATOMIC_SEQ_CST);
		int quit = __atomic_load_n(&la->quit, __ATOMIC_SEQ_CST);
		pthread_mutex_unlock(&la->mu);
		if (quit)
			return NULL;
	}
}

void weft_lookahead_enable(weft_engine *eng, int on)
{
	if (!on) {
		weft_lookahead_free(eng);
		return;
	}
	if (eng->lookahead || eng->run)
		return;
	/* A store without action-cache packs has nothing to find. */
	char *packs = weft_path_join(eng->store_dir, "ac/packs");
	int any = packs && access(packs, F_OK) == 0;
	free(packs);
	if (!any)
		return;
	weft_lookahead *la = calloc(1, sizeof *la);
	if (!la || !(la->chunks = calloc(LA_MAX_CHUNKS, sizeof *la->chunks)) ||
	    !(la->blocks = calloc(LA_MAX_CHUNKS, sizeof *la->blocks)) ||
	    weft_acpack_open(&la->ac, eng->store_dir) != WEFT_OK) {
		if (la) {
			free(la->chunks);
			free(la->blocks);
		}
		free(la);
		return; /* not an error: the run makes its keys itself */
	}
	la->eng = eng;
	la->lock_fd = -1;
	eng->lookahead = la;
	eng->node_defined = weft_lookahead_added;
	eng->nodes_changing = weft_lookahead_stop;
}

static void publish(weft_lookahead *la);

static void start(weft_lookahead *la)
{
	la->off = 1; /* from here on, only a started thread takes slots */
	if (pthread_mutex_init(&la->mu, NULL) != 0)
		return;
	if (pthread_cond_init(&la->more, NULL) != 0) {
		pthread_mutex_destroy(&la->mu);
		return;
	}
	if (pthread_cond_init(&la->idle, NULL) != 0) {
		pthread_cond_destroy(&la->more);
		pthread_mutex_destroy(&la->mu);
		return;
	}
	if (pthread_create(&la->thread, NULL, lookahead_main, la) != 0) {
		pthread_cond_destroy(&la->idle);
		pthread_cond_destroy(&la->more);
		pthread_mutex_destroy(&la->mu);
		return;
	}
	la->started = 1;
	la->off = 0;
}

void weft_lookahead_added(weft_engine *eng, node *n)
{
	weft_lookahead *la = eng->lookahead;
	if (!la || la->off || n->id != la->filled || n->id / LA_CHUNK >= LA_MAX_CHUNKS)
		return;
	la_slot **c = &la->chunks[n->id / LA_CHUNK];
	if (!*c && !(*c = malloc(LA_CHUNK * sizeof **c))) {
		la->off = 1;
		return;
	}
	la_slot *s = &(*c)[n->id % LA_CHUNK];
	const weft_hasher *prefix;
	*s = (la_slot){NULL, NULL, NULL};
	if (n->deterministic && sched_key_prefix(&prefix, eng, n) == WEFT_OK)
		*s = (la_slot){n, n->op->desc, prefix};
	la->filled++;
	if (!la->started) {
		if (la->filled >= LA_START)
			start(la);
		if (!la->started)
			return;
	}
	/* Published in batches of 16 (and by stop): a wake-up per node
	 * would cost more than the thread saves. */
	if (la->filled % 16)
		return;
	publish(la);
}

/* Makes every filled slot the thread's. */
static void publish(weft_lookahead *la)
{
	__atomic_store_n(&la->published, la->filled, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&la->sleeping, __ATOMIC_SEQ_CST)) {
		pthread_mutex_lock(&la->mu);
		pthread_cond_signal(&la->more);
		pthread_mutex_unlock(&la->mu);
	}
}

void weft_lookahead_wait(weft_engine *eng)
{
	weft_lookahead *la = eng->lookahead;
	if (!la || !la->started)
		return;
	publish(la);
	pthread_mutex_lock(&la->mu);
	/* `done` is written before the thread takes the mutex to sleep. */
	while (!__atomic_load_n(&la->sleeping, __ATOMIC_SEQ_CST) || la->done != la->filled)
		pthread_cond_wait(&la->idle, &la->mu);
	pthread_mutex_unlock(&la->mu);
}

void weft_lookahead_stop(weft_engine *eng)
{
	weft_lookahead *la = eng->lookahead;
	if (!la)
		return;
	la->off = 1;
	if (!la->started)
		return;
	pthread_mutex_lock(&la->mu);
	__atomic_store_n(&la->quit, 1, __ATOMIC_SEQ_CST);
	pthread_cond_signal(&la->more);
	pthread_mutex_unlock(&la->mu);
	pthread_join(la->thread, NULL);
	pthread_cond_destroy(&la->idle);
	pthread_cond_destroy(&la->more);
	pthread_mutex_destroy(&la->mu);
	la->started = 0;
}

/* Frees what an entry the run did not take holds, and forgets it. */
static void entry_drop(node_run *nr)
{
	weft_value_free(nr->resolved_inputs);
	weft_value_free(nr->outputs);
	weft_value_free(nr->input_hashes);
	memset(nr, 0, sizeof *nr);
}

void weft_lookahead_free(weft_engine *eng)
{
	weft_lookahead *la = eng->lookahead;
	if (!la)
		return;
	weft_lookahead_stop(eng);
	for (uint32_t c = 0; c < LA_MAX_CHUNKS; c++) {
		free(la->chunks[c]);
		if (la->blocks[c] && !la->adopted) {
			for (uint32_t i = 0; i < LA_CHUNK; i++)
				entry_drop(&la->blocks[c][i]);
			free(la->blocks[c]);
		}
	}
	free(la->chunks);
	free(la->blocks);
	(void)weft_acpack_close(la->ac);
	weft_store_unlock(la->lock_fd);
	weft_buf_free(&la->entry);
	weft_buf_free(&la->touches);
	weft_buf_free(&la->touch_bytes);
	free(la);
	eng->lookahead = NULL;
	eng->node_defined = NULL;
	eng->nodes_changing = NULL;
}

void weft_lookahead_adopt(weft_engine *eng)
{
	weft_lookahead *la = eng->lookahead;
	if (!la)
		return;
	weft_lookahead_stop(eng);
	uint32_t n = (la->done + LA_CHUNK - 1) / LA_CHUNK;
	for (uint32_t c = n; c < LA_MAX_CHUNKS && la->blocks[c]; c++)
		n = c + 1; /* made for a slot it then stopped at */
	if (weft_node_runs_adopt(eng, la->blocks, n) == WEFT_OK)
		la->adopted = 1;
	else
		weft_lookahead_free(eng); /* an engine that ran before: its entries stay */
}

/* Forgets an entry's hit (its outputs), keeping its key and inputs. */
static void unhit(node_run *nr)
{
	weft_value_free(nr->outputs);
	weft_value_free(nr->input_hashes);
	nr->outputs = nr->input_hashes = NULL;
	nr->computed = 0;
	nr->prefetched = PF_KEYED;
}

/* Forgets all the thread made of an entry: the usual path makes it. */
static void unkey(node_run *nr)
{
	unhit(nr);
	weft_value_free(nr->resolved_inputs);
	nr->resolved_inputs = NULL;
	nr->key[0] = '\0';
	nr->prefetched = 0;
}

/* Whether every dep of `n` was kept as a hit: then the outputs its key was
 * made from are the ones the run will have. */
static int deps_hit(weft_engine *eng, const node *n)
{
	for (uint32_t d = 0; d < n->n_deps; d++)
		if (weft_node_run(eng, n->deps[d])->prefetched != PF_HIT)
			return 0;
	return 1;
}

void weft_lookahead_take(run_state *rs)
{
	weft_engine *eng = rs->eng;
	weft_lookahead *la = eng->lookahead;
	eng->lookahead_hits = 0;
	if (!la)
		return;
	if (!la->adopted) {
		weft_lookahead_free(eng);
		return;
	}
	for (uint32_t id = 0; id < la->done && id < eng->graph.n; id++) {
		node_run *nr = weft_node_run(eng, id);
		if (!nr->prefetched)
			continue;
		if (eng->graph.nodes[id] != slot_of(la, id)->n || !deps_hit(eng, eng->graph.nodes[id])) {
			/* Its key came from outputs the run may not have. */
			unkey(nr);
			continue;
		}
		/* Forced nodes compute; a plan looks up again and writes nothing.
		 * Such a hit is kept as a key, or (its inputs freed) not at all. */
		if (nr->prefetched == PF_HIT && (rs->opts->force || nr->forced || rs->opts->plan_only)) {
			if (nr->resolved_inputs)
				unhit(nr);
			else
				unkey(nr);
		}
		eng->lookahead_hits += nr->prefetched == PF_HIT;
	}
	const la_touch *t = (const la_touch *)la->touches.data;
	for (size_t i = 0; i < la->touches.len / sizeof *t; i++) {
		const node_run *nr = weft_node_run(eng, t[i].id);
		if (nr->prefetched == PF_HIT)
			weft_cache_touch_in(rs->ac, nr->key, la->touch_bytes.data + t[i].off, t[i].len, 0);
	}
	weft_lookahead_free(eng);
}
