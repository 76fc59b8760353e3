/*
 * shell.c -- core.shell: runs `/bin/sh -c cmd` in a fresh work directory.
 *
 * Inputs become environment variables: an artifact becomes its read-only
 * store path, a list of artifacts a space-separated list of paths, scalars
 * their text. Declared outputs (`outs`, paths relative to the work dir) are
 * exported as $out (the first) and $outs (all); after a zero exit each must
 * exist and is imported into the store. stdout and stderr go to the node's
 * log, headed by the command line. In process they go through a pipe that
 * the engine has `pump` copy into the log, which is created at the first
 * byte or when the command fails: a command that succeeds silently leaves
 * no log. Creating a log file per node was an ext4 inode per node on
 * weft's scheduling thread, 2-3% of the wall time of a cold
 * 10,000-node DAG of small commands. In a worker or a Slurm job the
 * command writes to a log created before it starts. The command runs in a
 * process group of its own, which a watcher (spawn.c) kills if weft or its
 * worker dies; a cancel (timeout, Ctrl-C) sends the group SIGTERM and, 2 s
 * later, SIGKILL; and whatever the command leaves running is killed when
 * it ends.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core.h"

extern char **environ;

/* v[0 .. borrowed) point into environ and are not freed: copying the
 * inherited environment cost a malloc and a free per variable per node. */
typedef struct strvec {
	char **v;
	size_t n, cap, borrowed;
} strvec;

static int sv_grow(strvec *s)
{
	if (s->n + 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char **p = realloc(s->v, cap * sizeof *p);
		if (!p)
			return -1;
		s->v = p;
		s->cap = cap;
	}
	return 0;
}

/* Adds `str`, which the vector now owns (and frees if it cannot be added). */
static int sv_push(strvec *s, char *str)
{
	if (!str)
		return -1;
	if (sv_grow(s) != 0) {
		free(str);
		return -1;
	}
	s->v[s->n++] = str;
	s->v[s->n] = NULL;
	return 0;
}

/* Adds an inherited variable, not copied; only before any sv_push. */
static int sv_borrow(strvec *s, char *str)
{
	if (sv_grow(s) != 0)
		return -1;
	s->v[s->n++] = str;
	s->v[s->n] = NULL;
	s->borrowed = s->n;
	return 0;
}

static void sv_free(strvec *s)
{
	for (size_t i = s->borrowed; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

static int valid_env_name(const char *s)
{
	if (!*s || (*s >= '0' && *s <= '9'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

/* a, b and c joined in a new string (NULL when out of memory): what
 * asprintf's "%s%s%s" makes, for the node's "name=value" variables, where
 * asprintf's formatting was a twentieth of the scheduling thread's user
 * time on a cold shell DAG. */
static char *cat3(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *s = malloc(la + lb + lc + 1);
	if (!s)
		return NULL;
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	memcpy(s + la + lb, c, lc + 1);
	return s;
}

/* Renders one input for the environment; NULL with ctx failed on error. */
static char *env_text(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const weft_value *v)
{
	const char *path;
	switch (api->value_type(v)) {
	case WEFT_T_ARTIFACT:
		if (api->artifact_path(&path, ctx, v) != WEFT_OK) {
			api->fail(ctx, "input '%s': %s", name, api->error_last());
			return NULL;
		}
		return strdup(path);
	case WEFT_T_STRING:
		return strdup(api->value_string(v, NULL));
	case WEFT_T_LIST: {
		size_t n = api->value_len(v), len = 0;
		char **parts = calloc(n + 1, sizeof *parts);
		char *joined = NULL;
		for (size_t i = 0; parts && i < n; i++) {
			if (!(parts[i] = env_text(ctx, api, name, api->value_list_at(v, i))))
				goto done;
			len += strlen(parts[i]) + 1;
		}
		if (parts && (joined = malloc(len + 1))) {
			char *p = joined;
			for (size_t i = 0; i < n; i++)
				p += sprintf(p, "%s%s", i ? " " : "", parts[i]);
			*p = '\0';
		}
	done:
		for (size_t i = 0; parts && i < n; i++)
			free(parts[i]);
		free(parts);
		return joined;
	}
	default: {
		char *j = api->value_to_json(v);
		char *s = j ? strdup(j) : NULL;
		api->free(j);
		return s;
	}
	}
}

static int build_env(strvec *env, weft_op_ctx *ctx, const weft_host_api *api, const char *workdir)
{
	const weft_value *ins = api->inputs(ctx);
	const weft_value *extra = api->param(ctx, "env");
	const weft_value *outs = api->param(ctx, "outs");
	size_t n_in = api->value_len(ins);
	/* The inputs' names, lengths and list-ness, looked up once rather
	 * than once per inherited variable (one allocation per node). */
	struct in_name {
		const char *key;
		size_t len;
		int is_list;
	} *in = calloc(n_in ? n_in : 1, sizeof *in);
	if (!in)
		return api->fail(ctx, "out of memory");
	for (size_t i = 0; i < n_in; i++) {
		in[i].key = api->value_map_key_at(ins, i);
		in[i].len = strlen(in[i].key);
		in[i].is_list = api->value_type(api->value_map_value_at(ins, i)) == WEFT_T_LIST;
	}
	/* Inherit the environment minus names we are about to set. */
	int oom = 0;
	for (char **e = environ; *e && !oom; e++) {
		const char *eq = strchr(*e, '=');
		size_t nl = eq ? (size_t)(eq - *e) : strlen(*e);
		int shadowed = (nl == 3 && !memcmp(*e, "out", 3)) || (nl == 4 && !memcmp(*e, "outs", 4)) ||
			       (nl == 12 && !memcmp(*e, "WEFT_WORKDIR", 12));
		for (size_t i = 0; i < n_in && !shadowed; i++) {
			size_t kl = in[i].len;
			if (nl < kl || memcmp(*e, in[i].key, kl))
				continue;
			shadowed = nl == kl;
			/* and a list's $k_N, $k_1, ... */
			if (!shadowed && in[i].is_list && (*e)[kl] == '_') {
				const char *p = *e + kl + 1;
				size_t rest = nl - kl - 1, d = strspn(p, "0123456789");
				shadowed = (rest > 0 && d == rest) || (rest == 1 && *p == 'N');
			}
		}
		/* environ's strings stay valid: glibc's setenv never frees one. */
		if (!shadowed && sv_borrow(env, *e) != 0)
			oom = 1;
	}
	free(in);
	if (oom)
		return api->fail(ctx, "out of memory");
	for (size_t i = 0; i < n_in; i++) {
		const char *k = api->value_map_key_at(ins, i);
		if (!valid_env_name(k))
			return api->fail(ctx, "input name '%s' cannot be an environment variable; use letters, digits "
					      "and _",
					 k);
		const weft_value *v = api->value_map_value_at(ins, i);
		char *text = env_text(ctx, api, k, v);
		if (!text)
			return WEFT_ERROR;
		char *kv = cat3(k, "=", text);
		free(text);
		if (sv_push(env, kv) != 0)
			return api->fail(ctx, "out of memory");
		/* A list is also one variable per item, $k_1 .. $k_N with $k_N
		 * the count, for paths with spaces that $k (joined by spaces)
		 * would split: for i in $(seq $k_N); do eval f=\"\$k_$i\"; ... */
		if (api->value_type(v) == WEFT_T_LIST) {
			size_t n = api->value_len(v);
			if (asprintf(&kv, "%s_N=%zu", k, n) < 0 || sv_push(env, kv) != 0)
				return api->fail(ctx, "out of memory");
			for (size_t j = 0; j < n; j++) {
				char *item = env_text(ctx, api, k, api->value_list_at(v, j));
				if (!item)
					return WEFT_ERROR;
				kv = NULL;
				if (asprintf(&kv, "%s_%zu=%s", k, j + 1, item) < 0)
					kv = NULL;
				free(item);
				if (sv_push(env, kv) != 0)
					return api->fail(ctx, "out of memory");
			}
		}
	}
	for (size_t i = 0; i < api->value_len(extra); i++) {
		const char *k = api->value_map_key_at(extra, i);
		char *text = env_text(ctx, api, k, api->value_map_value_at(extra, i));
		char *kv = text ? cat3(k, "=", text) : NULL;
		free(text);
		if (sv_push(env, kv) != 0)
			return api->fail(ctx, "out of memory");
	}
	size_t n_out = api->value_len(outs), len = 0;
	for (size_t i = 0; i < n_out; i++)
		len += api->value_len(api->value_list_at(outs, i)) + 1;
	char *all = malloc(len + 6);
	if (!all)
		return api->fail(ctx, "out of memory");
	memcpy(all, "outs=", 5);
	char *p = all + 5;
	for (size_t i = 0; i < n_out; i++) {
		const char *o = api->value_string(api->value_list_at(outs, i), NULL);
		size_t ol = strlen(o);
		if (i)
			*p++ = ' ';
		memcpy(p, o, ol);
		p += ol;
	}
	*p = '\0';
	char *first = n_out ? cat3("out=", api->value_string(api->value_list_at(outs, 0), NULL), "") : NULL;
	char *wd = cat3("WEFT_WORKDIR=", workdir, "");
	if (sv_push(env, all) != 0 || (n_out && sv_push(env, first) != 0) || sv_push(env, wd) != 0)
		return api->fail(ctx, "out of memory");
	return WEFT_OK;
}

/* An output path must stay inside the work dir. */
static int safe_rel(const char *p)
{
	if (!*p || p[0] == '/')
		return 0;
	const char *s = p;
	while (*s) {
		const char *e = strchr(s, '/');
		size_t l = e ? (size_t)(e - s) : strlen(s);
		if (l == 2 && s[0] == '.' && s[1] == '.')
			return 0;
		s += l;
		if (*s)
			s++;
	}
	return 1;
}

/* How long a cancelled command has between SIGTERM and SIGKILL. */
#define SHELL_GRACE_SECONDS 2.0

static double mono_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Waits until the command's shell has exited, without reaping it. A
 * cancel sends SIGTERM to its whole process group, and SIGKILL after the
 * grace period, always. Returns 1 when it was cancelled. Used by `run`
 * (in a worker, or where the engine cannot watch the child itself). */
static int wait_exit(weft_op_ctx *ctx, const weft_host_api *api, const weft_op_proc *p)
{
	int pfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
	int cancelled = 0, killed = 0;
	double term_at = 0;
	for (;;) {
		if (pfd >= 0) {
			struct pollfd pl = {pfd, POLLIN, 0};
			(void)poll(&pl, 1, 100);
		} else {
			usleep(2000);
		}
		siginfo_t si;
		memset(&si, 0, sizeof si);
		if (waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == p->pid)
			break;
		if (!cancelled && api->cancelled(ctx)) {
			kill(-p->group, SIGTERM);
			cancelled = 1;
			term_at = mono_now();
		} else if (cancelled && !killed && mono_now() - term_at >= SHELL_GRACE_SECONDS) {
			kill(-p->group, SIGKILL);
			killed = 1;
		}
	}
	if (pfd >= 0)
		close(pfd);
	return cancelled;
}

/* Reaps the shell, which has exited. Whatever the command left running in
 * its group is killed first, while the zombie still holds the group id,
 * so that the kill cannot reach a stranger: no process outlives its node. */
static int reap(weft_op_ctx *ctx, const weft_host_api *api, const core_proc *p, int *status)
{
	int rc = WEFT_OK;
	kill(-p->group, SIGKILL); /* leftovers: background jobs of the command */
	while (waitpid(p->shell, status, 0) < 0)
		if (errno != EINTR) {
			rc = api->fail(ctx, "waitpid failed: %s", strerror(errno));
			break;
		}
	core_spawn_release(p);
	return rc;
}

/* The last lines of the command's log, indented, so a failure message shows
 * the command's own complaint without a trip to the log file. */
static void log_tail(const char *log, char *out, size_t cap)
{
	out[0] = '\0';
	int fd = open(log, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	char buf[640];
	off_t size = lseek(fd, 0, SEEK_END);
	off_t from = size > (off_t)sizeof buf - 1 ? size - (off_t)(sizeof buf - 1) : 0;
	ssize_t n = pread(fd, buf, sizeof buf - 1, from);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	/* Keep at most the last 5 lines, dropping a partial first line. */
	char *start = buf;
	if (from > 0 && (start = strchr(buf, '\n')))
		start++;
	else
		start = buf;
	int lines = 0;
	for (char *e = buf + n - 1; e > start; e--)
		if (*e == '\n' && e[1] && ++lines == 5) {
			start = e + 1;
			break;
		}
	size_t len = 0;
	len += (size_t)snprintf(out + len, cap - len, "; it said:");
	for (char *line = start; *line && len + 8 < cap;) {
		char *nl = strchr(line, '\n');
		size_t l = nl ? (size_t)(nl - line) : strlen(line);
		int w = snprintf(out + len, cap - len, "\n  | %.*s", (int)l, line);
		if (w < 0)
			break;
		len += (size_t)w;
		if (len >= cap) {
			out[cap - 1] = '\0';
			break;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
}

/* Whether outs[i] names a path an earlier entry named too: the first one
 * moved the file into the store (artifact_adopt), so a later one copies. */
static int given_before(const weft_host_api *api, const weft_value *outs, size_t i)
{
	const char *rel = api->value_string(api->value_list_at(outs, i), NULL);
	for (size_t j = 0; j < i; j++)
		if (!strcmp(rel, api->value_string(api->value_list_at(outs, j), NULL)))
			return 1;
	return 0;
}

/* What start hands to finish. */
typedef struct shell_job {
	strvec env;
	char *stdout_path; /* capture_stdout: the command's stdout, else NULL */
	core_proc proc;
	int out_fd;        /* the read end of the command's output pipe, or -1 */
	int out_ended;     /* out_fd has given its end of file */
	int log_fd;        /* the log, once something was written to it, or -1 */
	const char *log;   /* its path, asked for at the first byte: an op that never
			    * asks leaves the record no log to look for */
	weft_op_ctx *ctx;
	const weft_host_api *api;
	const char *cmd;   /* the log's first line (the host's param) */
	int log_errno;     /* why the log could not be written, or 0 */
} shell_job;

static void job_free(shell_job *j)
{
	if (!j)
		return;
	if (j->out_fd >= 0)
		close(j->out_fd);
	if (j->log_fd >= 0)
		close(j->log_fd);
	free(j->stdout_path);
	sv_free(&j->env);
	free(j);
}

/* Opens the log for appending and writes the command line at its top;
 * 0, or -1 with j->log_errno set. */
static int log_open(shell_job *j)
{
	if (j->log_fd >= 0)
		return 0;
	if (j->log_errno)
		return -1;
	if (!j->log && !(j->log = j->api->log_path(j->ctx))) {
		j->log_errno = ENOMEM;
		return -1;
	}
	j->log_fd = open(j->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (j->log_fd < 0) {
		j->log_errno = errno;
		return -1;
	}
	/* One write (dprintf added an fstat and an lseek). */
	size_t cl = strlen(j->cmd);
	char *line = malloc(cl + 3);
	ssize_t wrote = -1;
	if (line) {
		memcpy(line, "$ ", 2);
		memcpy(line + 2, j->cmd, cl);
		line[cl + 2] = '\n';
		wrote = write(j->log_fd, line, cl + 3);
		free(line);
	}
	if (wrote != (ssize_t)(cl + 3)) {
		j->log_errno = !line ? ENOMEM : wrote < 0 ? errno : ENOSPC;
		return -1;
	}
	return 0;
}

/* Copies what waits on the output pipe into the log, at most `chunks`
 * reads of 64 KiB. Returns 0 at end of file (or a read error), 1 when
 * more may come. After a log error the output is read and dropped, so
 * that the command never blocks on a full pipe; finish reports it. */
static int drain(shell_job *j, int chunks)
{
	char buf[65536];
	while (chunks-- > 0) {
		ssize_t n = read(j->out_fd, buf, sizeof buf);
		if (n == 0) {
			j->out_ended = 1;
			return 0;
		}
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 1 : 0;
		if (log_open(j) != 0)
			continue;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(j->log_fd, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				j->log_errno = w < 0 ? errno : ENOSPC;
				close(j->log_fd);
				j->log_fd = -1;
				break;
			}
			off += w;
		}
	}
	return 1;
}

int core_pump_shell(weft_op_ctx *ctx, const weft_host_api *api, weft_op_proc *p)
{
	(void)ctx;
	(void)api;
	shell_job *j = p->state;
	return j && j->out_fd >= 0 ? drain(j, 16) : 0;
}

/* Spawns the command. `piped`: its output goes through a pipe that the
 * engine has pump copy into the log (the split op, in process). Else the
 * command writes to the log itself, which is created now: in a worker or
 * a Slurm job nothing else could copy it, and a worker that dies with
 * its command (a crash, kill -9) must still leave the log behind. */
static int start_job(weft_op_ctx *ctx, const weft_host_api *api, weft_op_proc *out, int piped)
{
	const char *cmd = api->value_string(api->param(ctx, "cmd"), NULL);
	const weft_value *outs = api->param(ctx, "outs");
	int capture = api->value_bool(api->param(ctx, "capture_stdout"));
	const char *workdir = api->workdir(ctx);
	if (!workdir)
		return api->fail(ctx, "cannot create a work directory for the command");
	for (size_t i = 0; i < api->value_len(outs); i++) {
		const weft_value *o = api->value_list_at(outs, i);
		if (api->value_type(o) != WEFT_T_STRING || !safe_rel(api->value_string(o, NULL)))
			return api->fail(ctx, "outs[%zu] must be a relative path inside the work directory", i + 1);
	}
	shell_job *j = calloc(1, sizeof *j);
	if (!j)
		return api->fail(ctx, "out of memory");
	j->out_fd = j->log_fd = -1;
	j->ctx = ctx;
	j->api = api;
	j->cmd = cmd;
	int rc = build_env(&j->env, ctx, api, workdir);
	if (rc != WEFT_OK)
		goto fail;
	if (capture && asprintf(&j->stdout_path, "%s/.weft-stdout", workdir) < 0) {
		j->stdout_path = NULL;
		rc = api->fail(ctx, "out of memory");
		goto fail;
	}
	/* Piped: the command's end of the pipe blocks (a full pipe makes it
	 * wait for weft); weft's end does not. */
	int p[2] = {-1, -1};
	if (!piped) {
		if (log_open(j) != 0) {
			rc = api->fail(ctx, "cannot write log %s: %s", j->log ? j->log : "?", strerror(j->log_errno));
			goto fail;
		}
	} else if (pipe2(p, O_CLOEXEC) != 0 || (j->out_fd = p[0], fcntl(p[0], F_SETFL, O_NONBLOCK) != 0)) {
		rc = api->fail(ctx, "cannot make a pipe for the command's output: %s", strerror(errno));
		if (p[1] >= 0)
			close(p[1]);
		goto fail;
	}
	core_spawn sp = {cmd, j->env.v, workdir, j->stdout_path, piped ? p[1] : j->log_fd};
	int spawned = core_spawn_guarded(&j->proc, &sp);
	int spawn_errno = errno;
	if (piped)
		close(p[1]);
	if (spawned != 0) {
		rc = api->fail(ctx, "cannot start /bin/sh: %s", strerror(spawn_errno));
		goto fail;
	}
	out->pid = j->proc.shell;
	out->group = j->proc.group;
	out->state = j;
	out->out_fd = j->out_fd;
	return WEFT_OK;
fail:
	job_free(j);
	return rc;
}

int core_start_shell(weft_op_ctx *ctx, const weft_host_api *api, weft_op_proc *out)
{
	return start_job(ctx, api, out, 1);
}

/* Outputs over this many bytes, or a directory, are hashed on a worker
 * thread rather than on the engine's scheduling thread (WEFT_EHEAVY): a
 * megabyte is about a millisecond, three thread hand-offs' worth. */
#define LIGHT_OUTPUT_BYTES (1u << 20)

/* One declared output: its path in the work directory and its lstat. */
typedef struct out_stat {
	char *full;     /* NULL when out of memory */
	int found;      /* lstat succeeded */
	struct stat sb;
} out_stat;

static void out_stats_free(out_stat *os, size_t n)
{
	for (size_t i = 0; os && i < n; i++)
		free(os[i].full);
	free(os);
}

/* Each declared output's path and lstat, made once: the heaviness test
 * and the store loop below used to build the path and lstat it each (one
 * of the scheduling thread's ~40 system calls per node, and an asprintf).
 * NULL when out of memory. Sets *heavy when they hold a directory or
 * more than LIGHT_OUTPUT_BYTES. */
static out_stat *out_stats(const weft_host_api *api, const weft_value *outs, const char *workdir, int *heavy)
{
	size_t n = api->value_len(outs);
	out_stat *os = calloc(n ? n : 1, sizeof *os);
	unsigned long long total = 0;
	*heavy = 0;
	for (size_t i = 0; os && i < n; i++) {
		if (asprintf(&os[i].full, "%s/%s", workdir, api->value_string(api->value_list_at(outs, i), NULL)) < 0) {
			os[i].full = NULL;
			out_stats_free(os, n);
			return NULL;
		}
		os[i].found = lstat(os[i].full, &os[i].sb) == 0;
		if (os[i].found && S_ISDIR(os[i].sb.st_mode))
			*heavy = 1;
		else if (os[i].found)
			total += (unsigned long long)os[i].sb.st_size;
	}
	if (total > LIGHT_OUTPUT_BYTES)
		*heavy = 1;
	return os;
}

int core_finish_shell(weft_op_ctx *ctx, const weft_host_api *api, weft_op_proc *p, unsigned flags)
{
	shell_job *j = p->state;
	const weft_value *outs = api->param(ctx, "outs");
	const char *workdir = api->workdir(ctx);
	size_t n_out = api->value_len(outs);
	out_stat *os = NULL;
	if (!(flags & WEFT_FINISH_CANCELLED)) {
		/* Stat'ed before the reap, as the heaviness test always was:
		 * whatever the command left running may still touch an output
		 * until then, but the store opens each one without following
		 * links and hashes what it opened, so a late change can fail
		 * the store, never cache other bytes than it stores. */
		int heavy = 0;
		os = out_stats(api, outs, workdir, &heavy);
		if (os && heavy && !(flags & WEFT_FINISH_THREAD)) {
			out_stats_free(os, n_out);
			return WEFT_EHEAVY;
		}
	}
	p->state = NULL;
	int status = 0;
	int rc = reap(ctx, api, &j->proc, &status);
	/* What the command wrote last: its group is gone, so this ends,
	 * unless something it started left the group (bounded then). */
	if (j->out_fd >= 0 && !j->out_ended)
		(void)drain(j, 256);
	if (rc != WEFT_OK)
		goto cleanup;
	if (flags & WEFT_FINISH_CANCELLED) {
		rc = WEFT_ECANCELLED;
		goto cleanup;
	}
	if (WIFSIGNALED(status) || WEXITSTATUS(status) != 0) {
		char tail[1024];
		(void)log_open(j); /* a failure always has a log, if only the command line */
		const char *log = j->log ? j->log : "?";
		tail[0] = '\0';
		if (j->log)
			log_tail(log, tail, sizeof tail);
		if (WIFSIGNALED(status))
			rc = api->fail(ctx, "command was killed by signal %d (%s); log %s%s", WTERMSIG(status),
				       strsignal(WTERMSIG(status)), log, tail);
		else
			rc = api->fail(ctx, "command exited with status %d; log %s%s", WEXITSTATUS(status), log, tail);
		goto cleanup;
	}
	if (j->log_errno) {
		rc = api->fail(ctx, "cannot write log %s: %s", j->log ? j->log : "?", strerror(j->log_errno));
		goto cleanup;
	}
	if (!os) {
		rc = api->fail(ctx, "out of memory");
		goto cleanup;
	}
	weft_value *files = api->value_new_map();
	for (size_t i = 0; i < n_out; i++) {
		const char *rel = api->value_string(api->value_list_at(outs, i), NULL);
		const char *full = os[i].full;
		weft_value *art = NULL;
		if (!os[i].found) {
			rc = api->fail(ctx, "declared output '%s' was not created by the command; write it to $out (or "
					    "the path in $outs)",
				       rel);
		} else if (S_ISLNK(os[i].sb.st_mode)) {
			/* A link's target is outside what the key covers: storing it
			 * would cache whatever it points at today. */
			rc = api->fail(ctx, "declared output '%s' is a symbolic link; write the file itself (cp -L)",
				       rel);
		} else if ((given_before(api, outs, i) ? api->artifact_import(&art, ctx, full)
						   : api->artifact_adopt(&art, ctx, full)) != WEFT_OK) {
			rc = api->fail(ctx, "cannot store output '%s': %s", rel, api->error_last());
		} else {
			if (i == 0)
				api->set_output(ctx, "out", api->value_copy(art));
			api->value_map_set(files, rel, art);
		}
		if (rc != WEFT_OK) {
			api->value_free(files);
			goto cleanup;
		}
	}
	api->set_output(ctx, "files", files);
	if (j->stdout_path) {
		FILE *f = fopen(j->stdout_path, "rb");
		char buf[65536];
		size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
		if (f)
			fclose(f);
		/* Trailing newline trimmed, as $(...) would. */
		while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			n--;
		api->set_output(ctx, "stdout", api->value_new_string(buf, n));
	}
cleanup:
	out_stats_free(os, n_out);
	job_free(j);
	return rc;
}

int core_run_shell(weft_op_ctx *ctx, const weft_host_api *api)
{
	weft_op_proc p;
	memset(&p, 0, sizeof p);
	int rc = start_job(ctx, api, &p, 0);
	if (rc != WEFT_OK)
		return rc;
	int cancelled = wait_exit(ctx, api, &p);
	return core_finish_shell(ctx, api, &p, WEFT_FINISH_THREAD | (cancelled ? WEFT_FINISH_CANCELLED : 0));
}
