/*
 * engine.c -- the weft_engine handle: store, stat cache, plugins and graph.
 *
 * Lifetime: weft_engine_new opens the store under opts->store_dir and
 * registers the plugins on the search path from the op index (opindex.h),
 * mapping none of them; weft_engine_free saves the stat cache and unloads plugins last,
 * after every node (whose op pointers live in plugin memory) is gone.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "hash.h"
#include "lookahead.h"
#include "opindex.h"
#include "optable.h"
#include "pyrun.h"
#include "util.h"

#ifndef WEFT_PYTHON_DIR
#define WEFT_PYTHON_DIR ""
#endif
#ifndef WEFT_BUILTIN_PLUGIN_DIR
#define WEFT_BUILTIN_PLUGIN_DIR ""
#endif

static int load_path_list(weft_engine *eng, const char *list)
{
	char *copy = weft_strdup(list), *save = NULL;
	if (!copy)
		return weft_err_set(WEFT_ERROR, "out of memory");
	int rc = WEFT_OK;
	for (char *dir = strtok_r(copy, ":", &save); dir && rc == WEFT_OK; dir = strtok_r(NULL, ":", &save))
		rc = weft_engine_load_dir(eng, dir);
	free(copy);
	return rc;
}

void weft_engine_options_init(weft_engine_options *o)
{
	*o = (weft_engine_options)WEFT_ENGINE_OPTIONS_INIT;
}

void weft_run_options_init(weft_run_options *o)
{
	*o = (weft_run_options)WEFT_RUN_OPTIONS_INIT;
}

void weft_node_opts_init(weft_node_opts *o)
{
	*o = (weft_node_opts)WEFT_NODE_OPTS_INIT;
}

int weft_engine_new(weft_engine **out, const weft_engine_options *opts)
{
	if (!opts || opts->version < 1 || opts->version > WEFT_ENGINE_OPTIONS_VERSION || !opts->store_dir)
		return weft_err_set(WEFT_EINVALID, "weft_engine_new: options missing or of another version; start "
						   "from WEFT_ENGINE_OPTIONS_INIT (or weft_engine_options_init)");
	weft_engine *eng = calloc(1, sizeof *eng);
	if (!eng)
		return weft_err_set(WEFT_ERROR, "out of memory");
	eng->current_parent = UINT32_MAX;
	weft_host_api_init(&eng->api);
	int rc = WEFT_OK;
	char *scfile = NULL;
	if (!(eng->workdirs = weft_workdirs_new()) || !(eng->store_dir = weft_path_abs(NULL, opts->store_dir)) ||
	    !(eng->out_dir = weft_path_abs(NULL, "."))) {
		rc = weft_err_set(WEFT_ERROR, "out of memory");
		goto fail;
	}
	/* Private by default: the store holds copies of every file a script
	 * reads (weft.file of a 0640 file must not become readable by others
	 * through it). An owner who wants to share a store chmods its root. */
	if ((rc = weft_mkdirs(eng->store_dir, 0700)) != WEFT_OK)
		goto fail;
	scfile = weft_path_join(eng->store_dir, "statcache");
	/* Files in the runs' work directories are gone with their runs. */
	char *work = weft_sprintf("%s/" WEFT_STORE_TMP "/", eng->store_dir);
	rc = scfile && work ? weft_statcache_open_skipping(&eng->sc, scfile, work)
			    : weft_err_set(WEFT_ERROR, "out of memory");
	free(work);
	if (rc != WEFT_OK)
		goto fail;
	if ((rc = weft_store_open(&eng->store, eng->store_dir, eng->sc)) != WEFT_OK)
		goto fail;
	eng->worker_exe = opts->worker_exe ? weft_strdup(opts->worker_exe) : NULL;
	eng->python_dir = weft_strdup(opts->version >= 2 && opts->python_dir ? opts->python_dir : WEFT_PYTHON_DIR);
	eng->trusted_dir = weft_strdup(opts->trusted_plugin_dir    ? opts->trusted_plugin_dir
				       : opts->load_builtin_plugins ? WEFT_BUILTIN_PLUGIN_DIR
								    : "");
	if (opts->load_builtin_plugins && WEFT_BUILTIN_PLUGIN_DIR[0] &&
	    (rc = load_path_list(eng, WEFT_BUILTIN_PLUGIN_DIR)) != WEFT_OK)
		goto fail;
	if (opts->plugin_path && (rc = load_path_list(eng, opts->plugin_path)) != WEFT_OK)
		goto fail;
	weft_opindex_save(eng->opindex);
	free(scfile);
	*out = eng;
	return WEFT_OK;
fail:
	free(scfile);
	weft_engine_free(eng);
	return rc;
}

void weft_engine_flush(weft_engine *eng)
{
	if (eng && eng->sc)
		(void)weft_statcache_save(eng->sc);
	if (eng && eng->user_sc)
		(void)weft_statcache_save(eng->user_sc); /* best effort: it is only a cache */
}

void weft_engine_free(weft_engine *eng)
{
	if (!eng)
		return;
	free(eng->worker_exe);
	weft_workdirs_free(eng->workdirs);
	free(eng->trusted_dir);
	free(eng->python_dir);
	weft_py_free(eng);
	weft_lookahead_free(eng); /* its thread reads the graph */
	weft_graph_clear(&eng->graph);
	weft_node_runs_free(eng);
	weft_engine_flush(eng);
	weft_statcache_free(eng->sc);
	weft_statcache_free(eng->user_sc);
	weft_store_free(eng->store);
	for (size_t i = 0; i < eng->n_ops; i++)
		free((char *)eng->ops[i].full_name);
	for (size_t i = 0; i < eng->n_key_prefix; i++)
		weft_hasher_free(eng->key_prefix[i]);
	free(eng->key_prefix);
	weft_engine_op_defaults_free(eng);
	free(eng->ops);
	free(eng->op_slots);
	for (size_t i = 0; i < eng->n_plugins; i++) {
		free(eng->plugins[i].path);
		weft_arena_free(&eng->plugins[i].arena);
		/* Sanitizer builds keep plugins mapped so leak reports can
		 * still symbolise frames inside them. */
#ifndef WEFT_KEEP_PLUGINS_LOADED
		if (eng->plugins[i].dl)
			dlclose(eng->plugins[i].dl);
#endif
	}
	weft_opindex_free(eng->opindex);
	free(eng->plugins);
	free(eng->store_dir);
	free(eng->out_dir);
	free(eng);
}

void weft_engine_set_lookahead(weft_engine *eng, int on)
{
	weft_lookahead_enable(eng, on);
}

int weft_engine_set_out_dir(weft_engine *eng, const char *dir)
{
	char *abs = weft_path_abs(NULL, dir ? dir : ".");
	if (!abs)
		return weft_err_set(WEFT_ERROR, "out of memory");
	free(eng->out_dir);
	eng->out_dir = abs;
	return WEFT_OK;
}

const char *weft_engine_out_dir(const weft_engine *eng)
{
	return eng->out_dir;
}

const char *weft_engine_store_dir(const weft_engine *eng)
{
	return eng->store_dir;
}

int weft_engine_yield(weft_engine *eng)
{
	return eng->run && eng->yield ? eng->yield(eng) : WEFT_OK;
}

int weft_engine_import(weft_value **out, weft_engine *eng, const char *path)
{
	return weft_store_import(out, eng->store, path);
}

int weft_engine_import_bytes(weft_value **out, weft_engine *eng, const void *data, size_t len)
{
	char hash[65];
	int rc = weft_store_put_bytes(eng->store, data, len, hash);
	if (rc != WEFT_OK)
		return rc;
	*out = weft_value_artifact(hash, 0, (uint64_t)len);
	return *out ? WEFT_OK : weft_err_set(WEFT_ERROR, "out of memory");
}

int weft_engine_import_open(weft_import **im, weft_engine *eng)
{
	return weft_store_writer_open(im, eng->store);
}

int weft_import_write(weft_import *im, const void *data, size_t len)
{
	return weft_store_writer_write(im, data, len);
}

int weft_import_finish(weft_value **out, weft_import *im)
{
	char hash[65];
	uint64_t size = 0;
	int rc = weft_store_writer_commit(im, hash, &size);
	if (rc != WEFT_OK)
		return rc;
	*out = weft_value_artifact(hash, 0, size);
	return *out ? WEFT_OK : weft_err_set(WEFT_ERROR, "out of memory");
}

void weft_import_abort(weft_import *im)
{
	weft_store_writer_abort(im);
}

int weft_engine_artifact_path(char **path, weft_engine *eng, const weft_value *art)
{
	*path = NULL;
	return weft_store_checkout(path, eng->store, art);
}

int weft_engine_read_artifact(char **data, size_t *len, weft_engine *eng, const weft_value *art)
{
	if (weft_value_artifact_is_dir(art))
		return weft_err_set(WEFT_EINVALID, "cannot read a directory artifact as bytes; read its files under the path the store gives");
	char *path = NULL;
	int rc = weft_store_checkout(&path, eng->store, art);
	if (rc != WEFT_OK)
		return rc;
	rc = weft_read_file(path, data, len);
	free(path);
	return rc;
}

size_t weft_engine_plugin_count(const weft_engine *eng)
{
	return eng->n_plugins;
}

int weft_engine_plugin_at(weft_plugin_info *out, const weft_engine *eng, size_t i)
{
	if (i >= eng->n_plugins)
		return weft_err_set(WEFT_ENOTFOUND, "no plugin #%zu; weft_engine_plugin_count says how many there are", i);
	const weft_plugin_desc *d = eng->plugins[i].desc;
	*out = (weft_plugin_info){
		.name = d->name,
		.version = d->version ? d->version : "0",
		.license = d->license ? d->license : "",
		.description = d->description ? d->description : "",
		.path = eng->plugins[i].path,
		.abi_major = d->abi_major,
		.abi_minor = d->abi_minor,
		.n_ops = d->n_ops,
		.desc = d,
	};
	return WEFT_OK;
}

const char *weft_node_status_name(weft_node_status s)
{
	switch ((int)s) {
	case WEFT_NODE_PENDING:
		return "pending";
	case WEFT_NODE_RUNNING:
		return "running";
	case WEFT_NODE_DONE:
		return "done";
	case WEFT_NODE_CACHED:
		return "cached";
	case WEFT_NODE_RESUMED:
		return "resumed";
	case WEFT_NODE_FAILED:
		return "failed";
	case WEFT_NODE_SKIPPED:
		return "skipped";
	case WEFT_NODE_EXPANDED:
		return "expanded";
	case WEFT_NODE_WOULD_RUN:
		return "would-run";
	default:
		return "unknown";
	}
}
