/*
 * py.c -- the py plugin: `py.run` runs a Python function from a pipeline's
 * own script as an op (docs/python-ops.md).
 *
 *   ops.py.run { script = weft.file("train.py"), fn = "main",
 *                data = prep.out, epochs = 3, gpu = 1 }
 *
 * Every argument that is not one of the op's params is an input and
 * reaches the function as a keyword argument (artifacts as paths). The
 * script and the modules it imports from its own directory (the DSL fills
 * `modules` from its import statements) are laid out in a fresh source
 * directory from the store, so the code that runs is the code whose hash
 * is in the key. The engine does the rest (api->python_run): the child
 * interpreter, the protocol, checkpoints, progress and errors.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <weft/ophelp.h>

static int name_ok(const char *s)
{
	if (!s || !*s || !strcmp(s, ".") || !strcmp(s, "..") || strchr(s, '/') || s[0] == '.')
		return 0;
	return strlen(s) < 200;
}

static int stage(weft_op_ctx *ctx, const weft_host_api *api, const char *src, const char *name,
		 const weft_value *art)
{
	if (!name_ok(name))
		return api->fail(ctx, "py.run: module name '%s' is not a file name; use names like 'model.py'", name);
	if (api->value_type(art) != WEFT_T_ARTIFACT)
		return api->fail(ctx, "py.run: modules['%s'] is not a file; give weft.file(...) or weft.dir(...)", name);
	const char *path = NULL;
	if (api->artifact_path(&path, ctx, art) != WEFT_OK)
		return api->fail(ctx, "py.run: module %s: %s", name, api->error_last());
	char link_path[4096];
	if ((size_t)snprintf(link_path, sizeof link_path, "%s/%s", src, name) >= sizeof link_path)
		return api->fail(ctx, "py.run: path too long");
	if (symlink(path, link_path) != 0)
		return api->fail(ctx, "py.run: cannot place module %s in %s: %s", name, src, strerror(errno));
	return WEFT_OK;
}

static int py_run(weft_op_ctx *ctx, const weft_host_api *api)
{
	const weft_value *script = api->param(ctx, "script");
	const char *fn = weft_op_param_string(ctx, api, "fn");
	const weft_value *mods = api->param(ctx, "modules");
	(void)api->param(ctx, "python"); /* read by the engine when it starts the interpreter */
	if (!script || api->value_type(script) != WEFT_T_ARTIFACT)
		return api->fail(ctx, "py.run: script must be a file, for example script = weft.file(\"train.py\")");
	const char *work = api->workdir(ctx);
	if (!work)
		return api->fail(ctx, "py.run: no work directory: %s", api->error_last());
	char src[4096];
	if ((size_t)snprintf(src, sizeof src, "%s/src", work) >= sizeof src || mkdir(src, 0755) != 0)
		return api->fail(ctx, "py.run: cannot make %s/src: %s", work, strerror(errno));
	/* The script runs under the name it has beside its modules; one made
	 * by another node runs as script.py. */
	const char *script_name = NULL;
	const char *shash = api->value_artifact_hash(script);
	size_t n = mods && api->value_type(mods) == WEFT_T_MAP ? api->value_len(mods) : 0;
	for (size_t i = 0; i < n; i++) {
		const char *k = api->value_map_key_at(mods, i);
		const weft_value *v = api->value_map_value_at(mods, i);
		if (stage(ctx, api, src, k, v) != WEFT_OK)
			return WEFT_ERROR;
		if (!script_name && api->value_type(v) == WEFT_T_ARTIFACT && !strcmp(api->value_artifact_hash(v), shash))
			script_name = k;
	}
	if (!script_name) {
		script_name = "script.py";
		if (stage(ctx, api, src, script_name, script) != WEFT_OK)
			return WEFT_ERROR;
	}
	char path[4096];
	if ((size_t)snprintf(path, sizeof path, "%s/%s", src, script_name) >= sizeof path)
		return api->fail(ctx, "py.run: path too long");
	return api->python_run(ctx, path, fn && *fn ? fn : "main", api->inputs(ctx));
}

static const weft_param_spec run_params[] = {
	{"script", WEFT_T_ARTIFACT, NULL, "the Python file, weft.file(\"train.py\")"},
	{"fn", WEFT_T_STRING, "\"main\"", "the function to call"},
	{"python", WEFT_T_STRING, "\"\"",
	 "the interpreter (its version is in the key); default $WEFT_PYTHON, else python3"},
	{"modules", WEFT_T_MAP, "{}",
	 "name = file of modules the script imports; filled from the script's imports when left out"},
};
static const weft_op_desc py_op_run = {
	WEFT_OP_DESC("run", "1", py_run,
		     WEFT_OP_DETERMINISTIC | WEFT_OP_VARIADIC_INPUTS | WEFT_OP_VARIADIC_OUTPUTS | WEFT_OP_RETRYABLE |
			     WEFT_OP_ISOLATED | WEFT_OP_PYTHON,
		     "Calls fn(**inputs) from a Python script in a child interpreter: every other argument of the "
		     "node is a keyword argument (files as paths). Returns a dict of outputs (values, or paths "
		     "under weft.outdir()), one value (output `out`), or None (`out` is weft.outdir() when it is "
		     "not empty). `import weft` gives progress, checkpoints and cancellation; see "
		     "docs/python-ops.md."),
	WEFT_OP_PARAMS(run_params),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};

static const weft_op_desc *const py_ops[] = {&py_op_run};
static const weft_plugin_desc py_plugin =
	WEFT_PLUGIN_DESC("py", "1", "MIT", "Python functions as ops, with checkpoints", py_ops);

WEFT_PLUGIN_EXPORT const weft_plugin_desc *weft_plugin_entry(const weft_host_api *api)
{
	return weft_plugin_accept(api, &py_plugin);
}
