/*
 * runread.c -- the reading side of the run files (weft/run.h): the runs
 * list, record.json, the journal's header and live.json.
 *
 * A handle keeps the parsed JSON document and hands out structs whose
 * strings point into it; arrays of structs are allocated once, at open.
 * Fields a record lacks read as NULL or 0, so records written by older
 * versions stay readable. Each reader is bounded by the size of the file
 * it reads (weft_read_file), and a file that is not the JSON object it
 * should be is refused with its path.
 */
#define _GNU_SOURCE
#include "weft/run.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"
#include "llm.h"
#include "util.h"
#include "value_jansson.h"

struct weft_run {
	json_t *doc;
	char *text;
	size_t len;
	weft_run_info info;
	weft_value *params;
	weft_value *params_given;
	weft_run_node *nodes;
	size_t n_nodes;
	/* per-node and per-run values made from the document */
	weft_value **values;
	size_t n_values;
	void **blocks; /* arrays handed out (devices, files, pools) */
	size_t n_blocks;
};

struct weft_run_live {
	json_t *doc;
	weft_run_live_info info;
	void **blocks;
	size_t n_blocks;
};

static int cmp_desc(const void *a, const void *b)
{
	return strcmp(*(char *const *)b, *(char *const *)a);
}

void weft_runs_free(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

int weft_run_has_record(const char *store_dir, const char *id)
{
	char *p = weft_sprintf("%s/runs/%s/record.json", store_dir, id);
	int ok = p && access(p, F_OK) == 0;
	free(p);
	return ok;
}

int weft_runs_list(char ***ids, size_t *n, const char *store_dir)
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
	int rc = WEFT_OK;
	while (rc == WEFT_OK && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			char **p = realloc(*ids, nc * sizeof *p);
			if (!p) {
				rc = weft_err_set(WEFT_ERROR, "out of memory");
				break;
			}
			*ids = p;
			cap = nc;
		}
		if (!((*ids)[*n] = weft_strdup(e->d_name)))
			rc = weft_err_set(WEFT_ERROR, "out of memory");
		else
			(*n)++;
	}
	closedir(d);
	if (rc != WEFT_OK) {
		weft_runs_free(*ids, *n);
		*ids = NULL;
		*n = 0;
		return rc;
	}
	if (*n)
		qsort(*ids, *n, sizeof **ids, cmp_desc);
	return WEFT_OK;
}

/* ------------------------------------------------------------ helpers */

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static double jnum(const json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

static size_t jsize(const json_t *o, const char *k)
{
	json_int_t v = json_integer_value(json_object_get(o, k));
	return v > 0 ? (size_t)v : 0;
}

/* A zeroed array of n items kept with the handle; NULL when n is 0 or
 * memory runs out (*oom set). */
static void *keep_array(void ***blocks, size_t *n_blocks, size_t n, size_t size, int *oom)
{
	if (!n)
		return NULL;
	void **b = realloc(*blocks, (*n_blocks + 1) * sizeof *b);
	void *a = b ? calloc(n, size) : NULL;
	if (b)
		*blocks = b;
	if (!a) {
		*oom = 1;
		return NULL;
	}
	(*blocks)[(*n_blocks)++] = a;
	return a;
}

static void free_blocks(void **blocks, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(blocks[i]);
	free(blocks);
}

/* An array of the strings in JSON array `a`. */
static const char *const *str_array(void ***bl, size_t *nb, const json_t *a, size_t *n, int *oom)
{
	*n = json_array_size(a);
	const char **out = keep_array(bl, nb, *n, sizeof *out, oom);
	if (!out) {
		*n = 0;
		return NULL;
	}
	for (size_t i = 0; i < *n; i++)
		out[i] = json_string_value(json_array_get(a, i));
	return out;
}

static const weft_run_pool *pools_of(void ***bl, size_t *nb, const json_t *a, size_t *n, int *oom)
{
	*n = json_array_size(a);
	weft_run_pool *out = keep_array(bl, nb, *n, sizeof *out, oom);
	if (!out) {
		*n = 0;
		return NULL;
	}
	for (size_t i = 0; i < *n; i++) {
		const json_t *p = json_array_get(a, i);
		const json_t *devs = json_object_get(p, "devices");
		out[i].name = jstr(p, "name");
		out[i].capacity = json_integer_value(json_object_get(p, "capacity"));
		out[i].used = json_integer_value(json_object_get(p, "used"));
		out[i].n_devices = json_array_size(devs);
		weft_run_device *d = keep_array(bl, nb, out[i].n_devices, sizeof *d, oom);
		if (!d)
			out[i].n_devices = 0;
		for (size_t k = 0; k < out[i].n_devices; k++) {
			const json_t *dv = json_array_get(devs, k);
			d[k].id = jstr(dv, "id");
			d[k].busy_s = jnum(dv, "busy_s");
			d[k].utilisation = jnum(dv, "utilisation");
			d[k].node = jstr(dv, "node");
		}
		out[i].devices = d;
	}
	return out;
}

/* Parses the whole file at `path` as one JSON object. */
static json_t *load_object(const char *path, char **text, size_t *len, char *why, size_t whylen)
{
	char *t = NULL;
	size_t l = 0;
	*why = '\0';
	if (weft_read_file(path, &t, &l) != WEFT_OK) {
		snprintf(why, whylen, "%s", weft_error_last());
		return NULL;
	}
	json_error_t je;
	json_t *j = json_loadb(t, l, 0, &je);
	if (!json_is_object(j)) {
		snprintf(why, whylen, "line %d: %s", je.line, j ? "not a JSON object" : je.text);
		json_decref(j);
		free(t);
		return NULL;
	}
	if (text) {
		*text = t;
		*len = l;
	} else
		free(t);
	return j;
}

/* ------------------------------------------------------------ records */

static const weft_value *keep_value(weft_run *r, const json_t *j, int *oom)
{
	if (!j)
		return NULL;
	weft_value **v = realloc(r->values, (r->n_values + 1) * sizeof *v);
	if (!v) {
		*oom = 1;
		return NULL;
	}
	r->values = v;
	weft_value *val = weft_value_from_jansson(j);
	if (!val) {
		*oom = 1;
		return NULL;
	}
	r->values[r->n_values++] = val;
	return val;
}

static void fill_git(weft_run *r, const json_t *g, int *oom)
{
	weft_run_git *git = &r->info.git;
	if (!json_is_object(g))
		return;
	git->present = 1;
	git->commit = jstr(g, "commit");
	git->branch = jstr(g, "branch");
	git->rev = jstr(g, "rev");
	git->dirty = json_is_true(json_object_get(g, "dirty"));
	git->dirty_diff_hash = jstr(g, "dirty_diff_hash");
	git->dirty_read = str_array(&r->blocks, &r->n_blocks, json_object_get(g, "dirty_read"), &git->n_dirty_read, oom);
	const json_t *files = json_object_get(g, "files");
	git->n_files = json_object_size(files);
	weft_run_git_file *f = keep_array(&r->blocks, &r->n_blocks, git->n_files, sizeof *f, oom);
	if (!f)
		git->n_files = 0;
	size_t i = 0;
	const char *k;
	json_t *e;
	json_object_foreach((json_t *)files, k, e)
	{
		if (i >= git->n_files)
			break;
		f[i].path = k;
		f[i].kind = jstr(e, "kind");
		f[i].blob = jstr(e, "blob");
		i++;
	}
	git->files = f;
}

static void fill_node(weft_run *r, weft_run_node *n, const json_t *j, int *oom)
{
	n->name = jstr(j, "name");
	n->kind = jstr(j, "kind");
	n->status = jstr(j, "status");
	n->op = jstr(j, "op");
	n->op_version = jstr(j, "op_version");
	n->cache = jstr(j, "cache");
	n->key = jstr(j, "key");
	n->error = jstr(j, "error");
	n->reason = jstr(j, "reason");
	n->log = jstr(j, "log");
	n->parent = jstr(j, "parent");
	n->source = jstr(j, "source");
	n->elapsed = jnum(j, "elapsed");
	n->started = jnum(j, "started");
	n->timeout = jnum(j, "timeout");
	n->attempts = (unsigned)jsize(j, "attempts");
	n->executed = json_is_true(json_object_get(j, "executed"));
	n->timed_out = json_is_true(json_object_get(j, "timed_out"));
	n->worker_pid = (long)json_integer_value(json_object_get(j, "worker"));
	n->peak_rss_kb = (long)json_integer_value(json_object_get(j, "peak_rss_kb"));
	n->params = keep_value(r, json_object_get(j, "params"), oom);
	n->outputs = keep_value(r, json_object_get(j, "outputs"), oom);
	n->inputs = keep_value(r, json_object_get(j, "inputs"), oom);
	n->requests = keep_value(r, json_object_get(j, "requests"), oom);
	n->devices = str_array(&r->blocks, &r->n_blocks, json_object_get(j, "devices"), &n->n_devices, oom);
	n->deps = str_array(&r->blocks, &r->n_blocks, json_object_get(j, "deps"), &n->n_deps, oom);
	weft_llm_stats_from_json(&n->llm, json_object_get(j, "llm"));
	weft_llm_stats_add(&r->info.llm, &n->llm);
	const json_t *job = json_object_get(j, "job");
	n->job_id = jstr(job, "id");
	n->job_host = jstr(job, "host");
	n->job_state = jstr(job, "state");
	n->queue_wait = jnum(job, "queue_wait");
}

/* The parts a record and a journal header share. */
static int fill_common(weft_run *r, const char *id, int *oom)
{
	weft_run_info *in = &r->info;
	in->id = jstr(r->doc, "id");
	if (!in->id)
		in->id = id;
	in->pipeline = jstr(r->doc, "pipeline");
	if (!in->pipeline)
		in->pipeline = "";
	in->out_dir = jstr(r->doc, "out_dir");
	in->executor = jstr(r->doc, "executor");
	if (!in->executor)
		in->executor = "local";
	const json_t *params = json_object_get(r->doc, "params");
	r->params = json_is_object(params) ? weft_value_from_jansson(params) : weft_value_map();
	if (!r->params)
		*oom = 1;
	in->params = r->params;
	const json_t *given = json_object_get(r->doc, "params_given");
	if (json_is_object(given) && !(r->params_given = weft_value_from_jansson(given)))
		*oom = 1;
	in->params_given = r->params_given;
	in->targets = str_array(&r->blocks, &r->n_blocks, json_object_get(r->doc, "targets"), &in->n_targets, oom);
	in->force_nodes =
		str_array(&r->blocks, &r->n_blocks, json_object_get(r->doc, "force_nodes"), &in->n_force_nodes, oom);
	in->force = json_is_true(json_object_get(r->doc, "force"));
	fill_git(r, json_object_get(r->doc, "git"), oom);
	return *oom ? weft_err_set(WEFT_ERROR, "out of memory") : WEFT_OK;
}

/* Why run `id` has no readable record, and what to do. */
static int no_record(const char *store_dir, const char *id, const char *path, const char *why)
{
	char *jour = weft_sprintf("%s/runs/%s/journal", store_dir, id);
	struct stat sb;
	int has_journal = jour && stat(jour, &sb) == 0;
	int rc;
	if (path && stat(path, &sb) == 0)
		rc = weft_err_set(WEFT_EINVALID, "its record %s is damaged (%s); the run's journal %s%s", path, why,
				  jour ? jour : "?", has_journal ? " still lists what finished" : " is gone too");
	else if (has_journal)
		rc = weft_err_set(WEFT_ENOTFOUND, "no record: it was killed; `weft resume %s` continues it", id);
	else
		rc = weft_err_set(WEFT_ENOTFOUND,
				  "neither a record nor a journal under %s/runs/%s: nothing to resume; run the "
				  "pipeline again",
				  store_dir, id);
	free(jour);
	return rc;
}

/* STORE/runs/ID/FILE into *path (the caller's), after checking that the
 * id names a directory under runs/: no separators, no dot-dot. */
static int run_file(char **path, const char *store_dir, const char *id, const char *file)
{
	*path = NULL;
	if (!id || !*id || strchr(id, '/') || !strcmp(id, ".") || !strcmp(id, ".."))
		return weft_err_set(WEFT_EINVALID, "'%s' is not a run id (see `weft log`)", id ? id : "");
	*path = weft_sprintf("%s/runs/%s/%s", store_dir, id, file);
	return *path ? WEFT_OK : weft_err_set(WEFT_ERROR, "out of memory");
}

/* The same, and a zeroed handle of `size` bytes into *handle. */
static int open_prep(char **path, void **handle, size_t size, const char *store_dir, const char *id, const char *file)
{
	*handle = NULL;
	int rc = run_file(path, store_dir, id, file);
	if (rc != WEFT_OK)
		return rc;
	*handle = calloc(1, size);
	if (!*handle) {
		free(*path);
		*path = NULL;
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	return WEFT_OK;
}

int weft_run_open(weft_run **out, const char *store_dir, const char *id)
{
	*out = NULL;
	weft_run *r;
	char *path;
	int rc = open_prep(&path, (void **)&r, sizeof *r, store_dir, id, "record.json");
	if (rc != WEFT_OK)
		return rc;
	char why[256];
	r->doc = load_object(path, &r->text, &r->len, why, sizeof why);
	if (!r->doc) {
		rc = no_record(store_dir, id, path, why);
		free(path);
		weft_run_free(r);
		return rc;
	}
	free(path);
	int oom = 0;
	rc = fill_common(r, id, &oom);
	weft_run_info *in = &r->info;
	in->has_record = 1;
	in->status = jstr(r->doc, "status");
	if (!in->status)
		in->status = "unknown";
	in->finished = jnum(r->doc, "finished");
	in->wall_seconds = jnum(r->doc, "wall_seconds");
	const json_t *c = json_object_get(r->doc, "counts");
	in->counts = (weft_run_counts){jsize(c, "total"),  jsize(c, "executed"), jsize(c, "cached"),
				       jsize(c, "resumed"), jsize(c, "failed"),   jsize(c, "skipped")};
	const json_t *seg = json_object_get(r->doc, "segments");
	in->segments = jsize(seg, "count");
	in->segments_executed = jsize(seg, "executed");
	in->pools = pools_of(&r->blocks, &r->n_blocks, json_object_get(r->doc, "resources"), &in->n_pools, &oom);
	const json_t *nodes = json_object_get(r->doc, "nodes");
	r->n_nodes = json_array_size(nodes);
	r->nodes = r->n_nodes ? calloc(r->n_nodes, sizeof *r->nodes) : NULL;
	if (r->n_nodes && !r->nodes)
		oom = 1;
	for (size_t i = 0; r->nodes && i < r->n_nodes; i++)
		fill_node(r, &r->nodes[i], json_array_get(nodes, i), &oom);
	if (rc == WEFT_OK && oom)
		rc = weft_err_set(WEFT_ERROR, "out of memory reading run %s", id);
	if (rc != WEFT_OK) {
		weft_run_free(r);
		return rc;
	}
	*out = r;
	return WEFT_OK;
}

/* Keeps the first "run" record of the journal: the header. */
static int take_header(const char *rec, size_t len, void *payload)
{
	json_t **hdr = payload;
	if (*hdr)
		return WEFT_OK;
	json_t *j = json_loadb(rec, len, 0, NULL);
	const char *ev = jstr(j, "ev");
	if (ev && !strcmp(ev, "run"))
		*hdr = json_incref(j);
	json_decref(j);
	return WEFT_OK;
}

int weft_run_open_journal(weft_run **out, const char *store_dir, const char *id)
{
	*out = NULL;
	weft_run *r;
	char *path;
	int rc = open_prep(&path, (void **)&r, sizeof *r, store_dir, id, "journal");
	if (rc != WEFT_OK)
		return rc;
	if (weft_journal_read(path, take_header, &r->doc) != WEFT_OK || !r->doc) {
		rc = weft_err_set(WEFT_ENOTFOUND, "run %s has no readable journal (%s); see `weft status`", id, path);
		free(path);
		weft_run_free(r);
		return rc;
	}
	free(path);
	int oom = 0;
	rc = fill_common(r, id, &oom);
	r->info.status = "interrupted";
	if (rc != WEFT_OK) {
		weft_run_free(r);
		return rc;
	}
	*out = r;
	return WEFT_OK;
}

void weft_run_free(weft_run *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_values; i++)
		weft_value_free(r->values[i]);
	free(r->values);
	free(r->nodes);
	free_blocks(r->blocks, r->n_blocks);
	weft_value_free(r->params);
	weft_value_free(r->params_given);
	json_decref(r->doc);
	free(r->text);
	free(r);
}

const weft_run_info *weft_run_get_info(const weft_run *r)
{
	return &r->info;
}

size_t weft_run_node_count(const weft_run *r)
{
	return r->n_nodes;
}

const weft_run_node *weft_run_node_at(const weft_run *r, size_t i)
{
	return i < r->n_nodes ? &r->nodes[i] : NULL;
}

const char *weft_run_text(const weft_run *r, size_t *len)
{
	if (len)
		*len = r->len;
	return r->text ? r->text : "";
}

int weft_runs_latest(char **out_id, const char *store_dir, int unfinished_only)
{
	char **ids;
	size_t n;
	*out_id = NULL;
	int rc = weft_runs_list(&ids, &n, store_dir);
	if (rc != WEFT_OK)
		return rc;
	for (size_t i = 0; i < n && !*out_id; i++) {
		if (unfinished_only) {
			weft_run *r;
			int done = weft_run_open(&r, store_dir, ids[i]) == WEFT_OK && !strcmp(r->info.status, "ok");
			weft_run_free(r);
			if (done)
				continue;
		}
		*out_id = weft_strdup(ids[i]);
	}
	weft_runs_free(ids, n);
	return *out_id ? WEFT_OK
		       : weft_err_set(WEFT_ENOTFOUND, "no %sruns under %s/runs; `weft run PIPELINE.lua` makes one",
				      unfinished_only ? "unfinished " : "",
				      store_dir);
}

/* ---------------------------------------------------------- live view */

static void fill_live(weft_run_live *l, int *oom)
{
	weft_run_live_info *in = &l->info;
	const json_t *j = l->doc;
	in->id = jstr(j, "run");
	in->pipeline = jstr(j, "pipeline");
	in->state = jstr(j, "state");
	in->pid = (long)json_integer_value(json_object_get(j, "pid"));
	in->started = jnum(j, "started");
	in->now = jnum(j, "now");
	const json_t *c = json_object_get(j, "nodes");
	in->total = jsize(c, "total");
	in->finished = jsize(c, "finished");
	in->executed = jsize(c, "executed");
	in->cached = jsize(c, "cached");
	in->failed = jsize(c, "failed");
	in->running = jsize(c, "running");
	in->retries = jsize(c, "retries");
	const json_t *run = json_object_get(j, "running");
	in->n_nodes = json_array_size(run);
	weft_run_live_node *nodes = keep_array(&l->blocks, &l->n_blocks, in->n_nodes, sizeof *nodes, oom);
	if (!nodes)
		in->n_nodes = 0;
	for (size_t i = 0; i < in->n_nodes; i++) {
		const json_t *r = json_array_get(run, i);
		const json_t *w = json_object_get(r, "worker");
		nodes[i].node = jstr(r, "node");
		nodes[i].op = jstr(r, "op");
		nodes[i].devices = jstr(r, "devices");
		if (!nodes[i].devices)
			nodes[i].devices = "";
		nodes[i].worker_pid = json_is_integer(w) ? (long)json_integer_value(w) : 0;
		nodes[i].where = json_is_integer(w) ? "worker" : json_string_value(w) ? json_string_value(w) : "-";
		nodes[i].elapsed = jnum(r, "elapsed");
		nodes[i].timeout = jnum(r, "timeout");
		nodes[i].attempt = (unsigned)jsize(r, "attempt");
		nodes[i].cancelling = json_is_true(json_object_get(r, "cancelling"));
		nodes[i].progress = json_is_number(json_object_get(r, "progress")) ? jnum(r, "progress") : -1;
		nodes[i].progress_msg = jstr(r, "progress_msg");
		if (!nodes[i].progress_msg)
			nodes[i].progress_msg = "";
		nodes[i].job_id = jstr(r, "job");
		nodes[i].job_state = jstr(r, "job_state");
	}
	in->nodes = nodes;
	const json_t *q = json_object_get(j, "queue");
	in->waiting_for_resources = jsize(q, "waiting_for_resources");
	in->waiting_for_inputs = jsize(q, "waiting_for_inputs");
	in->next = str_array(&l->blocks, &l->n_blocks, json_object_get(q, "next"), &in->n_next, oom);
	const json_t *retr = json_object_get(q, "retrying");
	in->n_retrying = json_array_size(retr);
	weft_run_retry *rt = keep_array(&l->blocks, &l->n_blocks, in->n_retrying, sizeof *rt, oom);
	if (!rt)
		in->n_retrying = 0;
	for (size_t i = 0; i < in->n_retrying; i++) {
		const json_t *v = json_array_get(retr, i);
		rt[i].node = jstr(v, "node");
		rt[i].retry_in = jnum(v, "retry_in");
		rt[i].attempt = (unsigned)jsize(v, "attempt");
	}
	in->retrying = rt;
	in->pools = pools_of(&l->blocks, &l->n_blocks, json_object_get(j, "pools"), &in->n_pools, oom);
}

/* A live.json whole: the run rewrites it in place (livestatus.c), so a
 * read that met a write half done is not one JSON object, and is made
 * again while the file is there. */
static json_t *load_live(const char *path, char **text, size_t *len)
{
	char why[256];
	json_t *j;
	for (int tries = 0; !(j = load_object(path, text, len, why, sizeof why)) && tries < 20 && access(path, F_OK) == 0;
	     tries++)
		(void)nanosleep(&(struct timespec){0, 2000000}, NULL);
	return j;
}

int weft_run_live_text(char **text, size_t *len, const char *store_dir, const char *id)
{
	*text = NULL;
	*len = 0;
	char *path;
	int rc = run_file(&path, store_dir, id, "live.json");
	if (rc != WEFT_OK)
		return rc;
	json_t *j = load_live(path, text, len);
	free(path);
	if (!j)
		return weft_err_set(WEFT_ENOTFOUND, "run %s has no live view", id);
	json_decref(j);
	return WEFT_OK;
}

int weft_run_live_open(weft_run_live **out, const char *store_dir, const char *id)
{
	*out = NULL;
	weft_run_live *l;
	char *path;
	int rc = open_prep(&path, (void **)&l, sizeof *l, store_dir, id, "live.json");
	if (rc != WEFT_OK)
		return rc;
	l->doc = load_live(path, NULL, NULL);
	free(path);
	/* A snapshot whose writer is gone was left by a killed run. */
	pid_t pid = l->doc ? (pid_t)json_integer_value(json_object_get(l->doc, "pid")) : 0;
	if (!l->doc || pid <= 0 || (kill(pid, 0) != 0 && errno != EPERM)) {
		weft_run_live_free(l);
		return weft_err_set(WEFT_ENOTFOUND, "run %s is not going on; `weft show %s` shows how it ended", id,
				    id);
	}
	int oom = 0;
	fill_live(l, &oom);
	if (oom) {
		weft_run_live_free(l);
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	*out = l;
	return WEFT_OK;
}

const weft_run_live_info *weft_run_live_get(const weft_run_live *l)
{
	return &l->info;
}

void weft_run_live_free(weft_run_live *l)
{
	if (!l)
		return;
	free_blocks(l->blocks, l->n_blocks);
	json_decref(l->doc);
	free(l);
}
