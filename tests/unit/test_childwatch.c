/*
 * The child watch (engine/childwatch.c) with real children: every byte
 * they write is read while they run, each exit is reported once, a child
 * forgotten inside a wake-up is never called again, and the loop ends
 * when nothing is watched (also when the watch was closed early).
 */
#define _GNU_SOURCE
#include "childwatch.h"
#include "test_util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct kid {
	weft_childwatch *cw;
	weft_child *c;
	pid_t pid;
	int rd;
	size_t bytes;
	int outputs, exits, ended, status;
} kid;

/* `sh -c cmd` with its stdout on a pipe whose read end is non-blocking. */
static void spawn(kid *k, const char *cmd)
{
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	k->pid = fork();
	assert_true(k->pid >= 0);
	if (k->pid == 0) {
		dup2(p[1], 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	k->rd = p[0];
	assert_int_equal(fcntl(k->rd, F_SETFL, O_NONBLOCK), 0);
}

/* Reads what is there; 0 at end of file. */
static int drain(kid *k)
{
	char buf[8192];
	for (;;) {
		ssize_t n = read(k->rd, buf, sizeof buf);
		if (n > 0) {
			k->bytes += (size_t)n;
			continue;
		}
		if (n == 0) {
			k->ended = 1;
			return 0;
		}
		return errno == EAGAIN ? 1 : 0;
	}
}

static int on_output(void *who)
{
	kid *k = who;
	assert_int_equal(k->exits, 0); /* never after the exit */
	k->outputs++;
	return drain(k);
}

/* As an op's finish: forget, reap, read the rest. */
static void on_exited(void *who)
{
	kid *k = who;
	k->exits++;
	weft_childwatch_forget(k->cw, k->c);
	assert_int_equal(waitpid(k->pid, &k->status, 0), k->pid);
	while (!k->ended && drain(k))
		;
	close(k->rd);
}

static void watch(weft_childwatch *cw, kid *k)
{
	int pfd = (int)syscall(SYS_pidfd_open, k->pid, 0);
	assert_true(pfd >= 0);
	k->cw = cw;
	k->c = weft_childwatch_add(cw, pfd, k->rd, k);
	assert_non_null(k->c);
}

static const weft_childwatch_cbs cbs = {on_output, on_exited};

/* Each test's loop and watch; a test that closes the watch itself sets
 * cw to NULL. Teardown closes it and checks the loop has nothing open. */
typedef struct fixture {
	uv_loop_t loop;
	weft_childwatch *cw;
} fixture;

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof *fx);
	if (!fx || uv_loop_init(&fx->loop) != 0 || !(fx->cw = weft_childwatch_new(&fx->loop, &cbs)))
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	weft_childwatch_close(fx->cw);
	int ok = uv_run(&fx->loop, UV_RUN_DEFAULT) == 0 && uv_loop_close(&fx->loop) == 0; /* nothing left open */
	free(fx);
	return ok ? 0 : -1;
}

static void test_many_children(void **state)
{
	fixture *fx = *state;
	enum { N = 24 };
	kid k[N] = {0};
	for (int i = 0; i < N; i++) {
		/* Some far over a pipe's 64 KiB, some silent, some slow. */
		char cmd[128];
		if (i % 3 == 0)
			snprintf(cmd, sizeof cmd, "head -c %d /dev/zero", 300000 + i);
		else if (i % 3 == 1)
			snprintf(cmd, sizeof cmd, "exit %d", i % 5);
		else
			snprintf(cmd, sizeof cmd, "sleep 0.0%d; echo hi", i % 10);
		spawn(&k[i], cmd);
		watch(fx->cw, &k[i]);
	}
	assert_int_equal(uv_run(&fx->loop, UV_RUN_DEFAULT), 0); /* ends once every child is forgotten */
	for (int i = 0; i < N; i++) {
		assert_int_equal(k[i].exits, 1);
		assert_true(WIFEXITED(k[i].status));
		if (i % 3 == 0) {
			assert_int_equal(k[i].bytes, 300000 + i);
			/* read while it ran: 300 KB cannot pass a 64 KiB pipe
			 * otherwise. Once, at least: one call can drain it all
			 * while the command keeps writing (it did, under ASan). */
			assert_true(k[i].outputs >= 1);
		} else if (i % 3 == 1) {
			assert_int_equal(k[i].bytes, 0);
			assert_int_equal(WEXITSTATUS(k[i].status), i % 5);
		} else {
			assert_int_equal(k[i].bytes, 3);
		}
	}
}

static void test_idle_and_early_close(void **state)
{
	fixture *fx = *state;
	/* Watching nothing keeps no loop alive. */
	assert_int_equal(uv_run(&fx->loop, UV_RUN_NOWAIT), 0);
	kid k = {0};
	spawn(&k, "sleep 0.05; echo late");
	watch(fx->cw, &k);
	/* Closed while a child is watched: it is still reported, then the
	 * watch goes. */
	weft_childwatch_close(fx->cw);
	fx->cw = NULL;
	assert_int_equal(uv_run(&fx->loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(k.exits, 1);
	assert_int_equal(k.bytes, 5);
}

/* A child forgotten before it exits (a start that went wrong after the
 * watch was set) is never reported, and its descriptors may be closed at
 * once. */
static void test_forget_before_exit(void **state)
{
	fixture *fx = *state;
	kid k = {0};
	spawn(&k, "echo x; sleep 0.05");
	watch(fx->cw, &k);
	weft_childwatch_forget(fx->cw, k.c);
	close(k.rd);
	assert_int_equal(uv_run(&fx->loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(k.outputs + k.exits, 0);
	assert_int_equal(waitpid(k.pid, &k.status, 0), k.pid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_many_children, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_and_early_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forget_before_exit, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
