/*
 * livestatus.c -- runs/ID/live.json: what a run is doing right now, for
 * `weft status` in another terminal.
 *
 * The file is rewritten in place (pwrite at 0, then truncated to the new
 * length; no fsync: it is a view, not a commitment) up to ten times a
 * second and removed when the run ends. It used to be replaced by temp +
 * rename, which freed an inode each time; ext4 then made every file a run
 * creates look over those recently freed inodes (`recently_deleted`), a
 * quarter of a cold shell run's loop thread. A reader can meet a write
 * half done: what it reads then is not one JSON document, and it reads
 * again (weft_run_live_open, `weft status`). `pid` lets the reader tell a
 * live run from one that was killed before it could remove the file.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "sched_state.h"
#include "slurm.h"
#include "util.h"

json_t *live_pools_json(run_state *rs, double now)
{
	json_t *pools = json_array();
	double wall = now - rs->t0 > 1e-9 ? now - rs->t0 : 1e-9;
	for (size_t p = 0; pools && p < res_pool_count(rs->res); p++) {
		json_t *jp = json_pack("{s:s,s:I,s:I}", "name", res_pool_name(rs->res, p), "capacity",
				       (json_int_t)res_pool_capacity(rs->res, p), "used",
				       (json_int_t)res_pool_used(rs->res, p));
		if (!jp)
			continue;
		if (res_pool_is_device(rs->res, p)) {
			json_t *devs = json_array();
			for (size_t d = 0; devs && d < res_device_count(rs->res, p); d++) {
				uint32_t h = res_device_holder(rs->res, p, d);
				double busy = res_device_busy(rs->res, p, d, now);
				node *holder = h != RES_FREE ? weft_graph_node(rs->eng, h) : NULL;
				json_array_append_new(devs, json_pack("{s:s,s:f,s:f,s:o}", "id", res_device_id(rs->res, p, d),
								      "busy_s", busy, "utilisation", busy / wall, "node",
								      holder ? json_string(holder->name) : json_null()));
			}
			json_object_set_new(jp, "devices", devs);
		}
		json_array_append_new(pools, jp);
	}
	return pools;
}

static json_t *running_json(run_state *rs, double now)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < rs->running.n; i++) {
		node *n = weft_graph_node(rs->eng, rs->running.ids[i]);
		node_run *nr = weft_node_run(rs->eng, rs->running.ids[i]);
		json_t *j = json_pack("{s:s,s:s,s:f,s:i}", "node", n->name, "op", n->op ? n->op->full_name : "?",
				      "elapsed", now - nr->t_start, "attempt", (int)nr->attempt);
		if (!j)
			continue;
		int own = nr->exec && nr->exec->own_process;
		int cluster = nr->exec && nr->exec->own_timeout;
		json_object_set_new(j, "worker", own && nr->worker_pid ? json_integer(nr->worker_pid)
						 : own		   ? json_string("starting")
						 : cluster	   ? json_string(nr->exec->name)
								   : json_string("in-process"));
		if (cluster) {
			json_object_set_new(j, "job", json_string(nr->job_id));
			json_object_set_new(j, "job_state", json_string(nr->job_id[0] ? slurm_state_name((slurm_state)nr->job_state)
											 : "SUBMITTING"));
		}
		json_object_set_new(j, "devices", json_string(nr->devices ? nr->devices : ""));
		if (n->timeout > 0)
			json_object_set_new(j, "timeout", json_real(n->timeout));
		if (nr->cancel_at)
			json_object_set_new(j, "cancelling", json_true());
		double f;
		char *msg = NULL;
		if (sched_progress_get(rs, rs->running.ids[i], &f, &msg)) {
			json_object_set_new(j, "progress", json_real(f));
			json_object_set_new(j, "progress_msg", json_string(msg ? msg : ""));
		}
		free(msg);
		json_array_append_new(arr, j);
	}
	/* A dynamic node's script holds no resources but is what runs now. */
	if (arr && rs->evaluating != UINT32_MAX) {
		node *n = weft_graph_node(rs->eng, rs->evaluating);
		json_array_append_new(arr, json_pack("{s:s,s:s,s:f,s:i,s:s,s:s}", "node", n->name, "op", "dynamic",
						     "elapsed", now - rs->eval_start, "attempt", 0, "worker",
						     "script", "devices", ""));
	}
	return arr;
}

static json_t *queue_json(run_state *rs, double now)
{
	uint32_t top[10];
	size_t n = readyq_top(&rs->runq, top, 10);
	json_t *next = json_array();
	for (size_t i = 0; next && i < n; i++)
		json_array_append_new(next, json_string(weft_graph_node(rs->eng, top[i])->name));
	json_t *delayed = json_array();
	for (size_t i = 0; delayed && i < rs->delayed.n; i++) {
		node *d = weft_graph_node(rs->eng, rs->delayed.ids[i]);
		node_run *dr = weft_node_run(rs->eng, rs->delayed.ids[i]);
		json_array_append_new(delayed, json_pack("{s:s,s:f,s:i}", "node", d->name, "retry_in", dr->retry_at - now,
							 "attempt", (int)dr->attempt + 1));
	}
	return json_pack("{s:I,s:I,s:o,s:o}", "waiting_for_resources", (json_int_t)rs->runq.n, "waiting_for_inputs",
			 (json_int_t)(rs->tail - rs->head), "next", next ? next : json_array(), "retrying",
			 delayed ? delayed : json_array());
}

void live_write(run_state *rs, double now)
{
	if (!rs->live_path)
		return;
	size_t done = rs->executed + rs->cached + rs->resumed + rs->expanded + rs->failed + rs->skipped;
	json_t *j = json_pack("{s:s,s:s,s:i,s:f,s:f,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I}}", "run", rs->run_id, "pipeline",
			      rs->opts->pipeline ? rs->opts->pipeline : "", "pid", (int)getpid(), "started", rs->t0,
			      "now", now, "nodes", "total", (json_int_t)rs->total, "finished", (json_int_t)done,
			      "executed", (json_int_t)rs->executed, "cached", (json_int_t)(rs->cached + rs->resumed),
			      "failed", (json_int_t)rs->failed, "running", (json_int_t)rs->running.n, "retries",
			      (json_int_t)rs->retried);
	if (!j)
		return;
	json_object_set_new(j, "state", json_string(rs->interrupted ? "interrupted, draining" : "running"));
	json_object_set_new(j, "running", running_json(rs, now));
	json_object_set_new(j, "queue", queue_json(rs, now));
	json_object_set_new(j, "pools", live_pools_json(rs, now));
	char *text = json_dumps(j, JSON_INDENT(1) | JSON_REAL_PRECISION(17));
	json_decref(j);
	if (text && rs->live_fd < 0)
		rs->live_fd = open(rs->live_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (text && rs->live_fd >= 0) {
		size_t n = strlen(text);
		/* A failure only leaves `weft status` an older view. */
		if (pwrite(rs->live_fd, text, n, 0) == (ssize_t)n)
			(void)ftruncate(rs->live_fd, (off_t)n);
	}
	free(text);
	rs->last_live = now;
}
