/*
 * slurm_cmd.c -- Slurm's commands (sbatch, squeue, scancel, sinfo, sacct)
 * run with their output captured, bounded in time and size: from the
 * event loop while a run goes on, or synchronously before it starts.
 *
 * A slurmctld that hangs must not hang weft: every command has a
 * deadline, after which it is killed and reported as timed out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "slurm_cmd.h"
#include "util.h"

#define CMD_MAX_OUTPUT (4u << 20)

typedef struct cmd {
	uv_process_t proc;
	uv_pipe_t out, err;
	uv_timer_t timer;
	weft_buf obuf, ebuf;
	int open_handles;
	int exited;
	slurm_cmd_result res;
	slurm_cmd_done done;
	void *arg;
} cmd;

static void timer_cb(uv_timer_t *t);

static void finish_if_closed(cmd *c)
{
	if (c->open_handles > 0)
		return;
	/* Messages quote stderr: without its trailing newline. */
	while (c->ebuf.len && (c->ebuf.data[c->ebuf.len - 1] == '\n' || c->ebuf.data[c->ebuf.len - 1] == ' '))
		c->ebuf.data[--c->ebuf.len] = '\0';
	c->res.out = c->obuf.data ? c->obuf.data : "";
	c->res.err = c->ebuf.data ? c->ebuf.data : "";
	if (c->done)
		c->done(c->arg, &c->res);
	weft_buf_free(&c->obuf);
	weft_buf_free(&c->ebuf);
	free(c);
}

static void close_cb(uv_handle_t *h)
{
	cmd *c = h->data;
	c->open_handles--;
	finish_if_closed(c);
}

static void close_all(cmd *c)
{
	uv_handle_t *hs[] = {(uv_handle_t *)&c->proc, (uv_handle_t *)&c->out, (uv_handle_t *)&c->err,
			     (uv_handle_t *)&c->timer};
	for (size_t i = 0; i < 4; i++)
		if (!uv_is_closing(hs[i]))
			uv_close(hs[i], close_cb);
}

static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	(void)hint;
	cmd *c = h->data;
	weft_buf *b = h == (uv_handle_t *)&c->out ? &c->obuf : &c->ebuf;
	buf->base = NULL;
	buf->len = 0;
	if (b->len < CMD_MAX_OUTPUT && weft_buf_reserve(b, 65536) == WEFT_OK) {
		buf->base = b->data + b->len;
		buf->len = b->cap - b->len - 1;
	}
}

/* Once the command has exited and both pipes reached their end, the
 * timer is the last handle left open. */
static void maybe_done(cmd *c)
{
	if (c->exited && uv_is_closing((uv_handle_t *)&c->out) && uv_is_closing((uv_handle_t *)&c->err))
		close_all(c);
}

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	(void)buf;
	cmd *c = s->data;
	weft_buf *b = s == (uv_stream_t *)&c->out ? &c->obuf : &c->ebuf;
	if (n > 0) {
		b->len += (size_t)n;
		b->data[b->len] = '\0';
	} else if (n < 0) {
		uv_read_stop(s);
		if (!uv_is_closing((uv_handle_t *)s))
			uv_close((uv_handle_t *)s, close_cb);
		maybe_done(c);
	}
}

/* The exit may be seen before the last of the output (sbatch's job id) is
 * read: the pipes are closed at their end, not here. */
static void exit_cb(uv_process_t *p, int64_t status, int sig)
{
	cmd *c = p->data;
	c->exited = 1;
	c->res.status = sig ? 128 + sig : (int)status;
	uv_close((uv_handle_t *)&c->proc, close_cb);
	/* A child it left behind may hold the pipes open: 5 s at most. */
	uv_timer_stop(&c->timer);
	uv_timer_start(&c->timer, timer_cb, 5000, 0);
	maybe_done(c);
}

static void timer_cb(uv_timer_t *t)
{
	cmd *c = t->data;
	if (c->exited) {
		close_all(c);
		return;
	}
	c->res.timed_out = 1;
	(void)uv_process_kill(&c->proc, SIGKILL);
}

int slurm_cmd_start(uv_loop_t *loop, char *const *argv, double timeout, slurm_cmd_done done, void *arg)
{
	cmd *c = calloc(1, sizeof *c);
	if (!c)
		return weft_err_set(WEFT_ERROR, "out of memory");
	c->done = done;
	c->arg = arg;
	c->proc.data = c->out.data = c->err.data = c->timer.data = c;
	uv_pipe_init(loop, &c->out, 0);
	uv_pipe_init(loop, &c->err, 0);
	uv_timer_init(loop, &c->timer);
	uv_stdio_container_t stdio[3];
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	stdio[1].data.stream = (uv_stream_t *)&c->out;
	stdio[2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	stdio[2].data.stream = (uv_stream_t *)&c->err;
	uv_process_options_t o = {0};
	o.file = argv[0];
	o.args = (char **)argv;
	o.stdio = stdio;
	o.stdio_count = 3;
	o.exit_cb = exit_cb;
	c->open_handles = 4;
	int rc = uv_spawn(loop, &c->proc, &o);
	if (rc != 0) {
		/* libuv set the process handle up anyway: close all four, and
		 * report the failure from the close callbacks, as any other end. */
		c->res.status = -1;
		c->res.spawn_error = rc;
		close_all(c);
		return WEFT_OK;
	}
	uv_read_start((uv_stream_t *)&c->out, alloc_cb, read_cb);
	uv_read_start((uv_stream_t *)&c->err, alloc_cb, read_cb);
	uv_timer_start(&c->timer, timer_cb, (uint64_t)(timeout * 1000), 0);
	return WEFT_OK;
}

/* ------------------------------------------------------------ synchronous */

int slurm_cmd_sync(char *const *argv, double timeout, char **out, char **err, int *status)
{
	*out = *err = NULL;
	*status = -1;
	int po[2], pe[2];
	if (pipe2(po, O_CLOEXEC) != 0)
		return weft_err_set(WEFT_EIO, "cannot run %s: %s", argv[0], strerror(errno));
	if (pipe2(pe, O_CLOEXEC) != 0) {
		close(po[0]);
		close(po[1]);
		return weft_err_set(WEFT_EIO, "cannot run %s: %s", argv[0], strerror(errno));
	}
	pid_t pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	if (pid < 0) {
		close(po[0]);
		close(pe[0]);
		return weft_err_set(WEFT_EIO, "cannot run %s: %s", argv[0], strerror(errno));
	}
	weft_buf bo = {0}, be = {0};
	struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
	double deadline = weft_mono() + timeout;
	int open_fds = 2, timed_out = 0;
	while (open_fds) {
		int ms = (int)((deadline - weft_mono()) * 1000);
		if (ms <= 0) {
			timed_out = 1;
			break;
		}
		int r = poll(fds, 2, ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			weft_buf *b = i ? &be : &bo;
			char chunk[8192];
			ssize_t n = read(fds[i].fd, chunk, sizeof chunk);
			if (n > 0 && b->len < CMD_MAX_OUTPUT) {
				(void)weft_buf_put(b, chunk, (size_t)n);
			} else if (n == 0 || (n < 0 && errno != EINTR)) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	if (timed_out)
		kill(pid, SIGKILL);
	int ws = 0;
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	*out = bo.data ? bo.data : weft_strdup("");
	*err = be.data ? be.data : weft_strdup("");
	if (timed_out)
		return weft_err_set(WEFT_EIO, "%s did not answer within %.0fs; is slurmctld reachable?", argv[0],
				    timeout);
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	if (*status == 127)
		return weft_err_set(WEFT_ENOTFOUND, "%s is not installed here (or not on PATH); the Slurm executor "
						    "needs Slurm's client commands",
				    argv[0]);
	return WEFT_OK;
}
