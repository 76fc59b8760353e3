/* The op index: descriptor blobs, the index file, describing plugins in a
 * child process, and engines that register plugins without loading them. */
#include "test_util.h"

#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "context.h"
#include "opindex.h"

static int run_stub(weft_op_ctx *ctx, const weft_host_api *api)
{
	(void)ctx;
	(void)api;
	return WEFT_OK;
}

static const weft_param_spec params[] = {
	{"n", WEFT_T_INT, "3", "how many"},
	{"label", WEFT_T_STRING, NULL, "required"},
};
static const char *const ins[] = {"data"};
static const char *const outs[] = {"out", "log"};
static const weft_op_desc op_a = {
	.struct_size = sizeof(weft_op_desc),
	.name = "a",
	.version = "2",
	.doc = "does a",
	.params = params,
	.n_params = 2,
	.inputs = ins,
	.n_inputs = 1,
	.outputs = outs,
	.n_outputs = 2,
	.flags = WEFT_OP_DETERMINISTIC | WEFT_OP_RETRYABLE,
	.cpus = 2,
	.mem_bytes = 1u << 30,
	.run = run_stub,
};
static const weft_op_desc op_b = {.struct_size = sizeof(weft_op_desc), .name = "b", .version = "1", .run = run_stub};
static const weft_op_desc *const ops[] = {&op_a, &op_b};
static const weft_plugin_desc plugin = {
	.struct_size = sizeof(weft_plugin_desc),
	.abi_major = WEFT_ABI_MAJOR,
	.abi_minor = WEFT_ABI_MINOR,
	.name = "t",
	.version = "0.3",
	.license = "MIT",
	.description = NULL,
	.ops = ops,
	.n_ops = 2,
};

static void test_roundtrip(void **state)
{
	(void)state;
	weft_buf b = {0};
	assert_int_equal(weft_opindex_encode(&b, &plugin, "t.so"), WEFT_OK);
	weft_arena a = {0};
	const weft_plugin_desc *d = NULL;
	assert_int_equal(weft_opindex_decode(&d, &a, b.data, b.len, "t.so"), WEFT_OK);
	assert_string_equal(d->name, "t");
	assert_string_equal(d->version, "0.3");
	assert_string_equal(d->license, "MIT");
	assert_null(d->description);
	assert_int_equal(d->n_ops, 2);
	const weft_op_desc *o = d->ops[0];
	assert_string_equal(o->name, "a");
	assert_string_equal(o->version, "2");
	assert_string_equal(o->doc, "does a");
	assert_int_equal(o->n_params, 2);
	assert_string_equal(o->params[0].name, "n");
	assert_int_equal(o->params[0].type, WEFT_T_INT);
	assert_string_equal(o->params[0].default_json, "3");
	assert_null(o->params[1].default_json);
	assert_int_equal(o->n_inputs, 1);
	assert_string_equal(o->inputs[0], "data");
	assert_int_equal(o->n_outputs, 2);
	assert_string_equal(o->outputs[1], "log");
	assert_int_equal(o->flags, WEFT_OP_DETERMINISTIC | WEFT_OP_RETRYABLE);
	assert_int_equal(o->cpus, 2);
	assert_int_equal(o->mem_bytes, 1u << 30);
	assert_null(o->run); /* bound only when the plugin is activated */
	assert_string_equal(d->ops[1]->name, "b");
	assert_int_equal(d->ops[1]->n_params, 0);
	weft_arena_free(&a);
	weft_buf_free(&b);
}

/* Every truncation and many byte flips of a valid blob: an error or a
 * consistent descriptor, never a crash (run under ASan in CI). */
static void test_damaged_blobs(void **state)
{
	(void)state;
	weft_buf b = {0};
	assert_int_equal(weft_opindex_encode(&b, &plugin, "t.so"), WEFT_OK);
	for (size_t cut = 0; cut < b.len; cut++) {
		weft_arena a = {0};
		const weft_plugin_desc *d = NULL;
		assert_int_not_equal(weft_opindex_decode(&d, &a, b.data, cut, "t.so"), WEFT_OK);
		weft_arena_free(&a);
	}
	unsigned seed = 7;
	for (int i = 0; i < 20000; i++) {
		char *copy = malloc(b.len);
		assert_non_null(copy);
		memcpy(copy, b.data, b.len);
		for (int k = 0; k < 1 + i % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			copy[(seed >> 8) % b.len] ^= (char)(1u << ((seed >> 4) % 8));
		}
		weft_arena a = {0};
		const weft_plugin_desc *d = NULL;
		if (weft_opindex_decode(&d, &a, copy, b.len, "t.so") == WEFT_OK) {
			for (size_t o = 0; o < d->n_ops; o++)
				for (size_t p = 0; p < d->ops[o]->n_params; p++)
					assert_non_null(d->ops[o]->params[p].name);
		}
		weft_arena_free(&a);
		free(copy);
	}
	weft_buf_free(&b);
}

static void test_incomplete_descriptor_refused(void **state)
{
	(void)state;
	weft_op_desc no_run = op_b;
	no_run.run = NULL;
	const weft_op_desc *const bad_ops[] = {&op_a, &no_run};
	weft_plugin_desc p = plugin;
	p.ops = bad_ops;
	weft_buf b = {0};
	assert_int_not_equal(weft_opindex_encode(&b, &p, "t.so"), WEFT_OK);
	assert_non_null(strstr(weft_error_last(), "op #1 has an incomplete descriptor"));
	weft_buf_free(&b);
	p = plugin;
	p.abi_major = WEFT_ABI_MAJOR + 1;
	assert_int_not_equal(weft_opindex_encode(&b, &p, "t.so"), WEFT_OK);
	assert_non_null(strstr(weft_error_last(), "rebuild the plugin"));
	weft_buf_free(&b);
}

static void test_index_file(void **state)
{
	(void)state;
	char *dir = tmpdir_new();
	char *so = weft_path_join(dir, "x.so"), *ix_path = weft_path_join(dir, "plugin-index");
	write_text(so, "not really a plugin");
	struct stat st;
	assert_int_equal(stat(so, &st), 0);
	weft_buf blob = {0};
	assert_int_equal(weft_opindex_encode(&blob, &plugin, so), WEFT_OK);

	weft_opindex *ix = weft_opindex_open(ix_path);
	assert_non_null(ix);
	assert_null(weft_opindex_lookup(ix, so, &st));
	assert_int_equal(weft_opindex_put(ix, so, &st, &blob), WEFT_OK);
	weft_opindex_save(ix);
	weft_opindex_free(ix);

	ix = weft_opindex_open(ix_path);
	const weft_buf *got = weft_opindex_lookup(ix, so, &st);
	assert_non_null(got);
	assert_int_equal(got->len, blob.len);
	assert_memory_equal(got->data, blob.data, blob.len);
	/* A rebuilt .so (new mtime) is not served from the index. */
	struct stat changed = st;
	changed.st_mtim.tv_nsec ^= 1;
	assert_null(weft_opindex_lookup(ix, so, &changed));
	weft_opindex_free(ix);

	/* A damaged index reads as empty, never as a wrong descriptor. */
	char *data = NULL;
	size_t len = 0;
	assert_int_equal(weft_read_file(ix_path, &data, &len), WEFT_OK);
	for (size_t cut = 0; cut < len; cut += 7) {
		assert_int_equal(weft_write_file_atomic(ix_path, data, cut, 0), WEFT_OK);
		ix = weft_opindex_open(ix_path);
		assert_non_null(ix);
		assert_null(weft_opindex_lookup(ix, so, &st));
		weft_opindex_free(ix);
	}
	free(data);
	weft_buf_free(&blob);
	weft_rm_rf(dir);
	free(so);
	free(ix_path);
	free(dir);
}

static void test_describe_in_child(void **state)
{
	(void)state;
	weft_host_api api;
	weft_host_api_init(&api);
	weft_buf b = {0};
	assert_int_equal(weft_opindex_describe(&b, CORE_SO, &api), WEFT_OK);
	weft_arena a = {0};
	const weft_plugin_desc *d = NULL;
	assert_int_equal(weft_opindex_decode(&d, &a, b.data, b.len, CORE_SO), WEFT_OK);
	assert_string_equal(d->name, "core");
	weft_arena_free(&a);
	weft_buf_free(&b);

	assert_int_not_equal(weft_opindex_describe(&b, BAD_DESC_SO, &api), WEFT_OK);
	/* "crashed (signal 11, ...)"; under ASan the child reports and exits. */
	assert_non_null(strstr(weft_error_last(), "while describing itself"));
	assert_non_null(strstr(weft_error_last(), BAD_DESC_SO));
	assert_int_not_equal(weft_opindex_describe(&b, FUTURE_ABI_SO, &api), WEFT_OK);
	assert_non_null(strstr(weft_error_last(), "upgrade weft"));
	assert_int_not_equal(weft_opindex_describe(&b, "/nonexistent/p.so", &api), WEFT_OK);
	assert_non_null(strstr(weft_error_last(), "cannot load plugin /nonexistent/p.so"));
	assert_int_equal(b.len, 0);
}

static char *plugin_dir_with(const char *dir, const char *so)
{
	char *pdir = weft_path_join(dir, "plugins");
	assert_int_equal(weft_mkdirs(pdir, 0755), WEFT_OK);
	char *base = strrchr(so, '/');
	char *dst = weft_path_join(pdir, base ? base + 1 : so);
	assert_int_equal(weft_copy_file_atomic(so, dst, 0755), WEFT_OK);
	free(dst);
	return pdir;
}

static void test_engine_registers_without_loading(void **state)
{
	(void)state;
	char *dir = tmpdir_new();
	char *pdir = plugin_dir_with(dir, CORE_SO);
	for (int round = 0; round < 2; round++) {
		weft_engine_options eo = WEFT_ENGINE_OPTIONS_INIT;
		eo.store_dir = dir;
		eo.load_builtin_plugins = 0;
		eo.plugin_path = pdir;
		weft_engine *eng = NULL;
		assert_int_equal(weft_engine_new(&eng, &eo), WEFT_OK);
		assert_int_equal(eng->n_plugins, 1);
		assert_null(eng->plugins[0].dl); /* described, not mapped */
		const weft_op_info *op = weft_engine_op_find(eng, "core.noop");
		assert_non_null(op);
		assert_null(op->desc->run);
		assert_int_equal(weft_plugin_activate(eng, op), WEFT_OK);
		assert_non_null(eng->plugins[0].dl);
		assert_non_null(op->desc->run);
		weft_engine_free(eng);
		/* The first engine wrote the index the second one reads. */
		char *ix = weft_path_join(dir, "plugin-index");
		assert_int_equal(access(ix, R_OK), 0);
		free(ix);
	}
	weft_rm_rf(dir);
	free(pdir);
	free(dir);
}

static void test_engine_survives_crashing_plugin(void **state)
{
	(void)state;
	char *dir = tmpdir_new();
	char *pdir = plugin_dir_with(dir, BAD_DESC_SO);
	weft_engine_options eo = WEFT_ENGINE_OPTIONS_INIT;
	eo.store_dir = dir;
	eo.load_builtin_plugins = 0;
	eo.plugin_path = pdir;
	weft_engine *eng = NULL;
	assert_int_not_equal(weft_engine_new(&eng, &eo), WEFT_OK);
	assert_null(eng);
	assert_non_null(strstr(weft_error_last(), "bad_desc.so"));
	assert_non_null(strstr(weft_error_last(), "while describing itself"));
	assert_non_null(strstr(weft_error_last(), "remove it"));
	weft_rm_rf(dir);
	free(pdir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_damaged_blobs),
		cmocka_unit_test(test_incomplete_descriptor_refused),
		cmocka_unit_test(test_index_file),
		cmocka_unit_test(test_describe_in_child),
		cmocka_unit_test(test_engine_registers_without_loading),
		cmocka_unit_test(test_engine_survives_crashing_plugin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
