/*
 * test_slurm.c -- the Slurm executor's pure parts: settings, Slurm's time
 * forms, a node's sbatch command line, and what sinfo, squeue and sacct
 * print (outputs taken from Slurm 22.05, Debian 12).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "slurm.h"
#include "weft/weft.h"

static weft_value *yaml(const char *text)
{
	weft_value *v = NULL;
	assert_int_equal(weft_value_from_yaml(&v, text, strlen(text), "test.yaml"), WEFT_OK);
	return v;
}

static void test_time_forms(void **state)
{
	(void)state;
	struct {
		const char *in;
		double secs;
	} ok[] = {
		{"90", 5400},	   {"1:30", 90},	{"2:00:00", 7200},	{"1-12", 129600}, {"1-00:30", 88200},
		{"1-00:00:30", 86430}, {"2h", 7200},	{"90m", 5400},	{"45s", 45},	  {"infinite", -1},
		{"UNLIMITED", -1},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		double t = 0;
		assert_int_equal(slurm_parse_time_str(&t, ok[i].in), WEFT_OK);
		assert_true(t == ok[i].secs);
	}
	const char *bad[] = {"", "1:2:3:4", "abc", "-5", "1-", "0", "x-1:00", "1:xx"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		double t = 0;
		assert_int_not_equal(slurm_parse_time_str(&t, bad[i]), WEFT_OK);
	}
	char buf[32];
	slurm_format_time(buf, 61);
	assert_string_equal(buf, "0-00:02:00"); /* minutes, rounded up */
	slurm_format_time(buf, 86400);
	assert_string_equal(buf, "1-00:00:00");
	slurm_format_time(buf, 5 * 3600 + 59);
	assert_string_equal(buf, "0-05:01:00");
}

static void test_settings(void **state)
{
	(void)state;
	slurm_settings s;
	assert_int_equal(slurm_settings_parse(&s, NULL, "weft.yaml"), WEFT_OK);
	assert_int_equal(s.queue_size, 100);
	assert_true(s.poll == 5 && s.poll_max == 60 && s.exit_grace == 30);
	assert_string_equal(s.npu_gres, "npu");
	assert_int_equal(s.check_store, 1);
	slurm_settings_free(&s);

	weft_value *v = yaml("partition: gpu\naccount: lab\ntime: 4h\nqueue_size: 20\npoll: 2s\npoll_max: 1s\n"
			     "gpu_flag: gpus\nstatus: squeue\ncheck_store: false\nflags: [--exclusive]\n");
	assert_int_equal(slurm_settings_parse(&s, v, "weft.yaml"), WEFT_OK);
	assert_string_equal(s.partition, "gpu");
	assert_true(s.time == 4 * 3600);
	assert_int_equal(s.queue_size, 20);
	assert_true(s.poll_max == 2); /* never below poll */
	assert_int_equal(s.gpu_gpus, 1);
	assert_int_equal(s.status, SLURM_STATUS_SQUEUE);
	assert_int_equal(s.check_store, 0);
	assert_int_equal(s.n_flags, 1);
	slurm_settings_free(&s);
	weft_value_free(v);

	struct {
		const char *text, *says;
	} bad[] = {
		{"partiton: gpu\n", "did you mean 'partition'"},
		{"queue_size: 0\n", "slurm.queue_size must be a whole number"},
		{"gpu_flag: cuda\n", "`gres` (--gres=gpu:N) or `gpus`"},
		{"status: sometimes\n", "slurm.status must be auto"},
		{"time: forever\n", "slurm.time"},
		{"flags: --exclusive\n", "slurm.flags must be a list"},
		{"poll: 0.001s\n", "at least 0.05s"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		v = yaml(bad[i].text);
		assert_int_equal(weft_slurm_config_check(v, "weft.yaml"), WEFT_EINVALID);
		assert_non_null(strstr(weft_error_last(), bad[i].says));
		assert_non_null(strstr(weft_error_last(), "weft.yaml"));
		weft_value_free(v);
	}
	v = yaml("time: 2h\nflags: [--constraint=a100]\n");
	assert_int_equal(slurm_node_check(v, "p.lua:3"), WEFT_OK);
	weft_value_free(v);
	v = yaml("partion: x\n");
	assert_int_equal(slurm_node_check(v, "p.lua:3"), WEFT_EINVALID);
	assert_non_null(strstr(weft_error_last(), "p.lua:3"));
	weft_value_free(v);
}

static void assert_argv(const slurm_argv *a, const char *const *want)
{
	size_t n = 0;
	while (want[n])
		n++;
	for (size_t i = 0; i < n && i < a->n; i++)
		if (strcmp(a->v[i], want[i]))
			fail_msg("argv[%zu] is '%s', want '%s'", i, a->v[i], want[i]);
	assert_int_equal(a->n, n);
	assert_null(a->v[a->n]);
}

static void test_sbatch_argv(void **state)
{
	(void)state;
	weft_value *cfg = yaml("partition: gpu\naccount: lab\nqos: high\nflags: [--exclusive]\ngres_pools: [localdisk]\n"
			       "signal_before: 300s\n");
	slurm_settings s;
	assert_int_equal(slurm_settings_parse(&s, cfg, "weft.yaml"), WEFT_OK);
	const char *pools[] = {"gpu", "npu", "matlab", "localdisk"};
	const uint64_t amounts[] = {2, 1, 1, 100};
	weft_value *node = yaml("time: 2h\nflags: [--constraint=a100]\n");
	slurm_request r = {.cpus = 4, .mem = 3584ull << 20, .pools = pools, .amounts = amounts, .n_pools = 4, .node = node};
	slurm_argv a;
	double limit = 0;
	assert_int_equal(slurm_sbatch_argv(&a, &s, &r, "weft-1-k-1", "/s/out", "/s/job.sh", &limit), WEFT_OK);
	const char *want[] = {"sbatch",	 "--parsable",	"--job-name=weft-1-k-1", "--output=/s/out", "--partition=gpu",
			      "--account=lab", "--qos=high", "--cpus-per-task=4", "--mem=3584M", "--time=0-02:00:00",
			      "--signal=B:USR2@300", "--gres=gpu:2,npu:1,localdisk:100", "--licenses=matlab:1",
			      "--exclusive", "--constraint=a100", "/s/job.sh", NULL};
	assert_argv(&a, want);
	assert_true(limit == 7200);
	slurm_argv_free(&a);
	weft_value_free(node);

	/* --gpus where a site wants it; a weft timeout becomes Slurm's limit
	 * with two minutes' margin; short limits get no USR2. */
	slurm_settings_free(&s);
	weft_value_free(cfg);
	cfg = yaml("gpu_flag: gpus\n");
	assert_int_equal(slurm_settings_parse(&s, cfg, "weft.yaml"), WEFT_OK);
	slurm_request r2 = {.cpus = 1, .time = 60, .pools = pools, .amounts = amounts, .n_pools = 1};
	assert_int_equal(slurm_sbatch_argv(&a, &s, &r2, "n", "o", "j", &limit), WEFT_OK);
	const char *want2[] = {"sbatch", "--parsable", "--job-name=n", "--output=o", "--cpus-per-task=1",
			       "--time=0-00:03:00", "--gpus=2", "j", NULL};
	assert_argv(&a, want2);
	slurm_argv_free(&a);
	slurm_settings_free(&s);
	weft_value_free(cfg);
}

static void on_state(void *arg, const char *id, slurm_state st)
{
	char *log = arg;
	char line[64];
	snprintf(line, sizeof line, "%s=%s;", id, slurm_state_name(st));
	strcat(log, line);
}

static void test_status_outputs(void **state)
{
	(void)state;
	char log[512] = "";
	/* squeue --noheader -o '%i %t' -t all */
	slurm_parse_status("12 R\n13 PD\n14 CG\n15 CD\n16 TO\n17 NF\n18 OOM\n\ngarbage line here\n", on_state, log);
	assert_string_equal(log, "12=RUNNING;13=PENDING;14=COMPLETING;15=COMPLETED;16=TIMEOUT;17=NODE_FAIL;"
				 "18=OUT_OF_MEMORY;");
	log[0] = '\0';
	/* sacct -X -n -P -o JobIDRaw,State */
	slurm_parse_status("21|COMPLETED\n22|CANCELLED by 0\n23|FAILED\n23.batch|FAILED\n24|PREEMPTED\n", on_state, log);
	assert_string_equal(log, "21=COMPLETED;22=CANCELLED;23=FAILED;24=PREEMPTED;");
	assert_false(slurm_state_ended(SJ_PENDING));
	assert_false(slurm_state_ended(SJ_COMPLETING));
	assert_true(slurm_state_ended(SJ_GONE));
	assert_true(slurm_state_ended(SJ_TIMEOUT));
	assert_non_null(strstr(slurm_state_story(SJ_TIMEOUT), "time limit"));
	assert_non_null(strstr(slurm_state_story(SJ_COMPLETED), "shared"));
}

static void test_partitions(void **state)
{
	(void)state;
	/* sinfo --noheader -o '%P|%c|%m|%G|%l|%a' on a cluster of two node kinds */
	const char *text = "cpu*|8|16000|(null)|infinite|up\n"
			   "gpu|64|512000|gpu:a100:4(S:0-1),npu:2|2-00:00:00|up\n"
			   "gpu|32|256000|gpu:2|2-00:00:00|up\n"
			   "short|8|16000|(null)|5:00|up\n";
	slurm_part *p = NULL;
	size_t n = 0;
	assert_int_equal(slurm_parse_sinfo(text, &p, &n), WEFT_OK);
	assert_int_equal(n, 4);
	assert_true(p[0].is_default);
	assert_string_equal(p[0].name, "cpu");
	assert_true(p[0].limit < 0);
	assert_int_equal(p[1].gpus, 4);
	assert_int_equal(p[2].gpus, 2);
	assert_true(p[3].limit == 300);
	slurm_settings s;
	assert_int_equal(slurm_settings_parse(&s, NULL, "weft.yaml"), WEFT_OK);
	const char *gpu[] = {"gpu"};
	uint64_t three[] = {3}, eight[] = {8};
	weft_value *on_gpu = yaml("partition: gpu\n");
	slurm_request r = {.cpus = 16, .pools = gpu, .amounts = three, .n_pools = 1, .node = on_gpu};
	assert_null(slurm_request_fits(p, n, &s, &r)); /* the a100 nodes have 4 */
	r.amounts = eight;
	char *why = slurm_request_fits(p, n, &s, &r);
	assert_non_null(why);
	assert_non_null(strstr(why, "gpu = 8"));
	free(why);
	slurm_request r2 = {.cpus = 9}; /* the default partition, cpu */
	why = slurm_request_fits(p, n, &s, &r2);
	assert_non_null(strstr(why, "cpus = 9, but its nodes have 8 CPUs"));
	free(why);
	weft_value *nope = yaml("partition: gpu-nope\n");
	slurm_request r3 = {.cpus = 1, .node = nope};
	why = slurm_request_fits(p, n, &s, &r3);
	assert_non_null(strstr(why, "unknown partition 'gpu-nope' (sinfo lists: cpu, gpu, short)"));
	free(why);
	weft_value *longer = yaml("partition: short\ntime: 1h\n");
	slurm_request r4 = {.cpus = 1, .node = longer};
	why = slurm_request_fits(p, n, &s, &r4);
	assert_non_null(strstr(why, "its limit is 0-00:05:00"));
	free(why);
	slurm_request r5 = {.cpus = 1, .mem = 20ull << 30};
	why = slurm_request_fits(p, n, &s, &r5);
	assert_non_null(strstr(why, "mem = 20.00 GiB"));
	free(why);
	weft_value_free(on_gpu);
	weft_value_free(nope);
	weft_value_free(longer);
	slurm_settings_free(&s);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_forms),     cmocka_unit_test(test_settings),
		cmocka_unit_test(test_sbatch_argv),    cmocka_unit_test(test_status_outputs),
		cmocka_unit_test(test_partitions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
