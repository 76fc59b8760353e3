/*
 * plugin.c -- loading plugin .so files and the host API they call back into.
 *
 * Loading follows GStreamer's rule: refuse a different ABI major, refuse a
 * newer minor than the host, accept older minors. Descriptors are read only
 * up to the struct_size they declare. Op names are global (plugin.op) and a
 * clash is an error naming both files rather than a silent override.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine_internal.h"
#include "opctx.h"
#include "util.h"

/* ------------------------------------------------------------ host API */

static void *host_alloc(size_t n)
{
	return malloc(n ? n : 1);
}

static void host_free(void *p)
{
	free(p);
}

static const weft_value *host_param(weft_op_ctx *ctx, const char *name)
{
	return weft_value_map_get(ctx->params, name);
}

static const weft_value *host_input(weft_op_ctx *ctx, const char *name)
{
	return weft_value_map_get(ctx->inputs, name);
}

static const weft_value *host_inputs(weft_op_ctx *ctx)
{
	return ctx->inputs;
}

static int host_set_output(weft_op_ctx *ctx, const char *name, weft_value *v)
{
	if (!v)
		return weft_err_set(WEFT_ERROR, "set_output(%s): NULL value", name);
	if (weft_value_type(v) == WEFT_T_REF) {
		weft_value_free(v);
		return weft_err_set(WEFT_EINVALID, "set_output(%s): refs are not values", name);
	}
	return weft_value_map_set(ctx->outputs, name, v);
}

static int host_artifact_path(const char **out, weft_op_ctx *ctx, const weft_value *art)
{
	char *path = NULL;
	int rc = weft_store_checkout(&path, ctx->eng->store, art);
	if (rc != WEFT_OK)
		return rc;
	char **p = realloc(ctx->paths, (ctx->n_paths + 1) * sizeof *p);
	if (!p) {
		free(path);
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	ctx->paths = p;
	ctx->paths[ctx->n_paths++] = path;
	*out = path;
	return WEFT_OK;
}

static int host_artifact_import(weft_value **out, weft_op_ctx *ctx, const char *path)
{
	return weft_store_import(out, ctx->eng->store, path);
}

static const char *host_workdir(weft_op_ctx *ctx)
{
	if (ctx->workdir)
		return ctx->workdir;
	char *dir = weft_sprintf("%s/n%u", ctx->tmp_base, ctx->id);
	if (!dir)
		return NULL;
	weft_rm_rf(dir); /* left over from an interrupted attempt */
	if (weft_mkdirs(dir, 0755) != WEFT_OK) {
		free(dir);
		return NULL;
	}
	ctx->workdir = dir;
	return dir;
}

static const char *host_log_path(weft_op_ctx *ctx)
{
	return ctx->log_path;
}

static void host_log(weft_op_ctx *ctx, int level, const char *fmt, ...)
{
	static const char *const names[] = {"debug", "info", "warn", "error"};
	FILE *log = __atomic_load_n(&ctx->log, __ATOMIC_ACQUIRE);
	if (!log && ctx->log_path && (log = fopen(ctx->log_path, "a"))) {
		/* Threads of one op may race to open the log: one file wins. */
		FILE *expected = NULL;
		if (!__atomic_compare_exchange_n(&ctx->log, &expected, log, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			fclose(log);
			log = expected;
		}
	}
	if (!log)
		return;
	va_list ap;
	va_start(ap, fmt);
	/* One line at a time even when an op logs from threads of its own. */
	flockfile(log);
	fprintf(log, "[%s] ", names[level < 0 ? 0 : level > 3 ? 3 : level]);
	vfprintf(log, fmt, ap);
	fputc('\n', log);
	funlockfile(log);
	va_end(ap);
}

static void host_progress(weft_op_ctx *ctx, double fraction, const char *message)
{
	host_log(ctx, WEFT_LOG_DEBUG, "progress %.0f%% %s", fraction * 100, message ? message : "");
}

static int host_cancelled(weft_op_ctx *ctx)
{
	return ctx->cancel && __atomic_load_n(ctx->cancel, __ATOMIC_RELAXED);
}

static int host_fail(weft_op_ctx *ctx, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	free(ctx->error);
	ctx->error = msg;
	if (msg)
		host_log(ctx, WEFT_LOG_ERROR, "%s", msg);
	return WEFT_ERROR;
}

static const char *host_node_name(weft_op_ctx *ctx)
{
	return ctx->node_name;
}

static weft_type v_type(const weft_value *v)
{
	return weft_value_type(v);
}

static weft_value *v_new_list(void)
{
	return weft_value_list();
}

static weft_value *v_new_map(void)
{
	return weft_value_map();
}

static char *v_to_json(const weft_value *v)
{
	return weft_value_to_json(v, 0);
}

void weft_host_api_init(weft_host_api *api)
{
	memset(api, 0, sizeof *api);
	api->struct_size = sizeof *api;
	api->abi_major = WEFT_ABI_MAJOR;
	api->abi_minor = WEFT_ABI_MINOR;
	api->alloc = host_alloc;
	api->free = host_free;
	api->param = host_param;
	api->input = host_input;
	api->inputs = host_inputs;
	api->set_output = host_set_output;
	api->artifact_path = host_artifact_path;
	api->artifact_import = host_artifact_import;
	api->workdir = host_workdir;
	api->log_path = host_log_path;
	api->log = host_log;
	api->progress = host_progress;
	api->cancelled = host_cancelled;
	api->fail = host_fail;
	api->node_name = host_node_name;
	api->value_type = v_type;
	api->value_bool = weft_value_get_bool;
	api->value_int = weft_value_get_int;
	api->value_float = weft_value_get_float;
	api->value_string = weft_value_get_string;
	api->value_len = weft_value_len;
	api->value_list_at = weft_value_list_at;
	api->value_map_get = weft_value_map_get;
	api->value_map_key_at = weft_value_map_key_at;
	api->value_map_value_at = weft_value_map_value_at;
	api->value_artifact_hash = weft_value_artifact_hash;
	api->value_new_null = weft_value_null;
	api->value_new_bool = weft_value_bool;
	api->value_new_int = weft_value_int;
	api->value_new_float = weft_value_float;
	api->value_new_string = weft_value_string;
	api->value_new_list = v_new_list;
	api->value_new_map = v_new_map;
	api->value_list_push = weft_value_list_push;
	api->value_map_set = weft_value_map_set;
	api->value_copy = weft_value_copy;
	api->value_free = weft_value_free;
	api->value_from_json = weft_value_from_json;
	api->value_to_json = v_to_json;
	api->value_from_yaml = weft_value_from_yaml;
	api->error_last = weft_error_last;
}

weft_op_ctx *weft_op_ctx_new(weft_engine *eng, const weft_op_info *op, const char *node_name, uint32_t id,
			     const weft_value *params, const weft_value *inputs, const char *log_path,
			     const char *tmp_base, int *cancel)
{
	weft_op_ctx *ctx = calloc(1, sizeof *ctx);
	if (!ctx)
		return NULL;
	ctx->eng = eng;
	ctx->op = op;
	ctx->node_name = node_name;
	ctx->id = id;
	ctx->params = params;
	ctx->inputs = inputs;
	ctx->cancel = cancel;
	ctx->outputs = weft_value_map();
	ctx->log_path = log_path ? weft_strdup(log_path) : NULL;
	ctx->tmp_base = weft_strdup(tmp_base ? tmp_base : "/tmp");
	if (!ctx->outputs || (log_path && !ctx->log_path) || !ctx->tmp_base) {
		weft_op_ctx_release(ctx);
		return NULL;
	}
	return ctx;
}

int weft_op_ctx_run(weft_op_ctx *ctx)
{
	const weft_op_desc *d = ctx->op->desc;
	int rc = d->run(ctx, &ctx->eng->api);
	if (rc == WEFT_OK && ctx->error)
		rc = WEFT_ERROR;
	if (rc != WEFT_OK) {
		if (!ctx->error)
			ctx->error = rc == WEFT_ECANCELLED ? weft_strdup("cancelled")
							   : weft_sprintf("op %s returned error %d without a message",
									  ctx->op->full_name, rc);
		return rc;
	}
	/* Declared outputs the op left unset read as null downstream. */
	for (size_t i = 0; i < d->n_outputs; i++)
		if (!weft_value_map_get(ctx->outputs, d->outputs[i]) &&
		    weft_value_map_set(ctx->outputs, d->outputs[i], weft_value_null()) != WEFT_OK)
			return WEFT_ERROR;
	return WEFT_OK;
}

void weft_op_ctx_release(weft_op_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->log)
		fclose(ctx->log);
	if (ctx->workdir)
		weft_rm_rf(ctx->workdir);
	for (size_t i = 0; i < ctx->n_paths; i++)
		free(ctx->paths[i]);
	free(ctx->paths);
	free(ctx->workdir);
	free(ctx->log_path);
	free(ctx->tmp_base);
	free(ctx->error);
	weft_value_free(ctx->outputs);
	free(ctx);
}

/* ------------------------------------------------------------ loading */

#define DESC_HAS(d, field) ((d)->struct_size >= offsetof(__typeof__(*(d)), field) + sizeof((d)->field))

static int register_ops(weft_engine *eng, plugin_rec *rec)
{
	const weft_plugin_desc *d = rec->desc;
	for (size_t i = 0; i < d->n_ops; i++) {
		const weft_op_desc *op = d->ops[i];
		if (!op || !DESC_HAS(op, run) || !op->name || !op->version || !op->run)
			return weft_err_set(WEFT_EINVALID, "plugin %s (%s): op #%zu has an incomplete descriptor",
					    d->name, rec->path, i);
		/* Scripts set these keys on every node (node name, resources,
		 * explicit inputs), so a parameter by that name could never be set. */
		static const char *const reserved[] = {"name",    "cpus",    "mem",     "inputs",   "isolate", "gpu",
						       "npu",     "timeout", "retries", "backoff", "resources"};
		const size_t n_reserved = sizeof reserved / sizeof *reserved;
		for (size_t p = 0; DESC_HAS(op, n_params) && p < op->n_params; p++)
			for (size_t r = 0; r < n_reserved; r++)
				if (op->params[p].name && !strcmp(op->params[p].name, reserved[r]))
					return weft_err_set(WEFT_EINVALID,
							    "plugin %s (%s): op %s declares a parameter '%s', which is "
							    "reserved for the node itself; rename the parameter",
							    d->name, rec->path, op->name, reserved[r]);
		char *full = weft_sprintf("%s.%s", d->name, op->name);
		if (!full)
			return weft_err_set(WEFT_ERROR, "out of memory");
		const weft_op_info *dup = weft_engine_op_find(eng, full);
		if (dup) {
			int rc = weft_err_set(WEFT_EINVALID, "op %s is defined twice: by %s and by %s; remove one plugin",
					      full, dup->plugin_path, rec->path);
			free(full);
			return rc;
		}
		weft_op_info *ops = realloc(eng->ops, (eng->n_ops + 1) * sizeof *ops);
		if (!ops) {
			free(full);
			return weft_err_set(WEFT_ERROR, "out of memory");
		}
		eng->ops = ops;
		eng->ops[eng->n_ops++] = (weft_op_info){
			.plugin = d->name,
			.plugin_path = rec->path,
			.plugin_version = d->version ? d->version : "0",
			.full_name = full,
			.desc = op,
			.trusted = rec->trusted,
		};
	}
	return WEFT_OK;
}

int weft_engine_load_plugin(weft_engine *eng, const char *path)
{
	for (size_t i = 0; i < eng->n_plugins; i++)
		if (!strcmp(eng->plugins[i].path, path))
			return WEFT_OK;
	void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!dl)
		return weft_err_set(WEFT_EINVALID, "cannot load plugin %s: %s", path, dlerror());
	weft_plugin_entry_fn entry;
	*(void **)&entry = dlsym(dl, WEFT_PLUGIN_ENTRY_SYMBOL);
	if (!entry) {
		dlclose(dl);
		return weft_err_set(WEFT_EINVALID, "%s is not a weft plugin: it does not export %s()", path,
				    WEFT_PLUGIN_ENTRY_SYMBOL);
	}
	const weft_plugin_desc *d = entry(&eng->api);
	int rc = WEFT_OK;
	if (!d || !DESC_HAS(d, n_ops) || !d->name) {
		rc = weft_err_set(WEFT_EINVALID, "plugin %s returned no usable descriptor", path);
	} else if (d->abi_major != WEFT_ABI_MAJOR) {
		rc = weft_err_set(WEFT_EINVALID,
				  "plugin %s (%s) was built for weft ABI %u.%u but this weft has ABI %u.%u; "
				  "rebuild the plugin against this weft's weft/plugin.h",
				  d->name, path, d->abi_major, d->abi_minor, WEFT_ABI_MAJOR, WEFT_ABI_MINOR);
	} else if (d->abi_minor > WEFT_ABI_MINOR) {
		rc = weft_err_set(WEFT_EINVALID,
				  "plugin %s (%s) was built for weft ABI %u.%u but this weft has ABI %u.%u; upgrade weft "
				  "to run it",
				  d->name, path, d->abi_major, d->abi_minor, WEFT_ABI_MAJOR, WEFT_ABI_MINOR);
	}
	if (rc != WEFT_OK) {
		dlclose(dl);
		return rc;
	}
	plugin_rec *p = realloc(eng->plugins, (eng->n_plugins + 1) * sizeof *p);
	if (!p) {
		dlclose(dl);
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	eng->plugins = p;
	plugin_rec *rec = &eng->plugins[eng->n_plugins];
	rec->path = weft_strdup(path);
	rec->dl = dl;
	rec->desc = d;
	size_t tl = eng->trusted_dir ? strlen(eng->trusted_dir) : 0;
	rec->trusted = tl && !strncmp(path, eng->trusted_dir, tl) && path[tl] == '/';
	eng->n_plugins++;
	return register_ops(eng, rec);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Loads every *.so in `dir`, in name order so loading is reproducible. */
int weft_engine_load_dir(weft_engine *eng, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return WEFT_OK; /* a missing search dir is not an error */
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	int rc = WEFT_OK;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 4 || strcmp(e->d_name + l - 3, ".so"))
			continue;
		char **nn = realloc(names, (n + 1) * sizeof *nn);
		if (!nn) {
			rc = weft_err_set(WEFT_ERROR, "out of memory");
			break;
		}
		names = nn;
		names[n++] = weft_path_join(dir, e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (rc == WEFT_OK && names[i])
			rc = weft_engine_load_plugin(eng, names[i]);
		free(names[i]);
	}
	free(names);
	return rc;
}
