/*
 * record.c -- writing record.json and scanning runs/.
 *
 * Run ids start with a timestamp, so name order is time order and "newest"
 * needs no parsing of records. The record is written atomically; a run
 * killed before writing one has only its journal, which is what marks it
 * resumable.
 */
#include "record.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

json_t *weft_value_to_jansson(const weft_value *v);

static json_t *node_json(weft_engine *eng, node *n, const char *run_dir)
{
	json_t *j = json_object();
	if (!j)
		return NULL;
	json_object_set_new(j, "name", json_string(n->name));
	json_object_set_new(j, "kind", json_string(n->kind == NODE_OP ? "op" : "dynamic"));
	if (n->kind == NODE_OP) {
		json_object_set_new(j, "op", json_string(n->op->full_name));
		json_object_set_new(j, "op_version", json_string(n->op->desc->version));
		json_object_set_new(j, "params", weft_value_to_jansson(n->params));
	}
	json_object_set_new(j, "status", json_string(weft_node_status_name((weft_node_status)n->status)));
	const char *cache = NULL;
	if (n->status == WEFT_NODE_CACHED || n->status == WEFT_NODE_RESUMED)
		cache = "hit";
	else if (n->status == WEFT_NODE_DONE || n->status == WEFT_NODE_FAILED)
		cache = "miss";
	json_object_set_new(j, "cache", cache ? json_string(cache) : json_null());
	json_object_set_new(j, "executed", json_boolean(n->status == WEFT_NODE_DONE ||
							(n->status == WEFT_NODE_FAILED && n->t_start > 0)));
	if (n->key[0])
		json_object_set_new(j, "key", json_string(n->key));
	if (n->t_start > 0)
		json_object_set_new(j, "started", json_real(n->t_start));
	json_object_set_new(j, "elapsed", json_real(n->elapsed));
	if (n->worker_pid) {
		json_object_set_new(j, "worker", json_integer(n->worker_pid));
		json_object_set_new(j, "peak_rss_kb", json_integer(n->rss_kb));
	}
	if (n->kind == NODE_OP && (n->cpus || n->mem || n->n_res)) {
		json_t *req = json_object();
		if (req && n->cpus)
			json_object_set_new(req, "cpus", json_integer(n->cpus));
		if (req && n->mem)
			json_object_set_new(req, "mem", json_integer((json_int_t)n->mem));
		for (uint16_t i = 0; req && i < n->n_res; i++)
			json_object_set_new(req, n->res_names[i], json_integer((json_int_t)n->res_amounts[i]));
		json_object_set_new(j, "requests", req);
	}
	if (n->attempt) {
		json_object_set_new(j, "attempts", json_integer(n->attempt));
		json_t *devs = json_array();
		char *list = weft_strdup(n->devices ? n->devices : "");
		char *save = NULL;
		for (char *d = list ? strtok_r(list, ",", &save) : NULL; d && devs; d = strtok_r(NULL, ",", &save))
			json_array_append_new(devs, json_string(d));
		free(list);
		json_object_set_new(j, "devices", devs);
		if (n->timeout > 0)
			json_object_set_new(j, "timeout", json_real(n->timeout));
		if (n->timed_out)
			json_object_set_new(j, "timed_out", json_true());
	}
	if (n->input_hashes)
		json_object_set_new(j, "inputs", weft_value_to_jansson(n->input_hashes));
	if (n->outputs)
		json_object_set_new(j, "outputs", weft_value_to_jansson(n->outputs));
	if (n->reason && (n->status == WEFT_NODE_DONE || n->status == WEFT_NODE_FAILED))
		json_object_set_new(j, "reason", json_string(n->reason));
	if (n->error)
		json_object_set_new(j, "error", json_string(n->error));
	if (n->parent != UINT32_MAX) {
		node *p = weft_graph_node(eng, n->parent);
		if (p)
			json_object_set_new(j, "parent", json_string(p->name));
	}
	if (n->file)
		json_object_set_new(j, "source", json_sprintf("%s:%d", n->file, n->line));
	char *safe = weft_strdup(n->name);
	for (char *p = safe; p && *p; p++)
		if (*p == '/')
			*p = '~';
	char *log = safe ? weft_sprintf("%s/logs/%s.log", run_dir, safe) : NULL;
	struct stat sb;
	if (log && stat(log, &sb) == 0)
		json_object_set_new(j, "log", json_string(log));
	free(log);
	free(safe);
	return j;
}

int weft_record_write(weft_engine *eng, const char *run_dir, const char *run_id, const weft_run_options *o,
		      const char *status, const weft_run_summary *s, json_t *pools)
{
	json_t *nodes = json_array();
	for (uint32_t i = 0; nodes && i < eng->graph.n; i++) {
		json_t *nj = node_json(eng, eng->graph.nodes[i], run_dir);
		if (!nj || json_array_append_new(nodes, nj) != 0) {
			json_decref(nodes);
			json_decref(pools);
			return weft_err_set(WEFT_ERROR, "out of memory");
		}
	}
	json_t *rec = json_pack("{s:i,s:s,s:s,s:s,s:f,s:f,s:{s:I,s:I,s:I,s:I,s:I,s:I},s:o}", "weft_record", 1, "id",
				run_id, "pipeline", o->pipeline ? o->pipeline : "", "status", status, "finished",
				weft_now(), "wall_seconds", s->wall_seconds, "counts", "total", (json_int_t)s->total,
				"executed", (json_int_t)s->executed, "cached", (json_int_t)s->cached, "resumed",
				(json_int_t)s->resumed, "failed", (json_int_t)s->failed, "skipped",
				(json_int_t)s->skipped, "nodes", nodes);
	if (!rec) {
		json_decref(pools);
		return weft_err_set(WEFT_ERROR, "cannot build run record");
	}
	json_object_set_new(rec, "resources", pools ? pools : json_array());
	json_object_set_new(rec, "git", o->provenance ? weft_value_to_jansson(o->provenance) : json_null());
	json_object_set_new(rec, "params", o->params ? weft_value_to_jansson(o->params) : json_object());
	char *text = json_dumps(rec, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
	json_decref(rec);
	char *path = weft_path_join(run_dir, "record.json");
	int rc = text && path ? weft_write_file_atomic(path, text, strlen(text), 1)
			      : weft_err_set(WEFT_ERROR, "out of memory");
	free(text);
	free(path);
	return rc;
}

static int cmp_desc(const void *a, const void *b)
{
	return strcmp(*(char *const *)b, *(char *const *)a);
}

int weft_record_list_runs(char ***ids, size_t *n, const char *store_dir)
{
	*ids = NULL;
	*n = 0;
	char *dir = weft_path_join(store_dir, "runs");
	DIR *d = dir ? opendir(dir) : NULL;
	free(dir);
	if (!d)
		return WEFT_OK;
	struct dirent *e;
	size_t cap = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			char **p = realloc(*ids, cap * sizeof *p);
			if (!p) {
				closedir(d);
				return weft_err_set(WEFT_ERROR, "out of memory");
			}
			*ids = p;
		}
		(*ids)[(*n)++] = weft_strdup(e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(*ids, *n, sizeof **ids, cmp_desc);
	return WEFT_OK;
}

static json_t *load_record(const char *store_dir, const char *id)
{
	char *path = weft_sprintf("%s/runs/%s/record.json", store_dir, id);
	json_t *j = path ? json_load_file(path, 0, NULL) : NULL;
	free(path);
	return j;
}

json_t *weft_record_prev_nodes(const char *store_dir, const char *pipeline, const char *exclude_id)
{
	char **ids;
	size_t n;
	json_t *found = NULL;
	if (weft_record_list_runs(&ids, &n, store_dir) != WEFT_OK)
		return NULL;
	for (size_t i = 0; i < n && !found; i++) {
		if (exclude_id && !strcmp(ids[i], exclude_id))
			continue;
		json_t *rec = load_record(store_dir, ids[i]);
		const char *p = rec ? json_string_value(json_object_get(rec, "pipeline")) : NULL;
		if (p && pipeline && !strcmp(p, pipeline)) {
			found = json_object();
			size_t k;
			json_t *nd;
			json_array_foreach(json_object_get(rec, "nodes"), k, nd)
			{
				const char *name = json_string_value(json_object_get(nd, "name"));
				if (name)
					json_object_set(found, name, nd);
			}
		}
		json_decref(rec);
	}
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return found;
}

int weft_runs_latest(char **out_id, const char *store_dir, int interrupted_only)
{
	char **ids;
	size_t n;
	*out_id = NULL;
	int rc = weft_record_list_runs(&ids, &n, store_dir);
	if (rc != WEFT_OK)
		return rc;
	for (size_t i = 0; i < n && !*out_id; i++) {
		if (interrupted_only) {
			json_t *rec = load_record(store_dir, ids[i]);
			const char *st = rec ? json_string_value(json_object_get(rec, "status")) : NULL;
			int done = st && !strcmp(st, "ok");
			json_decref(rec);
			if (done)
				continue;
		}
		*out_id = weft_strdup(ids[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return *out_id ? WEFT_OK
		       : weft_err_set(WEFT_ENOTFOUND, "no %sruns under %s/runs", interrupted_only ? "unfinished " : "",
				      store_dir);
}
