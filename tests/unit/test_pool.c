/*
 * The worker pool against the real `weft worker`: results come back, a
 * worker that dies mid-job fails only that job, and the pool replaces it.
 */
#include <stdio.h>
#include <unistd.h>

#include "pool.h"
#include "test_util.h"

typedef struct got {
	int calls, ok, crashed;
	char *out;
	char *error;
	int pid;
} got;

static void done(void *payload, const weft_pool_result *r)
{
	got *g = payload;
	g->calls++;
	g->ok = r->ok;
	g->crashed = r->crashed;
	g->pid = r->pid;
	g->out = r->outputs ? weft_value_to_json(r->outputs, 0) : NULL;
	g->error = r->error ? weft_strdup(r->error) : NULL;
}

static json_t *job(const char *op, json_t *params, const char *dir)
{
	char *log = weft_path_join(dir, "node.log");
	json_t *j = json_pack("{s:s,s:s,s:s,s:o,s:{},s:s,s:s,s:{}}", "plugin", CORE_SO, "op", op, "node", "n", "params",
			      params, "inputs", "log", log, "tmp", dir, "env");
	free(log);
	return j;
}

static void run_until_done(uv_loop_t *loop, got *g)
{
	while (!g->calls)
		uv_run(loop, UV_RUN_ONCE);
}

static void test_runs_jobs_and_survives_crashes(void **state)
{
	(void)state;
	/* Under ASan a worker would catch SIGSEGV and exit(1); let the kernel
	 * deliver it, as it does in a normal build. Only children read this. */
	setenv("ASAN_OPTIONS", "handle_segv=0:detect_leaks=1", 1);
	char *dir = tmpdir_new();
	char *store = weft_path_join(dir, "store");
	uv_loop_t loop;
	assert_int_equal(uv_loop_init(&loop), 0);
	weft_pool *p;
	assert_int_equal(weft_pool_new(&p, &loop, WEFT_EXE, store, 1, done), WEFT_OK);

	got a = {0};
	assert_int_equal(weft_pool_submit(p, job("core.value", json_pack("{s:i}", "value", 42), dir), &a), WEFT_OK);
	run_until_done(&loop, &a);
	assert_true(a.ok);
	assert_string_equal(a.out, "{\"out\":42}");

	/* The shell's parent is the worker: kill it with SIGSEGV mid-job. */
	got b = {0};
	assert_int_equal(weft_pool_submit(p, job("core.shell", json_pack("{s:s}", "cmd", "kill -SEGV $PPID; sleep 5"), dir),
					  &b),
			 WEFT_OK);
	run_until_done(&loop, &b);
	assert_false(b.ok);
	assert_true(b.crashed);
	assert_int_equal(b.pid, a.pid);
	assert_non_null(strstr(b.error, "killed by signal 11"));

	/* The next job gets a fresh worker. */
	got c = {0};
	assert_int_equal(weft_pool_submit(p, job("core.value", json_pack("{s:s}", "value", "again"), dir), &c), WEFT_OK);
	run_until_done(&loop, &c);
	assert_true(c.ok);
	assert_string_equal(c.out, "{\"out\":\"again\"}");
	assert_int_not_equal(c.pid, a.pid);

	/* A failing op is an error, not a crash. */
	got d = {0};
	assert_int_equal(weft_pool_submit(p, job("core.shell", json_pack("{s:s}", "cmd", "exit 7"), dir), &d), WEFT_OK);
	run_until_done(&loop, &d);
	assert_false(d.ok);
	assert_false(d.crashed);
	assert_non_null(strstr(d.error, "exited with status 7"));

	weft_pool_close(p);
	uv_run(&loop, UV_RUN_DEFAULT); /* returns once every worker is gone */
	assert_int_equal(uv_loop_close(&loop), 0);
	weft_pool_free(p);
	got *all[] = {&a, &b, &c, &d};
	for (int i = 0; i < 4; i++) {
		free(all[i]->out);
		free(all[i]->error);
	}
	weft_rm_rf(dir);
	free(store);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_jobs_and_survives_crashes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
