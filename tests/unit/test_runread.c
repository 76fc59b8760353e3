/* The run-reading API (weft/run.h): the list is newest first, a record's
 * fields and nodes come back typed, a killed run reads from its journal
 * header, a damaged or missing record says why and what to do, and a
 * live snapshot whose writer is gone is not live. */
#include "test_util.h"

#include <sys/stat.h>
#include <unistd.h>

#include "weft/run.h"

static char *run_dir(const char *store, const char *id)
{
	char *d = weft_sprintf("%s/runs/%s", store, id);
	assert_non_null(d);
	assert_int_equal(weft_mkdirs(d, 0700), WEFT_OK);
	return d;
}

static void put(const char *store, const char *id, const char *file, const char *text)
{
	char *d = run_dir(store, id);
	char *p = weft_path_join(d, file);
	write_text(p, text);
	free(p);
	free(d);
}

static const char RECORD[] =
	"{\"counts\":{\"cached\":1,\"executed\":2,\"failed\":1,\"resumed\":0,\"skipped\":0,\"total\":4},"
	"\"finished\":1700000000.5,\"git\":{\"branch\":\"main\",\"commit\":\"abc123\",\"dirty\":true,"
	"\"dirty_read\":[\"data.csv\"],\"dirty_diff_hash\":\"ff00\",\"files\":{\"p.lua\":{\"blob\":\"b1\","
	"\"kind\":\"script\"}}},\"id\":\"20261202-1\",\"nodes\":[{\"cache\":\"miss\",\"elapsed\":1.25,"
	"\"executed\":true,\"key\":\"k1\",\"kind\":\"op\",\"name\":\"a\",\"op\":\"core.noop\",\"op_version\":\"1\","
	"\"outputs\":{\"out\":3},\"params\":{\"x\":1},\"devices\":[\"gpu:0\",\"gpu:1\"],\"status\":\"done\","
	"\"worker\":42},{\"error\":\"boom\",\"kind\":\"op\",\"name\":\"b\",\"status\":\"failed\"}],"
	"\"params\":{\"n\":5},\"pipeline\":\"/p.lua\",\"resources\":[{\"name\":\"gpu\",\"capacity\":2,\"used\":0,"
	"\"devices\":[{\"id\":\"0\",\"busy_s\":1.5,\"utilisation\":0.5,\"node\":null}]}],"
	"\"segments\":{\"count\":2,\"executed\":1},\"status\":\"failed\",\"wall_seconds\":3.0,\"weft_record\":1}\n";

static void test_record_fields(void **state)
{
	(void)state;
	char *store = tmpdir_new();
	put(store, "20261202-1", "record.json", RECORD);
	put(store, "20261101-9", "journal", "");
	char **ids;
	size_t n;
	assert_int_equal(weft_runs_list(&ids, &n, store), WEFT_OK);
	assert_int_equal(n, 2);
	assert_string_equal(ids[0], "20261202-1");
	weft_runs_free(ids, n);

	weft_run *r;
	assert_int_equal(weft_run_open(&r, store, "20261202-1"), WEFT_OK);
	const weft_run_info *in = weft_run_get_info(r);
	assert_string_equal(in->status, "failed");
	assert_string_equal(in->pipeline, "/p.lua");
	assert_int_equal(in->counts.total, 4);
	assert_int_equal(in->counts.executed, 2);
	assert_int_equal(in->segments, 2);
	assert_int_equal(weft_value_get_int(weft_value_map_get(in->params, "n")), 5);
	assert_true(in->git.present && in->git.dirty);
	assert_string_equal(in->git.commit, "abc123");
	assert_int_equal(in->git.n_dirty_read, 1);
	assert_int_equal(in->git.n_files, 1);
	assert_string_equal(in->git.files[0].path, "p.lua");
	assert_string_equal(in->git.files[0].kind, "script");
	assert_int_equal(in->n_pools, 1);
	assert_int_equal(in->pools[0].n_devices, 1);
	assert_true(in->pools[0].devices[0].utilisation == 0.5);
	assert_null(in->pools[0].devices[0].node);
	assert_int_equal(weft_run_node_count(r), 2);
	const weft_run_node *a = weft_run_node_at(r, 0), *b = weft_run_node_at(r, 1);
	assert_string_equal(a->name, "a");
	assert_string_equal(a->cache, "miss");
	assert_true(a->executed && a->elapsed == 1.25 && a->worker_pid == 42);
	assert_int_equal(a->n_devices, 2);
	assert_string_equal(a->devices[1], "gpu:1");
	assert_int_equal(weft_value_get_int(weft_value_map_get(a->outputs, "out")), 3);
	assert_string_equal(b->error, "boom");
	assert_null(b->cache);
	assert_null(b->outputs);
	assert_null(weft_run_node_at(r, 2));
	assert_non_null(strstr(weft_run_text(r, NULL), "\"weft_record\":1"));
	weft_run_free(r);

	/* The newest run is the record; the newest unfinished one too, as
	 * its status is not "ok". */
	char *id;
	assert_int_equal(weft_runs_latest(&id, store, 1), WEFT_OK);
	assert_string_equal(id, "20261202-1");
	free(id);
	weft_rm_rf(store);
	free(store);
}

static void test_killed_damaged_missing(void **state)
{
	(void)state;
	char *store = tmpdir_new();
	put(store, "r1", "journal",
	    "{\"ev\":\"run\",\"git\":{\"commit\":\"c0ffee\",\"rev\":\"v1\"},\"id\":\"r1\",\"params\":{\"k\":\"v\"},"
	    "\"pipeline\":\"/x.lua\",\"t\":1}\n{\"ev\":\"node\",\"node\":\"a\"}\n");
	weft_run *r;
	assert_int_equal(weft_run_open(&r, store, "r1"), WEFT_ENOTFOUND);
	assert_null(r);
	assert_non_null(strstr(weft_error_last(), "weft resume r1"));
	assert_int_equal(weft_run_open_journal(&r, store, "r1"), WEFT_OK);
	const weft_run_info *in = weft_run_get_info(r);
	assert_string_equal(in->pipeline, "/x.lua");
	assert_string_equal(in->status, "interrupted");
	assert_false(in->has_record);
	assert_string_equal(in->git.rev, "v1");
	assert_string_equal(weft_value_get_string(weft_value_map_get(in->params, "k"), NULL), "v");
	weft_run_free(r);

	put(store, "r2", "record.json", "{\"status\": \"ok\", \"nodes\": [");
	assert_int_equal(weft_run_open(&r, store, "r2"), WEFT_EINVALID);
	assert_non_null(strstr(weft_error_last(), "damaged"));
	put(store, "r3", "record.json", "[1, 2]");
	assert_int_equal(weft_run_open(&r, store, "r3"), WEFT_EINVALID);
	assert_non_null(strstr(weft_error_last(), "not a JSON object"));
	assert_int_equal(weft_run_open(&r, store, "nope"), WEFT_ENOTFOUND);
	assert_non_null(strstr(weft_error_last(), "run the pipeline again"));
	assert_int_equal(weft_run_open(&r, store, "../r1"), WEFT_EINVALID);
	assert_int_equal(weft_run_open_journal(&r, store, "nope"), WEFT_ENOTFOUND);
	/* Wrong types read as absent, never as a crash. */
	put(store, "r4", "record.json",
	    "{\"status\":5,\"counts\":[],\"git\":\"x\",\"nodes\":{\"a\":1},\"params\":[],\"resources\":{}}");
	assert_int_equal(weft_run_open(&r, store, "r4"), WEFT_OK);
	in = weft_run_get_info(r);
	assert_string_equal(in->status, "unknown");
	assert_int_equal(in->counts.total, 0);
	assert_false(in->git.present);
	assert_int_equal(weft_run_node_count(r), 0);
	assert_int_equal(weft_value_len(in->params), 0);
	weft_run_free(r);
	weft_rm_rf(store);
	free(store);
}

static void test_live(void **state)
{
	(void)state;
	char *store = tmpdir_new();
	char *live = weft_sprintf(
		"{\"run\":\"L\",\"pipeline\":\"/p.lua\",\"pid\":%d,\"started\":10,\"now\":12.5,\"state\":\"running\","
		"\"nodes\":{\"total\":9,\"finished\":3,\"executed\":2,\"cached\":1,\"failed\":0,\"running\":1,"
		"\"retries\":0},\"running\":[{\"node\":\"t\",\"op\":\"x.train\",\"elapsed\":2,\"attempt\":2,"
		"\"worker\":77,\"devices\":\"gpu:0\"}],\"queue\":{\"waiting_for_resources\":4,\"waiting_for_inputs\":1,"
		"\"next\":[\"u\",\"v\"],\"retrying\":[{\"node\":\"w\",\"retry_in\":0.5,\"attempt\":3}]},\"pools\":[]}",
		(int)getpid());
	put(store, "L", "live.json", live);
	free(live);
	weft_run_live *l;
	assert_int_equal(weft_run_live_open(&l, store, "L"), WEFT_OK);
	const weft_run_live_info *in = weft_run_live_get(l);
	assert_int_equal(in->total, 9);
	assert_int_equal(in->n_nodes, 1);
	assert_int_equal(in->nodes[0].worker_pid, 77);
	assert_string_equal(in->nodes[0].where, "worker");
	assert_int_equal(in->nodes[0].attempt, 2);
	assert_int_equal(in->n_next, 2);
	assert_string_equal(in->next[1], "v");
	assert_int_equal(in->n_retrying, 1);
	assert_int_equal(in->retrying[0].attempt, 3);
	weft_run_live_free(l);
	/* A pid that is gone: the run was killed, it is not live. */
	put(store, "D", "live.json", "{\"run\":\"D\",\"pid\":2147483646}");
	assert_int_equal(weft_run_live_open(&l, store, "D"), WEFT_ENOTFOUND);
	assert_int_equal(weft_run_live_open(&l, store, "none"), WEFT_ENOTFOUND);
	weft_rm_rf(store);
	free(store);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_fields),
		cmocka_unit_test(test_killed_damaged_missing),
		cmocka_unit_test(test_live),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
