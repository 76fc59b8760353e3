/*
 * sched_move.c -- the one place a node's state changes (sched_move), and
 * what each change entails: counters, the journal's start/retry/finish
 * lines, events for the front-end (with the progress ops report, kept
 * here so that events need nothing from above), and the users whose last
 * input a finished node was (they join the ready FIFO).
 *
 * This is the bottom of the scheduler: the loop (sched.c), the cache
 * step (sched_cache.c), the executors (sched_exec.c) and the planner
 * (sched_plan.c) call down into it, and it calls none of them. A dynamic
 * node whose children are done is not finished here but queued in
 * rs->dyn_done for the loop.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "record.h"
#include "sched_state.h"
#include "util.h"

/* What an op last reported; on any thread (in-process ops report from
 * the thread pool, workers' reports arrive on the loop thread). */
void sched_progress_set(run_state *rs, uint32_t id, double fraction, const char *message)
{
	char *m = message ? weft_strdup(message) : NULL;
	if (message && !m)
		return;
	pthread_mutex_lock(&rs->progress_lock);
	node_run *nr = weft_node_run(rs->eng, id);
	nr->progress = message ? (float)fraction : 0;
	free(nr->progress_msg);
	nr->progress_msg = m;
	pthread_mutex_unlock(&rs->progress_lock);
}

int sched_progress_get(run_state *rs, uint32_t id, double *fraction, char **message)
{
	pthread_mutex_lock(&rs->progress_lock);
	node_run *nr = weft_node_run(rs->eng, id);
	int has = nr->progress_msg != NULL;
	if (has) {
		*fraction = nr->progress;
		*message = weft_strdup(nr->progress_msg);
	}
	pthread_mutex_unlock(&rs->progress_lock);
	return has;
}

void sched_emit(run_state *rs, int kind, node *n, const char *msg)
{
	node_run *nr = n ? weft_node_run(rs->eng, n->id) : NULL;
	if (kind != WEFT_EV_PROGRESS)
		rs->live_dirty = 1;
	if (!rs->opts->on_event)
		return;
	weft_event ev = {
		.kind = kind,
		.node = n ? n->name : NULL,
		.status = n ? (weft_node_status)ns_public((node_state)nr->state) : WEFT_NODE_PENDING,
		.elapsed = n ? nr->elapsed : 0,
		.message = msg,
		.total = rs->total,
		.done = rs->executed + rs->cached + rs->resumed + rs->would_run + rs->expanded + rs->failed + rs->skipped,
		.cached = rs->cached + rs->resumed,
		.running = rs->running.n,
		.failed = rs->failed,
	};
	char *pmsg = NULL;
	weft_buf names = {0};
	if (kind == WEFT_EV_PROGRESS) {
		for (size_t i = 0; i < rs->running.n && !pmsg; i++) {
			double f;
			if (sched_progress_get(rs, rs->running.ids[i], &f, &pmsg)) {
				ev.progress_node = weft_graph_node(rs->eng, rs->running.ids[i])->name;
				ev.progress = f;
				ev.progress_msg = pmsg;
			}
		}
		/* `running` is in start order: the longest-running come first. */
		for (size_t i = 0; i < rs->running.n && i < 3; i++)
			weft_buf_printf(&names, "%s%s", i ? ", " : "", weft_graph_node(rs->eng, rs->running.ids[i])->name);
		if (rs->running.n > 3)
			weft_buf_printf(&names, " +%zu", rs->running.n - 3);
		ev.running_names = names.data;
	}
	rs->opts->on_event(&ev, rs->opts->payload);
	free(pmsg);
	weft_buf_free(&names);
}

int sched_push_ready(run_state *rs, uint32_t id)
{
	node *n = weft_graph_node(rs->eng, id);
	node_run *nr = weft_node_run(rs->eng, n->id);
	if (nr->state == NS_READY || nr->unneeded)
		return WEFT_OK;
	if (rs->tail == rs->cap) {
		/* Compact first; grow only when the live part fills the array. */
		size_t live = rs->tail - rs->head;
		if (rs->head > 0 && live < rs->cap / 2) {
			memmove(rs->ready, rs->ready + rs->head, live * sizeof *rs->ready);
		} else {
			size_t ncap = rs->cap ? rs->cap * 2 : 256;
			uint32_t *p = malloc(ncap * sizeof *p);
			if (!p)
				return weft_err_set(WEFT_ERROR, "out of memory");
			if (live)
				memcpy(p, rs->ready + rs->head, live * sizeof *p);
			free(rs->ready);
			rs->ready = p;
			rs->cap = ncap;
		}
		rs->head = 0;
		rs->tail = live;
	}
	sched_move(rs, id, NS_READY, NULL);
	rs->ready[rs->tail++] = id;
	return WEFT_OK;
}


uint32_t sched_count_pending(weft_engine *eng, node *n)
{
	uint32_t p = 0;
	for (uint32_t i = 0; i < n->n_deps; i++)
		if (!ns_terminal((node_state)weft_node_run(eng, n->deps[i])->state))
			p++;
	return p;
}

void sched_journal(run_state *rs, const char *ev, node *n)
{
	node_run *nr = weft_node_run(rs->eng, n->id);
	if (!rs->journal)
		return; /* plan mode */
	/* The line is built in the run's buffer, kept from line to line (a
	 * buffer made and freed per line was a fifth of the line's cost). */
	weft_jw w;
	weft_jw_init(&w, -1, 0);
	w.buf = rs->jline;
	w.buf.len = 0;
	weft_jw_obj(&w);
	if (nr->error) {
		weft_jw_field(&w, "error");
		weft_jw_str(&w, nr->error);
	}
	weft_jw_field(&w, "ev");
	weft_jw_str(&w, ev);
	weft_jw_field(&w, "key");
	weft_jw_str(&w, nr->key);
	weft_jw_field(&w, "node");
	weft_jw_str(&w, n->name);
	weft_jw_field(&w, "status");
	weft_jw_str(&w, ns_name((node_state)nr->state));
	weft_jw_end(&w, '}');
	/* A node taken from the cache: a resume that lost this line to a
	 * power loss finds the same entry again, so the line waits for the
	 * next fdatasync that something else needs (a no-op rerun does one,
	 * at its end, not one per 1,024 nodes). */
	node_state st = (node_state)nr->state;
	int derivable = !strcmp(ev, "finish") && (st == NS_CACHED || st == NS_RESUMED);
	if (weft_jw_finish(&w) != WEFT_OK ||
	    (derivable ? weft_journal_append_derivable(rs->journal, w.buf.data, w.buf.len)
		       : weft_journal_append_n(rs->journal, w.buf.data, w.buf.len)) != WEFT_OK)
		rs->io_error = 1;
	rs->lines_since_sync += !derivable;
	rs->jline = w.buf;
}

/* ------------------------------------------------------------ completion */

/* The bookkeeping of reaching a terminal state: counters, the journal's
 * "finish" line, the event, and the users whose last input this was. */
static void on_terminal(run_state *rs, uint32_t id, node *n, node_state to)
{
	node_run *nr = weft_node_run(rs->eng, n->id);
	switch (to) {
	case NS_DONE:
		rs->executed++;
		break;
	case NS_CACHED:
		rs->cached++;
		break;
	case NS_RESUMED:
		rs->resumed++;
		break;
	case NS_FAILED:
		rs->failed++;
		if (!rs->opts->keep_going)
			rs->stop = 1;
		break;
	case NS_SKIPPED:
		rs->skipped++;
		break;
	case NS_WOULD_RUN:
		rs->would_run++;
		break;
	case NS_EXPANDED:
		rs->expanded++;
		break;
	default:
		break;
	}
	if (rs->finalizing)
		return; /* the run is over: nothing more starts or is journaled */
	if (n->kind == NODE_OP && !rs->opts->plan_only &&
	    (to == NS_DONE || to == NS_FAILED || to == NS_CACHED || to == NS_RESUMED))
		sched_journal(rs, "finish", n);
	sched_emit(rs, WEFT_EV_FINISH, n, nr->error);
	weft_value_free(nr->resolved_inputs);
	nr->resolved_inputs = NULL;
	for (uint32_t u = 0; u < n->n_users; u++) {
		node_run *user = weft_node_run(rs->eng, n->users[u]);
		if (ns_terminal((node_state)user->state) || user->pending == 0)
			continue;
		if (--user->pending == 0) {
			/* A dynamic node whose children are all done is finished
			 * by the loop (sched.c), which owns dynamic nodes. */
			if (user->state == NS_DYN_WAIT ? idlist_add(&rs->dyn_done, n->users[u]) != WEFT_OK
						       : sched_push_ready(rs, n->users[u]) != WEFT_OK)
				rs->io_error = 1;
		}
	}
}

int sched_move(run_state *rs, uint32_t id, node_state to, const char *msg)
{
	node *n = weft_graph_node(rs->eng, id);
	node_run *nr = weft_node_run(rs->eng, n->id);
	node_state from = (node_state)nr->state;
	if (!ns_allowed(from, to)) {
		/* A scheduler bug, never a user's: refuse it loudly and stop
		 * starting nodes, rather than record a result that is wrong. */
		char *m = weft_sprintf("internal error: node %s cannot move from %s to %s; the run stops (please "
				       "report this)",
				       n->name, ns_name(from), ns_name(to));
		sched_emit(rs, WEFT_EV_LOG, n, m ? m : "internal error: illegal node state move");
		free(m);
		rs->io_error = 1;
		rs->stop = 1;
		return weft_err_set(WEFT_ERROR, "illegal node state move");
	}
	nr->state = (uint8_t)to;
	switch (to) {
	case NS_RUNNING:
		sched_journal(rs, "start", n);
		sched_emit(rs, WEFT_EV_START, n, NULL);
		break;
	case NS_RETRY_WAIT:
		rs->retried++;
		sched_journal(rs, "retry", n);
		sched_emit(rs, WEFT_EV_LOG, n, msg);
		break;
	case NS_PENDING:
		if (from == NS_RUNNING && !rs->finalizing)
			sched_emit(rs, WEFT_EV_FINISH, n, "interrupted");
		break;
	case NS_DUP_WAIT:
		sched_emit(rs, WEFT_EV_LOG, n, msg);
		break;
	case NS_READY:
	case NS_RUNNABLE:
	case NS_DYN_WAIT:
		break;
	default:
		on_terminal(rs, id, n, to);
	}
	return WEFT_OK;
}

void sched_fail(run_state *rs, uint32_t id, node_state to, char *msg)
{
	node *n = weft_graph_node(rs->eng, id);
	node_run *nr = weft_node_run(rs->eng, n->id);
	free(nr->error);
	nr->error = msg;
	sched_move(rs, id, to, NULL);
}

char *sched_log_file(run_state *rs, const char *name)
{
	char path[PATH_MAX];
	if (!record_log_path(path, sizeof path, rs->log_dir, name)) {
		weft_err_set(WEFT_EINVALID, "the log path of node '%s' is too long", name);
		return NULL;
	}
	return weft_strdup(path);
}

int idlist_add(idlist *l, uint32_t id)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		uint32_t *p = realloc(l->ids, ncap * sizeof *p);
		if (!p)
			return weft_err_set(WEFT_ERROR, "out of memory");
		l->ids = p;
		l->cap = ncap;
	}
	l->ids[l->n++] = id;
	return WEFT_OK;
}

void idlist_remove(idlist *l, uint32_t id)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->ids[i] == id) {
			memmove(l->ids + i, l->ids + i + 1, (l->n - i - 1) * sizeof *l->ids);
			l->n--;
			return;
		}
}

