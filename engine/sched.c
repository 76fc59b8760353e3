/*
 * sched.c -- runs a validated graph on a libuv loop.
 *
 * The loop thread owns all scheduling state. A node becomes ready when all
 * its deps are terminal; the loop then resolves its input template into
 * values, derives its key, and either takes the result from the action cache
 * (synchronously, no slot used) or hands the op to libuv's thread pool.
 * Dynamic nodes run their callback on the loop thread, because the DSL
 * interpreter is single-threaded; nodes they add join the same queue.
 *
 * Ordering invariant for crash safety: outputs go to the store, then the
 * cache entry is written (atomic rename), then the journal "finish" line is
 * queued and fsynced at the end of the loop turn. A kill at any point leaves
 * either a finished node (journal + cache) or a node that reruns; never a
 * journal line pointing at missing bytes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "cache.h"
#include "jsonw.h"
#include "keyset.h"
#include "lookahead.h"
#include "storelock.h"
#include "record.h"
#include "childwatch.h"
#include "sched_state.h"
#include "slurm.h"
#include "util.h"
#include "value_internal.h"
#include "value_jansson.h"

/* A node added by a dynamic node while the run is going (the graph calls
 * it through eng->node_added); `linked` is the result of binding its refs
 * (a failure fails it). */
static int need(run_state *rs, uint32_t id);

static void node_added(weft_engine *eng, uint32_t id, int linked)
{
	run_state *rs = eng->run;
	node *n = weft_graph_node(eng, id);
	rs->total++;
	if (weft_node_runs_reserve(eng, id + 1) != WEFT_OK) {
		rs->io_error = 1; /* no state to fail it in: the run fails */
		rs->stop = 1;
		return;
	}
	node_run *nr = weft_node_run(eng, id);
	if (linked != WEFT_OK) {
		sched_fail(rs, id, NS_FAILED, weft_strdup(weft_error_last()));
		return;
	}
	/* Nodes a dynamic node adds inherit its urgency. */
	node *parent = n->parent != UINT32_MAX ? weft_graph_node(eng, n->parent) : NULL;
	nr->prio = parent ? weft_node_run(eng, parent->id)->prio : rs->default_weight;
	char *err = NULL;
	if (plan_bind(rs, n, &err) != WEFT_OK) {
		sched_fail(rs, id, NS_FAILED, err ? err : weft_strdup("out of memory"));
		return;
	}
	nr->pending = sched_count_pending(eng, n);
	/* With targets, what a needed dynamic node adds is needed, and so is
	 * whatever the added node depends on. */
	if (rs->opts->n_targets) {
		nr->unneeded = 1;
		if ((!parent || !weft_node_run(eng, parent->id)->unneeded) && need(rs, id) != WEFT_OK)
			rs->io_error = 1;
		return;
	}
	if (nr->pending == 0 && sched_push_ready(rs, id) != WEFT_OK)
		rs->io_error = 1;
}

/* ------------------------------------------------------------ targets */

/* Marks node `id` and everything it depends on as needed; once the loop
 * runs, a node that becomes needed with its deps done goes to the FIFO. */
static int need(run_state *rs, uint32_t id)
{
	idlist stack = {0};
	int rc = idlist_add(&stack, id);
	while (rc == WEFT_OK && stack.n) {
		uint32_t t = stack.ids[--stack.n];
		node_run *nr = weft_node_run(rs->eng, t);
		if (!nr->unneeded)
			continue;
		nr->unneeded = 0;
		node *n = weft_graph_node(rs->eng, t);
		for (uint32_t d = 0; rc == WEFT_OK && d < n->n_deps; d++)
			if (weft_node_run(rs->eng, n->deps[d])->unneeded)
				rc = idlist_add(&stack, n->deps[d]);
		if (rc == WEFT_OK && rs->loop_live && nr->state == NS_PENDING && nr->pending == 0)
			rc = sched_push_ready(rs, t);
	}
	free(stack.ids);
	return rc;
}

/* The node named `name`, or an error with the closest name. */
static int find_named(uint32_t *id, weft_engine *eng, const char *name, const char *what)
{
	if (weft_graph_find(id, eng, name) == WEFT_OK)
		return WEFT_OK;
	weft_suggester sg;
	weft_suggest_init(&sg, name);
	for (uint32_t i = 0; i < eng->graph.n; i++)
		weft_suggest_add(&sg, eng->graph.nodes[i]->name);
	const char *best = weft_suggest_best(&sg);
	return weft_err_set(WEFT_EINVALID, "%s '%s' is not a node of this pipeline%s%s%s", what, name,
			    best ? " (did you mean '" : "; `weft graph` or `weft plan` lists them", best ? best : "",
			    best ? "'?)" : "");
}

/* --force=NODE and targets: which nodes this run computes, and which it
 * computes even when cached. */
static int apply_selection(run_state *rs)
{
	weft_engine *eng = rs->eng;
	const weft_run_options *o = rs->opts;
	int rc = WEFT_OK;
	for (size_t i = 0; rc == WEFT_OK && i < o->n_force_nodes; i++) {
		uint32_t id;
		if ((rc = find_named(&id, eng, o->force_nodes[i], "--force")) == WEFT_OK)
			weft_node_run(eng, id)->forced = 1;
	}
	if (rc != WEFT_OK || !o->n_targets)
		return rc;
	for (uint32_t i = 0; i < eng->graph.n; i++)
		weft_node_run(eng, i)->unneeded = 1;
	for (size_t i = 0; rc == WEFT_OK && i < o->n_targets; i++) {
		uint32_t id;
		if ((rc = find_named(&id, eng, o->targets[i], "target")) == WEFT_OK)
			rc = need(rs, id);
	}
	return rc;
}

/* ------------------------------------------------------------ resolving */

/* ------------------------------------------------------------ history */

/* The previous run's record is read once, when the first node misses the
 * cache (for its reason and for the priorities): a rerun with nothing to do
 * never reads it. */
static void load_prev(run_state *rs)
{
	if (rs->prev_loaded)
		return;
	rs->prev_loaded = 1;
	rs->prev = weft_record_prev_nodes(rs->eng->store_dir, rs->opts->pipeline,
					  rs->opts->plan_only ? NULL : rs->run_id);
}

/* Longest-remaining-path priorities, from the previous run's timings, are
 * needed only once something waits for resources. */
static int ensure_priorities(run_state *rs)
{
	if (rs->prio_done)
		return WEFT_OK;
	rs->prio_done = 1;
	load_prev(rs);
	return plan_priorities(rs);
}

/* ------------------------------------------------------------ op nodes */

static char *miss_reason(run_state *rs, node *n);

static void start_op(run_state *rs, uint32_t id)
{
	node *n = weft_graph_node(rs->eng, id);
	node_run *nr = weft_node_run(rs->eng, n->id);
	/* Its key, and perhaps its verified hit, may have been made ahead. */
	int keyed = nr->prefetched >= PF_KEYED, hit = nr->prefetched == PF_HIT;
	nr->prefetched = 0;
	if (sched_llm_config(rs, n) != WEFT_OK || (!keyed && sched_key(rs->eng, n, nr) != WEFT_OK)) {
		sched_fail(rs, id, NS_FAILED, weft_sprintf("cannot compute key: %s", weft_error_last()));
		return;
	}
	if (n->deterministic) {
		int resumed = keyset_has(&rs->finished, nr->key);
		if (hit || sched_cache_lookup(rs, n)) {
			if (!nr->input_hashes)
				sched_note_input_hashes(nr); /* an entry that predates them */
			sched_move(rs, id, resumed ? NS_RESUMED : NS_CACHED, NULL);
			return;
		}
	}
	if (!nr->input_hashes)
		sched_note_input_hashes(nr); /* for the reason, the record and the cache entry */
	if (!nr->reason)
		nr->reason = n->deterministic ? miss_reason(rs, n) : weft_strdup("op is not deterministic: always "
										 "runs");
	if (rs->opts->plan_only) {
		sched_move(rs, id, NS_WOULD_RUN, NULL);
		return;
	}
	/* A cache miss waits for its resources in priority order. */
	if (ensure_priorities(rs) != WEFT_OK || readyq_push(&rs->runq, id, nr->prio) != WEFT_OK) {
		sched_fail(rs, id, NS_FAILED, weft_strdup("out of memory"));
		return;
	}
	sched_move(rs, id, NS_RUNNABLE, NULL);
}

/* ------------------------------------------------------------ dynamic */

static void finish_dynamic(run_state *rs, uint32_t id)
{
	node *n = weft_graph_node(rs->eng, id);
	node_run *nr = weft_node_run(rs->eng, n->id);
	weft_value *resolved = NULL;
	char *err = NULL;
	int rc = sched_resolve(&resolved, rs->eng, nr->dyn_result, &err);
	if (rc != WEFT_OK) {
		sched_fail(rs, id, rc == WEFT_ECANCELLED ? NS_SKIPPED : NS_FAILED, err);
		return;
	}
	weft_value_free(nr->outputs);
	nr->outputs = weft_value_map();
	if (!nr->outputs || weft_value_map_set(nr->outputs, "out", resolved) != WEFT_OK) {
		sched_fail(rs, id, NS_FAILED, weft_strdup("out of memory"));
		return;
	}
	nr->elapsed = weft_now() - nr->t_start;
	nr->computed = nr->elapsed;
	sched_move(rs, id, NS_EXPANDED, NULL);
}

static void start_dynamic(run_state *rs, uint32_t id)
{
	node *n = weft_graph_node(rs->eng, id);
	node_run *nr = weft_node_run(rs->eng, n->id);
	if (sched_key(rs->eng, n, nr) != WEFT_OK) {
		sched_fail(rs, id, NS_FAILED, weft_sprintf("cannot compute key: %s", weft_error_last()));
		return;
	}
	sched_note_input_hashes(nr);
	if (sched_cache_lookup(rs, n)) {
		sched_move(rs, id, keyset_has(&rs->finished, nr->key) ? NS_RESUMED : NS_CACHED, NULL);
		return;
	}
	nr->t_start = weft_now();
	weft_value *result = NULL;
	uint32_t saved = rs->eng->current_parent, saved_eval = rs->evaluating;
	rs->eng->current_parent = id;
	rs->evaluating = id;
	rs->eval_start = nr->t_start;
	weft_error_clear();
	int rc = n->fn(&result, rs->eng, id, nr->resolved_inputs, n->payload);
	rs->eng->current_parent = saved;
	rs->evaluating = saved_eval;
	rs->live_dirty = 1;
	if (rc != WEFT_OK || !result) {
		weft_value_free(result);
		if (rs->interrupted) {
			/* stopped by Ctrl-C (sched_yield): `weft resume` runs it again */
			free(nr->error);
			nr->error = weft_strdup(weft_error_last());
			sched_move(rs, id, NS_PENDING, NULL);
			return;
		}
		sched_fail(rs, id, NS_FAILED, weft_strdup(weft_error_last()));
		return;
	}
	if (!weft_value_has_refs(result)) {
		weft_value_free(nr->outputs);
		nr->outputs = weft_value_map();
		if (!nr->outputs || weft_value_map_set(nr->outputs, "out", result) != WEFT_OK) {
			sched_fail(rs, id, NS_FAILED, weft_strdup("out of memory"));
			return;
		}
		nr->elapsed = weft_now() - nr->t_start;
		nr->computed = nr->elapsed;
		weft_cache_meta meta = {"dynamic", n->name, nr->elapsed};
		if (!rs->opts->plan_only)
			(void)weft_cache_put_in(rs->ac, nr->key, nr->outputs, nr->input_hashes, &meta);
		sched_move(rs, id, NS_DONE, NULL);
		return;
	}
	/* The result waits on nodes (typically ones just added). Link the new
	 * edges, then wait for them like for any input. */
	nr->dyn_result = result;
	if (weft_graph_link(rs->eng, id) != WEFT_OK) {
		sched_fail(rs, id, NS_FAILED, weft_strdup(weft_error_last()));
		return;
	}
	sched_move(rs, id, NS_DYN_WAIT, NULL);
	nr->pending = sched_count_pending(rs->eng, n);
	if (nr->pending == 0)
		finish_dynamic(rs, id);
}

/* ------------------------------------------------------------ dispatch */

static void start_node(run_state *rs, uint32_t id)
{
	node *n = weft_graph_node(rs->eng, id);
	node_run *nr = weft_node_run(rs->eng, n->id);
	if (nr->state != NS_READY)
		return;
	for (uint32_t i = 0; i < n->n_deps; i++) {
		node *d = weft_graph_node(rs->eng, n->deps[i]);
		if (weft_node_run(rs->eng, d->id)->state == NS_WOULD_RUN) {
			free(nr->reason);
			/* a plan cannot call a dynamic node's function without its
			 * inputs: what it adds is known only when it runs */
			nr->reason = weft_sprintf("upstream node '%s' would run%s", d->name,
						  n->kind == NODE_DYNAMIC
							  ? "; the nodes it adds are unknown until run time"
							  : "");
			sched_move(rs, id, NS_WOULD_RUN, NULL);
			return;
		}
	}
	char *err = NULL;
	int rc = WEFT_OK;
	if (nr->prefetched < PF_KEYED) { /* else resolved ahead (sched_prefetch.c) */
		nr->prefetched = 0;
		weft_value_free(nr->resolved_inputs);
		nr->resolved_inputs = NULL;
		rc = sched_resolve(&nr->resolved_inputs, rs->eng, n->inputs, &err);
	}
	if (rc != WEFT_OK) {
		sched_fail(rs, id, rc == WEFT_ECANCELLED ? NS_SKIPPED : NS_FAILED, err ? err : weft_strdup("out of memory"));
		return;
	}
	if (n->kind == NODE_OP)
		start_op(rs, id);
	else
		start_dynamic(rs, id);
}

static void begin_close(run_state *rs);

/* Starts runnable nodes, best priority first, while their requests fit.
 * A node that does not fit reserves the pools it is short of: nodes of
 * lower priority may use other pools meanwhile, but not those, so a node
 * asking for several GPUs is not starved by a stream of one-GPU nodes. */
void sched_launch_runnable(run_state *rs)
{
	uint64_t blocked = 0;
	/* Every local op takes a CPU, every cluster node a queue slot: once
	 * both are short, nothing further in the queue can start. */
	uint64_t gate = (uint64_t)1 << rs->cpus_pool;
	uint64_t gates = gate | (rs->slurm_pool >= 0 ? (uint64_t)1 << rs->slurm_pool : gate);
	readyq_item it;
	rs->deferred.n = 0;
	while (!rs->stop && (blocked & gates) != gates && readyq_peek(&rs->runq, &it)) {
		node *n = weft_graph_node(rs->eng, it.id);
		node_run *nr = weft_node_run(rs->eng, n->id);
		readyq_pop(&rs->runq, &it);
		uint64_t mine = 0;
		for (uint16_t i = 0; i < nr->n_asks; i++)
			mine |= (uint64_t)1 << nr->asks[i].pool;
		if (!(mine & blocked) && res_fits(rs->res, nr->asks, nr->n_asks, &blocked) &&
		    res_take(rs->res, nr->asks, nr->n_asks, it.id, weft_now()) == WEFT_OK) {
			nr->held = 1;
			exec_launch(rs, it.id);
			continue;
		}
		if (idlist_add(&rs->deferred, it.id) != WEFT_OK) {
			rs->io_error = 1;
			break;
		}
	}
	for (size_t i = 0; i < rs->deferred.n; i++) {
		node_run *nr = weft_node_run(rs->eng, rs->deferred.ids[i]);
		if (readyq_push(&rs->runq, rs->deferred.ids[i], nr->prio) != WEFT_OK)
			rs->io_error = 1;
	}
}

/*
 * A node whose command has exited no longer needs its slot, but the loop
 * still hashes and stores its outputs, records it and readies its users:
 * in a cold DAG of 10,000 small shell nodes about a tenth of a
 * millisecond of the loop's time a node, during which the slot stood
 * empty (ninja's loop has no outputs to store). It is handed on first
 * when the node that would get it anyway is known now: the best of the
 * queue, if no user of `id` that `id`'s end makes ready could rank above
 * it. A user's priority (its longest remaining path) is below its
 * dependency's, ties go to the lower id (readyq.h), and nodes not yet
 * keyed (rs->ready) or a dynamic node's end could be anything: then the
 * slot waits, as before.
 */
int sched_refill_first(run_state *rs, uint32_t id)
{
	readyq_item it;
	if (rs->stop || rs->head < rs->tail || rs->dyn_done.n || !readyq_peek(&rs->runq, &it))
		return 0;
	node *n = weft_graph_node(rs->eng, id);
	for (uint32_t u = 0; u < n->n_users; u++) {
		const node_run *ur = weft_node_run(rs->eng, n->users[u]);
		if (ns_terminal((node_state)ur->state) || ur->pending != 1)
			continue;
		if (ur->prio > it.prio || (ur->prio == it.prio && n->users[u] < it.id))
			return 0;
	}
	return 1;
}

static void journal_commit(run_state *rs, double now);
static void check_interrupt(run_state *rs);

/* Asks the kernel for a short time slice for the loop thread while the run
 * lasts (EEVDF, Linux 6.12 and later, for SCHED_OTHER: a smaller slice is
 * an earlier deadline when it wakes). The loop sleeps between events; when
 * an op ends, the next one starts only once the loop runs, and at -j N on
 * N cores it waited behind the commands for a slice (up to half a
 * millisecond at the 90th percentile). A 4,000-node shell DAG cold at -j2,
 * alternated with a build without it: 7.22-7.32 s -> 6.92-7.24 s (five
 * pairs; the old build's run of a sixth took 8.66 s). Commands and
 * workers are children: they keep the default (reset on fork). An older
 * kernel ignores the slice or refuses it; both are fine.
 *
 * The kernel's struct sched_attr (its first version, 48 bytes): glibc
 * 2.36 declares none, and <linux/sched/types.h> clashes with <sched.h>. */
typedef struct slice_attr {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
} slice_attr;

/* 1 with the thread's attributes as they were in *was (to restore). */
static int prefer_short_slice(slice_attr *was)
{
#if defined(__linux__) && defined(SYS_sched_setattr) && defined(SYS_sched_getattr)
	memset(was, 0, sizeof *was);
	if (syscall(SYS_sched_getattr, 0, was, sizeof *was, 0) != 0 || was->policy != 0 /* SCHED_OTHER */)
		return 0;
	slice_attr a = *was;
	a.size = sizeof a;
	a.flags = 0x01;       /* SCHED_FLAG_RESET_ON_FORK */
	a.runtime = 100 * 1000; /* ns: the least the kernel takes */
	return syscall(SYS_sched_setattr, 0, &a, 0) == 0;
#else
	(void)was;
	return 0;
#endif
}

/* Back to the kernel's default slice (sched_getattr reports the slice in
 * force, not whether it was chosen: a caller's own slice is not kept). */
static void restore_slice(const slice_attr *was)
{
#if defined(__linux__) && defined(SYS_sched_setattr)
	slice_attr a = *was;
	a.size = sizeof a;
	a.runtime = 0;
	(void)syscall(SYS_sched_setattr, 0, &a, 0);
#else
	(void)was;
#endif
}

static void pump(run_state *rs)
{
	/* Nodes whose inputs are ready get their key and cache lookup at once:
	 * cache hits and dynamic nodes finish here and need no resources. */
	unsigned moved = 0;
	do {
		for (;;) {
			/* A turn can settle a whole rerun (cache hits) or a whole
			 * graph of inline ops: its journal lines go to the file
			 * every so often, not all at its end, so a kill -9 loses
			 * few and the buffer stays small, and a Ctrl-C is seen. */
			if (++moved % 1024 == 0) {
				journal_commit(rs, weft_now());
				check_interrupt(rs); /* Ctrl-C stops the turn, too */
			}
			/* Finishing a dynamic node starts nothing: it is done
			 * even after a failure has stopped the run. */
			if (rs->dyn_done.n) {
				uint32_t id = rs->dyn_done.ids[--rs->dyn_done.n];
				if (weft_node_run(rs->eng, id)->state == NS_DYN_WAIT)
					finish_dynamic(rs, id);
			} else if (!rs->stop && rs->head < rs->tail) {
				sched_prefetch_window(rs);
				start_node(rs, rs->ready[rs->head++]);
			} else {
				break;
			}
		}
		sched_launch_runnable(rs);
		/* Inline ops ran inside sched_launch_runnable; they finish here, out
		 * of its loop, and what they made ready goes round again. */
	} while (exec_finish_inline(rs));
	int idle = rs->head >= rs->tail && rs->runq.n == 0 && rs->delayed.n == 0 && rs->dupwait.n == 0;
	if (rs->running.n == 0 && (rs->stop || idle))
		begin_close(rs);
}

/* Group commit: every turn's records reach the file before the next turn
 * (a kill -9 loses none); the fdatasync that makes them survive a power
 * loss is shared by every record of the last WEFT_JOURNAL_SYNC_SECONDS, or
 * of WEFT_JOURNAL_SYNC_LINES records, whichever comes first. */
static void journal_commit(run_state *rs, double now)
{
	if (!rs->journal)
		return;
	int rc = WEFT_OK;
	if (weft_journal_unsynced(rs->journal) &&
	    (now - rs->last_sync >= WEFT_JOURNAL_SYNC_SECONDS || rs->lines_since_sync >= WEFT_JOURNAL_SYNC_LINES)) {
		rc = weft_journal_sync_soon(rs->journal);
		rs->last_sync = now;
		rs->lines_since_sync = 0;
	} else if (weft_journal_pending(rs->journal)) {
		rc = weft_journal_flush(rs->journal);
	}
	if (rc != WEFT_OK)
		rs->io_error = 1;
}

static void commit_cb(uv_check_t *h)
{
	run_state *rs = h->data;
	journal_commit(rs, weft_now());
	if (!rs->closing)
		pump(rs);
}

static void check_interrupt(run_state *rs)
{
	if (rs->opts->interrupt && *rs->opts->interrupt && !rs->interrupted) {
		rs->interrupted = 1;
		rs->stop = 1;
		exec_interrupt(rs);
		char *msg = weft_sprintf("interrupted: no new node starts; running nodes have %gs to stop before "
					 "their workers are killed (Ctrl-C again to quit now)",
					 rs->grace);
		sched_emit(rs, WEFT_EV_LOG, NULL, msg ? msg : "interrupted");
		free(msg);
	}
}

/* What the timer does that needs no state moves: the journal, the live
 * status, progress. At most ten snapshots a second, and one a second when
 * only the clocks moved. */
static void keep_current(run_state *rs, double now)
{
	journal_commit(rs, now);
	if (rs->opts->live_status && (rs->live_dirty || now - rs->last_live >= 1.0)) {
		rs->live_dirty = 0;
		live_write(rs, now);
	}
	sched_emit(rs, WEFT_EV_PROGRESS, NULL, NULL);
}

static void tick_cb(uv_timer_t *t)
{
	run_state *rs = t->data;
	double now = weft_now();
	check_interrupt(rs);
	exec_tick(rs, now);
	keep_current(rs, now);
	if (!rs->closing)
		pump(rs);
}

/* A dynamic node's script runs on the loop's thread, between two turns of
 * the loop (it adds nodes to the graph the loop reads). The DSL calls this
 * a few times a second while a script runs (weft_engine_yield), so the
 * script cannot stall the run: Ctrl-C is seen and ends the script, other
 * nodes' timeouts and kills still happen, `weft status` stays current.
 * Nothing here moves a node's state: the loop does that after the script. */
static int sched_yield_cb(weft_engine *eng)
{
	run_state *rs = eng->run; /* set: weft_engine_yield calls only during a run */
	double now = weft_now();
	check_interrupt(rs);
	exec_watch(rs, now);
	keep_current(rs, now);
	return rs->interrupted ? weft_err_set(WEFT_ECANCELLED, "interrupted (Ctrl-C); `weft resume` runs this node "
								 "again")
			       : WEFT_OK;
}

static void begin_close(run_state *rs)
{
	if (rs->closing)
		return;
	rs->closing = 1;
	uv_timer_stop(&rs->tick);
	uv_close((uv_handle_t *)&rs->tick, NULL);
	uv_check_stop(&rs->commit);
	uv_close((uv_handle_t *)&rs->commit, NULL);
	if (rs->pool)
		weft_pool_close(rs->pool); /* the loop ends when the workers are gone */
	slurm_exec_close(rs->slurm); /* and when Slurm's commands under way end */
	weft_childwatch_close(rs->cw); /* and when the last child watched is done */
	rs->cw = NULL;
}

/* ------------------------------------------------------------ reasons */

static char *miss_reason(run_state *rs, node *n)
{
	node_run *nr = weft_node_run(rs->eng, n->id);
	load_prev(rs);
	json_t *prev = rs->prev ? json_object_get(rs->prev, n->name) : NULL;
	if (!prev)
		return weft_strdup("new node (no earlier run of this pipeline had it)");
	const char *pkey = json_string_value(json_object_get(prev, "key"));
	if (pkey && !strcmp(pkey, nr->key))
		return weft_strdup("same key as last run but no usable cache entry (gc'd or corrupt)");
	const char *pop = json_string_value(json_object_get(prev, "op"));
	const char *pver = json_string_value(json_object_get(prev, "op_version"));
	if (n->kind == NODE_OP) {
		if (pop && strcmp(pop, n->op->full_name))
			return weft_sprintf("op changed from %s to %s", pop, n->op->full_name);
		if (pver && strcmp(pver, n->op->desc->version))
			return weft_sprintf("op version changed from %s to %s", pver, n->op->desc->version);
	}
	weft_buf b = {0};
	json_t *pparams = json_object_get(prev, "params");
	for (size_t i = 0; n->params && i < weft_value_len(n->params); i++) {
		const char *k = weft_value_map_key_at(n->params, i);
		char *now = weft_value_to_json(weft_value_map_value_at(n->params, i), 0);
		json_t *pv = json_object_get(pparams, k);
		char *was = pv ? json_dumps(pv, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS | JSON_REAL_PRECISION(17))
			       : NULL;
		if (!was || !now || strcmp(was, now))
			weft_buf_printf(&b, "%sparam '%s' changed (%s -> %s)", b.len ? "; " : "", k, was ? was : "unset",
					now ? now : "?");
		free(now);
		free(was);
	}
	json_t *pin = json_object_get(prev, "inputs");
	for (size_t i = 0; nr->input_hashes && i < weft_value_len(nr->input_hashes); i++) {
		const char *k = weft_value_map_key_at(nr->input_hashes, i);
		const char *h = weft_value_get_string(weft_value_map_value_at(nr->input_hashes, i), NULL);
		const char *ph = json_string_value(json_object_get(pin, k));
		if (!ph || !h || strcmp(ph, h))
			weft_buf_printf(&b, "%sinput '%s' changed", b.len ? "; " : "", k);
	}
	if (!b.len)
		weft_buf_puts(&b, n->kind == NODE_DYNAMIC ? "function source or captured values changed"
							  : "key changed");
	return b.data;
}

/* A JSON array of n strings (NULL entries left out). */
static json_t *str_list(const char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		if (v[i])
			json_array_append_new(a, json_string(v[i]));
	return a;
}

/* ------------------------------------------------------------ run setup */

static int read_finished(const char *rec, size_t len, void *payload)
{
	run_state *rs = payload;
	json_t *j = json_loadb(rec, len, 0, NULL);
	if (!j)
		return WEFT_OK; /* torn or foreign line */
	const char *ev = json_string_value(json_object_get(j, "ev"));
	const char *key = weft_journal_finished_key(j);
	int rc = WEFT_OK;
	if (ev && (!strcmp(ev, "run") || !strcmp(ev, "resume")))
		rs->earlier_segments++;
	if (key) {
		rc = keyset_add(&rs->finished, key);
		if (!strcmp(json_string_value(json_object_get(j, "status")), "done"))
			rs->earlier_executed++;
	}
	json_decref(j);
	return rc;
}

static int make_run_id(char out[64])
{
	struct tm tm;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	time_t now = ts.tv_sec;
	if (!localtime_r(&now, &tm))
		return weft_err_set(WEFT_ERROR, "cannot read the clock");
	size_t n = strftime(out, 64, "%Y%m%d-%H%M%S", &tm);
	/* Milliseconds keep name order equal to start order; the pid-derived
	 * suffix separates concurrent runs started in the same millisecond. */
	snprintf(out + n, 64 - n, "-%03ld-%04x", ts.tv_nsec / 1000000, (unsigned)(getpid() * 2654435761u) >> 16);
	return WEFT_OK;
}

static int setup_run(run_state *rs)
{
	weft_engine *eng = rs->eng;
	const weft_run_options *o = rs->opts;
	int rc;
	if (o->resume_id) {
		snprintf(rs->run_id, sizeof rs->run_id, "%s", o->resume_id);
	} else if ((rc = make_run_id(rs->run_id)) != WEFT_OK) {
		return rc;
	}
	rs->run_dir = weft_sprintf("%s/runs/%s", eng->store_dir, rs->run_id);
	rs->log_dir = weft_sprintf("%s/logs", rs->run_dir ? rs->run_dir : "");
	rs->tmp_dir = weft_sprintf("%s/" WEFT_STORE_TMP "/%s", eng->store_dir, rs->run_id);
	if (!rs->run_dir || !rs->log_dir || !rs->tmp_dir)
		return weft_err_set(WEFT_ERROR, "out of memory");
	struct stat sb;
	if (o->resume_id && stat(rs->run_dir, &sb) != 0)
		return weft_err_set(WEFT_ENOTFOUND, "no run %s under %s/runs; `weft status` lists runs", o->resume_id,
				    eng->store_dir);
	if ((rc = weft_mkdirs(rs->log_dir, 0755)) != WEFT_OK || (rc = weft_mkdirs(rs->tmp_dir, 0755)) != WEFT_OK)
		return rc;
	char *jpath = weft_path_join(rs->run_dir, "journal");
	if (!jpath)
		return weft_err_set(WEFT_ERROR, "out of memory");
	if (o->resume_id)
		(void)weft_journal_read(jpath, read_finished, rs);
	rc = weft_journal_open(&rs->journal, jpath);
	free(jpath);
	if (rc == WEFT_OK && o->live_status && !(rs->live_path = weft_path_join(rs->run_dir, "live.json")))
		rc = weft_err_set(WEFT_ERROR, "out of memory");
	if (rc != WEFT_OK)
		return rc;
	json_t *hdr = json_pack("{s:s,s:s,s:s,s:f}", "ev", o->resume_id ? "resume" : "run", "id", rs->run_id,
				"pipeline", o->pipeline ? o->pipeline : "", "t", weft_now());
	if (hdr && o->params)
		json_object_set_new(hdr, "params", weft_value_to_jansson(o->params));
	if (hdr && o->params_given)
		json_object_set_new(hdr, "params_given", weft_value_to_jansson(o->params_given));
	/* where relative output paths went, so that a resume writes there too */
	if (hdr)
		json_object_set_new(hdr, "out_dir", json_string(weft_engine_out_dir(rs->eng)));
	if (hdr && o->provenance)
		json_object_set_new(hdr, "git", weft_value_to_jansson(o->provenance));
	if (hdr && o->executor == WEFT_EXECUTOR_SLURM)
		json_object_set_new(hdr, "executor", json_string("slurm"));
	/* What it was asked to compute, so that a resume asks the same. */
	if (hdr && o->n_targets)
		json_object_set_new(hdr, "targets", str_list(o->targets, o->n_targets));
	if (hdr && o->n_force_nodes)
		json_object_set_new(hdr, "force_nodes", str_list(o->force_nodes, o->n_force_nodes));
	if (hdr && o->force)
		json_object_set_new(hdr, "force", json_true());
	char *line = hdr ? json_dumps(hdr, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(hdr);
	rc = line ? weft_journal_append(rs->journal, line) : weft_err_set(WEFT_ERROR, "out of memory");
	free(line);
	if (rc == WEFT_OK)
		rc = weft_journal_sync(rs->journal);
	return rc;
}

/* The run's own copy of the pools: the caller's, else detected; -j sets
 * the cpus pool. Every run has a cpus pool, since every op takes a CPU. */
static int setup_resources(run_state *rs)
{
	const weft_run_options *o = rs->opts;
	int rc = res_clone(&rs->res, o->resources);
	if (rc == WEFT_OK && !o->resources)
		rc = weft_resources_detect(rs->res);
	if (rc == WEFT_OK && o->jobs > 0)
		rc = weft_resources_set(rs->res, "cpus", (uint64_t)o->jobs, "-j");
	if (rc == WEFT_OK && !weft_resources_has(rs->res, "cpus")) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		rc = weft_resources_set(rs->res, "cpus", ncpu > 0 ? (uint64_t)ncpu : 1, "online cores");
	}
	if (rc != WEFT_OK)
		return rc;
	rs->cpus_pool = res_pool_find(rs->res, "cpus");
	uint64_t cap = res_pool_capacity(rs->res, (size_t)rs->cpus_pool);
	if (!cap)
		return weft_err_set(WEFT_EINVALID, "the cpus pool is empty: declare at least `cpus: 1` in weft.yaml");
	rs->jobs = cap > 4096 ? 4096 : (int)cap;
	rs->isolation = o->isolation;
	rs->grace = o->grace > 0 ? o->grace : 10.0;
	rs->default_weight = 1.0;
	return WEFT_OK;
}

int weft_engine_run(weft_run_summary *out, weft_engine *eng, const weft_run_options *opts)
{
	if (!opts || opts->version < 1 || opts->version > WEFT_RUN_OPTIONS_VERSION)
		return weft_err_set(WEFT_EINVALID, "weft_engine_run: options missing or of another version; start "
						   "from WEFT_RUN_OPTIONS_INIT (or weft_run_options_init)");
	if (!eng->graph.validated) {
		int rc = weft_graph_validate(eng);
		if (rc != WEFT_OK)
			return rc;
	}
	run_state *rs = calloc(1, sizeof *rs);
	if (!rs)
		return weft_err_set(WEFT_ERROR, "out of memory");
	pthread_mutex_init(&rs->progress_lock, NULL);
	rs->eng = eng;
	rs->events = &exec_events;
	rs->store_lock = -1;
	rs->inflight_fd = -1;
	rs->live_fd = -1;
	rs->slurm_pool = -1;
	/* Fields after a caller's version read as zero. */
	memcpy(&rs->opts_copy, opts,
	       opts->version == 1   ? offsetof(weft_run_options, resources)
	       : opts->version == 2 ? offsetof(weft_run_options, llm)
	       : opts->version == 3 ? offsetof(weft_run_options, executor)
	       : opts->version == 4 ? offsetof(weft_run_options, targets)
	       : opts->version == 5 ? offsetof(weft_run_options, params_given)
				    : sizeof rs->opts_copy);
	rs->opts = opts = &rs->opts_copy;
	rs->t0 = weft_now();
	int loop_ok = 0;
	/* A run starts from fresh per-node state; the last run's results are
	 * dropped here, not before (callers read them after a run). */
	weft_node_runs_reset(eng);
	/* The entries made while the script ran, when there were some. */
	weft_lookahead_adopt(eng);
	int rc = weft_node_runs_reserve(eng, eng->graph.n);
	if (rc == WEFT_OK)
		rc = weft_acpack_open(&rs->ac, eng->store_dir);
	if (rc == WEFT_OK)
		rc = setup_resources(rs);
	if (rc == WEFT_OK)
		rc = plan_bind_all(rs);
	if (rc == WEFT_OK)
		rc = apply_selection(rs);
	if (rc != WEFT_OK)
		goto cleanup;
	if (opts->plan_only) {
		snprintf(rs->run_id, sizeof rs->run_id, "plan");
		rs->tmp_dir = weft_strdup("/nonexistent");
		rs->log_dir = weft_strdup("/nonexistent");
	} else if ((rc = weft_store_lock(&rs->store_lock, eng->store_dir, 0, 0)) != WEFT_OK) {
		/* gc is removing objects right now: wait for it, saying so. */
		sched_emit(rs, WEFT_EV_LOG, NULL, weft_error_last());
		if ((rc = weft_store_lock(&rs->store_lock, eng->store_dir, 0, 1)) != WEFT_OK ||
		    (rc = setup_run(rs)) != WEFT_OK)
			goto cleanup;
	} else if ((rc = setup_run(rs)) != WEFT_OK) {
		goto cleanup;
	}
	if ((rc = uv_loop_init(&rs->loop)) != 0) {
		rc = weft_err_set(WEFT_ERROR, "cannot start event loop: %s (too many open files? raise `ulimit -n`)",
				  uv_strerror(rc));
		goto cleanup;
	}
	loop_ok = 1;
	rs->loop_live = 1;
	if (rs->slurm && (rc = slurm_exec_start(rs->slurm)) != WEFT_OK)
		goto cleanup;
	uv_timer_init(&rs->loop, &rs->tick);
	uv_check_init(&rs->loop, &rs->commit);
	rs->tick.data = rs->commit.data = rs;
	uv_timer_start(&rs->tick, tick_cb, 100, 100);
	uv_check_start(&rs->commit, commit_cb);
	/* Keys and hits found while the script ran; the store is locked. */
	weft_lookahead_take(rs);
	eng->run = rs;
	eng->node_added = node_added;
	eng->yield = sched_yield_cb;
	rs->evaluating = UINT32_MAX;
	rs->total = eng->graph.n;
	/* Every node starts pending (zeroed above: no move leads into a new
	 * run, so this is not one) with all its deps unfinished. */
	for (uint32_t i = 0; i < eng->graph.n; i++)
		weft_node_run(eng, i)->pending = eng->graph.nodes[i]->n_deps;
	for (uint32_t i = 0; i < eng->graph.n; i++)
		if (weft_node_run(eng, i)->pending == 0 && sched_push_ready(rs, i) != WEFT_OK)
			rs->io_error = 1;
	if (opts->live_status && !opts->plan_only)
		live_write(rs, weft_now());
	if (sched_prefetch_start(rs) != WEFT_OK)
		rs->io_error = 1;
	slice_attr was;
	int sliced = prefer_short_slice(&was);
	pump(rs);
	uv_run(&rs->loop, UV_RUN_DEFAULT);
	if (sliced)
		restore_slice(&was);
	sched_prefetch_free(rs);
	weft_pool_free(rs->pool);
	rs->pool = NULL;
	json_t *pools = opts->plan_only ? NULL : live_pools_json(rs, weft_now());
	eng->run = NULL;
	if (rs->journal && weft_journal_sync(rs->journal) != WEFT_OK)
		rs->io_error = 1;
	/* Nodes never finished count as skipped after a failure (fail-fast)
	 * and as pending after an interrupt (resume runs them). */
	rs->finalizing = 1;
	for (uint32_t i = 0; i < eng->graph.n; i++) {
		node_state st = (node_state)weft_node_run(eng, i)->state;
		if (weft_node_run(eng, i)->prefetched)
			sched_prefetch_forget(rs, i);
		if (ns_terminal(st) || st == NS_RUNNING || weft_node_run(eng, i)->unneeded)
			continue;
		if (!rs->interrupted)
			sched_move(rs, i, NS_SKIPPED, NULL);
		else if (st != NS_PENDING)
			sched_move(rs, i, NS_PENDING, NULL);
	}
	memset(out, 0, sizeof *out);
	snprintf(out->run_id, sizeof out->run_id, "%s", rs->run_id);
	out->total = eng->graph.n;
	out->executed = rs->executed;
	out->cached = rs->cached;
	out->resumed = rs->resumed;
	out->failed = rs->failed;
	out->skipped = rs->skipped;
	out->interrupted = rs->interrupted;
	out->wall_seconds = weft_now() - rs->t0;
	if (!opts->plan_only) {
		const char *status = rs->interrupted ? "interrupted" : rs->failed ? "failed" : "ok";
		weft_record_segments seg = {rs->earlier_segments + 1, rs->earlier_executed + rs->executed};
		if (weft_record_write(eng, rs->run_dir, rs->run_id, opts, status, out, &seg, pools) != WEFT_OK)
			rs->io_error = 1;
		weft_rm_rf(rs->tmp_dir);
		if (rs->live_fd >= 0)
			close(rs->live_fd);
		rs->live_fd = -1;
		if (rs->live_path)
			(void)unlink(rs->live_path);
	}
	/* A dry run writes nothing it needs: the stat cache is only a cache,
	 * so `weft plan` works on a store it cannot write (as `make -n`). */
	if (weft_statcache_save(eng->sc) != WEFT_OK && !opts->plan_only)
		rs->io_error = 1;
	if (rs->io_error)
		rc = weft_err_set(WEFT_EIO, "run %s: could not write the journal, cache or record under %s: %s",
				  rs->run_id, eng->store_dir, weft_error_last());
cleanup:
	eng->run = NULL;
	weft_lookahead_free(eng); /* a run that failed to start: its hits go unused */
	/* Indexes this run's pack while the store lock still keeps gc out. A
	 * failure costs nothing but time: the next reader indexes it. */
	(void)weft_acpack_close(rs->ac);
	weft_store_unlock(rs->store_lock);
	if (rs->inflight_fd >= 0)
		close(rs->inflight_fd); /* any lock still held goes with it */
	if (loop_ok)
		(void)uv_loop_close(&rs->loop);
	weft_journal_free(rs->journal);
	json_decref(rs->prev);
	keyset_free(&rs->finished);
	free(rs->ready);
	readyq_free(&rs->runq);
	free(rs->running.ids);
	free(rs->delayed.ids);
	free(rs->dupwait.ids);
	free(rs->deferred.ids);
	free(rs->dyn_done.ids);
	free(rs->inline_done.ids);
	slurm_exec_free(rs->slurm);
	weft_resources_free(rs->res);
	weft_buf_free(&rs->jline);
	if (rs->live_fd >= 0)
		close(rs->live_fd);
	free(rs->live_path);
	free(rs->run_dir);
	free(rs->log_dir);
	free(rs->tmp_dir);
	pthread_mutex_destroy(&rs->progress_lock);
	free(rs);
	return rc;
}

/* Plan output reads these; kept here because only sched knows reasons. */
int weft_engine_llm_chat(weft_value **response, weft_engine *eng, const weft_value *request)
{
	*response = NULL;
	run_state *rs = eng->run;
	node_run *nr = rs && eng->current_parent != UINT32_MAX ? weft_node_run(eng, eng->current_parent) : NULL;
	return weft_llm_chat(response, eng->store_dir, rs ? rs->opts->llm : NULL, request, nr ? &nr->llm : NULL);
}

double weft_graph_node_elapsed(const weft_engine *eng, uint32_t id)
{
	node_run *nr = weft_node_run(eng, id);
	return nr ? nr->computed : 0;
}

const char *weft_graph_node_error(const weft_engine *eng, uint32_t id)
{
	node_run *nr = weft_node_run(eng, id);
	return nr ? nr->error : NULL;
}

const char *weft_graph_node_reason(const weft_engine *eng, uint32_t id)
{
	node_run *nr = weft_node_run(eng, id);
	return nr ? nr->reason : NULL;
}

int weft_graph_node_status(const weft_engine *eng, uint32_t id)
{
	node_run *nr = weft_graph_node(eng, id) ? weft_node_run(eng, id) : NULL;
	return nr ? ns_public((node_state)nr->state) : -1;
}

int weft_graph_resolve(weft_value **out, const weft_engine *eng, const weft_value *tmpl)
{
	char *err = NULL;
	*out = NULL;
	int rc = sched_resolve(out, eng, tmpl, &err);
	if (rc != WEFT_OK)
		rc = weft_err_set(rc, "%s", err ? err : "out of memory");
	free(err);
	return rc;
}

const weft_value *weft_graph_node_output(const weft_engine *eng, uint32_t id, const char *output)
{
	node *n = weft_graph_node(eng, id);
	node_run *nr = n ? weft_node_run(eng, id) : NULL;
	const weft_value *v = NULL;
	/* no message: a missing output is an answer here (NULL), not an error */
	if (!nr || !ns_has_result((node_state)nr->state) || sched_output_of(&v, eng, n, output, NULL) != WEFT_OK)
		v = NULL;
	return v;
}
