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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context.h"
#include "hash.h"
#include "checkpoint.h"
#include "opctx.h"
#include "opindex.h"
#include "optable.h"
#include "pyrun.h"
#include "util.h"
#include "workdirs.h"

/* ------------------------------------------------------------ host API */

static void *host_alloc(size_t n)
{
	return malloc(n ? n : 1);
}

static void host_free(void *p)
{
	free(p);
}

/* A name the op does not declare is remembered, and the node fails when
 * the op returns (weft_op_ctx_run) instead of reading 0. The check runs
 * only on a miss: declared parameters are in the map, defaults applied. */
static const weft_value *host_param(weft_op_ctx *ctx, const char *name)
{
	const weft_value *v = name ? weft_value_map_get(ctx->params, name) : NULL;
	if (!v && !ctx->undeclared && !weft_op_declares_param(ctx->op->desc, name))
		ctx->undeclared = weft_strdup(name ? name : "(NULL)");
	return v;
}

static int host_llm_chat(weft_op_ctx *ctx, const weft_value *request, weft_value **response)
{
	if (!response)
		return weft_err_set(WEFT_EINVALID, "llm_chat: response is NULL (a bug in the op)");
	return weft_llm_chat(response, ctx->eng->store_dir, ctx->llm, request, &ctx->llm_stats);
}

/* The failure for an op that read a parameter it does not declare. */
static char *undeclared_error(const weft_op_ctx *ctx)
{
	const weft_op_desc *d = ctx->op->desc;
	weft_buf b = {0};
	for (size_t i = 0; i < d->n_params; i++)
		(void)weft_buf_printf(&b, "%s%s", i ? ", " : "", d->params[i].name);
	char *msg = weft_sprintf("op %s read parameter '%s', which it does not declare (declared: %s): a bug in "
				 "plugin %s; correct the name the op reads or add it to the op's parameter table",
				 ctx->op->full_name, ctx->undeclared, b.len ? b.data : "none", ctx->op->plugin);
	weft_buf_free(&b);
	return msg;
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
		return weft_err_set(WEFT_ERROR, "set_output(%s): NULL value (a bug in the op: pass a value made with value_new_*)", name);
	if (weft_value_type(v) == WEFT_T_REF) {
		weft_value_free(v);
		return weft_err_set(WEFT_EINVALID, "set_output(%s): refs are not values (a bug in the op: set the value itself)", name);
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

/* A file of the node's own work directory is moved into the store; any
 * other path (a user's file, a link out of it) is copied, as
 * artifact_import does. The directory holding it is resolved, so that a
 * link inside the work directory cannot lead the move out of it. */
static int host_artifact_adopt(weft_value **out, weft_op_ctx *ctx, const char *path)
{
	size_t wl0 = ctx->workdir ? strlen(ctx->workdir) : 0;
	/* The common case, a file right in the work directory (which weft
	 * made), needs no resolving: realpath cost a dozen system calls. */
	if (wl0 && path && !strncmp(path, ctx->workdir, wl0) && path[wl0] == '/' && path[wl0 + 1] &&
	    !strchr(path + wl0 + 1, '/') && strcmp(path + wl0 + 1, ".") && strcmp(path + wl0 + 1, ".."))
		/* By name from the directory's descriptor: the path's walk, once
		 * to open the file and once to move it, was most of a stat's
		 * cost in a cold shell DAG (six components deep). */
		return ctx->workdir_fd >= 0
			       ? weft_store_adopt_at(out, ctx->eng->store, ctx->workdir_fd, path + wl0 + 1, path)
			       : weft_store_adopt(out, ctx->eng->store, path);
	char *dir = path ? weft_path_dirname(path) : NULL;
	char *real = dir ? realpath(dir, NULL) : NULL;
	char *work = ctx->workdir ? realpath(ctx->workdir, NULL) : NULL;
	size_t wl = work ? strlen(work) : 0;
	int own = real && work && !strncmp(real, work, wl) && (real[wl] == '\0' || real[wl] == '/');
	free(dir);
	free(real);
	free(work);
	return own ? weft_store_adopt(out, ctx->eng->store, path) : weft_store_import(out, ctx->eng->store, path);
}

static const char *host_workdir(weft_op_ctx *ctx)
{
	if (ctx->workdir)
		return ctx->workdir;
	/* A directory no other running op has: a new one, or one this process
	 * kept after an earlier op left it empty (workdirs.h: freeing an inode
	 * per node slows every file creation). One made by an earlier weft,
	 * killed, is never reused, so its leftover processes cannot write
	 * into this op's files. */
	ctx->workdir = weft_workdir_take(ctx->eng->workdirs, ctx->tmp_base, ctx->id, &ctx->workdir_fd);
	return ctx->workdir;
}

static const char *host_log_path(weft_op_ctx *ctx)
{
	__atomic_store_n(&ctx->log_path_given, 1, __ATOMIC_RELAXED); /* the op's threads may all ask */
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
	/* Child processes (a shell, a Python op) write to the same file:
	 * each line goes out now, so the log reads in the order things happened. */
	fflush(log);
	funlockfile(log);
	va_end(ap);
}

static void host_progress(weft_op_ctx *ctx, double fraction, const char *message)
{
	if (!(fraction >= 0)) /* NaN too */
		fraction = 0;
	if (fraction > 1)
		fraction = 1;
	/* The log gets a line at most every five seconds (and the last): an
	 * op may report every step. */
	double now = weft_now();
	if (now - ctx->progress_logged >= 5.0 || fraction >= 1.0) {
		ctx->progress_logged = now;
		host_log(ctx, WEFT_LOG_DEBUG, "progress %.0f%% %s", fraction * 100, message ? message : "");
	}
	if (ctx->on_progress)
		ctx->on_progress(ctx->progress_arg, fraction, message ? message : "");
}

struct weft_ckpt *weft_op_ctx_ckpt(weft_op_ctx *ctx)
{
	if (ctx->ckpt)
		return ctx->ckpt;
	if (!ctx->key) {
		weft_err_set(WEFT_EINVALID, "checkpoints need a node of a run (this op runs outside one)");
		return NULL;
	}
	ctx->ckpt = weft_ckpt_new(ctx->eng->store, ctx->eng->store_dir, ctx->key, ctx->node_name,
				  ctx->op->full_name, ctx->devices);
	if (!ctx->ckpt)
		weft_err_set(WEFT_ERROR, "out of memory");
	return ctx->ckpt;
}

int weft_op_ctx_set_node(weft_op_ctx *ctx, const char *key, const char *devices)
{
	free(ctx->key);
	free(ctx->devices);
	ctx->key = key && *key ? weft_strdup(key) : NULL;
	ctx->devices = devices ? weft_strdup(devices) : NULL;
	return (key && *key && !ctx->key) || (devices && !ctx->devices) ? weft_err_set(WEFT_ERROR, "out of memory")
									   : WEFT_OK;
}

static int host_checkpoint_save(weft_op_ctx *ctx, const char *name, const char *path, const void *bytes, size_t len,
				int64_t step, const weft_value *layout, unsigned flags)
{
	if (!path && !bytes && len)
		return weft_err_set(WEFT_EINVALID, "checkpoint_save(%s): neither a path nor bytes (a bug in the op)",
				    name ? name : "?");
	struct weft_ckpt *c = weft_op_ctx_ckpt(ctx);
	if (!c)
		return WEFT_ERROR;
	int rc = weft_ckpt_save(c, name, path, bytes, len, step, layout, flags);
	if (rc == WEFT_OK)
		host_log(ctx, WEFT_LOG_INFO, "checkpoint %s step %lld saved%s", name, (long long)step,
			 flags & WEFT_CKPT_WAIT ? " and committed" : "");
	return rc;
}

static int host_checkpoint_latest(weft_op_ctx *ctx, const char *name, const char **path, int64_t *step,
				  const weft_value **layout)
{
	struct weft_ckpt *c = weft_op_ctx_ckpt(ctx);
	if (!c)
		return WEFT_ERROR;
	const char *p = NULL;
	int64_t s = 0;
	const weft_value *l = NULL;
	int rc = weft_ckpt_latest(c, name, &p, &s, &l);
	if (rc == WEFT_OK)
		host_log(ctx, WEFT_LOG_INFO, "checkpoint %s: resuming from step %lld", name, (long long)s);
	if (path)
		*path = rc == WEFT_OK ? p : NULL;
	if (step)
		*step = rc == WEFT_OK ? s : 0;
	if (layout)
		*layout = rc == WEFT_OK ? l : NULL;
	return rc;
}

static int host_fail(weft_op_ctx *ctx, const char *fmt, ...) WEFT_PRINTF(2, 3);

static int host_python_run(weft_op_ctx *ctx, const char *script, const char *fn, const weft_value *args)
{
	if (!script)
		return host_fail(ctx, "python_run: no script (a bug in the op)");
	char *path = NULL;
	if (script[0] == '/') {
		path = weft_strdup(script);
	} else {
		char *share = weft_py_share_dir(ctx->op->plugin_path, ctx->op->plugin);
		path = share ? weft_path_join(share, script) : NULL;
		free(share);
	}
	if (!path)
		return host_fail(ctx, "out of memory");
	int rc = weft_py_run(ctx, path, fn, args);
	free(path);
	return rc;
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

static const char *host_cache_dir(weft_op_ctx *ctx)
{
	if (ctx->cache_dir)
		return ctx->cache_dir;
	if (!ctx->eng->store_dir) {
		weft_err_set(WEFT_EINVALID, "cache_dir: this op runs without a store");
		return NULL;
	}
	char *base = weft_path_join(ctx->eng->store_dir, "cache");
	char *dir = base ? weft_path_join(base, ctx->op->plugin) : NULL;
	free(base);
	if (!dir) {
		weft_err_set(WEFT_ERROR, "out of memory");
		return NULL;
	}
	if (weft_mkdirs(dir, 0700) != 0) {
		weft_err_set(WEFT_EIO, "cannot make the cache directory %s: %s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	ctx->cache_dir = dir;
	return dir;
}

static uint32_t host_cpus(weft_op_ctx *ctx)
{
	return ctx->cpus ? ctx->cpus : 1;
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
	api->llm_chat = host_llm_chat;
	api->checkpoint_save = host_checkpoint_save;
	api->checkpoint_latest = host_checkpoint_latest;
	api->python_run = host_python_run;
	api->cache_dir = host_cache_dir;
	api->cpus = host_cpus;
	api->artifact_adopt = host_artifact_adopt;
}

weft_op_ctx *weft_op_ctx_new(weft_engine *eng, const weft_op_info *op, const char *node_name, uint32_t id,
			     const weft_value *params, const weft_value *inputs, const char *log_path,
			     const char *tmp_base, int *cancel)
{
	weft_op_ctx *ctx = calloc(1, sizeof *ctx);
	if (!ctx)
		return NULL;
	ctx->workdir_fd = -1;
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

/* What every way of running an op ends with, given the op's result. */
static int settle(weft_op_ctx *ctx, int rc)
{
	const weft_op_desc *d = ctx->op->desc;
	/* A save still being committed finishes before the node does: the
	 * scheduler may drop the node's checkpoints right after. */
	if (ctx->ckpt && weft_ckpt_finish(ctx->ckpt) != WEFT_OK)
		host_log(ctx, WEFT_LOG_WARN, "%s", weft_error_last());
	if (ctx->undeclared) {
		free(ctx->error);
		ctx->error = undeclared_error(ctx);
		return WEFT_ERROR;
	}
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

int weft_op_ctx_run(weft_op_ctx *ctx)
{
	const weft_op_desc *d = ctx->op->desc;
	if (!d->run) {
		free(ctx->error);
		ctx->error = weft_sprintf("op %s: its plugin %s was not loaded before the op ran (a weft bug)",
					  ctx->op->full_name, ctx->op->plugin_path);
		return WEFT_ERROR;
	}
	return settle(ctx, d->run(ctx, &ctx->eng->api));
}

int weft_op_ctx_is_split(const weft_op_ctx *ctx)
{
	const weft_op_desc *d = ctx->op->desc;
	return d->start && d->finish;
}

int weft_op_ctx_start(weft_op_ctx *ctx, weft_op_proc *proc)
{
	memset(proc, 0, sizeof *proc);
	proc->out_fd = -1;
	int rc = ctx->op->desc->start(ctx, &ctx->eng->api, proc);
	if (rc == WEFT_OK && (proc->pid <= 0 || ctx->error)) {
		/* No child to wait for: a bug in the op, which must not leave a
		 * node running for ever. */
		if (!ctx->error)
			ctx->error = weft_sprintf("op %s: start returned no process (a bug in plugin %s)",
						  ctx->op->full_name, ctx->op->plugin);
		rc = WEFT_ERROR;
	}
	return rc == WEFT_OK ? WEFT_OK : settle(ctx, rc);
}

int weft_op_ctx_pump(weft_op_ctx *ctx, weft_op_proc *proc)
{
	const weft_op_desc *d = ctx->op->desc;
	return d->pump && proc->out_fd >= 0 ? d->pump(ctx, &ctx->eng->api, proc) : 0;
}

int weft_op_ctx_finish(weft_op_ctx *ctx, weft_op_proc *proc, unsigned flags)
{
	int rc = ctx->op->desc->finish(ctx, &ctx->eng->api, proc, flags);
	return rc == WEFT_EHEAVY ? rc : settle(ctx, rc);
}

void weft_op_ctx_release(weft_op_ctx *ctx)
{
	if (!ctx)
		return;
	weft_ckpt_free(ctx->ckpt);
	free(ctx->key);
	free(ctx->devices);
	free(ctx->cache_dir);
	if (ctx->log)
		fclose(ctx->log);
	/* Usually empty by now (outputs are moved into the store): kept for
	 * the next op, else removed. */
	weft_workdir_give(ctx->eng->workdirs, ctx->workdir, ctx->workdir_fd);
	ctx->workdir = NULL;
	ctx->workdir_fd = -1;
	for (size_t i = 0; i < ctx->n_paths; i++)
		free(ctx->paths[i]);
	free(ctx->paths);
	free(ctx->workdir);
	free(ctx->undeclared);
	free(ctx->log_path);
	free(ctx->tmp_base);
	free(ctx->error);
	weft_value_free(ctx->outputs);
	free(ctx);
}

/* ------------------------------------------------------------ loading */

/*
 * Every plugin is registered from a host-owned copy of its descriptor (the
 * op index's blob, decoded into the plugin's arena), whether it was read
 * from the index, described by a child process or loaded in this process.
 * Its code is mapped only when an op of it is about to run here
 * (weft_plugin_activate), which fills in the copy's `run` pointers.
 */

static int register_ops(weft_engine *eng, plugin_rec *rec)
{
	const weft_plugin_desc *d = rec->desc;
	for (size_t i = 0; i < d->n_ops; i++) {
		const weft_op_desc *op = d->ops[i];
		/* Scripts set the node options (nodeargs.c) on every node, so a
		 * parameter by one of their names could never be set. */
		for (size_t p = 0; p < op->n_params; p++)
			if (weft_node_option_is(op->params[p].name))
				return weft_err_set(WEFT_EINVALID,
						    "plugin %s (%s): op %s declares a parameter '%s', which is "
						    "reserved "
						    "for the node itself (see `weft ops`); rename the parameter",
						    d->name, rec->path, op->name, op->params[p].name);
		char *full = weft_sprintf("%s.%s", d->name, op->name);
		if (!full)
			return weft_err_set(WEFT_ERROR, "out of memory");
		const weft_op_info *dup = weft_engine_op_find(eng, full);
		if (dup) {
			int rc = weft_err_set(WEFT_EINVALID, "op %s is defined twice: by %s and by %s; remove one "
							     "plugin",
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
		int rc = weft_engine_op_index(eng);
		if (rc != WEFT_OK)
			return rc;
	}
	return WEFT_OK;
}

static plugin_rec *find_rec(const weft_engine *eng, const char *path)
{
	for (size_t i = 0; i < eng->n_plugins; i++)
		if (!strcmp(eng->plugins[i].path, path))
			return &eng->plugins[i];
	return NULL;
}

/* A plugin's name is its ops' namespace: one plugin per name, and `core`
 * (with every name of a built-in plugin) only for weft's own, so nothing on
 * the search path can take over core.shell. */
static int check_name(const weft_engine *eng, const plugin_rec *rec)
{
	const char *name = rec->desc->name;
	for (size_t i = 0; i < eng->n_plugins; i++)
		if (!strcmp(eng->plugins[i].desc->name, name))
			return weft_err_set(WEFT_EINVALID,
					    "plugin %s uses the name '%s', which %s already has%s; rename the plugin "
					    "(its `name` in the descriptor) or remove one of them",
					    rec->path, name, eng->plugins[i].path,
					    eng->plugins[i].trusted ? " (a plugin built into weft: the name is "
								      "reserved)" : "");
	/* Only an engine that has built-in plugins has their names to guard
	 * (a worker loads exactly what its engine chose). */
	if (eng->trusted_dir && eng->trusted_dir[0] && !rec->trusted && !strcmp(name, "core"))
		return weft_err_set(WEFT_EINVALID,
				    "plugin %s uses the name 'core', which is reserved for weft's built-in plugin; "
				    "rename it",
				    rec->path);
	return WEFT_OK;
}

/* Registers the plugin at `path` from its serialised descriptor. */
static int add_plugin(plugin_rec **out, weft_engine *eng, const char *path, const weft_buf *blob)
{
	plugin_rec *p = realloc(eng->plugins, (eng->n_plugins + 1) * sizeof *p);
	if (!p)
		return weft_err_set(WEFT_ERROR, "out of memory");
	eng->plugins = p;
	plugin_rec *rec = &eng->plugins[eng->n_plugins];
	memset(rec, 0, sizeof *rec);
	if (!(rec->path = weft_strdup(path)))
		return weft_err_set(WEFT_ERROR, "out of memory");
	int rc = weft_opindex_decode(&rec->desc, &rec->arena, blob->data, blob->len, path);
	size_t tl = eng->trusted_dir ? strlen(eng->trusted_dir) : 0;
	rec->trusted = tl && !strncmp(path, eng->trusted_dir, tl) && path[tl] == '/';
	if (rc == WEFT_OK)
		rc = check_name(eng, rec);
	if (rc != WEFT_OK) {
		weft_arena_free(&rec->arena);
		free(rec->path);
		return rc;
	}
	eng->n_plugins++;
	*out = rec;
	/* A plugin whose ops clash stays listed (so it is freed with the
	 * engine) but the error stops the engine from being used. */
	return register_ops(eng, rec);
}

/* Takes the live descriptor's `run` pointers into the host's copy, after
 * checking that the file still describes the ops that were indexed. */
static int bind_runs(plugin_rec *rec, const weft_plugin_desc *live)
{
	int rc = weft_opindex_check_abi(live, rec->path);
	if (rc != WEFT_OK)
		return rc;
	const weft_plugin_desc *d = rec->desc;
	int same = live->name && !strcmp(live->name, d->name) && live->ops && live->n_ops == d->n_ops;
	for (size_t i = 0; same && i < d->n_ops; i++) {
		const weft_op_desc *op = live->ops[i];
		same = op && DESC_HAS(op, run) && op->run && op->name &&
		       !strcmp(op->name, d->ops[i]->name) && op->version && !strcmp(op->version, d->ops[i]->version);
	}
	if (!same)
		return weft_err_set(WEFT_EINVALID,
				    "plugin %s changed on disk since this weft process read its descriptor; run the "
				    "command again",
				    rec->path);
	for (size_t i = 0; i < d->n_ops; i++) {
		weft_op_desc *copy = (weft_op_desc *)d->ops[i];
		const weft_op_desc *op = live->ops[i];
		copy->run = op->run;
		/* Split ops (ABI 1.9): both halves or neither. */
		if (DESC_HAS(op, finish) && op->start && op->finish) {
			copy->start = op->start;
			copy->finish = op->finish;
			if (DESC_HAS(op, pump)) /* ABI 1.10: the child's output pipe */
				copy->pump = op->pump;
		}
	}
	return WEFT_OK;
}

/* dlopens the plugin and binds its ops, in this process. */
static int activate(weft_engine *eng, plugin_rec *rec)
{
	if (rec->dl)
		return WEFT_OK;
	void *dl = dlopen(rec->path, RTLD_NOW | RTLD_LOCAL);
	if (!dl)
		return weft_err_set(WEFT_EINVALID, "cannot load plugin %s: %s; rebuild it against this weft, or "
						   "remove it from the plugin path", rec->path, dlerror());
	weft_plugin_entry_fn entry;
	*(void **)&entry = dlsym(dl, WEFT_PLUGIN_ENTRY_SYMBOL);
	int rc = entry ? bind_runs(rec, entry(&eng->api))
		       : weft_err_set(WEFT_EINVALID, "%s is not a weft plugin: it does not export %s(); remove it "
						     "from the plugin directory", rec->path,
				      WEFT_PLUGIN_ENTRY_SYMBOL);
	if (rc != WEFT_OK) {
		dlclose(dl);
		return rc;
	}
	rec->dl = dl;
	return WEFT_OK;
}

/* The user's cache of plugin code hashes,
 * ${XDG_CACHE_HOME:-$HOME/.cache}/weft/plugin-hashes, opened on first
 * need: a stat cache like the store's, so an entry serves only while the
 * .so's device, inode, size, mtime and ctime are unchanged. It spares a
 * new store's first run the hash of every plugin it uses (a whole shared
 * object each). NULL when there is no such directory to use (no HOME,
 * WEFT_NO_USER_CACHE set): the store's own cache still works. */
static weft_statcache *code_hash_cache(weft_engine *eng)
{
	if (eng->user_sc_tried)
		return eng->user_sc;
	eng->user_sc_tried = 1;
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	if (getenv("WEFT_NO_USER_CACHE") || ((!xdg || xdg[0] != '/') && (!home || home[0] != '/')))
		return NULL;
	char *dir = xdg && xdg[0] == '/' ? weft_sprintf("%s/weft", xdg) : weft_sprintf("%s/.cache/weft", home);
	char *file = dir ? weft_path_join(dir, "plugin-hashes") : NULL;
	if (file && weft_mkdirs(dir, 0700) == WEFT_OK && weft_statcache_open(&eng->user_sc, file) != WEFT_OK)
		eng->user_sc = NULL;
	if (eng->user_sc)
		weft_statcache_prune(eng->user_sc);
	free(dir);
	free(file);
	return eng->user_sc;
}

int weft_plugin_code_hash(weft_engine *eng, const weft_op_info *op, const char **hex)
{
	plugin_rec *rec = op->plugin_path ? find_rec(eng, op->plugin_path) : NULL;
	*hex = "";
	if (!rec)
		return WEFT_OK;
	/* Through the stat cache: a plugin unchanged since the last run (same
	 * inode, size, mtime, ctime) is not read again, which would cost every
	 * run's start-up the hash of a whole shared object. A store's first
	 * run asks the user's cache too (code_hash_cache), which any store's
	 * runs have filled. */
	if (!rec->code_hash[0]) {
		struct stat st;
		weft_statcache *user = code_hash_cache(eng);
		int have = user && stat(rec->path, &st) == 0 && weft_statcache_lookup(user, rec->path, &st, rec->code_hash);
		if (!have && weft_statcache_hash_file(eng->sc, rec->path, rec->code_hash, NULL) != WEFT_OK) {
			rec->code_hash[0] = '\0';
			return weft_err_wrap(WEFT_EIO, "cannot read plugin %s to hash its code; reinstall it", rec->path);
		}
		if (!have && user && stat(rec->path, &st) == 0)
			(void)weft_statcache_remember(user, rec->path, &st, rec->code_hash);
	}
	*hex = rec->code_hash;
	return WEFT_OK;
}

int weft_plugin_activate(weft_engine *eng, const weft_op_info *op)
{
	plugin_rec *rec = find_rec(eng, op->plugin_path);
	if (!rec)
		return weft_err_set(WEFT_ENOTFOUND, "op %s: its plugin %s is not loaded (it was removed after weft "
						    "started); reinstall it and run again", op->full_name,
				    op->plugin_path);
	return activate(eng, rec);
}

int weft_engine_load_plugin(weft_engine *eng, const char *path)
{
	plugin_rec *rec = find_rec(eng, path);
	if (rec)
		return activate(eng, rec);
	/* Asked for by name, to run here: described by a child first, so a
	 * plugin with a malformed descriptor is refused, not fatal. */
	weft_buf blob = {0};
	int rc = weft_opindex_describe(&blob, path, &eng->api);
	if (rc == WEFT_OK)
		rc = add_plugin(&rec, eng, path, &blob);
	weft_buf_free(&blob);
	return rc == WEFT_OK ? activate(eng, rec) : rc;
}

/* Registers one .so from the search path: from the op index while the file
 * is unchanged, else described by a child process and indexed. */
static int index_plugin(weft_engine *eng, const char *path)
{
	if (find_rec(eng, path))
		return WEFT_OK;
	struct stat st;
	if (stat(path, &st) != 0)
		return weft_err_set(WEFT_EINVALID, "cannot load plugin %s: %s; rebuild it against this weft, or "
						   "remove it from the plugin path", path, strerror(errno));
	if (!eng->opindex) {
		char *ixpath = weft_path_join(eng->store_dir, "plugin-index");
		eng->opindex = ixpath ? weft_opindex_open(ixpath) : NULL;
		free(ixpath);
		if (!eng->opindex)
			return weft_err_set(WEFT_ERROR, "out of memory");
	}
	const weft_buf *known = weft_opindex_lookup(eng->opindex, path, &st);
	plugin_rec *rec;
	if (known && add_plugin(&rec, eng, path, known) == WEFT_OK)
		return WEFT_OK;
	if (known && find_rec(eng, path))
		return WEFT_EINVALID; /* registered, but its ops clash */
	weft_buf blob = {0};
	int rc = weft_opindex_describe(&blob, path, &eng->api);
	if (rc == WEFT_OK && (rc = add_plugin(&rec, eng, path, &blob)) == WEFT_OK)
		rc = weft_opindex_put(eng->opindex, path, &st, &blob);
	weft_buf_free(&blob);
	return rc;
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
			rc = index_plugin(eng, names[i]);
		free(names[i]);
	}
	free(names);
	return rc;
}
