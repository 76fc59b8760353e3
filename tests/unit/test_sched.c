/* The scheduler's state machine, driven by a fake executor: ops never run;
 * the executor decides, per node, whether an attempt succeeds, fails, or
 * hangs until it is cancelled. Covers every kind of move: cache hits,
 * failures and skipped dependants, retries, timeouts, interrupts and
 * resume, dynamic nodes that add nodes, a refused illegal move, and when a
 * slot may be handed on before an end is recorded (sched_refill_first). */
#include "test_util.h"

#include <uv.h>

#include "lookahead.h"
#include "nodestate.h"
#include "sched_state.h"

/* ------------------------------------------------------------ the fake */

enum { OK, FAIL, FAIL_ONCE, HANG, INTERRUPT, ILLEGAL };

typedef struct fake {
	sched_executor ex;
	const char *names[16];
	int behaviour[16];
	int n_rules;
	uint32_t launched[256];
	int n_launched;
	/* sched_refill_first's answer as each node's attempt ended, before
	 * its end was recorded (what a split op's exit asks); -1: not asked */
	int refill[256];
	volatile int interrupt;
} fake;

typedef struct done_req {
	uv_work_t req;
	fake *f;
	run_state *rs;
	uint32_t id;
	int ok, cancelled;
} done_req;

static int rule_of(fake *f, const char *name)
{
	for (int i = 0; i < f->n_rules; i++)
		if (!strcmp(f->names[i], name))
			return f->behaviour[i];
	return OK;
}

static void nothing(uv_work_t *req)
{
	(void)req;
}

/* Ends the attempt on a later loop turn, as real executors do. */
static void after(uv_work_t *req, int status)
{
	(void)status;
	done_req *d = req->data;
	if (d->id < 256)
		d->f->refill[d->id] = sched_refill_first(d->rs, d->id);
	weft_value *out = NULL;
	if (d->ok) {
		out = weft_value_map();
		node_run *nr = weft_node_run(d->rs->eng, d->id);
		weft_value_map_set(out, "out", weft_value_int((int64_t)nr->attempt));
	}
	exec_finished(d->rs, d->id, out, d->ok ? NULL : d->cancelled ? "cancelled" : "fake failure", d->cancelled);
	free(d);
}

static void finish_later(fake *f, run_state *rs, uint32_t id, int ok, int cancelled)
{
	done_req *d = calloc(1, sizeof *d);
	assert_non_null(d);
	d->f = f;
	d->rs = rs;
	d->id = id;
	d->ok = ok;
	d->cancelled = cancelled;
	d->req.data = d;
	assert_int_equal(uv_queue_work(&rs->loop, &d->req, nothing, after), 0);
}

static int fake_launch(void *self, run_state *rs, uint32_t id)
{
	fake *f = self;
	node *n = weft_graph_node(rs->eng, id);
	node_run *nr = weft_node_run(rs->eng, id);
	f->launched[f->n_launched++] = id;
	exec_started(rs, id);
	switch (rule_of(f, n->name)) {
	case FAIL:
		finish_later(f, rs, id, 0, 0);
		break;
	case FAIL_ONCE:
		finish_later(f, rs, id, nr->attempt > 1, 0);
		break;
	case INTERRUPT:
		f->interrupt = 1; /* Ctrl-C while this node runs */
		break;
	case HANG:
		break; /* until cancelled */
	case ILLEGAL:
		/* Running nodes cannot be "cached": the move is refused. */
		assert_int_not_equal(sched_move(rs, id, NS_CACHED, NULL), WEFT_OK);
		assert_int_equal(nr->state, NS_RUNNING);
		finish_later(f, rs, id, 1, 0);
		break;
	default:
		finish_later(f, rs, id, 1, 0);
	}
	return WEFT_OK;
}

static void fake_cancel(void *self, run_state *rs, uint32_t id)
{
	fake *f = self;
	node_run *nr = weft_node_run(rs->eng, id);
	if (!nr->killed && !nr->job) {
		nr->job = (void *)1; /* one end per attempt, however often cancelled */
		finish_later(f, rs, id, 0, 1);
	}
}

/* ------------------------------------------------------------ fixture */

typedef struct fx {
	char *dir;
	weft_engine *eng;
	fake f;
	int events[NS_COUNT];
	int seq;
	int spin_interrupts, yields; /* test_interrupt_during_a_script */
} fx;

static int setup(void **state)
{
	fx *x = calloc(1, sizeof *x);
	x->dir = tmpdir_new();
	weft_engine_options o = WEFT_ENGINE_OPTIONS_INIT;
	o.store_dir = x->dir;
	assert_int_equal(weft_engine_new(&x->eng, &o), WEFT_OK);
	x->f.ex = (sched_executor){.name = "fake", .launch = fake_launch, .cancel = fake_cancel, .self = &x->f};
	x->eng->executor = &x->f.ex;
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	fx *x = *state;
	weft_engine_free(x->eng);
	weft_rm_rf(x->dir);
	free(x->dir);
	free(x);
	return 0;
}

static void rule(fx *x, const char *name, int behaviour)
{
	x->f.names[x->f.n_rules] = name;
	x->f.behaviour[x->f.n_rules++] = behaviour;
}

/* A core.noop node (core.sleep when retries/timeout are wanted) whose
 * inputs are refs to `deps`. */
static uint32_t add(fx *x, const char *name, const uint32_t *deps, int n_deps, uint32_t retries, double timeout)
{
	weft_value *inputs = weft_value_map();
	for (int i = 0; i < n_deps; i++) {
		char k[16];
		snprintf(k, sizeof k, "in%d", i);
		weft_value_map_set(inputs, k, weft_value_ref(deps[i], NULL));
	}
	weft_node_opts o = WEFT_NODE_OPTS_INIT;
	o.retries = retries;
	o.backoff = 0.01;
	o.timeout = timeout;
	uint32_t id;
	const char *op = retries || timeout > 0 ? "core.sleep" : "core.noop";
	weft_value *params = NULL;
	if (!strcmp(op, "core.noop")) {
		/* Distinct keys: nodes with equal inputs would share a result. */
		params = weft_value_map();
		weft_value_map_set(params, "seed", weft_value_int(1000 + x->seq++));
	}
	assert_int_equal(weft_graph_add_op(&id, x->eng, name, op, params, inputs, &o), WEFT_OK);
	return id;
}

static void count_event(const weft_event *ev, void *payload)
{
	fx *x = payload;
	if (ev->kind == WEFT_EV_START)
		x->events[NS_RUNNING]++;
	if (ev->kind == WEFT_EV_FINISH && ev->status == WEFT_NODE_FAILED)
		x->events[NS_FAILED]++;
}

static int run(fx *x, weft_run_summary *s, int keep_going, const char *resume_id)
{
	weft_run_options ro = WEFT_RUN_OPTIONS_INIT;
	ro.jobs = 1;
	ro.keep_going = keep_going;
	ro.pipeline = "test-sched";
	ro.resume_id = resume_id;
	ro.interrupt = &x->f.interrupt;
	ro.grace = 0.2;
	ro.on_event = count_event;
	ro.payload = x;
	x->f.n_launched = 0;
	x->f.interrupt = 0;
	for (int i = 0; i < 256; i++)
		x->f.refill[i] = -1;
	return weft_engine_run(s, x->eng, &ro);
}

static node_state st(fx *x, uint32_t id)
{
	return (node_state)weft_node_run(x->eng, id)->state;
}

/* ------------------------------------------------------------ tests */

static void test_table(void **state)
{
	(void)state;
	for (int s = NS_DONE; s < NS_COUNT; s++)
		for (int t = 0; t < NS_COUNT; t++)
			assert_false(ns_allowed((node_state)s, (node_state)t));
	assert_true(ns_allowed(NS_PENDING, NS_READY));
	assert_true(ns_allowed(NS_READY, NS_RUNNABLE));
	assert_true(ns_allowed(NS_RUNNABLE, NS_RUNNING));
	assert_true(ns_allowed(NS_RUNNING, NS_RETRY_WAIT));
	assert_true(ns_allowed(NS_RETRY_WAIT, NS_RUNNABLE));
	assert_false(ns_allowed(NS_PENDING, NS_RUNNING));
	assert_false(ns_allowed(NS_READY, NS_RUNNING));
	assert_false(ns_allowed(NS_RUNNING, NS_CACHED));
	assert_false(ns_allowed(NS_RUNNABLE, NS_DONE));
	assert_int_equal(ns_public(NS_WOULD_RUN), 101);
	assert_int_equal(ns_public(NS_RETRY_WAIT), WEFT_NODE_PENDING);
	assert_string_equal(ns_name(NS_RESUMED), "resumed");
}

static void test_chain_then_cached(void **state)
{
	fx *x = *state;
	uint32_t a = add(x, "a", NULL, 0, 0, 0);
	uint32_t b = add(x, "b", &a, 1, 0, 0);
	uint32_t c = add(x, "c", &b, 1, 0, 0);
	weft_run_summary s;
	assert_int_equal(run(x, &s, 0, NULL), WEFT_OK);
	assert_int_equal(s.executed, 3);
	assert_int_equal(x->f.n_launched, 3);
	assert_int_equal(x->f.launched[0], a);
	assert_int_equal(x->f.launched[1], b);
	assert_int_equal(x->f.launched[2], c);
	assert_int_equal(st(x, c), NS_DONE);
	assert_int_equal(x->events[NS_RUNNING], 3);
	/* Same graph again: every key is in the action cache. */
	assert_int_equal(run(x, &s, 0, NULL), WEFT_OK);
	assert_int_equal(s.cached, 3);
	assert_int_equal(x->f.n_launched, 0);
	assert_int_equal(st(x, a), NS_CACHED);
}

static void test_failure_skips_dependants(void **state)
{
	fx *x = *state;
	rule(x, "bad", FAIL);
	uint32_t bad = add(x, "bad", NULL, 0, 0, 0);
	uint32_t after = add(x, "after", &bad, 1, 0, 0);
	uint32_t other = add(x, "other", NULL, 0, 0, 0);
	weft_run_summary s;
	assert_int_equal(run(x, &s, 1, NULL), WEFT_OK); /* keep going */
	assert_int_equal(st(x, bad), NS_FAILED);
	assert_int_equal(st(x, after), NS_SKIPPED);
	assert_int_equal(st(x, other), NS_DONE);
	assert_int_equal(s.failed, 1);
	assert_int_equal(s.skipped, 1);
	assert_int_equal(x->events[NS_FAILED], 1);
	assert_string_equal(weft_node_run(x->eng, bad)->error, "fake failure");
}

static void test_fail_fast_skips_the_rest(void **state)
{
	fx *x = *state;
	rule(x, "bad", FAIL);
	uint32_t bad = add(x, "bad", NULL, 0, 0, 0);
	uint32_t later = add(x, "later", &bad, 1, 0, 0);
	weft_run_summary s;
	assert_int_equal(run(x, &s, 0, NULL), WEFT_OK);
	assert_int_equal(st(x, later), NS_SKIPPED);
	assert_int_equal(s.failed + s.skipped, 2);
}

static void test_retry_until_success(void **state)
{
	fx *x = *state;
	rule(x, "flaky", FAIL_ONCE);
	uint32_t flaky = add(x, "flaky", NULL, 0, 2, 0);
	weft_run_summary s;
	assert_int_equal(run(x, &s, 0, NULL), WEFT_OK);
	assert_int_equal(st(x, flaky), NS_DONE);
	assert_int_equal(weft_node_run(x->eng, flaky)->attempt, 2);
	assert_int_equal(x->f.n_launched, 2);
	assert_int_equal(s.executed, 1);
	assert_int_equal(s.failed, 0);
}

static void test_retries_run_out(void **state)
{
	fx *x = *state;
	rule(x, "broken", FAIL);
	uint32_t broken = add(x, "broken", NULL, 0, 1, 0);
	weft_run_summary s;
	assert_int_equal(run(x, &s, 0, NULL), WEFT_OK);
	assert_int_equal(st(x, broken), NS_FAILED);
	assert_int_equal(weft_node_run(x->eng, broken)->attempt, 2);
}

static void test_timeout_fails_the_node(void **state)
{
	fx *x = *state;
	rule(x, "slow", HANG);
	uint32_t slow = add(x, "slow", NULL, 0, 0, 0.15);
	weft_run_summary s;
	assert_int_equal(run(x, &s, 0, NULL), WEFT_OK);
	assert_int_equal(st(x, slow), NS_FAILED);
	assert_non_null(strstr(weft_node_run(x->eng, slow)->error, "timed out"));
}

static void test_interrupt_then_resume(void **state)
{
	fx *x = *state;
	rule(x, "b", INTERRUPT);
	uint32_t a = add(x, "a", NULL, 0, 0, 0);
	uint32_t b = add(x, "b", &a, 1, 0, 0);
	uint32_t c = add(x, "c", &b, 1, 0, 0);
	weft_run_summary s;
	assert_int_equal(run(x, &s, 0, NULL), WEFT_OK);
	assert_true(s.interrupted);
	assert_int_equal(st(x, a), NS_DONE);
	assert_int_equal(st(x, b), NS_PENDING); /* cancelled: runs again on resume */
	assert_int_equal(st(x, c), NS_PENDING);
	char id[64];
	snprintf(id, sizeof id, "%s", s.run_id);
	x->f.behaviour[0] = OK;
	weft_run_summary r;
	assert_int_equal(run(x, &r, 0, id), WEFT_OK);
	assert_false(r.interrupted);
	assert_int_equal(st(x, a), NS_RESUMED);
	assert_int_equal(st(x, b), NS_DONE);
	assert_int_equal(st(x, c), NS_DONE);
	assert_int_equal(r.resumed, 1);
	assert_int_equal(r.executed, 2);
}

static int expand(weft_value **out, weft_engine *eng, uint32_t node_id, const weft_value *inputs, void *payload)
{
	(void)node_id;
	(void)inputs;
	(void)payload;
	weft_value *list = weft_value_list();
	for (int i = 0; i < 2; i++) {
		char name[16];
		snprintf(name, sizeof name, "child%d", i);
		weft_value *p = weft_value_map();
		weft_value_map_set(p, "seed", weft_value_int(i));
		weft_node_opts o = WEFT_NODE_OPTS_INIT;
		uint32_t id;
		if (weft_graph_add_op(&id, eng, name, "core.noop", p, NULL, &o) != WEFT_OK)
			return WEFT_ERROR;
		weft_value_list_push(list, weft_value_ref(id, NULL));
	}
	*out = list;
	return WEFT_OK;
}

/* Node "a", then a dynamic node `name` on its output. */
static uint32_t add_dynamic_after_a(fx *x, const char *name, weft_dynamic_fn fn, void *payload)
{
	uint32_t a = add(x, "a", NULL, 0, 0, 0);
	weft_value *inputs = weft_value_map();
	weft_value_map_set(inputs, "x", weft_value_ref(a, NULL));
	weft_node_opts o = WEFT_NODE_OPTS_INIT;
	uint32_t d;
	assert_int_equal(weft_graph_add_dynamic(&d, x->eng, name, inputs, name, strlen(name), fn, payload, NULL, &o),
			 WEFT_OK);
	return d;
}

static void test_dynamic_node_adds_nodes(void **state)
{
	fx *x = *state;
	uint32_t d = add_dynamic_after_a(x, "fan", expand, NULL);
	weft_run_summary s;
	assert_int_equal(run(x, &s, 0, NULL), WEFT_OK);
	assert_int_equal(s.total, 4);
	assert_int_equal(st(x, d), NS_EXPANDED);
	assert_int_equal(x->f.n_launched, 3); /* a and the two children */
	const weft_value *out = weft_graph_node_output(x->eng, d, NULL);
	assert_non_null(out);
	assert_int_equal(weft_value_len(out), 2);
}

/* A script that runs long on the run's thread: it yields now and then, a
 * Ctrl-C arrives meanwhile, and the yield tells it to stop. */
static int spin(weft_value **out, weft_engine *eng, uint32_t node_id, const weft_value *inputs, void *payload)
{
	(void)node_id;
	(void)inputs;
	fx *x = payload;
	for (int i = 0; i < 1000; i++) {
		if (i == 3 && x->spin_interrupts)
			x->f.interrupt = 1;
		if (weft_engine_yield(eng) == WEFT_ECANCELLED)
			return WEFT_ECANCELLED;
		x->yields++;
	}
	*out = weft_value_int(42);
	return WEFT_OK;
}

static void test_interrupt_during_a_script(void **state)
{
	fx *x = *state;
	uint32_t d = add_dynamic_after_a(x, "spin", spin, x);
	x->spin_interrupts = 1;
	weft_run_summary s;
	assert_int_equal(run(x, &s, 0, NULL), WEFT_OK);
	assert_true(s.interrupted);
	assert_int_equal(x->yields, 3); /* stopped at the first yield after Ctrl-C */
	assert_int_equal(st(x, d), NS_PENDING); /* runs again on resume */
	char id[64];
	snprintf(id, sizeof id, "%s", s.run_id);
	x->spin_interrupts = 0;
	x->yields = 0;
	weft_run_summary r;
	assert_int_equal(run(x, &r, 0, id), WEFT_OK);
	assert_false(r.interrupted);
	assert_int_equal(x->yields, 1000);
	assert_int_equal(st(x, d), NS_DONE);
	assert_int_equal(weft_value_get_int(weft_graph_node_output(x->eng, d, NULL)), 42);
}

/* The same 200 nodes as `weft run` adds them again: 100 roots, each with
 * one dependant. */
static void add_pairs(fx *x)
{
	x->seq = 0;
	uint32_t roots[100];
	char name[16];
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof name, "r%d", i);
		roots[i] = add(x, name, NULL, 0, 0, 0);
	}
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof name, "c%d", i);
		add(x, name, &roots[i], 1, 0, 0);
	}
}

/* With the lookahead on, nodes are keyed and looked up on its thread as
 * they are added; the run takes those hits and only moves the nodes. A
 * forced node is keyed but computed, and its dependant is left to the run
 * (its key must come from the forced node's new outputs). */
static void test_lookahead_hits_while_nodes_are_added(void **state)
{
	fx *x = *state;
	add_pairs(x);
	weft_run_summary s;
	assert_int_equal(run(x, &s, 0, NULL), WEFT_OK);
	assert_int_equal(s.executed, 200);
	/* A new engine on the same store, as the next `weft run` makes. */
	weft_engine *first = x->eng;
	weft_engine_options o = WEFT_ENGINE_OPTIONS_INIT;
	o.store_dir = x->dir;
	assert_int_equal(weft_engine_new(&x->eng, &o), WEFT_OK);
	x->eng->executor = &x->f.ex;
	weft_engine_set_lookahead(x->eng, 1);
	add_pairs(x);
	weft_lookahead_wait(x->eng);
	weft_run_options ro = WEFT_RUN_OPTIONS_INIT;
	ro.jobs = 1; /* no lookahead window of the run's own: the hits are the thread's */
	ro.pipeline = "test-sched";
	const char *forced[] = {"r0"};
	ro.force_nodes = forced;
	ro.n_force_nodes = 1;
	x->f.n_launched = 0;
	assert_int_equal(weft_engine_run(&s, x->eng, &ro), WEFT_OK);
	assert_int_equal(s.executed, 1);
	assert_int_equal(s.cached, 199);
	assert_int_equal(x->f.n_launched, 1);
	assert_int_equal(x->eng->lookahead_hits, 198);
	assert_int_equal(st(x, 0), NS_DONE);
	assert_int_equal(st(x, 100), NS_CACHED);
	/* The run without it makes the same keys. */
	char keys[200][65];
	for (uint32_t i = 0; i < 200; i++)
		memcpy(keys[i], weft_node_run(x->eng, i)->key, 65);
	ro.n_force_nodes = 0;
	assert_int_equal(weft_engine_run(&s, first, &ro), WEFT_OK);
	assert_int_equal(s.cached, 200);
	for (uint32_t i = 0; i < 200; i++)
		assert_string_equal(weft_node_run(first, i)->key, keys[i]);
	weft_engine_free(first);
}

/* When a node's attempt ends, its slot may go to the best queued node
 * before the end is recorded (sched_refill_first, asked by the fake as a
 * split op's exit asks it) only if no user that the end makes ready would
 * rank above that node: longest remaining path, then definition order, as
 * finishing first and launching after would have it. At -j1 every other
 * ready node waits in the queue. */
static void test_refill_tie_to_the_earlier(void **state)
{
	fx *x = *state;
	/* a -> c, and b: c and b both have one node left; b was defined
	 * first, so b would start next anyway. */
	uint32_t a = add(x, "a", NULL, 0, 0, 0);
	uint32_t b = add(x, "b", NULL, 0, 0, 0);
	uint32_t c = add(x, "c", &a, 1, 0, 0);
	weft_run_summary s;
	assert_int_equal(run(x, &s, 0, NULL), WEFT_OK);
	assert_int_equal(s.executed, 3);
	assert_int_equal(x->f.launched[0], a);
	assert_int_equal(x->f.refill[a], 1); /* b is next, whatever a's end readies */
	assert_int_equal(x->f.refill[b], 1); /* c is queued by then; b has no users */
	assert_int_equal(x->f.refill[c], 0); /* nothing left to start */
}

static void test_refill_waits_for_the_critical_path(void **state)
{
	fx *x = *state;
	/* p -> q -> r, and s: at p's end q (two left) outranks s (one); at
	 * q's end r ties s and was defined first. */
	uint32_t p = add(x, "p", NULL, 0, 0, 0);
	uint32_t q = add(x, "q", &p, 1, 0, 0);
	uint32_t r = add(x, "r", &q, 1, 0, 0);
	uint32_t side = add(x, "s", NULL, 0, 0, 0);
	weft_run_summary s;
	assert_int_equal(run(x, &s, 0, NULL), WEFT_OK);
	assert_int_equal(x->f.refill[p], 0);
	assert_int_equal(x->f.refill[q], 0);
	assert_int_equal(x->f.refill[r], 1);
	const uint32_t order[] = {p, q, r, side};
	for (int i = 0; i < 4; i++)
		assert_int_equal(x->f.launched[i], order[i]);
}

static void test_illegal_move_is_refused(void **state)
{
	fx *x = *state;
	rule(x, "odd", ILLEGAL);
	add(x, "odd", NULL, 0, 0, 0);
	weft_run_summary s;
	/* The refused move stops the run and makes it fail loudly. */
	assert_int_not_equal(run(x, &s, 0, NULL), WEFT_OK);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		T(test_chain_then_cached),
		T(test_failure_skips_dependants),
		T(test_fail_fast_skips_the_rest),
		T(test_retry_until_success),
		T(test_retries_run_out),
		T(test_timeout_fails_the_node),
		T(test_interrupt_then_resume),
		T(test_dynamic_node_adds_nodes),
		T(test_interrupt_during_a_script),
		T(test_illegal_move_is_refused),
		T(test_refill_tie_to_the_earlier),
		T(test_refill_waits_for_the_critical_path),
		T(test_lookahead_hits_while_nodes_are_added),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
