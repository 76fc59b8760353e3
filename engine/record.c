/*
 * record.c -- writing record.json and scanning runs/.
 *
 * Run ids start with a timestamp, so name order is time order and "newest"
 * needs no parsing of records. The record is written atomically; a run
 * killed before writing one has only its journal, which is what marks it
 * resumable.
 */
#include "record.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jsonw.h"
#include "slurm.h"
#include "util.h"
#include "weft/run.h"

/* runs/ID/pipeline names the run's pipeline in a file of its own, so that
 * finding a pipeline's previous run reads a few bytes per run instead of
 * every record (records of runs made before it existed are still read). */
static int write_meta(const char *run_dir, const char *pipeline)
{
	char *path = weft_path_join(run_dir, "pipeline");
	char *text = weft_sprintf("%s\n", pipeline ? pipeline : "");
	int rc = path && text ? weft_write_file_atomic(path, text, strlen(text), 0)
			      : weft_err_set(WEFT_ERROR, "out of memory");
	free(path);
	free(text);
	return rc;
}

/* 1: run `id` is of `pipeline`, 0: of another, -1: unknown (no meta). */
static int run_is_of(const char *store_dir, const char *id, const char *pipeline)
{
	char *path = weft_sprintf("%s/runs/%s/pipeline", store_dir, id), *text = NULL;
	size_t len = 0;
	int rc = path && weft_read_file(path, &text, &len) == WEFT_OK ? 0 : -1;
	free(path);
	if (rc == 0) {
		size_t pl = strlen(pipeline);
		rc = len == pl + 1 && text[pl] == '\n' && !memcmp(text, pipeline, pl);
	}
	free(text);
	return rc;
}

/* One node's entry, keys in byte order (as JSON_SORT_KEYS wrote them). */
int record_log_path(char *buf, size_t cap, const char *log_dir, const char *name)
{
	/* built by copying: the record makes one for every node */
	size_t dl = strlen(log_dir), nl = strlen(name);
	if (dl + nl + 6 > cap)
		return 0;
	memcpy(buf, log_dir, dl);
	buf[dl] = '/';
	for (size_t i = 0; i < nl; i++)
		buf[dl + 1 + i] = name[i] == '/' ? '~' : name[i];
	memcpy(buf + dl + 1 + nl, ".log", 5);
	return 1;
}

static void node_write(weft_jw *w, weft_engine *eng, node *n, const char *log_dir)
{
	node_run *nr = weft_node_run(eng, n->id);
	weft_jw_obj(w);
	if (nr->attempt) {
		weft_jw_field(w, "attempts");
		weft_jw_int(w, nr->attempt);
	}
	const char *cache = NULL;
	node_state st = (node_state)nr->state;
	if (st == NS_CACHED || st == NS_RESUMED)
		cache = "hit";
	else if (st == NS_DONE || st == NS_FAILED)
		cache = "miss";
	weft_jw_field(w, "cache");
	weft_jw_str(w, cache);
	if (n->n_deps) {
		/* The edges, so that `weft graph --run` draws the expanded graph. */
		weft_jw_field(w, "deps");
		weft_jw_arr(w);
		for (uint32_t d = 0; d < n->n_deps; d++)
			weft_jw_str(w, weft_graph_node(eng, n->deps[d])->name);
		weft_jw_end(w, ']');
	}
	if (nr->attempt) {
		weft_jw_field(w, "devices");
		weft_jw_arr(w);
		const char *d = nr->devices ? nr->devices : "";
		while (*d) {
			size_t len = strcspn(d, ",");
			if (len)
				weft_jw_strn(w, d, len);
			d += len + (d[len] == ',');
		}
		weft_jw_end(w, ']');
	}
	weft_jw_field(w, "elapsed");
	weft_jw_real(w, nr->elapsed);
	if (nr->error) {
		weft_jw_field(w, "error");
		weft_jw_str(w, nr->error);
	}
	weft_jw_field(w, "executed");
	weft_jw_bool(w, st == NS_DONE || (st == NS_FAILED && nr->t_start > 0));
	if (nr->input_hashes) {
		weft_jw_field(w, "inputs");
		weft_jw_value(w, nr->input_hashes);
	}
	if (nr->job_id[0]) {
		weft_jw_field(w, "job");
		weft_jw_obj(w);
		if (nr->job_host) {
			weft_jw_field(w, "host");
			weft_jw_str(w, nr->job_host);
		}
		weft_jw_field(w, "id");
		weft_jw_str(w, nr->job_id);
		weft_jw_field(w, "queue_wait");
		weft_jw_real(w, nr->queue_wait);
		weft_jw_field(w, "state");
		weft_jw_str(w, slurm_state_name((slurm_state)nr->job_state));
		weft_jw_end(w, '}');
	}
	if (nr->key[0]) {
		weft_jw_field(w, "key");
		weft_jw_str(w, nr->key);
	}
	weft_jw_field(w, "kind");
	weft_jw_str(w, n->kind == NODE_OP ? "op" : "dynamic");
	if (weft_llm_stats_any(&nr->llm)) {
		json_t *j = weft_llm_stats_json(&nr->llm);
		char *t = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17)) : NULL;
		if (t) {
			weft_jw_field(w, "llm");
			weft_jw_raw(w, t);
		}
		free(t);
		json_decref(j);
	}
	char log[PATH_MAX];
	struct stat sb;
	/* Only a node that started in this run can have a log in its logs
	 * directory: a cached node costs no stat of one, nor does one whose op
	 * is known to have written none (no_log). */
	if (nr->attempt && !nr->no_log && record_log_path(log, sizeof log, log_dir, n->name) && stat(log, &sb) == 0) {
		weft_jw_field(w, "log");
		weft_jw_str(w, log);
	}
	weft_jw_field(w, "name");
	weft_jw_str(w, n->name);
	if (n->kind == NODE_OP) {
		weft_jw_field(w, "op");
		weft_jw_str(w, n->op->full_name);
		weft_jw_field(w, "op_version");
		weft_jw_str(w, n->op->desc->version);
	}
	if (nr->outputs) {
		weft_jw_field(w, "outputs");
		weft_jw_value(w, nr->outputs);
	}
	if (n->kind == NODE_OP) {
		weft_jw_field(w, "params");
		weft_jw_value(w, n->params);
	}
	node *parent = n->parent != UINT32_MAX ? weft_graph_node(eng, n->parent) : NULL;
	if (parent) {
		weft_jw_field(w, "parent");
		weft_jw_str(w, parent->name);
	}
	if (nr->worker_pid) {
		weft_jw_field(w, "peak_rss_kb");
		weft_jw_int(w, nr->rss_kb);
	}
	if (nr->reason && (st == NS_DONE || st == NS_FAILED)) {
		weft_jw_field(w, "reason");
		weft_jw_str(w, nr->reason);
	}
	if (n->kind == NODE_OP && (n->cpus || n->mem || n->n_res)) {
		/* A map keeps the request names sorted. */
		weft_value *req = weft_value_map();
		if (req && n->cpus)
			weft_value_map_set(req, "cpus", weft_value_int(n->cpus));
		if (req && n->mem)
			weft_value_map_set(req, "mem", weft_value_int((int64_t)n->mem));
		for (uint16_t i = 0; req && i < n->n_res; i++)
			weft_value_map_set(req, n->res_names[i], weft_value_int((int64_t)n->res_amounts[i]));
		weft_jw_field(w, "requests");
		weft_jw_value(w, req);
		weft_value_free(req);
	}
	if (n->file) {
		char src[4096];
		weft_file_line(src, sizeof src, n->file, n->line);
		weft_jw_field(w, "source");
		weft_jw_str(w, src);
	}
	if (nr->t_start > 0) {
		weft_jw_field(w, "started");
		weft_jw_real(w, nr->t_start);
	}
	weft_jw_field(w, "status");
	weft_jw_str(w, ns_name(st));
	if (nr->attempt && nr->timed_out) {
		weft_jw_field(w, "timed_out");
		weft_jw_bool(w, 1);
	}
	if (nr->attempt && n->timeout > 0) {
		weft_jw_field(w, "timeout");
		weft_jw_real(w, n->timeout);
	}
	if (nr->worker_pid) {
		weft_jw_field(w, "worker");
		weft_jw_int(w, nr->worker_pid);
	}
	weft_jw_end(w, '}');
}

/* ------------------------------------------------------ nodes, two threads */

/* The nodes are formatted in chunks of NODES_CHUNK: the even chunks on the
 * calling thread, straight into the record, the odd ones on a helper into
 * one of two buffers, which the calling thread copies in when it reaches
 * them. Formatting is most of the record's cost (a no-op rerun of 10,000
 * nodes writes 10 MB), and the run is over, so the second core is free.
 * Memory stays bounded: two chunks' text at most. */
#define NODES_CHUNK 256u

/* A node is one line of the record (its fields compact, three levels
 * down): a 10,000-node record is 7.7 MB instead of 10 MB indented, still
 * one node per line for grep and less, and the same JSON. */
#define NODE_FLAT 3

typedef struct nodes_split {
	weft_engine *eng;
	const char *log_dir;
	uint32_t chunks;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	weft_buf text[2];  /* the odd chunk 2k+1 goes into text[k % 2] */
	int64_t holds[2];  /* the chunk text[i] holds, -1: free */
	int failed, stop;  /* the helper ran out of memory; the caller gave up */
} nodes_split;

static void chunk_write(weft_jw *w, weft_engine *eng, const char *log_dir, uint32_t c)
{
	uint32_t end = (c + 1) * NODES_CHUNK < eng->graph.n ? (c + 1) * NODES_CHUNK : eng->graph.n;
	for (uint32_t i = c * NODES_CHUNK; i < end; i++)
		node_write(w, eng, eng->graph.nodes[i], log_dir);
}

static void *nodes_helper(void *arg)
{
	nodes_split *sp = arg;
	for (uint32_t c = 1; c < sp->chunks; c += 2) {
		int slot = (int)((c / 2) % 2);
		pthread_mutex_lock(&sp->mu);
		while (sp->holds[slot] >= 0 && !sp->stop)
			pthread_cond_wait(&sp->cv, &sp->mu);
		int stop = sp->stop;
		pthread_mutex_unlock(&sp->mu);
		if (stop)
			break;
		weft_jw w;
		weft_jw_init_at(&w, 1, 2, 1); /* inside "nodes", after chunk c - 1 */
		w.flat_from = NODE_FLAT;
		w.buf = sp->text[slot];
		w.buf.len = 0;
		chunk_write(&w, sp->eng, sp->log_dir, c);
		int bad = weft_jw_finish(&w) != WEFT_OK;
		pthread_mutex_lock(&sp->mu);
		sp->text[slot] = w.buf;
		sp->holds[slot] = c;
		sp->failed |= bad;
		pthread_cond_broadcast(&sp->cv);
		pthread_mutex_unlock(&sp->mu);
		if (bad)
			break;
	}
	return NULL;
}

/* Starts the helper, when the record is large enough to be worth it and
 * everything it needs could be had; 0: the caller writes every node. */
static int split_start(nodes_split *sp, pthread_t *th)
{
	/* Under 2,048 nodes the record takes a millisecond or two: not worth
	 * a thread (its start, two buffers and the copies cost instructions
	 * that a small run's record never wins back). */
	if (sp->chunks < 8 || pthread_mutex_init(&sp->mu, NULL) != 0)
		return 0;
	if (pthread_cond_init(&sp->cv, NULL) != 0)
		goto no_cv;
	/* Room for a chunk of typical nodes at once, not by doublings. */
	if (weft_buf_reserve(&sp->text[0], 512u << 10) == WEFT_OK &&
	    weft_buf_reserve(&sp->text[1], 512u << 10) == WEFT_OK && pthread_create(th, NULL, nodes_helper, sp) == 0)
		return 1;
	weft_buf_free(&sp->text[0]);
	weft_buf_free(&sp->text[1]);
	pthread_cond_destroy(&sp->cv);
no_cv:
	pthread_mutex_destroy(&sp->mu);
	return 0;
}

static void nodes_write(weft_jw *w, weft_engine *eng, const char *log_dir)
{
	nodes_split sp = {.eng = eng, .log_dir = log_dir, .holds = {-1, -1}};
	sp.chunks = (uint32_t)(((uint64_t)eng->graph.n + NODES_CHUNK - 1) / NODES_CHUNK);
	pthread_t th;
	if (!split_start(&sp, &th)) {
		for (uint32_t i = 0; i < eng->graph.n; i++)
			node_write(w, eng, eng->graph.nodes[i], log_dir);
		return;
	}
	for (uint32_t c = 0; c < sp.chunks; c++) {
		if (c % 2 == 0) {
			chunk_write(w, eng, log_dir, c);
			continue;
		}
		int slot = (int)((c / 2) % 2);
		pthread_mutex_lock(&sp.mu);
		while (sp.holds[slot] != (int64_t)c && !sp.failed)
			pthread_cond_wait(&sp.cv, &sp.mu);
		int failed = sp.failed;
		pthread_mutex_unlock(&sp.mu);
		if (failed) {
			w->failed = 1; /* out of memory: weft_jw_finish reports it */
			break;
		}
		/* text[slot] is the helper's again only once marked free */
		weft_jw_splice(w, sp.text[slot].data, sp.text[slot].len);
		pthread_mutex_lock(&sp.mu);
		sp.holds[slot] = -1;
		pthread_cond_broadcast(&sp.cv);
		pthread_mutex_unlock(&sp.mu);
	}
	pthread_mutex_lock(&sp.mu);
	sp.stop = 1;
	pthread_cond_broadcast(&sp.cv);
	pthread_mutex_unlock(&sp.mu);
	pthread_join(th, NULL);
	pthread_cond_destroy(&sp.cv);
	pthread_mutex_destroy(&sp.mu);
	weft_buf_free(&sp.text[0]);
	weft_buf_free(&sp.text[1]);
}

/* The record is streamed to a temp file beside record.json (nodes are
 * written as they are visited, never held as a tree) and renamed into
 * place once complete and synced. */
int weft_record_write(weft_engine *eng, const char *run_dir, const char *run_id, const weft_run_options *o,
		      const char *status, const weft_run_summary *s, const weft_record_segments *seg, json_t *pools)
{
	char *path = weft_path_join(run_dir, "record.json"), *tmp = NULL, *log_dir = weft_path_join(run_dir, "logs");
	char *pools_text = json_dumps(pools ? pools : json_array(), JSON_COMPACT | JSON_SORT_KEYS |
								  JSON_REAL_PRECISION(17));
	json_decref(pools);
	int fd = path && pools_text && log_dir ? weft_atomic_open(path, &tmp) : weft_err_set(WEFT_ERROR, "out of memory");
	if (fd < 0) {
		free(path);
		free(pools_text);
		free(log_dir);
		return fd;
	}
	weft_jw w;
	weft_jw_init(&w, fd, 1);
	/* The record is fsynced before its rename: a no-op rerun of 10,000
	 * nodes writes 10 MB, whose write-back then overlaps the writing. */
	w.write_behind = 1;
	weft_jw_obj(&w);
	weft_jw_field(&w, "counts");
	weft_jw_obj(&w);
	const char *cn[] = {"cached", "executed", "failed", "resumed", "skipped", "total"};
	const size_t cv[] = {s->cached, s->executed, s->failed, s->resumed, s->skipped, s->total};
	for (int i = 0; i < 6; i++) {
		weft_jw_field(&w, cn[i]);
		weft_jw_int(&w, (int64_t)cv[i]);
	}
	weft_jw_end(&w, '}');
	weft_jw_field(&w, "executor");
	weft_jw_str(&w, o->executor == WEFT_EXECUTOR_SLURM ? "slurm" : "local");
	weft_jw_field(&w, "finished");
	weft_jw_real(&w, weft_now());
	weft_jw_field(&w, "git");
	weft_jw_value(&w, o->provenance);
	weft_jw_field(&w, "id");
	weft_jw_str(&w, run_id);
	weft_jw_field(&w, "nodes");
	weft_jw_arr(&w);
	w.flat_from = NODE_FLAT;
	nodes_write(&w, eng, log_dir);
	w.flat_from = 0;
	weft_jw_end(&w, ']');
	weft_jw_field(&w, "params");
	if (o->params)
		weft_jw_value(&w, o->params);
	else
		weft_jw_raw(&w, "{}");
	if (o->params_given) {
		weft_jw_field(&w, "params_given");
		weft_jw_value(&w, o->params_given);
	}
	weft_jw_field(&w, "pipeline");
	weft_jw_str(&w, o->pipeline ? o->pipeline : "");
	weft_jw_field(&w, "resources");
	weft_jw_raw(&w, pools_text);
	weft_jw_field(&w, "segments");
	weft_jw_obj(&w);
	weft_jw_field(&w, "count");
	weft_jw_int(&w, (int64_t)seg->count);
	weft_jw_field(&w, "executed");
	weft_jw_int(&w, (int64_t)seg->executed);
	weft_jw_end(&w, '}');
	weft_jw_field(&w, "status");
	weft_jw_str(&w, status);
	weft_jw_field(&w, "wall_seconds");
	weft_jw_real(&w, s->wall_seconds);
	weft_jw_field(&w, "weft_record");
	weft_jw_int(&w, 1);
	weft_jw_end(&w, '}');
	weft_jw_raw(&w, "\n");
	int rc = weft_jw_finish(&w);
	weft_buf_free(&w.buf);
	if (rc == WEFT_OK)
		rc = weft_atomic_commit(fd, tmp, path, 1);
	else
		weft_atomic_abort(fd, tmp);
	if (rc == WEFT_OK)
		rc = write_meta(run_dir, o->pipeline);
	free(tmp);
	free(path);
	free(pools_text);
	free(log_dir);
	return rc;
}

static json_t *load_record(const char *store_dir, const char *id)
{
	/* Read whole, then parsed: json_load_file reads with getc. */
	char *path = weft_sprintf("%s/runs/%s/record.json", store_dir, id), *text = NULL;
	size_t len = 0;
	json_t *j = path && weft_read_file(path, &text, &len) == WEFT_OK ? json_loadb(text, len, 0, NULL) : NULL;
	free(path);
	free(text);
	return j;
}

json_t *weft_record_prev_nodes(const char *store_dir, const char *pipeline, const char *exclude_id)
{
	char **ids;
	size_t n;
	json_t *found = NULL;
	if (weft_runs_list(&ids, &n, store_dir) != WEFT_OK)
		return NULL;
	for (size_t i = 0; i < n && !found && pipeline; i++) {
		if ((exclude_id && !strcmp(ids[i], exclude_id)) || run_is_of(store_dir, ids[i], pipeline) == 0)
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
	weft_runs_free(ids, n);
	return found;
}
