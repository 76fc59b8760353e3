/*
 * pyrun.c -- a Python function as an op's body, in a child process.
 *
 * Why a child process and not CPython embedded in the worker: a training
 * script's native libraries (torch, CUDA, MKL) can crash, leak or hold the
 * GIL; in a child they take down one attempt, not the worker, and the
 * child's memory goes back to the system when it ends. It may use any
 * interpreter (a venv, conda) rather than the one weft was linked with,
 * and plugin authors write an ordinary function they can also run by hand.
 * The price is the interpreter's start-up (bench/pyop.sh measures it),
 * which is small beside a training step.
 *
 * The child runs `python -m weft._runner JOB.json` (python/weft/) and
 * talks over a socket on fd 3: JSON lines, requests from the child
 * (progress, log, checkpoint save/latest) answered here, then a final done
 * or error. Its stdout and stderr go to the node's log. It runs in a
 * process group of its own, which a cancel signals as a whole, and dies
 * with the thread that started it (PR_SET_PDEATHSIG) should the worker be
 * killed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checkpoint.h"
#include "hash.h"
#include "opctx.h"
#include "pyrun.h"
#include "util.h"
#include "value_jansson.h"

/* A longer line from the child is a protocol error, not a reason to grow. */
#define PY_MAX_LINE (64u << 20)

extern char **environ;

/* ------------------------------------------------------------ identity */

typedef struct py_memo {
	char *name; /* interpreter, or plugin path */
	char *value;
} py_memo;

struct weft_py_memo {
	py_memo *v;
	size_t n;
};

static const char *memo_get(const struct weft_py_memo *m, const char *name)
{
	for (size_t i = 0; m && i < m->n; i++)
		if (!strcmp(m->v[i].name, name))
			return m->v[i].value;
	return NULL;
}

static const char *memo_put(struct weft_py_memo **mp, const char *name, char *value)
{
	if (!*mp && !(*mp = calloc(1, sizeof **mp))) {
		free(value);
		return NULL;
	}
	struct weft_py_memo *m = *mp;
	py_memo *v = realloc(m->v, (m->n + 1) * sizeof *v);
	char *n = weft_strdup(name);
	if (!v || !n) {
		if (v)
			m->v = v;
		free(n);
		free(value);
		return NULL;
	}
	m->v = v;
	m->v[m->n++] = (py_memo){n, value};
	return value;
}

void weft_py_free(weft_engine *eng)
{
	struct weft_py_memo *ms[] = {eng->py_interp, eng->py_plugins};
	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; ms[k] && i < ms[k]->n; i++) {
			free(ms[k]->v[i].name);
			free(ms[k]->v[i].value);
		}
		if (ms[k])
			free(ms[k]->v);
		free(ms[k]);
	}
	eng->py_interp = eng->py_plugins = NULL;
}

const char *weft_py_interpreter(const weft_value *params)
{
	const weft_value *p = params ? weft_value_map_get(params, "python") : NULL;
	const char *s = p && weft_value_type(p) == WEFT_T_STRING ? weft_value_get_string(p, NULL) : NULL;
	if (s && *s)
		return s;
	s = getenv("WEFT_PYTHON");
	return s && *s ? s : "python3";
}

/* Runs argv with stdout captured (at most `max` bytes), stderr dropped. */
static int capture(char *const argv[], char **out, size_t max)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0)
		return weft_err_set(WEFT_EIO, "pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return weft_err_set(WEFT_EIO, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		dup2(fds[1], 1);
		int nul = open("/dev/null", O_WRONLY);
		if (nul >= 0)
			dup2(nul, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	weft_buf b = {0};
	char buf[4096];
	ssize_t r;
	while ((r = read(fds[0], buf, sizeof buf)) > 0 || (r < 0 && errno == EINTR))
		if (r > 0 && b.len < max)
			(void)weft_buf_put(&b, buf, (size_t)r);
	close(fds[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || !b.data) {
		weft_buf_free(&b);
		return weft_err_set(WEFT_ENOTFOUND, "cannot run the Python interpreter '%s'%s; install python3 or name "
						    "one with the node's `python` param or $WEFT_PYTHON",
				    argv[0], WIFEXITED(st) && WEXITSTATUS(st) == 127 ? " (not found)" : "");
	}
	*out = b.data;
	return WEFT_OK;
}

int weft_py_identity(weft_engine *eng, const char *interpreter, const char **out)
{
	const char *known = memo_get(eng->py_interp, interpreter);
	if (known) {
		*out = known;
		return WEFT_OK;
	}
	char *argv[] = {(char *)interpreter, "-c", "import sys; print(sys.version); print(sys.prefix)", NULL};
	char *text = NULL;
	int rc = capture(argv, &text, 4096);
	if (rc != WEFT_OK)
		return rc;
	const char *v = memo_put(&eng->py_interp, interpreter, text);
	if (!v)
		return weft_err_set(WEFT_ERROR, "out of memory");
	*out = v;
	return WEFT_OK;
}

char *weft_py_share_dir(const char *plugin_path, const char *plugin)
{
	const char *slash = strrchr(plugin_path, '/');
	if (!slash)
		return weft_sprintf("share/%s", plugin);
	return weft_sprintf("%.*s/share/%s", (int)(slash - plugin_path), plugin_path, plugin);
}

static int hashable(const char *name)
{
	return name[0] != '.' && strcmp(name, "__pycache__");
}

/* Feeds every file under dir (sorted, names relative) into h: the Python
 * bodies, their modules and the data they read (a model zoo). */
static int hash_py_tree(weft_hasher *h, const char *dir, const char *rel, int depth)
{
	if (depth > 16)
		return WEFT_OK;
	char **names;
	size_t n;
	int rc = weft_dir_list(dir, hashable, &names, &n);
	for (size_t i = 0; rc == WEFT_OK && i < n; i++) {
		char *p = weft_path_join(dir, names[i]);
		char *r = rel[0] ? weft_sprintf("%s/%s", rel, names[i]) : weft_strdup(names[i]);
		struct stat sb;
		if (!p || !r) {
			rc = weft_err_set(WEFT_ERROR, "out of memory");
		} else if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			rc = hash_py_tree(h, p, r, depth + 1);
		} else if (strlen(names[i]) < 4 || strcmp(names[i] + strlen(names[i]) - 4, ".pyc")) {
			char *data = NULL;
			size_t len = 0;
			rc = weft_read_file(p, &data, &len);
			if (rc == WEFT_OK)
				rc = weft_hasher_update(h, r, strlen(r) + 1);
			if (rc == WEFT_OK)
				rc = weft_hasher_update(h, data, len);
			free(data);
		}
		free(p);
		free(r);
	}
	weft_dir_list_free(names, n);
	return rc;
}

int weft_py_plugin_hash(weft_engine *eng, const char *plugin_path, const char *plugin, const char **out)
{
	const char *known = memo_get(eng->py_plugins, plugin_path);
	if (known) {
		*out = known;
		return WEFT_OK;
	}
	char *dir = weft_py_share_dir(plugin_path, plugin);
	weft_hasher *h = dir ? weft_hasher_new() : NULL;
	int rc = h ? hash_py_tree(h, dir, "", 0) : weft_err_set(WEFT_ERROR, "out of memory");
	char hex[WEFT_HASH_HEX];
	if (rc == WEFT_OK)
		rc = weft_hasher_final(h, hex);
	else
		weft_hasher_free(h);
	free(dir);
	if (rc != WEFT_OK)
		return rc;
	const char *v = memo_put(&eng->py_plugins, plugin_path, weft_strdup(hex));
	if (!v)
		return weft_err_set(WEFT_ERROR, "out of memory");
	*out = v;
	return WEFT_OK;
}

/* ------------------------------------------------------------ the job */

/* A value as the function receives it: artifacts as their paths. */
static json_t *arg_json(weft_op_ctx *ctx, const weft_value *v)
{
	switch (weft_value_type(v)) {
	case WEFT_T_ARTIFACT: {
		const char *path = NULL;
		if (ctx->eng->api.artifact_path(&path, ctx, v) != WEFT_OK)
			return NULL;
		return json_string(path);
	}
	case WEFT_T_LIST: {
		json_t *a = json_array();
		for (size_t i = 0; a && i < weft_value_len(v); i++) {
			json_t *e = arg_json(ctx, weft_value_list_at(v, i));
			if (!e || json_array_append_new(a, e) != 0) {
				json_decref(a);
				return NULL;
			}
		}
		return a;
	}
	case WEFT_T_MAP: {
		json_t *o = json_object();
		for (size_t i = 0; o && i < weft_value_len(v); i++) {
			json_t *e = arg_json(ctx, weft_value_map_value_at(v, i));
			if (!e || json_object_set_new(o, weft_value_map_key_at(v, i), e) != 0) {
				json_decref(o);
				return NULL;
			}
		}
		return o;
	}
	default:
		return weft_value_to_jansson(v);
	}
}

static json_t *default_args(weft_op_ctx *ctx)
{
	json_t *args = json_object();
	const weft_value *maps[] = {ctx->params, ctx->inputs};
	for (size_t k = 0; args && k < 2; k++)
		for (size_t i = 0; maps[k] && i < weft_value_len(maps[k]); i++) {
			json_t *e = arg_json(ctx, weft_value_map_value_at(maps[k], i));
			if (!e || json_object_set_new(args, weft_value_map_key_at(maps[k], i), e) != 0) {
				json_decref(args);
				return NULL;
			}
		}
	return args;
}

typedef struct child {
	pid_t pid;
	int sock;
	weft_buf in;
	json_t *final; /* done or error */
	int exited, status;
	int overflow; /* it sent a line over PY_MAX_LINE */
} child;

/* The environment of the child: ours, plus PYTHONPATH and thread counts.
 * Built before fork: nothing may allocate between fork and exec. */
static char **child_env(const char *pydir)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 8, sizeof *env);
	if (!env)
		return NULL;
	size_t k = 0;
	const char *old_pp = getenv("PYTHONPATH");
	const char *cpus = getenv("WEFT_CPUS");
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "PYTHONPATH=", 11) && strncmp(environ[i], "WEFT_PY_FD=", 11) &&
		    strncmp(environ[i], "MKL_NUM_THREADS=", 16) && strncmp(environ[i], "OPENBLAS_NUM_THREADS=", 21))
			env[k++] = weft_strdup(environ[i]);
	env[k++] = old_pp && *old_pp ? weft_sprintf("PYTHONPATH=%s:%s", pydir, old_pp) : weft_sprintf("PYTHONPATH=%s", pydir);
	env[k++] = weft_strdup("WEFT_PY_FD=3");
	env[k++] = weft_strdup("PYTHONDONTWRITEBYTECODE=1");
	if (cpus && *cpus) {
		env[k++] = weft_sprintf("MKL_NUM_THREADS=%s", cpus);
		env[k++] = weft_sprintf("OPENBLAS_NUM_THREADS=%s", cpus);
	}
	for (size_t i = 0; i < k; i++)
		if (!env[i]) {
			for (size_t j = 0; j < k; j++)
				free(env[j]);
			free(env);
			return NULL;
		}
	return env;
}

static void free_env(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

static int spawn(child *c, const char *interp, const char *jobfile, const char *pydir, const char *log)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return weft_err_set(WEFT_EIO, "socketpair: %s", strerror(errno));
	char **env = child_env(pydir);
	int logfd = log ? open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -1;
	char *argv[] = {(char *)interp, "-u", "-m", "weft._runner", (char *)jobfile, NULL};
	pid_t parent = getpid();
	pid_t pid = env ? fork() : -1;
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(126); /* the parent died before the line above */
		if (logfd >= 0) {
			dup2(logfd, 1);
			dup2(logfd, 2);
		}
		dup2(sv[1], 3); /* dup2 clears close-on-exec on the copy */
		int nul = open("/dev/null", O_RDONLY);
		if (nul >= 0)
			dup2(nul, 0);
		/* A cluster job's worker blocks its signals to wait for them
		 * (worker.c); the interpreter must see its own. */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGINT, SIG_IGN); /* the engine decides what Ctrl-C does */
		execvpe(interp, argv, env);
		dprintf(2, "weft: cannot run the Python interpreter '%s': %s\n", interp, strerror(errno));
		_exit(127);
	}
	int err = errno;
	free_env(env);
	if (logfd >= 0)
		close(logfd);
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return weft_err_set(WEFT_EIO, "cannot start Python: %s", env ? strerror(err) : "out of memory");
	}
	setpgid(pid, pid); /* also here: no race with the signals below */
	c->pid = pid;
	c->sock = sv[0];
	return WEFT_OK;
}

static int reply(child *c, json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	if (!text)
		return WEFT_ERROR;
	size_t len = strlen(text);
	text[len] = '\0';
	weft_buf b = {0};
	int rc = weft_buf_put(&b, text, len) == WEFT_OK && weft_buf_put(&b, "\n", 1) == WEFT_OK ? WEFT_OK : WEFT_ERROR;
	free(text);
	for (size_t off = 0; rc == WEFT_OK && off < b.len;) {
		ssize_t w = send(c->sock, b.data + off, b.len - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			rc = WEFT_EIO;
		else
			off += (size_t)w;
	}
	weft_buf_free(&b);
	return rc;
}

static void serve_ckpt_save(weft_op_ctx *ctx, child *c, json_t *m)
{
	const char *name = json_string_value(json_object_get(m, "name"));
	const char *path = json_string_value(json_object_get(m, "path"));
	json_t *jl = json_object_get(m, "layout");
	weft_value *layout = json_is_object(jl) && json_object_size(jl) ? weft_value_from_jansson(jl) : NULL;
	int rc = !path ? weft_err_set(WEFT_EINVALID, "checkpoint_save: no path")
		       : ctx->eng->api.checkpoint_save(ctx, name, path, NULL, 0,
						       (int64_t)json_integer_value(json_object_get(m, "step")), layout,
						       json_is_true(json_object_get(m, "wait")) ? WEFT_CKPT_WAIT : 0);
	weft_value_free(layout);
	(void)reply(c, rc == WEFT_OK ? json_pack("{s:b}", "ok", 1)
				     : json_pack("{s:b,s:s}", "ok", 0, "error", weft_error_last()));
}

static void serve_ckpt_latest(weft_op_ctx *ctx, child *c, json_t *m)
{
	const char *name = json_string_value(json_object_get(m, "name"));
	const char *path = NULL;
	int64_t step = 0;
	const weft_value *layout = NULL;
	int rc = ctx->eng->api.checkpoint_latest(ctx, name, &path, &step, &layout);
	json_t *r;
	if (rc == WEFT_OK)
		r = json_pack("{s:b,s:s,s:I,s:o}", "ok", 1, "path", path, "step", (json_int_t)step, "layout",
			      layout ? weft_value_to_jansson(layout) : json_object());
	else if (rc == WEFT_ENOTFOUND)
		r = json_pack("{s:b,s:n}", "ok", 1, "path");
	else
		r = json_pack("{s:b,s:s}", "ok", 0, "error", weft_error_last());
	(void)reply(c, r);
}

static void serve(weft_op_ctx *ctx, child *c, json_t *m)
{
	const char *t = json_string_value(json_object_get(m, "t"));
	const weft_host_api *api = &ctx->eng->api;
	if (!t)
		return;
	if (!strcmp(t, "progress")) {
		api->progress(ctx, json_number_value(json_object_get(m, "f")),
			      json_string_value(json_object_get(m, "msg")));
	} else if (!strcmp(t, "log")) {
		const char *lv = json_string_value(json_object_get(m, "level"));
		int level = !lv ? WEFT_LOG_INFO
			  : !strcmp(lv, "debug") ? WEFT_LOG_DEBUG
			  : !strcmp(lv, "warn") || !strcmp(lv, "warning") ? WEFT_LOG_WARN
			  : !strcmp(lv, "error") ? WEFT_LOG_ERROR
						 : WEFT_LOG_INFO;
		const char *msg = json_string_value(json_object_get(m, "msg"));
		api->log(ctx, level, "%s", msg ? msg : "");
	} else if (!strcmp(t, "ckpt_save")) {
		serve_ckpt_save(ctx, c, m);
	} else if (!strcmp(t, "ckpt_latest")) {
		serve_ckpt_latest(ctx, c, m);
	} else if ((!strcmp(t, "done") || !strcmp(t, "error")) && !c->final) {
		c->final = json_incref(m);
	}
}

/* Reads what the child sent; 0 at EOF. */
static int pump(weft_op_ctx *ctx, child *c)
{
	char buf[65536];
	ssize_t r = recv(c->sock, buf, sizeof buf, 0);
	if (r < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : 0;
	if (r == 0)
		return 0;
	if (weft_buf_put(&c->in, buf, (size_t)r) != WEFT_OK)
		return 0;
	size_t start = 0;
	for (size_t i = 0; i < c->in.len; i++) {
		if (c->in.data[i] != '\n')
			continue;
		json_t *m = json_loadb(c->in.data + start, i - start, 0, NULL);
		if (m)
			serve(ctx, c, m);
		json_decref(m);
		start = i + 1;
	}
	if (start) {
		memmove(c->in.data, c->in.data + start, c->in.len - start);
		c->in.len -= start;
	}
	if (c->in.len > PY_MAX_LINE) {
		c->overflow = 1;
		kill(-c->pid, SIGKILL);
		return 0;
	}
	return 1;
}

static int is_cancelled(weft_op_ctx *ctx)
{
	return ctx->eng->api.cancelled(ctx); /* the host API's own answer */
}

static void wait_child(weft_op_ctx *ctx, child *c)
{
	double cancel_at = 0;
	int sock_open = 1, killed = 0;
	while (!c->exited) {
		if (is_cancelled(ctx) && !cancel_at) {
			cancel_at = weft_now();
			kill(-c->pid, SIGTERM);
		}
		if (cancel_at && !killed && weft_now() - cancel_at > WEFT_PY_GRACE) {
			killed = 1;
			kill(-c->pid, SIGKILL);
		}
		if (sock_open) {
			struct pollfd p = {.fd = c->sock, .events = POLLIN};
			int r = poll(&p, 1, 100);
			if (r > 0 && !pump(ctx, c))
				sock_open = 0;
		} else {
			usleep(20000);
		}
		/* Seen exited but not reaped (WNOWAIT): its pid, and so its
		 * group's id, cannot be reused before the kill below. */
		siginfo_t si;
		memset(&si, 0, sizeof si);
		if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == c->pid)
			c->exited = 1;
	}
	/* What it sent just before it exited. */
	while (sock_open) {
		struct pollfd p = {.fd = c->sock, .events = POLLIN};
		if (poll(&p, 1, 0) <= 0 || !pump(ctx, c))
			break;
	}
	/* Whatever it left running in its group (data loader workers, a
	 * shell) goes with it, then it is reaped. */
	kill(-c->pid, SIGKILL);
	while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR)
		;
}

/* A returned output: a path (imported into the store) or a JSON value. */
static int set_outputs(weft_op_ctx *ctx, json_t *outs)
{
	const weft_host_api *api = &ctx->eng->api;
	const char *k;
	json_t *v;
	json_object_foreach(outs, k, v)
	{
		weft_value *val = NULL;
		const char *path = json_string_value(json_object_get(v, "path"));
		int rc;
		if (path) {
			rc = api->artifact_import(&val, ctx, path);
			if (rc != WEFT_OK)
				return api->fail(ctx, "output '%s': cannot store %s: %s", k, path, weft_error_last());
		} else if (!(val = weft_value_from_jansson(json_object_get(v, "value")))) {
			return api->fail(ctx, "output '%s' is not a value weft can hold", k);
		}
		if (api->set_output(ctx, k, val) != WEFT_OK)
			return api->fail(ctx, "output '%s': %s", k, weft_error_last());
	}
	return WEFT_OK;
}

static int report_error(weft_op_ctx *ctx, json_t *e)
{
	const weft_host_api *api = &ctx->eng->api;
	const char *where = json_string_value(json_object_get(e, "where"));
	const char *type = json_string_value(json_object_get(e, "type"));
	const char *msg = json_string_value(json_object_get(e, "message"));
	const char *trace = json_string_value(json_object_get(e, "trace"));
	if (json_is_true(json_object_get(e, "cancelled")) && is_cancelled(ctx)) {
		api->fail(ctx, "cancelled (%s)", where ? where : "?");
		return WEFT_ECANCELLED;
	}
	/* The message leads with the script's file:line; the last frames of
	 * the traceback follow, indented like a log tail. */
	weft_buf b = {0};
	weft_buf_printf(&b, "%s: %s: %s", where ? where : "?", type ? type : "Exception", msg ? msg : "");
	if (trace) {
		weft_buf_puts(&b, "\n  | ");
		for (const char *p = trace; *p; p++) {
			if (*p == '\n' && p[1])
				weft_buf_puts(&b, "\n  | ");
			else if (*p != '\n')
				weft_buf_put(&b, p, 1);
		}
	}
	api->fail(ctx, "%s", b.data ? b.data : "a Python exception");
	weft_buf_free(&b);
	return WEFT_ERROR;
}

static char *status_text(int st)
{
	if (WIFSIGNALED(st))
		return weft_sprintf("was killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
	return weft_sprintf("exited with status %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static char *write_job(weft_op_ctx *ctx, const char *script, const char *fn, const weft_value *args,
		       const char *workdir, const char *outdir)
{
	json_t *jargs = args ? arg_json(ctx, args) : default_args(ctx);
	if (!jargs || !json_is_object(jargs)) {
		json_decref(jargs);
		return NULL;
	}
	json_t *job = json_pack("{s:s,s:s,s:o,s:s,s:s,s:s}", "script", script, "fn", fn, "args", jargs, "outdir",
				outdir, "workdir", workdir, "node", ctx->node_name ? ctx->node_name : "");
	char *path = weft_path_join(workdir, "job.json");
	char *text = job ? json_dumps(job, JSON_COMPACT) : NULL;
	json_decref(job);
	int rc = path && text ? weft_write_file_atomic(path, text, strlen(text), 0) : WEFT_ERROR;
	free(text);
	if (rc != WEFT_OK) {
		free(path);
		return NULL;
	}
	return path;
}

int weft_py_run(weft_op_ctx *ctx, const char *script, const char *fn, const weft_value *args)
{
	const weft_host_api *api = &ctx->eng->api;
	const char *pydir = ctx->eng->python_dir;
	if (!pydir || !*pydir)
		return api->fail(ctx, "python op: weft's Python package (python/weft) was not found beside the weft "
				      "binary; reinstall weft");
	if (!fn || !*fn)
		return api->fail(ctx, "python op: no function named (fn)");
	struct stat sb;
	if (!script || stat(script, &sb) != 0 || !S_ISREG(sb.st_mode))
		return api->fail(ctx, "python op: script %s: %s", script ? script : "(none)",
				 script ? strerror(errno ? errno : ENOENT) : "not given");
	const char *interp = weft_py_interpreter(ctx->params);
	const char *workdir = api->workdir(ctx);
	char *outdir = workdir ? weft_path_join(workdir, "out") : NULL;
	if (!workdir || !outdir || weft_mkdirs(outdir, 0755) != WEFT_OK) {
		free(outdir);
		return api->fail(ctx, "python op: cannot make its work directory: %s", weft_error_last());
	}
	char *jobfile = write_job(ctx, script, fn, args, workdir, outdir);
	if (!jobfile) {
		free(outdir);
		if (ctx->error)
			return WEFT_ERROR;
		return api->fail(ctx, "python op: cannot write its job file: %s", weft_error_last());
	}
	child c = {0};
	int rc = spawn(&c, interp, jobfile, pydir, ctx->log_path);
	free(jobfile);
	if (rc != WEFT_OK) {
		free(outdir);
		return api->fail(ctx, "%s", weft_error_last());
	}
	wait_child(ctx, &c);
	close(c.sock);
	weft_buf_free(&c.in);
	const char *t = c.final ? json_string_value(json_object_get(c.final, "t")) : NULL;
	if (t && !strcmp(t, "done") && WIFEXITED(c.status) && WEXITSTATUS(c.status) == 0) {
		rc = set_outputs(ctx, json_object_get(c.final, "outputs"));
	} else if (t && !strcmp(t, "error")) {
		rc = report_error(ctx, c.final);
	} else if (c.overflow) {
		rc = api->fail(ctx, "the Python op sent weft a message over %u MiB (a returned value that large?); write "
				    "big results to files under weft.outdir() and return weft.File(path)",
			       PY_MAX_LINE >> 20);
	} else if (is_cancelled(ctx)) {
		char *how = status_text(c.status);
		api->fail(ctx, "cancelled: the Python process %s", how ? how : "stopped");
		free(how);
		rc = WEFT_ECANCELLED;
	} else {
		char *how = status_text(c.status);
		rc = api->fail(ctx, "the Python process (%s, pid %d) %s before %s() returned%s; see the node's log %s",
			       interp, (int)c.pid, how ? how : "ended", fn,
			       WIFEXITED(c.status) && WEXITSTATUS(c.status) == 127 ? " (is the interpreter installed?)"
										  : "",
			       ctx->log_path ? ctx->log_path : "");
		free(how);
	}
	json_decref(c.final);
	free(outdir);
	return rc;
}
