/* Checkpoints (engine/checkpoint.c) and the Python import scanner
 * (util/pyimports.c). */
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint.h"
#include "pyimports.h"
#include "statcache.h"
#include "store.h"
#include "test_util.h"
#include "weft/plugin.h"

#define KEY "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

typedef struct fx {
	char *dir;
	weft_statcache *sc;
	weft_store *st;
} fx;

static int setup(void **state)
{
	fx *f = calloc(1, sizeof *f);
	f->dir = tmpdir_new();
	char *scf = weft_path_join(f->dir, "statcache");
	assert_int_equal(weft_statcache_open(&f->sc, scf), WEFT_OK);
	free(scf);
	assert_int_equal(weft_store_open(&f->st, f->dir, f->sc), WEFT_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	weft_store_free(f->st);
	weft_statcache_free(f->sc);
	weft_rm_rf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static size_t manifests(const fx *f, const char *name)
{
	char *dir = weft_sprintf("%s/ckpt/%s/%s", f->dir, KEY, name);
	DIR *d = opendir(dir);
	free(dir);
	size_t n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += strstr(e->d_name, ".json") != NULL;
	if (d)
		closedir(d);
	return n;
}

static char *slurp(const char *path)
{
	char *data = NULL;
	size_t len = 0;
	assert_int_equal(weft_read_file(path, &data, &len), WEFT_OK);
	return data;
}

static void test_names_and_steps_are_checked(void **state)
{
	fx *f = *state;
	assert_true(weft_ckpt_name_ok("model"));
	assert_true(weft_ckpt_name_ok("opt-state_2.v1"));
	assert_false(weft_ckpt_name_ok(""));
	assert_false(weft_ckpt_name_ok(".hidden"));
	assert_false(weft_ckpt_name_ok("a/b"));
	assert_false(weft_ckpt_name_ok("../x"));
	weft_ckpt *c = weft_ckpt_new(f->st, f->dir, KEY, "n", "p.op", NULL);
	assert_int_equal(weft_ckpt_save(c, "a/b", NULL, "x", 1, 0, NULL, 0), WEFT_EINVALID);
	assert_int_equal(weft_ckpt_save(c, "m", NULL, "x", 1, -1, NULL, 0), WEFT_EINVALID);
	weft_value *notmap = weft_value_int(3);
	assert_int_equal(weft_ckpt_save(c, "m", NULL, "x", 1, 0, notmap, 0), WEFT_EINVALID);
	weft_value_free(notmap);
	const char *p;
	int64_t step;
	assert_int_equal(weft_ckpt_latest(c, "m", &p, &step, NULL), WEFT_ENOTFOUND);
	weft_ckpt_free(c);
}

static void test_bytes_round_trip_with_layout(void **state)
{
	fx *f = *state;
	weft_ckpt *c = weft_ckpt_new(f->st, f->dir, KEY, "train", "py.run", "gpu:0,gpu:1");
	weft_value *layout = weft_value_map();
	weft_value_map_set(layout, "shards", weft_value_int(2));
	assert_int_equal(weft_ckpt_save(c, "model", NULL, "weights-1", 9, 1, layout, 0), WEFT_OK);
	assert_int_equal(weft_ckpt_save(c, "model", NULL, "weights-22", 10, 22, layout, 0), WEFT_OK);
	weft_value_free(layout);
	assert_int_equal(weft_ckpt_finish(c), WEFT_OK);
	weft_ckpt_free(c);
	/* A new writer for the same key -- a retry, a resume -- finds it. */
	c = weft_ckpt_new(f->st, f->dir, KEY, "train", "py.run", "gpu:0");
	const char *p = NULL;
	int64_t step = 0;
	const weft_value *l = NULL;
	assert_int_equal(weft_ckpt_latest(c, "model", &p, &step, &l), WEFT_OK);
	assert_int_equal(step, 22);
	char *text = slurp(p);
	assert_string_equal(text, "weights-22");
	free(text);
	assert_int_equal(weft_value_get_int(weft_value_map_get(l, "shards")), 2);
	assert_int_equal(weft_value_get_int(weft_value_map_get(l, "n_devices")), 2);
	const weft_value *devs = weft_value_map_get(l, "devices");
	assert_int_equal(weft_value_len(devs), 2);
	assert_string_equal(weft_value_get_string(weft_value_list_at(devs, 1), NULL), "gpu:1");
	weft_ckpt_free(c);
}

static void test_a_saved_file_is_taken_and_the_path_reusable(void **state)
{
	fx *f = *state;
	weft_ckpt *c = weft_ckpt_new(f->st, f->dir, KEY, "n", "p.op", NULL);
	char *path = weft_path_join(f->dir, "state.bin");
	for (int step = 0; step < 5; step++) {
		char buf[32];
		snprintf(buf, sizeof buf, "state %d", step);
		write_text(path, buf);
		assert_int_equal(weft_ckpt_save(c, "s", path, NULL, 0, step, NULL, 0), WEFT_OK);
		/* Moved away at once: the op may write the next one there. */
		assert_int_not_equal(access(path, F_OK), 0);
	}
	unsigned saves;
	double blocked = weft_ckpt_blocked(c, &saves);
	assert_int_equal(saves, 5);
	assert_true(blocked >= 0);
	const char *p;
	int64_t step;
	assert_int_equal(weft_ckpt_latest(c, "s", &p, &step, NULL), WEFT_OK);
	assert_int_equal(step, 4);
	char *text = slurp(p);
	assert_string_equal(text, "state 4");
	free(text);
	/* While running, the newest two of a name are kept. */
	assert_int_equal(manifests(f, "s"), WEFT_CKPT_RUNNING_KEEP);
	weft_ckpt_free(c);
	free(path);
}

static void test_wait_commits_before_returning(void **state)
{
	fx *f = *state;
	weft_ckpt *c = weft_ckpt_new(f->st, f->dir, KEY, "n", "p.op", NULL);
	assert_int_equal(weft_ckpt_save(c, "w", NULL, "abc", 3, 7, NULL, WEFT_CKPT_WAIT), WEFT_OK);
	char *m = weft_sprintf("%s/ckpt/%s/w/%020d.json", f->dir, KEY, 7);
	assert_int_equal(access(m, F_OK), 0);
	free(m);
	weft_ckpt_free(c);
}

static void test_a_damaged_newest_falls_back_to_the_one_before(void **state)
{
	fx *f = *state;
	weft_ckpt *c = weft_ckpt_new(f->st, f->dir, KEY, "n", "p.op", NULL);
	assert_int_equal(weft_ckpt_save(c, "d", NULL, "good", 4, 1, NULL, 0), WEFT_OK);
	assert_int_equal(weft_ckpt_save(c, "d", NULL, "newer", 5, 2, NULL, WEFT_CKPT_WAIT), WEFT_OK);
	char hash[65];
	assert_int_equal(weft_store_put_bytes(f->st, "newer", 5, hash), WEFT_OK);
	char *obj = weft_store_object_path(f->st, hash);
	chmod(obj, 0644);
	write_text(obj, "rotte");
	free(obj);
	const char *p;
	int64_t step;
	assert_int_equal(weft_ckpt_latest(c, "d", &p, &step, NULL), WEFT_OK);
	assert_int_equal(step, 1);
	char *text = slurp(p);
	assert_string_equal(text, "good");
	free(text);
	/* A manifest that was never finished (a kill mid-write) is no checkpoint. */
	char *junk = weft_sprintf("%s/ckpt/%s/d/%020d.json", f->dir, KEY, 9);
	write_text(junk, "{\"step\": 9, \"obj");
	free(junk);
	assert_int_equal(weft_ckpt_latest(c, "d", &p, &step, NULL), WEFT_OK);
	assert_int_equal(step, 1);
	weft_ckpt_free(c);
}

static void test_settle_applies_the_policy(void **state)
{
	fx *f = *state;
	weft_ckpt *c = weft_ckpt_new(f->st, f->dir, KEY, "n", "p.op", NULL);
	assert_int_equal(weft_ckpt_save(c, "a", NULL, "1", 1, 1, NULL, 0), WEFT_OK);
	assert_int_equal(weft_ckpt_save(c, "a", NULL, "2", 1, 2, NULL, 0), WEFT_OK);
	assert_int_equal(weft_ckpt_save(c, "b", NULL, "3", 1, 1, NULL, WEFT_CKPT_WAIT), WEFT_OK);
	weft_ckpt_free(c);
	assert_int_equal(weft_ckpt_settle(f->dir, KEY, WEFT_CKPT_KEEP), WEFT_OK);
	assert_int_equal(manifests(f, "a"), 2);
	assert_int_equal(weft_ckpt_settle(f->dir, KEY, WEFT_CKPT_LAST), WEFT_OK);
	assert_int_equal(manifests(f, "a"), 1);
	assert_int_equal(manifests(f, "b"), 1);
	assert_int_equal(weft_ckpt_settle(f->dir, KEY, WEFT_CKPT_DROP), WEFT_OK);
	char *kdir = weft_sprintf("%s/ckpt/%s", f->dir, KEY);
	assert_int_not_equal(access(kdir, F_OK), 0);
	free(kdir);
}

static void test_gc_keeps_unfinished_nodes_checkpoints(void **state)
{
	fx *f = *state;
	weft_ckpt *c = weft_ckpt_new(f->st, f->dir, KEY, "n", "p.op", NULL);
	assert_int_equal(weft_ckpt_save(c, "g", NULL, "precious", 8, 3, NULL, WEFT_CKPT_WAIT), WEFT_OK);
	weft_ckpt_free(c);
	weft_gc_result g;
	assert_int_equal(weft_cache_gc(&g, f->dir, 0, 0), WEFT_OK);
	assert_int_equal(g.checkpoints_removed, 0);
	weft_cache_stats st;
	assert_int_equal(weft_cache_stats_get(&st, f->dir), WEFT_OK);
	assert_int_equal(st.checkpoints, 1);
	assert_int_equal(st.checkpoint_bytes, 8);
	c = weft_ckpt_new(f->st, f->dir, KEY, "n", "p.op", NULL);
	const char *p;
	int64_t step;
	assert_int_equal(weft_ckpt_latest(c, "g", &p, &step, NULL), WEFT_OK);
	assert_int_equal(step, 3);
	weft_ckpt_free(c);
}

/* ------------------------------------------------------------ pyimports */

static int has(char **v, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

static void test_imports_are_read_from_statements(void **state)
{
	(void)state;
	const char *src = "\"\"\"Docstring: import notamodule\"\"\"\n"
			  "import os, sys as system\n"
			  "import model.layers\n"
			  "from helpers import f, g\n"
			  "from . import sibling, other as o\n"
			  "from .utils.io import load\n"
			  "from data import (\n    a,\n    b)\n"
			  "def fn():\n    import lazy  # inside a function\n"
			  "try:\n    import optional\nexcept ImportError:\n    pass\n"
			  "x = 1; import semi\n"
			  "# import commented\n"
			  "s = 'import notastatement'\n"
			  "from \\\n    continued import z\n";
	char **names = NULL;
	int n = weft_py_imports(src, strlen(src), &names, 100);
	const char *want[] = {"os", "sys", "model", "helpers", "sibling", "other", "utils", "data", "lazy",
			      "optional", "semi", "continued"};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++)
		if (!has(names, n, want[i]))
			fail_msg("missing import %s", want[i]);
	assert_false(has(names, n, "notamodule"));
	assert_false(has(names, n, "commented"));
	assert_false(has(names, n, "notastatement"));
	assert_false(has(names, n, "system"));
	assert_false(has(names, n, "f"));
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static void test_imports_survive_odd_input(void **state)
{
	(void)state;
	char junk[4096];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (char)((i * 2654435761u) >> 13);
	char **names = NULL;
	int n = weft_py_imports(junk, sizeof junk, &names, 8);
	assert_true(n >= 0 && n <= 8);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	n = weft_py_imports("from", 4, &names, 8);
	assert_int_equal(n, 0);
	free(names);
	n = weft_py_imports("import (((", 10, &names, 8);
	assert_true(n >= 0);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_names_and_steps_are_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bytes_round_trip_with_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_saved_file_is_taken_and_the_path_reusable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_commits_before_returning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_damaged_newest_falls_back_to_the_one_before, setup, teardown),
		cmocka_unit_test_setup_teardown(test_settle_applies_the_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gc_keeps_unfinished_nodes_checkpoints, setup, teardown),
		cmocka_unit_test(test_imports_are_read_from_statements),
		cmocka_unit_test(test_imports_survive_odd_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
