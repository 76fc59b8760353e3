/*
 * pool.c -- the engine's side of `weft worker`: a set of worker processes
 * on a libuv loop. A job goes to an idle worker, or to a new one while
 * fewer than `max` exist. A worker that dies while busy fails only its job
 * (the result says crashed, with the signal); the next job starts a fresh
 * worker.
 */
#define _GNU_SOURCE
#include "pool.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "util.h"
#include "value_jansson.h"

typedef struct pool_worker {
	uv_process_t proc;
	uv_pipe_t to, from; /* engine writes `to`, reads `from` */
	weft_pool *pool;
	weft_frame_buf fb;
	int pid, busy, alive, open_handles;
	int64_t seq;
	void *payload;
	struct pool_worker *next;
} pool_worker;

struct weft_pool {
	uv_loop_t *loop;
	char *exe, *store;
	int max, count;
	int64_t next_seq;
	weft_pool_done_fn done;
	weft_pool_progress_fn progress;
	pool_worker *list;
	int closing;
};

int weft_pool_new(weft_pool **out, uv_loop_t *loop, const char *exe, const char *store, int max,
		  weft_pool_done_fn done)
{
	weft_pool *p = calloc(1, sizeof *p);
	if (!p || !(p->exe = weft_strdup(exe)) || !(p->store = weft_strdup(store))) {
		if (p) {
			free(p->exe);
			free(p);
		}
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	p->loop = loop;
	p->max = max > 0 ? max : 1;
	p->done = done;
	*out = p;
	return WEFT_OK;
}

void weft_pool_on_progress(weft_pool *p, weft_pool_progress_fn fn)
{
	p->progress = fn;
}

static void unlink_worker(pool_worker *w)
{
	weft_pool *p = w->pool;
	for (pool_worker **pp = &p->list; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	p->count--;
	weft_frame_buf_free(&w->fb);
	free(w);
}

static void on_handle_closed(uv_handle_t *h)
{
	pool_worker *w = h->data;
	if (--w->open_handles == 0)
		unlink_worker(w);
}

static void close_worker(pool_worker *w)
{
	if (!uv_is_closing((uv_handle_t *)&w->to))
		uv_close((uv_handle_t *)&w->to, on_handle_closed);
	if (!uv_is_closing((uv_handle_t *)&w->from))
		uv_close((uv_handle_t *)&w->from, on_handle_closed);
	if (!w->alive && !uv_is_closing((uv_handle_t *)&w->proc))
		uv_close((uv_handle_t *)&w->proc, on_handle_closed);
}

static void finish_job(pool_worker *w, weft_pool_result *r)
{
	void *payload = w->payload;
	w->busy = 0;
	w->payload = NULL;
	r->pid = w->pid;
	w->pool->done(payload, r);
}

static void on_exit_cb(uv_process_t *proc, int64_t status, int term_signal)
{
	pool_worker *w = proc->data;
	w->alive = 0;
	if (w->busy) {
		weft_pool_result r = {0};
		r.crashed = 1;
		char *msg = term_signal ? weft_sprintf("the worker process (pid %d) was killed by signal %d (%s)", w->pid,
						       term_signal, strsignal(term_signal))
					: weft_sprintf("the worker process (pid %d) exited with status %lld", w->pid,
						       (long long)status);
		r.error = msg;
		finish_job(w, &r);
		free(msg);
	}
	close_worker(w);
}

static void handle_frame(pool_worker *w, const char *text, size_t len)
{
	json_t *msg = json_loadb(text, len, 0, NULL);
	const char *t = json_string_value(json_object_get(msg, "t"));
	if (t && !strcmp(t, "done") && w->busy && json_integer_value(json_object_get(msg, "seq")) == w->seq) {
		weft_pool_result r = {0};
		r.ok = json_is_true(json_object_get(msg, "ok"));
		r.cancelled = json_is_true(json_object_get(msg, "cancelled"));
		r.rss_kb = (long)json_integer_value(json_object_get(msg, "rss_kb"));
		r.used_ckpt = json_is_true(json_object_get(msg, "ckpt"));
		weft_llm_stats_from_json(&r.llm, json_object_get(msg, "llm"));
		r.error = json_string_value(json_object_get(msg, "error"));
		if (r.ok && !(r.outputs = weft_value_from_jansson(json_object_get(msg, "outputs")))) {
			r.ok = 0;
			r.error = "the worker sent outputs that are not valid values";
		}
		finish_job(w, &r);
		weft_value_free(r.outputs);
	} else if (t && !strcmp(t, "progress") && w->busy && w->pool->progress &&
		   json_integer_value(json_object_get(msg, "seq")) == w->seq) {
		const char *m = json_string_value(json_object_get(msg, "msg"));
		w->pool->progress(w->payload, json_number_value(json_object_get(msg, "f")), m ? m : "");
	}
	json_decref(msg);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)h;
	buf->base = malloc(suggested);
	buf->len = buf->base ? suggested : 0;
}

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	pool_worker *w = s->data;
	if (n > 0 && weft_frame_feed(&w->fb, buf->base, (size_t)n) == WEFT_OK) {
		char *text;
		size_t len;
		while (weft_frame_next(&w->fb, &text, &len) == 1) {
			handle_frame(w, text, len);
			free(text);
		}
	} else if (n < 0) {
		/* EOF or error: the exit callback reports a busy worker's death. */
		uv_read_stop(s);
	}
	free(buf->base);
}

static pool_worker *spawn_worker(weft_pool *p)
{
	pool_worker *w = calloc(1, sizeof *w);
	if (!w) {
		weft_err_set(WEFT_ERROR, "out of memory");
		return NULL;
	}
	w->pool = p;
	w->proc.data = w->to.data = w->from.data = w;
	uv_pipe_init(p->loop, &w->to, 0);
	uv_pipe_init(p->loop, &w->from, 0);
	char *args[] = {p->exe, "worker", "--store", p->store, NULL};
	uv_stdio_container_t stdio[3];
	stdio[0].flags = UV_CREATE_PIPE | UV_READABLE_PIPE;
	stdio[0].data.stream = (uv_stream_t *)&w->to;
	stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	stdio[1].data.stream = (uv_stream_t *)&w->from;
	stdio[2].flags = UV_INHERIT_FD;
	stdio[2].data.fd = 2;
	uv_process_options_t o = {0};
	o.file = p->exe;
	o.args = args;
	o.stdio = stdio;
	o.stdio_count = 3;
	o.exit_cb = on_exit_cb;
	/* libuv initialises the process handle even when spawning fails, so
	 * all three handles are closed either way. */
	w->open_handles = 3;
	int rc = uv_spawn(p->loop, &w->proc, &o);
	w->next = p->list;
	p->list = w;
	p->count++;
	if (rc != 0) {
		weft_err_set(WEFT_EIO, "cannot start a worker (%s worker): %s; check that the weft binary is still "
				       "installed, or run with isolate = false", p->exe, uv_strerror(rc));
		close_worker(w); /* frees it once the pipes are closed */
		return NULL;
	}
	w->alive = 1;
	w->pid = w->proc.pid;
	uv_read_start((uv_stream_t *)&w->from, alloc_cb, read_cb);
	return w;
}

typedef struct write_req {
	uv_write_t req;
	char *data;
} write_req;

static void write_cb(uv_write_t *req, int status)
{
	(void)status; /* a dead worker shows up in the exit callback */
	write_req *wr = (write_req *)req;
	free(wr->data);
	free(wr);
}

/* Sends `msg` (borrowed) as one frame. */
static int send_msg(pool_worker *w, json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	size_t flen = 0;
	char *frame = text ? weft_frame_encode(text, strlen(text), &flen) : NULL;
	free(text);
	write_req *wr = frame ? calloc(1, sizeof *wr) : NULL;
	if (!wr) {
		free(frame);
		return weft_err_set(WEFT_ERROR, "cannot encode a message for worker %d", w->pid);
	}
	wr->data = frame;
	uv_buf_t buf = uv_buf_init(frame, (unsigned)flen);
	int rc = uv_write(&wr->req, (uv_stream_t *)&w->to, &buf, 1, write_cb);
	if (rc != 0) {
		free(frame);
		free(wr);
		return weft_err_set(WEFT_EIO, "cannot send a job to worker %d: %s (the worker died; the node is "
					      "retried in a new one if it may be)", w->pid, uv_strerror(rc));
	}
	return WEFT_OK;
}

int weft_pool_submit(weft_pool *p, json_t *job, void *payload)
{
	if (p->closing) {
		json_decref(job);
		return weft_err_set(WEFT_EINVALID, "the worker pool is closing");
	}
	pool_worker *w = p->list;
	while (w && (w->busy || !w->alive))
		w = w->next;
	if (!w && p->count >= p->max) {
		json_decref(job);
		return weft_err_set(WEFT_EINVALID, "all %d workers are busy", p->max);
	}
	if (!w && !(w = spawn_worker(p))) {
		json_decref(job);
		return WEFT_EIO;
	}
	w->seq = ++p->next_seq;
	json_object_set_new(job, "t", json_string("run"));
	json_object_set_new(job, "seq", json_integer(w->seq));
	int rc = send_msg(w, job);
	json_decref(job);
	if (rc != WEFT_OK)
		return rc;
	w->busy = 1;
	w->payload = payload;
	return WEFT_OK;
}

/* The worker whose current job is `payload`, alive or not; NULL if none. */
static pool_worker *worker_of(const weft_pool *p, const void *payload)
{
	for (pool_worker *w = p->list; w; w = w->next)
		if (w->busy && w->payload == payload)
			return w;
	return NULL;
}

int weft_pool_cancel(weft_pool *p, void *payload)
{
	pool_worker *w = worker_of(p, payload);
	if (!w || !w->alive)
		return WEFT_ENOTFOUND;
	json_t *msg = json_pack("{s:s,s:I}", "t", "cancel", "seq", (json_int_t)w->seq);
	int rc = msg ? send_msg(w, msg) : weft_err_set(WEFT_ERROR, "out of memory");
	json_decref(msg);
	return rc;
}

int weft_pool_kill(weft_pool *p, void *payload)
{
	pool_worker *w = worker_of(p, payload);
	if (!w || !w->alive)
		return WEFT_ENOTFOUND;
	return uv_process_kill(&w->proc, SIGKILL) == 0 ? WEFT_OK : WEFT_EIO;
}

int weft_pool_job_pid(const weft_pool *p, const void *payload)
{
	pool_worker *w = worker_of(p, payload);
	return w ? w->pid : 0;
}

void weft_pool_close(weft_pool *p)
{
	/* Closing a worker's stdin is its signal to finish and exit. */
	p->closing = 1;
	for (pool_worker *w = p->list; w; w = w->next) {
		if (!uv_is_closing((uv_handle_t *)&w->to))
			uv_close((uv_handle_t *)&w->to, on_handle_closed);
	}
}

void weft_pool_free(weft_pool *p)
{
	if (!p)
		return;
	free(p->exe);
	free(p->store);
	free(p);
}
