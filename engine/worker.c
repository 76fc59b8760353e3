/*
 * worker.c -- `weft worker`: runs ops out of process for the engine.
 *
 * The engine writes frames (frame.h) to the worker's stdin and reads its
 * replies from the worker's stdout. Messages are JSON objects:
 *
 *   engine -> worker
 *     {"t":"run","seq":N,"id":NODE_ID,"plugin":PATH,"op":"p.op","node":NAME,"params":{},
 *      "inputs":{},"log":PATH,"tmp":DIR,"env":{"CUDA_VISIBLE_DEVICES":"0"},"llm":{...},
 *      "key":KEY,"devices":"gpu:0","python_dir":DIR}
 *     {"t":"cancel","seq":N}      cooperative cancellation of run N
 *   worker -> engine
 *     {"t":"hello","pid":P,"proto":1}
 *     {"t":"progress","seq":N,"f":F,"msg":S}   api->progress, at most 5 a second
 *     {"t":"done","seq":N,"ok":true,"outputs":{},"rss_kb":K,"wall":S,"llm":{calls,...},"ckpt":B}
 *     {"t":"done","seq":N,"ok":false,"error":MSG,"cancelled":B,"rss_kb":K,"wall":S}
 *
 * One op runs at a time, on its own thread, so the main thread keeps
 * reading and can deliver a cancel. The op's stdout and stderr go to the
 * node's log: protocol frames use a private copy of the original stdout, so
 * nothing an op prints can corrupt them. EOF on stdin means the engine is
 * gone: the running op is cancelled and the worker exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "context.h"
#include "weft/sys/worker.h"
#include "frame.h"
#include "opctx.h"
#include "util.h"
#include "value_jansson.h"

typedef struct worker {
	weft_engine *eng;
	int out_fd;
	pthread_mutex_t write_lock;
	int cancel; /* read atomically by the op */
	int busy;
	pthread_t thread;
	json_t *job;
	char **env_keys; /* set for the previous job, unset before the next */
	size_t n_env;
	int64_t seq;         /* of the job running */
	double last_progress; /* when a progress frame last went out */
	void (*progress)(void *w, double fraction, const char *message);
	const char *job_dir; /* one-job mode (a cluster job) */
	json_t *reply;       /* one-job mode: the op's done message */
	int finished;        /* one-job mode: the op's thread is done (atomic) */
} worker;

static int send_json(worker *w, json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	if (!text)
		return weft_err_set(WEFT_ERROR, "out of memory");
	pthread_mutex_lock(&w->write_lock);
	int rc = weft_frame_write(w->out_fd, text, strlen(text));
	pthread_mutex_unlock(&w->write_lock);
	free(text);
	return rc;
}

/* Resets the kernel's peak-RSS mark so the next reading covers one op. */
static void reset_peak_rss(void)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		(void)!write(fd, "5", 1);
		close(fd);
	}
}

static long peak_rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return -1;
	char line[256];
	long kb = -1;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "VmHWM:", 6)) {
			kb = strtol(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

static void apply_env(worker *w, const json_t *env)
{
	for (size_t i = 0; i < w->n_env; i++) {
		unsetenv(w->env_keys[i]);
		free(w->env_keys[i]);
	}
	free(w->env_keys);
	w->env_keys = NULL;
	w->n_env = 0;
	size_t n = json_object_size(env);
	if (!n || !(w->env_keys = calloc(n, sizeof *w->env_keys)))
		return;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)env, k, v)
	{
		if (json_is_string(v) && setenv(k, json_string_value(v), 1) == 0)
			w->env_keys[w->n_env++] = weft_strdup(k);
	}
}

/* Points fds 1 and 2 at the node's log for the duration of one op. */
static void redirect_output(const char *log, int saved[2])
{
	saved[0] = saved[1] = -1;
	int fd = log ? open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -1;
	if (fd < 0)
		return;
	fflush(stdout);
	fflush(stderr);
	saved[0] = dup(1);
	saved[1] = dup(2);
	dup2(fd, 1);
	dup2(fd, 2);
	close(fd);
}

static void restore_output(int saved[2])
{
	fflush(stdout);
	fflush(stderr);
	for (int i = 0; i < 2; i++)
		if (saved[i] >= 0) {
			dup2(saved[i], i + 1);
			close(saved[i]);
		}
}

/* Whether progress is passed on now: at most once per `every` seconds (a
 * tight training loop may report every step), and always the end. */
static int progress_due(worker *w, double fraction, double every)
{
	double now = weft_now();
	pthread_mutex_lock(&w->write_lock);
	int due = now - w->last_progress >= every || fraction >= 1.0;
	if (due)
		w->last_progress = now;
	pthread_mutex_unlock(&w->write_lock);
	return due;
}

/* An op's progress, sent to the engine at most five times a second. */
static void send_progress(void *arg, double fraction, const char *message)
{
	worker *w = arg;
	if (!progress_due(w, fraction, 0.2))
		return;
	json_t *msg = json_pack("{s:s,s:I,s:f,s:s}", "t", "progress", "seq", (json_int_t)w->seq, "f", fraction, "msg",
				message ? message : "");
	if (msg)
		(void)send_json(w, msg);
}

static json_t *run_job(worker *w, const json_t *job, double t0)
{
	const char *plugin = json_string_value(json_object_get(job, "plugin"));
	const char *opname = json_string_value(json_object_get(job, "op"));
	const char *node_name = json_string_value(json_object_get(job, "node"));
	const char *log = json_string_value(json_object_get(job, "log"));
	const char *tmp = json_string_value(json_object_get(job, "tmp"));
	json_int_t seq = json_integer_value(json_object_get(job, "seq"));
	/* The engine's node id: work directories under `tmp` are named by it. */
	json_int_t id = json_integer_value(json_object_get(job, "id"));
	json_t *reply = json_pack("{s:s,s:I}", "t", "done", "seq", seq);
	const weft_op_info *op = NULL;
	if (!plugin || !opname) {
		weft_err_set(WEFT_EINVALID, "worker protocol: run without plugin or op");
	} else if (weft_engine_load_plugin(w->eng, plugin) == WEFT_OK && !(op = weft_engine_op_find(w->eng, opname))) {
		weft_err_set(WEFT_ENOTFOUND, "plugin %s has no op %s (the plugin changed while weft ran); run again",
			     plugin, opname);
	}
	weft_value *params = op ? weft_value_from_jansson(json_object_get(job, "params")) : NULL;
	weft_value *inputs = op ? weft_value_from_jansson(json_object_get(job, "inputs")) : NULL;
	const json_t *jllm = json_object_get(job, "llm");
	weft_value *llm = op && jllm ? weft_value_from_jansson(jllm) : NULL;
	int rc = WEFT_ERROR;
	weft_op_ctx *ctx = NULL;
	if (op && params && inputs) {
		ctx = weft_op_ctx_new(w->eng, op, node_name ? node_name : opname, (uint32_t)id, params, inputs, log, tmp,
				      &w->cancel);
		const char *key = json_string_value(json_object_get(job, "key"));
		const char *pydir = json_string_value(json_object_get(job, "python_dir"));
		if (ctx && pydir && (!w->eng->python_dir || strcmp(pydir, w->eng->python_dir))) {
			free(w->eng->python_dir);
			w->eng->python_dir = weft_strdup(pydir);
		}
		if (ctx && weft_op_ctx_set_node(ctx, key, json_string_value(json_object_get(job, "devices"))) != WEFT_OK) {
			weft_op_ctx_release(ctx);
			ctx = NULL;
		}
		if (ctx) {
			w->seq = seq;
			w->last_progress = 0;
			ctx->on_progress = w->progress;
			ctx->progress_arg = w;
			ctx->llm = llm;
			apply_env(w, json_object_get(job, "env"));
			/* the CPU share the engine granted, as the env says */
			const char *wc = json_string_value(json_object_get(json_object_get(job, "env"), "WEFT_CPUS"));
			long ncpu = wc ? strtol(wc, NULL, 10) : 1;
			ctx->cpus = ncpu > 0 && ncpu < 65536 ? (uint32_t)ncpu : 1;
			int saved[2];
			reset_peak_rss();
			redirect_output(log, saved);
			rc = weft_op_ctx_run(ctx);
			restore_output(saved);
		}
	} else if (op) {
		weft_err_set(WEFT_EINVALID, "worker protocol: params or inputs are not valid values");
	}
	json_object_set_new(reply, "ok", json_boolean(rc == WEFT_OK));
	if (rc == WEFT_OK) {
		json_object_set_new(reply, "outputs", weft_value_to_jansson(ctx->outputs));
	} else {
		const char *msg = ctx && ctx->error ? ctx->error : weft_error_last();
		json_object_set_new(reply, "error", json_string(msg && *msg ? msg : "the op failed"));
		json_object_set_new(reply, "cancelled", json_boolean(rc == WEFT_ECANCELLED));
	}
	json_object_set_new(reply, "rss_kb", json_integer(peak_rss_kb()));
	json_object_set_new(reply, "wall", json_real(weft_now() - t0));
	if (ctx && ctx->ckpt)
		json_object_set_new(reply, "ckpt", json_true());
	if (ctx && weft_llm_stats_any(&ctx->llm_stats))
		json_object_set_new(reply, "llm", weft_llm_stats_json(&ctx->llm_stats));
	weft_op_ctx_release(ctx);
	weft_value_free(llm);
	weft_value_free(params);
	weft_value_free(inputs);
	return reply;
}

static void *job_thread(void *arg)
{
	worker *w = arg;
	json_t *reply = run_job(w, w->job, weft_now());
	if (send_json(w, reply) != WEFT_OK)
		_exit(3); /* the engine is gone */
	return NULL;
}

static void join_job(worker *w)
{
	if (!w->busy)
		return;
	pthread_join(w->thread, NULL);
	json_decref(w->job);
	w->job = NULL;
	w->busy = 0;
}

int weft_worker_main(const char *store_dir, int in_fd, int out_fd)
{
	worker w = {0};
	/* Ctrl-C reaches the whole process group: the engine decides what a
	 * worker does about it (a cancel frame), so the worker itself ignores it. */
	signal(SIGINT, SIG_IGN);
	/* Protocol frames keep the original stdout; ops writing to fd 1 hit stderr. */
	w.out_fd = fcntl(out_fd, F_DUPFD_CLOEXEC, 10);
	if (w.out_fd < 0)
		return weft_err_set(WEFT_EIO, "worker: cannot duplicate its output pipe: %s", strerror(errno));
	dup2(2, out_fd);
	pthread_mutex_init(&w.write_lock, NULL);
	w.progress = send_progress;
	weft_engine_options eo = WEFT_ENGINE_OPTIONS_INIT;
	eo.store_dir = store_dir;
	eo.load_builtin_plugins = 0;
	int rc = weft_engine_new(&w.eng, &eo);
	if (rc == WEFT_OK)
		rc = send_json(&w, json_pack("{s:s,s:i,s:i}", "t", "hello", "pid", (int)getpid(), "proto", 1));
	while (rc == WEFT_OK) {
		char *text = NULL;
		size_t len = 0;
		int r = weft_frame_read(in_fd, &text, &len);
		if (r != WEFT_OK) {
			rc = r == WEFT_ENOTFOUND ? WEFT_OK : r;
			break;
		}
		json_t *msg = json_loadb(text, len, 0, NULL);
		free(text);
		const char *t = json_string_value(json_object_get(msg, "t"));
		if (t && !strcmp(t, "run")) {
			join_job(&w); /* the engine sends one job at a time */
			w.cancel = 0;
			w.job = msg;
			w.busy = 1;
			if (pthread_create(&w.thread, NULL, job_thread, &w) != 0) {
				w.busy = 0;
				w.job = NULL;
				rc = weft_err_set(WEFT_ERROR, "worker: cannot start a thread");
			}
			continue;
		}
		if (t && !strcmp(t, "cancel"))
			__atomic_store_n(&w.cancel, 1, __ATOMIC_RELAXED);
		int is_exit = t && !strcmp(t, "exit");
		json_decref(msg); /* `t` points into it */
		if (is_exit)
			break;
	}
	__atomic_store_n(&w.cancel, 1, __ATOMIC_RELAXED);
	join_job(&w);
	apply_env(&w, NULL);
	weft_engine_free(w.eng);
	pthread_mutex_destroy(&w.write_lock);
	close(w.out_fd);
	return rc;
}

/* ------------------------------------------------------------ one job */

/* Progress of a cluster job: a small file the engine reads when it scans
 * the job's directory, replaced at most every two seconds. */
static void file_progress(void *arg, double fraction, const char *message)
{
	worker *w = arg;
	if (!progress_due(w, fraction, 2.0))
		return;
	json_t *msg = json_pack("{s:f,s:s}", "f", fraction, "msg", message ? message : "");
	char *text = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
	char *path = weft_path_join(w->job_dir, "progress");
	if (text && path)
		(void)weft_write_file_atomic(path, text, strlen(text), 0);
	free(path);
	free(text);
	json_decref(msg);
}

static void *one_job_thread(void *arg)
{
	worker *w = arg;
	w->reply = run_job(w, w->job, weft_now());
	__atomic_store_n(&w->finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* "gpu:0,gpu:1" from what the cluster gave the job. */
static char *job_devices(void)
{
	static const char *const vars[][2] = {{"gpu", "CUDA_VISIBLE_DEVICES"}, {"npu", "ASCEND_RT_VISIBLE_DEVICES"}};
	weft_buf b = {0};
	for (size_t i = 0; i < 2; i++) {
		const char *v = getenv(vars[i][1]);
		while (v && *v) {
			size_t n = strcspn(v, ",");
			if (n)
				weft_buf_printf(&b, "%s%s:%.*s", b.len ? "," : "", vars[i][0], (int)n, v);
			v += n + (v[n] == ',');
		}
	}
	return b.data ? b.data : weft_strdup("");
}

int weft_worker_job(const char *store_dir, const char *job_dir)
{
	worker w = {0};
	w.job_dir = job_dir;
	w.progress = file_progress;
	w.out_fd = -1;
	pthread_mutex_init(&w.write_lock, NULL);
	double t0 = weft_now();
	char *jpath = weft_path_join(job_dir, "job.json"), *rpath = weft_path_join(job_dir, "result.json");
	char *text = NULL;
	size_t len = 0;
	int rc = jpath && rpath ? weft_read_file(jpath, &text, &len) : weft_err_set(WEFT_ERROR, "out of memory");
	json_error_t jerr;
	if (rc == WEFT_OK && !(w.job = json_loadb(text, len, 0, &jerr)))
		rc = weft_err_set(WEFT_EINVALID, "%s:%d: %s", jpath, jerr.line, jerr.text);
	free(text);
	char *devices = job_devices();
	if (rc == WEFT_OK && devices && *devices)
		json_object_set_new(w.job, "devices", json_string(devices));
	weft_engine_options eo = WEFT_ENGINE_OPTIONS_INIT;
	eo.store_dir = store_dir;
	eo.load_builtin_plugins = 0;
	if (rc == WEFT_OK)
		rc = weft_engine_new(&w.eng, &eo);
	/* The signals are taken by this thread alone, with sigtimedwait:
	 * the op's thread, made after the mask, never sees them. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	const char *signal_name = NULL;
	if (rc == WEFT_OK && pthread_create(&w.thread, NULL, one_job_thread, &w) != 0)
		rc = weft_err_set(WEFT_ERROR, "cannot start a thread");
	if (rc == WEFT_OK) {
		while (!__atomic_load_n(&w.finished, __ATOMIC_ACQUIRE)) {
			struct timespec ts = {0, 200 * 1000 * 1000};
			int sig = sigtimedwait(&set, NULL, &ts);
			if (sig > 0 && !signal_name) {
				signal_name = sig == SIGUSR2 ? "USR2" : sig == SIGTERM ? "TERM" : "INT";
				__atomic_store_n(&w.cancel, 1, __ATOMIC_RELAXED);
			}
		}
		pthread_join(w.thread, NULL);
	}
	json_t *reply = w.reply;
	if (!reply)
		reply = json_pack("{s:s,s:b,s:s}", "t", "done", "ok", 0, "error",
				  weft_error_last() && *weft_error_last() ? weft_error_last() : "the job could not start");
	char host[256] = "";
	(void)gethostname(host, sizeof host - 1);
	json_object_set_new(reply, "host", json_string(host));
	json_object_set_new(reply, "devices", json_string(devices ? devices : ""));
	json_object_set_new(reply, "t_start", json_real(t0));
	json_object_set_new(reply, "t_end", json_real(weft_now()));
	if (getenv("SLURM_JOB_ID"))
		json_object_set_new(reply, "job", json_string(getenv("SLURM_JOB_ID")));
	if (signal_name)
		json_object_set_new(reply, "signal", json_string(signal_name));
	int ok = json_is_true(json_object_get(reply, "ok"));
	char *out = json_dumps(reply, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(reply);
	/* Synced: on a shared filesystem the engine reads it from another host. */
	int wrc = out && rpath ? weft_write_file_atomic(rpath, out, strlen(out), 1)
			       : weft_err_set(WEFT_ERROR, "out of memory");
	free(out);
	free(devices);
	free(jpath);
	free(rpath);
	json_decref(w.job);
	apply_env(&w, NULL);
	weft_engine_free(w.eng);
	pthread_mutex_destroy(&w.write_lock);
	if (wrc != WEFT_OK)
		return wrc;
	return ok ? WEFT_OK : weft_err_set(WEFT_ERROR, "the op failed");
}
