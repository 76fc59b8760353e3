/*
 * sched_exec.c -- running one op node: in-process on libuv's thread pool or
 * in a `weft worker` process, with its timeout, its retries and its share
 * of the run's cancellation.
 *
 * A node enters here holding its resources (sched.c took them) and leaves
 * through finish_op, which always gives them back, so a pool's use can only
 * be wrong while a node is really running. Device ids reach an op only
 * through its worker's environment, which is why a node with devices
 * always runs in a worker.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache.h"
#include "checkpoint.h"
#include "childwatch.h"
#include "opctx.h"
#include "store.h"
#include "sched_state.h"
#include "util.h"
#include "value_jansson.h"

typedef struct work {
	uv_work_t req;
	run_state *rs;
	uint32_t id;
	weft_op_ctx *ctx;
	int cancel; /* read by the op through the host API (atomic) */
	int rc;
	/* A split op's child (weft_op_desc.start), watched on the loop. */
	weft_op_proc proc;
	struct split_watch *watch; /* NULL: not a split op, or its child is done */
	int signalled;             /* SIGTERM was sent */
} work;

/* How the loop watches a split op's child: its pidfd and output pipe in
 * the run's child watch, and the grace timer of a cancel. A timer is
 * closed as the child ends and the watch freed once libuv is done with it,
 * after the node has finished: the finish cannot wait for a close
 * callback, which runs after the turn's scheduling (pump, in the check
 * phase), so the next node would wait for the loop's next wake-up. */
typedef struct split_watch {
	weft_childwatch *cw;
	weft_child *child; /* the pidfd and the op's out_fd */
	uv_timer_t grace;  /* SIGKILL after the SIGTERM of a cancel */
	work *w;           /* NULL once the node has finished */
} split_watch;

typedef struct worker_job {
	run_state *rs;
	uint32_t id;
} worker_job;

/* Returns what node `id` took from the pools, once: held 1 becomes 2
 * (still running, holding nothing). */
static void give_pools(run_state *rs, uint32_t id, node_run *nr)
{
	if (nr->held != 1)
		return;
	res_give(rs->res, nr->asks, nr->n_asks, id, weft_now());
	nr->held = 2;
}

/* Gives back what node `id` holds and takes it off the running list. */
static void give_back(run_state *rs, uint32_t id, node *n)
{
	node_run *nr = weft_node_run(rs->eng, n->id);
	if (!nr->held)
		return;
	give_pools(rs, id, nr);
	nr->held = 0;
	nr->job = NULL;
	idlist_remove(&rs->running, id);
}

/* ------------------------------------------------------------ in flight */

/*
 * Two runs of one pipeline (two terminals, two CI jobs on one store) would
 * compute every node twice. While a process computes a key it holds an
 * exclusive lock on one byte of <store>/inflight.lock, at an offset taken
 * from the key; another process that finds it held waits (NS_DUP_WAIT) and
 * then takes the result from the cache. The kernel drops the lock when its
 * holder dies, so a killed run never makes another wait for ever. Any
 * failure to lock means "compute it here".
 *
 * One file with byte-range locks rather than a file per key: creating and
 * deleting a file per node made ext4 skip ever more recently deleted
 * inodes for every new file (in perf, inode allocation was a quarter of a
 * cold shell DAG's samples). The run opens it once and takes every key's
 * byte on that one open (an open file description lock, so the run's
 * threads share it): opening and closing it per node were two of the ten
 * system calls of a cold cached node. A lock is given back by unlocking
 * its byte. Two keys of this run that share a byte (their first 60 bits)
 * then share the lock, and the first to finish frees it early: another
 * process may then compute the second again. Nothing is wrong, only done
 * twice, with a chance of one in 2^60 per pair.
 */
static struct flock inflight_byte(const node_run *nr, short type)
{
	struct flock l = {.l_type = type, .l_whence = SEEK_SET, .l_start = (off_t)(keyset_bits(nr->key) >> 4), .l_len = 1};
	return l;
}

/* 1: this process now computes the key; 0: another one does; -1: unknown. */
static int inflight_take(run_state *rs, node_run *nr)
{
	if (rs->inflight_fd < 0) {
		char *p = weft_path_join(rs->eng->store_dir, "inflight.lock");
		rs->inflight_fd = p ? open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600) : -1;
		free(p);
		if (rs->inflight_fd < 0)
			return -1;
	}
	struct flock l = inflight_byte(nr, F_WRLCK);
	if (fcntl(rs->inflight_fd, F_OFD_SETLK, &l) != 0)
		return errno == EAGAIN || errno == EACCES ? 0 : -1;
	nr->inflight = 1;
	return 1;
}

/* A running node of this run with the same key (its in-flight lock is
 * ours, so flock alone would call it another process's). */
static const node *running_twin(run_state *rs, const node_run *nr)
{
	for (size_t i = 0; i < rs->running.n; i++) {
		const node_run *o = weft_node_run(rs->eng, rs->running.ids[i]);
		if (o != nr && o->inflight && !strcmp(o->key, nr->key))
			return weft_graph_node(rs->eng, rs->running.ids[i]);
	}
	return NULL;
}

static void inflight_release(run_state *rs, node_run *nr)
{
	if (!nr->inflight)
		return;
	struct flock l = inflight_byte(nr, F_UNLCK);
	(void)fcntl(rs->inflight_fd, F_OFD_SETLK, &l); /* fails only if it was never held */
	nr->inflight = 0;
}

/* A start that failed before the op ran: the node fails, nothing held. */
static void fail_start(run_state *rs, uint32_t id, node *n, char *msg)
{
	give_back(rs, id, n);
	inflight_release(rs, weft_node_run(rs->eng, id));
	sched_fail(rs, id, NS_FAILED, msg);
}

void exec_started(run_state *rs, uint32_t id)
{
	node *n = weft_graph_node(rs->eng, id);
	node_run *nr = weft_node_run(rs->eng, n->id);
	nr->t_start = weft_now();
	nr->timed_out = nr->killed = 0;
	nr->cancel_at = 0;
	nr->used_ckpt = 0;
	nr->attempt++;
	sched_progress_set(rs, id, 0, NULL);
	sched_move(rs, id, NS_RUNNING, NULL);
}

/* Appends a line to the node's log (the op's own lines go there too). */
static void log_note(run_state *rs, node *n, const char *msg)
{
	weft_node_run(rs->eng, n->id)->no_log = 0;
	char *path = sched_log_file(rs, n->name);
	FILE *f = path ? fopen(path, "ae") : NULL;
	if (f) {
		fprintf(f, "weft: %s\n", msg);
		fclose(f);
	}
	free(path);
}

/* Schedules another attempt of a failed retryable node; 0 if none is left. */
static int maybe_retry(run_state *rs, uint32_t id, node *n, const char *error)
{
	node_run *nr = weft_node_run(rs->eng, n->id);
	if (nr->attempt > n->retries || rs->stop)
		return 0;
	double delay = n->backoff > 0 ? n->backoff : 1.0;
	for (uint32_t i = 1; i < nr->attempt && delay < 300; i++)
		delay *= 2;
	if (delay > 300)
		delay = 300;
	char *msg = weft_sprintf("node %s: attempt %u of %u failed: %s; retrying in %.1fs", n->name, nr->attempt,
				 n->retries + 1, error, delay);
	if (idlist_add(&rs->delayed, id) != WEFT_OK) {
		free(msg);
		return 0;
	}
	nr->retry_at = weft_now() + delay;
	if (msg)
		log_note(rs, n, msg);
	sched_move(rs, id, NS_RETRY_WAIT, msg);
	free(msg);
	return 1;
}

/* The end of an attempt: takes `outputs` (NULL on failure), caches them,
 * retries, or records why the node failed. A node cancelled by Ctrl-C
 * stays pending so that `weft resume` runs it again. */
void exec_finished(run_state *rs, uint32_t id, weft_value *outputs, const char *error, int cancelled)
{
	node *n = weft_graph_node(rs->eng, id);
	node_run *nr = weft_node_run(rs->eng, n->id);
	give_back(rs, id, n);
	nr->elapsed = weft_now() - nr->t_start;
	nr->computed = nr->elapsed;
	char *timeout_msg = NULL;
	if (nr->timed_out) {
		weft_value_free(outputs);
		outputs = NULL;
		cancelled = 0;
		timeout_msg = weft_sprintf("timed out after %.1fs (timeout = %gs); %s", nr->elapsed, n->timeout,
					   nr->killed ? "it did not stop when cancelled, so its worker was killed"
						     : "it stopped when cancelled");
		error = timeout_msg ? timeout_msg : "timed out";
	}
	if (outputs) {
		weft_value_free(nr->outputs);
		nr->outputs = outputs;
		weft_cache_meta meta = {n->op->full_name, n->name, nr->elapsed};
		if (n->deterministic && weft_cache_put_in(rs->ac, nr->key, nr->outputs, nr->input_hashes, &meta) != WEFT_OK) {
			sched_fail(rs, id, NS_FAILED, weft_sprintf("cannot store result: %s", weft_error_last()));
		} else {
			/* The result is cached: its checkpoints are kept only as
			 * the node asks. Failed and cancelled attempts keep theirs
			 * for the next one. */
			if (nr->used_ckpt && weft_ckpt_settle(rs->eng->store_dir, nr->key, (weft_ckpt_policy)n->checkpoints) != WEFT_OK)
				log_note(rs, n, weft_error_last());
			sched_move(rs, id, NS_DONE, NULL);
		}
	} else if (cancelled) {
		free(nr->error);
		nr->error = weft_strdup(error);
		sched_move(rs, id, NS_PENDING, NULL);
	} else if (!maybe_retry(rs, id, n, error)) {
		sched_fail(rs, id, NS_FAILED, weft_strdup(error));
	}
	free(timeout_msg);
	/* After the cache entry: whoever waited for this key now finds it. */
	inflight_release(rs, weft_node_run(rs->eng, id));
}

/* ------------------------------------------------------------ in-process */

/* The CPU slots a node was granted (its ask on the cpus pool), else 1. */
static uint64_t granted_cpus(const run_state *rs, const node_run *nr)
{
	uint64_t cpus = 1;
	for (uint16_t i = 0; i < nr->n_asks; i++)
		if ((int)nr->asks[i].pool == rs->cpus_pool)
			cpus = nr->asks[i].amount;
	return cpus ? cpus : 1;
}

static void inproc_progress(void *arg, double fraction, const char *message)
{
	work *w = arg;
	sched_progress_set(w->rs, w->id, fraction, message ? message : "");
}

static void work_cb(uv_work_t *req)
{
	work *w = req->data;
	w->rc = weft_op_ctx_run(w->ctx);
}

static void after_work_cb(uv_work_t *req, int status)
{
	work *w = req->data;
	if (status == UV_ECANCELED)
		w->rc = WEFT_ECANCELLED;
	weft_op_ctx *ctx = w->ctx;
	node_run *nr = weft_node_run(w->rs->eng, w->id);
	/* An op that opened no log and handed out no log path wrote none: a
	 * noop's record line then costs no failed stat. Only for a first
	 * attempt, since an earlier one may have left a log. */
	nr->no_log = !__atomic_load_n(&ctx->log, __ATOMIC_ACQUIRE) &&
		     !__atomic_load_n(&ctx->log_path_given, __ATOMIC_RELAXED) && nr->attempt == 1;
	weft_llm_stats_add(&nr->llm, &ctx->llm_stats);
	nr->used_ckpt = ctx->ckpt != NULL;
	int cancelled = w->rc == WEFT_ECANCELLED || (w->rs->interrupted && __atomic_load_n(&w->cancel, __ATOMIC_RELAXED));
	exec_finished(w->rs, w->id, w->rc == WEFT_OK ? ctx->outputs : NULL, ctx->error ? ctx->error : "the op failed",
		  cancelled);
	if (w->rc == WEFT_OK)
		ctx->outputs = NULL; /* finish_op took them */
	weft_op_ctx_release(ctx);
	free(w);
}

int exec_finish_inline(run_state *rs)
{
	if (!rs->inline_done.n)
		return 0;
	/* In launch order: the ids were added as the ops ran. */
	size_t n = rs->inline_done.n;
	for (size_t i = 0; i < n; i++) {
		work *w = weft_node_run(rs->eng, rs->inline_done.ids[i])->job;
		after_work_cb(&w->req, 0);
	}
	rs->inline_done.n = 0;
	return 1;
}

/* ------------------------------------------------------------ split ops */

/*
 * A split op (weft_op_desc.start and finish: core.shell) costs no thread
 * while its child runs, as in ninja: the loop spawns it, watches its pidfd
 * and finishes it when it has exited. Running the whole op on a pool
 * thread cost two thread hand-offs per node (to the thread, then back to
 * the loop with the result): in a cold run of 4,000 small shell nodes at
 * -j1, 3.0 ms per node against 2.6 ms when the op ran on the loop thread.
 */

#define SPLIT_GRACE_MS 2000 /* from SIGTERM to SIGKILL, as core.shell's own wait */

static void after_work_cb(uv_work_t *req, int status);

static void split_finish_cb(uv_work_t *req)
{
	work *w = req->data;
	unsigned flags = WEFT_FINISH_THREAD | (w->signalled ? WEFT_FINISH_CANCELLED : 0);
	w->rc = weft_op_ctx_finish(w->ctx, &w->proc, flags);
}

static void nothing_cb(uv_work_t *req)
{
	(void)req;
}

static void grace_closed(uv_handle_t *h)
{
	free(h->data);
}

/* Stops watching the child; a grace timer closes (and frees the watch). */
static void unwatch(work *w)
{
	split_watch *sw = w->watch;
	w->watch = NULL;
	sw->w = NULL;
	weft_childwatch_forget(sw->cw, sw->child);
	if (w->signalled)
		uv_close((uv_handle_t *)&sw->grace, grace_closed);
	else
		free(sw);
}

/* The child has exited: the op's finish, here or on a thread. */
static void split_finish(work *w)
{
	unwatch(w);
	unsigned flags = w->signalled ? WEFT_FINISH_CANCELLED : 0;
	int rc = weft_op_ctx_finish(w->ctx, &w->proc, flags);
	if (rc == WEFT_EHEAVY) {
		if (uv_queue_work(&w->rs->loop, &w->req, split_finish_cb, after_work_cb) == 0)
			return;
		rc = weft_op_ctx_finish(w->ctx, &w->proc, flags | WEFT_FINISH_THREAD);
	}
	w->rc = rc;
	after_work_cb(&w->req, 0);
}

/* The child has exited with status 0: its slot goes to the next node now,
 * before the op's finish hashes and stores its outputs, where the loop
 * would start that node next anyway (sched_refill_first). Only after
 * success: after a failure the run may stop, and what starts then must be
 * what would have started. The status is read without reaping (the op's
 * finish reaps). An op that fails in its finish (a declared output
 * missing) may so have one more node running as the run stops, as a node
 * already running beside it would. */
static void split_refill(work *w)
{
	run_state *rs = w->rs;
	node_run *nr = weft_node_run(rs->eng, w->id);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	if (w->signalled || nr->held != 1 || nr->timed_out ||
	    waitid(P_PID, (id_t)w->proc.pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0 || si.si_pid != w->proc.pid ||
	    si.si_code != CLD_EXITED || si.si_status != 0 || !sched_refill_first(rs, w->id))
		return;
	give_pools(rs, w->id, nr);
	sched_launch_runnable(rs);
}

/* The pidfd is readable: the child has exited (the op's finish reaps it,
 * waiting the instant it may take to become a zombie). */
static void split_exited(void *who)
{
	split_watch *sw = who;
	if (!sw->w)
		return;
	split_refill(sw->w);
	split_finish(sw->w);
}

/* The child's output pipe is readable: the op copies it (into its log). */
static int split_output(void *who)
{
	split_watch *sw = who;
	return sw->w ? weft_op_ctx_pump(sw->w->ctx, &sw->w->proc) : 0;
}

static void split_kill(uv_timer_t *t)
{
	split_watch *sw = t->data;
	if (sw->w)
		kill(sw->w->proc.group > 0 ? -sw->w->proc.group : sw->w->proc.pid, SIGKILL);
}

/* Asks the child to stop: SIGTERM now, SIGKILL after the grace period. */
static void split_cancel(work *w)
{
	if (!w->watch || w->signalled)
		return;
	split_watch *sw = w->watch;
	if (uv_timer_init(&w->rs->loop, &sw->grace) != 0)
		return; /* no timer, so no SIGTERM either: the run waits for the child as a thread would */
	sw->grace.data = sw;
	w->signalled = 1;
	kill(w->proc.group > 0 ? -w->proc.group : w->proc.pid, SIGTERM);
	(void)uv_timer_start(&sw->grace, split_kill, SPLIT_GRACE_MS, 0);
}

/* The child cannot be watched on the loop (no pidfds before Linux 5.3, no
 * descriptor left): a pool thread waits for it, passing on a cancel as
 * core.shell's own wait does, and finishes the op. */
static void split_wait_cb(uv_work_t *req)
{
	work *w = req->data;
	double term_at = 0;
	int killed = 0, out_open = w->proc.out_fd >= 0;
	for (;;) {
		siginfo_t si;
		memset(&si, 0, sizeof si);
		int r = waitid(P_PID, (id_t)w->proc.pid, &si, WEXITED | WNOHANG | WNOWAIT);
		if ((r == 0 && si.si_pid != 0) || (r != 0 && errno != EINTR))
			break;
		pid_t target = w->proc.group > 0 ? -w->proc.group : w->proc.pid;
		if (!w->signalled && __atomic_load_n(&w->cancel, __ATOMIC_RELAXED)) {
			w->signalled = 1;
			term_at = weft_now();
			kill(target, SIGTERM);
		} else if (w->signalled && !killed && weft_now() - term_at >= SPLIT_GRACE_MS / 1000.0) {
			killed = 1;
			kill(target, SIGKILL);
		}
		struct pollfd pl = {w->proc.out_fd, POLLIN, 0};
		if (!out_open)
			usleep(2000);
		else if (poll(&pl, 1, 2) > 0)
			out_open = weft_op_ctx_pump(w->ctx, &w->proc);
	}
	split_finish_cb(req);
}

/* Starts the op's child and watches it. A start that fails ends the node
 * as a failed op would, once sched_launch_runnable is out of its loop. */
static int split_launch(run_state *rs, work *w)
{
	w->rc = weft_op_ctx_start(w->ctx, &w->proc);
	if (w->rc != WEFT_OK) {
		if (idlist_add(&rs->inline_done, w->id) == WEFT_OK)
			return WEFT_OK;
		if (uv_queue_work(&rs->loop, &w->req, nothing_cb, after_work_cb) == 0)
			return WEFT_OK;
		weft_node_run(rs->eng, w->id)->job = NULL;
		weft_op_ctx_release(w->ctx);
		free(w);
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	if (!rs->cw) {
		static const weft_childwatch_cbs cbs = {split_output, split_exited};
		rs->cw = weft_childwatch_new(&rs->loop, &cbs);
	}
	int pidfd = rs->cw ? (int)syscall(SYS_pidfd_open, w->proc.pid, 0) : -1;
	split_watch *sw = pidfd >= 0 ? calloc(1, sizeof *sw) : NULL;
	if (sw) {
		sw->cw = rs->cw;
		sw->w = w;
		sw->child = weft_childwatch_add(rs->cw, pidfd, w->proc.out_fd, sw);
		pidfd = -1; /* taken */
		if (sw->child) {
			w->watch = sw;
			return WEFT_OK;
		}
		free(sw);
	}
	if (pidfd >= 0)
		close(pidfd);
	if (uv_queue_work(&rs->loop, &w->req, split_wait_cb, after_work_cb) == 0)
		return WEFT_OK;
	split_wait_cb(&w->req);
	if (idlist_add(&rs->inline_done, w->id) != WEFT_OK)
		after_work_cb(&w->req, 0); /* only ever in a launch loop that ends at once: out of memory */
	return WEFT_OK;
}

static int inproc_launch(void *self, run_state *rs, uint32_t id)
{
	(void)self;
	node *n = weft_graph_node(rs->eng, id);
	node_run *nr = weft_node_run(rs->eng, n->id);
	if (weft_plugin_activate(rs->eng, n->op) != WEFT_OK)
		return WEFT_EINVALID;
	char *log = sched_log_file(rs, n->name);
	work *w = calloc(1, sizeof *w);
	weft_op_ctx *ctx = log && w ? weft_op_ctx_new(rs->eng, n->op, n->name, id, n->params, nr->resolved_inputs, log,
						      rs->tmp_dir, &w->cancel)
				    : NULL;
	free(log);
	if (!ctx) {
		free(w);
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	ctx->llm = nr->llm_config;
	uint64_t cpus = granted_cpus(rs, nr);
	ctx->cpus = cpus < UINT32_MAX ? (uint32_t)cpus : UINT32_MAX;
	ctx->on_progress = inproc_progress;
	ctx->progress_arg = w;
	if (weft_op_ctx_set_node(ctx, nr->key, nr->devices) != WEFT_OK) {
		weft_op_ctx_release(ctx);
		free(w);
		return WEFT_ERROR;
	}
	w->rs = rs;
	w->id = id;
	w->ctx = ctx;
	w->req.data = w;
	nr->job = w;
	exec_started(rs, id);
	if (weft_op_ctx_is_split(ctx))
		return split_launch(rs, w);
	if ((n->op->desc->flags & WEFT_OP_INLINE) && idlist_add(&rs->inline_done, id) == WEFT_OK) {
		/* A few microseconds of work: handing it to a thread and back
		 * cost ten times more. It runs here, on the loop thread, and
		 * finishes in exec_finish_inline, once sched_launch_runnable is out
		 * of its loop over the queue. */
		w->rc = weft_op_ctx_run(ctx);
		return WEFT_OK;
	}
	int rc = uv_queue_work(&rs->loop, &w->req, work_cb, after_work_cb);
	if (rc != 0) {
		weft_op_ctx_release(ctx);
		free(w);
		nr->job = NULL;
		return weft_err_set(WEFT_ERROR, "cannot queue work: %s", uv_strerror(rc));
	}
	return WEFT_OK;
}

static void inproc_cancel(void *self, run_state *rs, uint32_t id)
{
	(void)self;
	work *w = weft_node_run(rs->eng, id)->job;
	if (w) {
		__atomic_store_n(&w->cancel, 1, __ATOMIC_RELAXED);
		split_cancel(w);
	}
}

/* Threads cannot be killed: an in-process op that ignores its cancel runs
 * to its end (nodes with a timeout run in workers for that reason). */
static const sched_executor inproc_executor = {
	.name = "in-process",
	.launch = inproc_launch,
	.cancel = inproc_cancel,
};

/* ------------------------------------------------------------ workers */

/* The last lines of a node's log, for crash messages. */
static char *log_tail(const char *path)
{
	char *text = NULL;
	size_t len = 0;
	if (!path || weft_read_file(path, &text, &len) != WEFT_OK || !len) {
		free(text);
		return weft_strdup("");
	}
	size_t start = len, lines = 0;
	while (start > 0 && lines < 6)
		if (text[--start] == '\n' && start + 1 < len)
			lines++;
	char *from = text + start + (text[start] == '\n');
	weft_buf b = {0};
	weft_buf_puts(&b, "; the log ends with:");
	char *save = NULL;
	for (char *line = strtok_r(from, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		weft_buf_printf(&b, "\n  | %s", line);
	free(text);
	return b.data ? b.data : weft_strdup("");
}

static void worker_done(void *payload, const weft_pool_result *r)
{
	worker_job *job = payload;
	run_state *rs = job->rs;
	uint32_t id = job->id;
	free(job);
	node *n = weft_graph_node(rs->eng, id);
	node_run *nr = weft_node_run(rs->eng, id);
	nr->worker_pid = r->pid;
	nr->rss_kb = r->rss_kb;
	nr->used_ckpt = r->used_ckpt;
	weft_llm_stats_add(&nr->llm, &r->llm);
	if (r->crashed && rs->interrupted && !nr->timed_out) {
		/* Killed after the Ctrl-C grace period: it reruns on resume. */
		exec_finished(rs, id, NULL, r->error, 1);
		return;
	}
	if (r->crashed) {
		char *log = sched_log_file(rs, n->name);
		char *tail = log_tail(log);
		char *msg = weft_sprintf("%s while running this node; the run goes on without it; log %s%s", r->error,
					 log ? log : "?", tail ? tail : "");
		exec_finished(rs, id, NULL, msg ? msg : r->error, 0);
		free(msg);
		free(tail);
		free(log);
		return;
	}
	weft_value *outputs = r->ok ? weft_value_copy(r->outputs) : NULL;
	if (r->ok && !outputs) {
		exec_finished(rs, id, NULL, "out of memory", 0);
		return;
	}
	exec_finished(rs, id, outputs, r->error ? r->error : "the op failed", r->cancelled || (!r->ok && rs->interrupted));
}

static void worker_progress(void *payload, double fraction, const char *message)
{
	worker_job *job = payload;
	sched_progress_set(job->rs, job->id, fraction, message ? message : "");
}

static int exec_in_worker(const run_state *rs, const node *n)
{
	node_run *nr = weft_node_run(rs->eng, n->id);
	if (!rs->eng->worker_exe)
		return 0;
	for (uint16_t i = 0; i < nr->n_asks; i++)
		if (res_pool_is_device(rs->res, nr->asks[i].pool))
			return 1;
	if (n->isolate)
		return n->isolate > 0;
	if (n->timeout > 0 || (n->op->desc->flags & WEFT_OP_ISOLATED))
		return 1; /* a timeout: so that it can be killed when it ignores the cancel */
	if (rs->isolation == WEFT_ISOLATE_ALL)
		return 1;
	if (rs->isolation == WEFT_ISOLATE_NONE)
		return 0;
	return !n->op->trusted;
}

/* The environment a worker sets for this node: its device ids (every
 * device pool is named, empty when the node has none, so an op never
 * grabs a device it was not given) and its CPU share. */
static json_t *node_env(run_state *rs, uint32_t id, node *n)
{
	node_run *nr = weft_node_run(rs->eng, n->id);
	json_t *env = json_object();
	uint64_t cpus = granted_cpus(rs, nr);
	for (size_t p = 0; env && p < res_pool_count(rs->res); p++) {
		if (!res_pool_is_device(rs->res, p))
			continue;
		char *ids = res_ids_of(rs->res, p, id);
		json_object_set_new(env, res_pool_env(rs->res, p), json_string(ids ? ids : ""));
		free(ids);
	}
	char buf[32];
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)cpus);
	json_object_set_new(env, "WEFT_CPUS", json_string(buf));
	json_object_set_new(env, "OMP_NUM_THREADS", json_string(buf));
	return env;
}

json_t *exec_job_message(run_state *rs, uint32_t id, int local_devices)
{
	node *n = weft_graph_node(rs->eng, id);
	node_run *nr = weft_node_run(rs->eng, n->id);
	char *log = sched_log_file(rs, n->name);
	json_t *env = local_devices ? node_env(rs, id, n) : json_object();
	if (env && !local_devices) {
		/* On a cluster the devices are the job's (Slurm sets
		 * CUDA_VISIBLE_DEVICES); only the CPU share is weft's. */
		char buf[32];
		uint64_t cpus = n->cpus ? n->cpus : n->op->desc->cpus ? n->op->desc->cpus : 1;
		snprintf(buf, sizeof buf, "%llu", (unsigned long long)cpus);
		json_object_set_new(env, "WEFT_CPUS", json_string(buf));
		json_object_set_new(env, "OMP_NUM_THREADS", json_string(buf));
	}
	/* `id` names the op's work directory under the run's tmp dir, which
	 * in-process ops share: it must be the node id, unique in the run. */
	json_t *msg = log && env ? json_pack("{s:s,s:s,s:s,s:i,s:o,s:o,s:s,s:s,s:O}", "plugin", n->op->plugin_path, "op",
					     n->op->full_name, "node", n->name, "id", (int)id, "params",
					     weft_value_to_jansson(n->params), "inputs",
					     weft_value_to_jansson(nr->resolved_inputs), "log", log, "tmp", rs->tmp_dir, "env",
					     env)
				 : NULL;
	json_decref(env);
	/* The LLM settings travel with the job; the key is read from the
	 * environment in the worker, as here. */
	if (msg && nr->llm_config)
		json_object_set_new(msg, "llm", weft_value_to_jansson(nr->llm_config));
	/* Checkpoints live under the key and record the devices; Python ops
	 * import weft's package from where this engine has it. */
	if (msg)
		json_object_set_new(msg, "key", json_string(nr->key));
	if (msg && nr->devices)
		json_object_set_new(msg, "devices", json_string(nr->devices));
	if (msg && rs->eng->python_dir)
		json_object_set_new(msg, "python_dir", json_string(rs->eng->python_dir));
	free(log);
	return msg;
}

static int worker_launch(void *self, run_state *rs, uint32_t id)
{
	(void)self;
	node *n = weft_graph_node(rs->eng, id);
	node_run *nr = weft_node_run(rs->eng, n->id);
	if (!rs->pool) {
		if (weft_pool_new(&rs->pool, &rs->loop, rs->eng->worker_exe, rs->eng->store_dir, rs->jobs, worker_done) !=
		    WEFT_OK)
			return WEFT_ERROR;
		weft_pool_on_progress(rs->pool, worker_progress);
	}
	worker_job *job = malloc(sizeof *job);
	json_t *msg = exec_job_message(rs, id, 1);
	if (!job || !msg) {
		free(job);
		json_decref(msg);
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	job->rs = rs;
	job->id = id;
	nr->job = job;
	exec_started(rs, id);
	if (weft_pool_submit(rs->pool, msg, job) != WEFT_OK) {
		free(job);
		nr->job = NULL;
		return weft_err_set(WEFT_ERROR, "cannot start the node in a worker: %s; run it in-process with "
						"isolate = false to see whether the worker is the cause", weft_error_last());
	}
	nr->worker_pid = weft_pool_job_pid(rs->pool, job);
	return WEFT_OK;
}

static void worker_cancel(void *self, run_state *rs, uint32_t id)
{
	(void)self;
	node *n = weft_graph_node(rs->eng, id);
	node_run *nr = weft_node_run(rs->eng, n->id);
	if (nr->job)
		(void)weft_pool_cancel(rs->pool, nr->job);
}

static void worker_kill(void *self, run_state *rs, uint32_t id)
{
	(void)self;
	node *n = weft_graph_node(rs->eng, id);
	node_run *nr = weft_node_run(rs->eng, n->id);
	if (nr->job)
		(void)weft_pool_kill(rs->pool, nr->job);
}

static const sched_executor worker_executor = {
	.name = "worker",
	.own_process = 1,
	.launch = worker_launch,
	.cancel = worker_cancel,
	.kill = worker_kill,
};

/* "gpu:0,gpu:1" for the record and `weft status`. */
static char *devices_of(run_state *rs, uint32_t id)
{
	weft_buf b = {0};
	for (size_t p = 0; p < res_pool_count(rs->res); p++)
		for (size_t d = 0; d < res_device_count(rs->res, p); d++)
			if (res_device_holder(rs->res, p, d) == id)
				weft_buf_printf(&b, "%s%s:%s", b.len ? "," : "", res_pool_name(rs->res, p),
						res_device_id(rs->res, p, d));
	return b.data;
}

/* The first artifact in `v` whose object is not in the store, or NULL. An
 * op handed a path that no longer exists may still exit 0 (a shell `cat`
 * in a pipe without pipefail), and that output must never be cached. */
static const weft_value *missing_input(run_state *rs, const weft_value *v)
{
	if (!v)
		return NULL;
	weft_type t = weft_value_type(v);
	if (t == WEFT_T_ARTIFACT)
		return weft_store_has_object(rs->eng->store, weft_value_artifact_hash(v)) ? NULL : v;
	size_t n = t == WEFT_T_LIST || t == WEFT_T_MAP ? weft_value_len(v) : 0;
	for (size_t i = 0; i < n; i++) {
		const weft_value *m =
			missing_input(rs, t == WEFT_T_LIST ? weft_value_list_at(v, i) : weft_value_map_value_at(v, i));
		if (m)
			return m;
	}
	return NULL;
}

void exec_launch(run_state *rs, uint32_t id)
{
	node *n = weft_graph_node(rs->eng, id);
	node_run *nr = weft_node_run(rs->eng, n->id);
	const weft_value *gone = missing_input(rs, nr->resolved_inputs);
	if (gone) {
		give_back(rs, id, n);
		sched_fail(rs, id, NS_FAILED,
			   weft_sprintf("input object %s is missing from the store %s (deleted while the run went "
					"on?); nothing was run; run the pipeline again",
					weft_value_artifact_hash(gone), rs->eng->store_dir));
		return;
	}
	int forced = rs->opts->force || nr->forced;
	/* An inline op takes microseconds: computing it twice costs less than
	 * the lock's two system calls, and in this run it is never running
	 * while another node starts. */
	int shared = n->deterministic && !forced && !(n->kind == NODE_OP && (n->op->desc->flags & WEFT_OP_INLINE));
	const node *twin = shared ? running_twin(rs, nr) : NULL;
	if (twin || (shared && inflight_take(rs, nr) == 0)) {
		give_back(rs, id, n);
		if (idlist_add(&rs->dupwait, id) != WEFT_OK) {
			sched_fail(rs, id, NS_FAILED, weft_strdup("out of memory"));
			return;
		}
		char *msg = twin ? weft_sprintf("node %s: node %s of this run is computing the same result (key %.12s); "
						"waiting for it instead of computing it twice",
						n->name, twin->name, nr->key)
				 : weft_sprintf("node %s: another weft process is computing the same result (key %.12s); "
						"waiting for it instead of computing it twice",
						n->name, nr->key);
		sched_move(rs, id, NS_DUP_WAIT, msg);
		free(msg);
		return;
	}
	free(nr->devices);
	nr->devices = devices_of(rs, id);
	if (idlist_add(&rs->running, id) != WEFT_OK) {
		fail_start(rs, id, n, weft_strdup("out of memory"));
		return;
	}
	/* One executor for every node when the engine was given one (tests,
	 * later a cluster); else a worker process or the thread pool. */
	nr->exec = rs->eng->executor	       ? rs->eng->executor
		   : nr->cluster		   ? rs->cluster
		   : exec_in_worker(rs, n) ? &worker_executor
					   : &inproc_executor;
	if (nr->exec->launch(nr->exec->self, rs, id) != WEFT_OK)
		fail_start(rs, id, n, weft_strdup(weft_error_last()));
}

static void cancel_node(run_state *rs, uint32_t id, node *n, double now)
{
	node_run *nr = weft_node_run(rs->eng, n->id);
	if (!nr->cancel_at)
		nr->cancel_at = now;
	if (nr->exec)
		nr->exec->cancel(nr->exec->self, rs, id);
}

void exec_interrupt(run_state *rs)
{
	double now = weft_now();
	for (size_t i = 0; i < rs->running.n; i++)
		cancel_node(rs, rs->running.ids[i], weft_graph_node(rs->eng, rs->running.ids[i]), now);
}

void exec_watch(run_state *rs, double now)
{
	for (size_t i = 0; i < rs->running.n; i++) {
		uint32_t id = rs->running.ids[i];
		node *n = weft_graph_node(rs->eng, id);
		node_run *nr = weft_node_run(rs->eng, n->id);
		if (nr->state != NS_RUNNING)
			continue;
		if (n->timeout > 0 && !nr->timed_out && !(nr->exec && nr->exec->own_timeout) &&
		    now - nr->t_start >= n->timeout) {
			nr->timed_out = 1;
			char *msg = weft_sprintf("node %s timed out after %gs; cancelling it (its worker is killed "
						 "after %gs more if it does not stop)",
						 n->name, n->timeout, rs->grace);
			if (msg)
				log_note(rs, n, msg);
			sched_emit(rs, WEFT_EV_LOG, n, msg);
			free(msg);
			cancel_node(rs, id, n, now);
		}
		if ((nr->timed_out || rs->interrupted) && nr->exec && nr->exec->kill && !nr->killed && nr->cancel_at &&
		    now - nr->cancel_at >= rs->grace) {
			nr->killed = 1;
			log_note(rs, n, "did not stop within the grace period after being cancelled; killing it");
			nr->exec->kill(nr->exec->self, rs, id);
		}
	}
}

void exec_tick(run_state *rs, double now)
{
	exec_watch(rs, now);
	/* Keys another process was computing: once its lock is gone, the
	 * result is in the cache (or it failed, and the node runs here). */
	for (size_t i = 0; i < rs->dupwait.n;) {
		uint32_t id = rs->dupwait.ids[i];
		node_run *nr = weft_node_run(rs->eng, id);
		int got = rs->stop ? 0 : inflight_take(rs, nr);
		if (got == 0) {
			i++;
			continue;
		}
		if (got == 1)
			inflight_release(rs, nr); /* taken only to learn it was free */
		weft_acpack_refresh(rs->ac); /* the other process's pack has the entry */
		idlist_remove(&rs->dupwait, id);
		sched_recheck(rs, id);
	}
	/* Retries whose time has come go back to the run queue. */
	for (size_t i = 0; i < rs->delayed.n;) {
		uint32_t id = rs->delayed.ids[i];
		node_run *nr = weft_node_run(rs->eng, id);
		if (rs->stop || now < nr->retry_at) {
			i++;
			continue;
		}
		idlist_remove(&rs->delayed, id);
		if (readyq_push(&rs->runq, id, nr->prio) != WEFT_OK)
			rs->io_error = 1;
		sched_move(rs, id, NS_RUNNABLE, NULL);
	}
}

const sched_events exec_events = {exec_started, exec_finished, exec_job_message};
