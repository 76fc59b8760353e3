/*
 * slurm_exec.c -- the Slurm executor: each node that runs on the cluster
 * becomes one batch job that runs `weft worker --job DIR` on a compute
 * node against the shared store (slurm_run.h names the other two files).
 *
 * A job's directory, <store>/slurm/<run>/<key16>-<n>, holds what the head
 * wrote (job.json, job.sh, jobid) and what the job wrote (started,
 * progress, result.json, then exitcode, last). The exit file alone says
 * that a job ended; Slurm is asked only whether jobs are alive, by one
 * squeue (or sacct) per interval for the whole run, backing off while
 * nothing changes. A job that left the queue without an exit file gets a
 * grace period (NFS may show the file late) before it counts as lost.
 *
 * Directories are named by the node's key, so a resumed run finds the
 * jobs its killed predecessor submitted: it collects the ones that wrote
 * their exit file, waits for the ones squeue still lists, and submits
 * again only those that are gone. A job is never submitted twice while
 * alive, even if the head died between sbatch and its journal line: the
 * job's name carries its directory, and squeue lists it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "slurm_run.h"
#include "util.h"
#include "value_jansson.h"

/* ------------------------------------------------------------ helpers */

static int jobs_add(weft_slurm *s, sjob *j)
{
	if (s->n_jobs == s->cap_jobs) {
		size_t cap = s->cap_jobs ? s->cap_jobs * 2 : 64;
		sjob **v = realloc(s->jobs, cap * sizeof *v);
		if (!v)
			return weft_err_set(WEFT_ERROR, "out of memory");
		s->jobs = v;
		s->cap_jobs = cap;
	}
	s->jobs[s->n_jobs++] = j;
	return WEFT_OK;
}

static void jobs_remove(weft_slurm *s, sjob *j)
{
	for (size_t i = 0; i < s->n_jobs; i++)
		if (s->jobs[i] == j) {
			s->jobs[i] = s->jobs[--s->n_jobs];
			return;
		}
}

static sjob *job_of_node(weft_slurm *s, uint32_t id)
{
	for (size_t i = 0; i < s->n_jobs; i++)
		if (s->jobs[i]->node == id)
			return s->jobs[i];
	return NULL;
}

/* ------------------------------------------------------------ finishing */

/* Hands a job's end to the scheduler and forgets the job. */
static void job_end(weft_slurm *s, sjob *j, weft_value *outputs, const char *error, int cancelled)
{
	run_state *rs = s->rs;
	jobs_remove(s, j);
	if (j->node != PROBE) {
		node_run *nr = weft_node_run(rs->eng, j->node);
		nr->job = NULL;
		nr->job_state = (uint8_t)j->st;
		/* Collected: a resumed run does not take it again. */
		if (j->dir && sjob_write(j, "collected", "1\n", 0) != WEFT_OK)
			rs->io_error = 1;
		rs->events->finished(rs, j->node, outputs, error, cancelled);
	} else {
		weft_value_free(outputs);
	}
	sjob_free(j);
}

static void gate_fail(weft_slurm *s, char *why)
{
	s->gate = GATE_FAILED;
	free(s->gate_error);
	s->gate_error = why;
	/* Every job waiting behind the probe fails with its reason. */
	for (size_t i = s->n_jobs; i-- > 0;) {
		sjob *j = s->jobs[i];
		if (j->phase == J_QUEUED && j->node != PROBE)
			job_end(s, j, NULL, s->gate_error ? s->gate_error : "the Slurm store check failed", 0);
	}
}

static void probe_done(weft_slurm *s, sjob *j, int have_exit, int code)
{
	if (have_exit && code == 0 && sjob_has(j, "probe")) {
		s->gate = GATE_OPEN;
		char *host = sjob_read(j, "probe");
		char *msg = weft_sprintf("slurm: the store is writable from job %s (%s); submitting", j->id,
					 host ? strtok(host, "\n") : "?");
		slurm_log(s, NULL, msg);
		free(msg);
		free(host);
		job_end(s, j, NULL, NULL, 0);
		return;
	}
	char *tail = sjob_tail(j, "slurm.out", 6);
	char *why = weft_sprintf("the store %s is not usable from Slurm job %s (%s): the probe job %s; weft's "
				 "store must be on a filesystem that the compute nodes share, at the same path, and "
				 "slurm.weft must name a weft they can run (docs/cluster.md); its output is in %s/slurm.out%s",
				 s->rs->eng->store_dir, j->id[0] ? j->id : "not submitted", slurm_state_name(j->st),
				 have_exit ? "ran but could not write its file" : slurm_state_story(j->st), j->dir,
				 tail ? tail : "");
	free(tail);
	job_end(s, j, NULL, NULL, 0);
	gate_fail(s, why);
}

/* The job wrote its exit file: reads result.json and ends the attempt. */
static void collect(weft_slurm *s, sjob *j)
{
	run_state *rs = s->rs;
	char *code_text = sjob_read(j, "exitcode");
	int code = code_text ? atoi(code_text) : -1;
	free(code_text);
	/* The exit file comes last: the job has ended, whatever squeue said. */
	if (!slurm_state_ended(j->st))
		j->st = code == 0 ? SJ_COMPLETED : SJ_FAILED;
	if (j->node == PROBE) {
		probe_done(s, j, 1, code);
		return;
	}
	node_run *nr = weft_node_run(rs->eng, j->node);
	char *text = sjob_read(j, "result.json");
	json_t *res = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	const char *host = json_string_value(json_object_get(res, "host"));
	if (host) {
		free(nr->job_host);
		nr->job_host = weft_strdup(host);
	}
	json_t *t0 = json_object_get(res, "t_start"), *t1 = json_object_get(res, "t_end");
	if (json_is_number(t0) && j->t_submit > 0) {
		j->t_started = json_number_value(t0);
		nr->queue_wait = j->t_started - j->t_submit > 0 ? j->t_started - j->t_submit : 0;
		/* What the job measured, not when this scan noticed: the node's
		 * time is its run on the compute node. */
		double ran = json_is_number(t1) ? json_number_value(t1) - j->t_started : -1;
		nr->t_start = ran >= 0 ? weft_now() - ran : j->t_started;
	}
	const char *devs = json_string_value(json_object_get(res, "devices"));
	if (devs) {
		free(nr->devices);
		nr->devices = weft_strdup(devs);
	}
	nr->rss_kb = (long)json_integer_value(json_object_get(res, "rss_kb"));
	nr->used_ckpt = json_is_true(json_object_get(res, "ckpt"));
	weft_llm_stats_from_json(&nr->llm, json_object_get(res, "llm"));
	int ok = json_is_true(json_object_get(res, "ok"));
	weft_value *outputs = ok ? weft_value_from_jansson(json_object_get(res, "outputs")) : NULL;
	const char *sig = json_string_value(json_object_get(res, "signal"));
	const char *err = json_string_value(json_object_get(res, "error"));
	char *msg = NULL;
	int cancelled = 0;
	if (ok && !outputs) {
		msg = weft_sprintf("Slurm job %s: its result.json has no valid outputs", j->id);
	} else if (!ok && res && sig && !strcmp(sig, "USR2") && !j->cancel_sent) {
		char lim[32];
		slurm_format_time(lim, j->limit);
		msg = weft_sprintf("Slurm job %s on %s reached its time limit (%s): told by USR2 %.0fs before it, the "
				   "op stopped (%s); its checkpoints are kept, so a rerun or `weft resume` continues "
				   "from them; raise slurm.time",
				   j->id, host ? host : "?", lim, s->set.signal_before, err ? err : "cancelled");
	} else if (!ok && res) {
		cancelled = j->cancel_sent && json_is_true(json_object_get(res, "cancelled"));
		msg = weft_sprintf("%s (Slurm job %s on %s)", err ? err : "the op failed", j->id, host ? host : "?");
	} else if (!res) {
		char *tail = sjob_tail(j, "slurm.out", 6);
		cancelled = j->cancel_sent;
		msg = weft_sprintf("Slurm job %s: its process ended with status %d%s before writing a result; its "
				   "output is in %s/slurm.out%s",
				   j->id, code, code > 128 ? " (killed by a signal: out of memory, or its node lost?)" : "",
				   j->dir, tail ? tail : "");
		free(tail);
	}
	json_decref(res);
	job_end(s, j, outputs, msg ? msg : "the op failed", cancelled);
	free(msg);
}

/* The job left the queue and no exit file came within the grace period. */
static void lost(weft_slurm *s, sjob *j)
{
	if (j->node == PROBE) {
		probe_done(s, j, 0, -1);
		return;
	}
	char *tail = sjob_tail(j, "slurm.out", 6);
	char *msg = weft_sprintf("Slurm job %s ended without an exit file: %s; its output is in %s/slurm.out%s", j->id,
				 slurm_state_story(j->st), j->dir, tail ? tail : "");
	free(tail);
	job_end(s, j, NULL, msg ? msg : "the Slurm job was lost", j->cancel_sent);
	free(msg);
}

/* ------------------------------------------------------------ scanning */

static void read_progress(weft_slurm *s, sjob *j)
{
	char *text = sjob_read(j, "progress");
	json_t *p = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	json_t *f = json_object_get(p, "f");
	if (json_is_number(f))
		sched_progress_set(s->rs, j->node, json_number_value(f),
				   json_string_value(json_object_get(p, "msg")) ? json_string_value(json_object_get(p, "msg"))
										: "");
	json_decref(p);
}

/* Looks for exit files, start marks and progress; ends what ended. */
static void scan(weft_slurm *s, double now)
{
	run_state *rs = s->rs;
	for (size_t i = s->n_jobs; i-- > 0;) {
		sjob *j = s->jobs[i];
		if (j->phase != J_SUBMITTED)
			continue;
		if (sjob_has(j, "exitcode")) {
			collect(s, j);
			continue;
		}
		if (j->node != PROBE) {
			node *n = weft_graph_node(rs->eng, j->node);
			node_run *nr = weft_node_run(rs->eng, j->node);
			if (!j->t_started) {
				char *t = sjob_read(j, "started");
				if (t && atof(t) > 0) {
					j->t_started = atof(t);
					nr->t_start = j->t_started;
					nr->queue_wait = j->t_started > j->t_submit ? j->t_started - j->t_submit : 0;
					nr->job_state = SJ_RUNNING;
					rs->live_dirty = 1;
				}
				free(t);
			} else {
				read_progress(s, j);
			}
			/* The timeout counts from the job's start, not its queueing. */
			if (n->timeout > 0 && j->t_started && !nr->timed_out && now - j->t_started >= n->timeout) {
				nr->timed_out = 1;
				nr->cancel_at = now;
				char *msg = weft_sprintf("node %s timed out after %gs; cancelling its Slurm job %s", n->name,
							 n->timeout, j->id);
				slurm_log(s, n, msg);
				free(msg);
				j->cancel_asked = 1;
			}
		}
		double grace = j->cancel_sent ? (s->set.exit_grace < 3 ? s->set.exit_grace : 3) : s->set.exit_grace;
		if (j->t_gone > 0 && now - j->t_gone >= grace)
			lost(s, j);
	}
}

/* ------------------------------------------------------------ the timer */

/* Jobs that end without Slurm: cancelled before their submission, or
 * refused by sbatch. Here, outside the scheduler's loops over its running
 * list. */
static void end_unsubmitted(weft_slurm *s)
{
	for (size_t i = s->n_jobs; i-- > 0;) {
		sjob *j = s->jobs[i];
		if (j->phase == J_REFUSED && j->node == PROBE) {
			char *why = j->refusal;
			j->refusal = NULL;
			job_end(s, j, NULL, NULL, 0);
			gate_fail(s, why);
			i = s->n_jobs; /* gate_fail ended others */
		} else if (j->phase == J_REFUSED) {
			char *why = j->refusal;
			j->refusal = NULL;
			job_end(s, j, NULL, why ? why : "sbatch refused the job", 0);
			free(why);
		} else if (j->phase == J_QUEUED && j->cancel_asked && j->node != PROBE) {
			job_end(s, j, NULL, "cancelled before its Slurm job was submitted", 1);
		}
	}
}

static void timer_cb(uv_timer_t *t)
{
	weft_slurm *s = t->data;
	double now = weft_now();
	end_unsubmitted(s);
	slurm_flush_cancels(s);
	slurm_submit(s, now);
	if (now >= s->next_scan) {
		scan(s, now);
		s->next_scan = now + (s->set.poll < 1.0 ? s->set.poll : 1.0);
	}
	if (now >= s->next_poll)
		slurm_poll(s, now);
	slurm_flush_cancels(s); /* the scan may have asked for some */
}

/* ------------------------------------------------------------ launching */

/* A job whose directory was written (rc) joins the queue for sbatch. */
static int enqueue(weft_slurm *s, sjob *j, int rc)
{
	if (rc == WEFT_OK)
		rc = jobs_add(s, j);
	if (rc != WEFT_OK) {
		sjob_free(j);
		return rc;
	}
	j->phase = J_QUEUED;
	return WEFT_OK;
}

static int start_probe(weft_slurm *s)
{
	char *dir = weft_path_join(s->base, "probe");
	sjob *j = dir ? sjob_new(s, PROBE, dir, "probe") : NULL;
	free(dir);
	if (!j)
		return weft_err_set(WEFT_ERROR, "out of memory");
	/* An earlier segment of this run proved the store usable already. */
	char *code = sjob_read(j, "exitcode");
	int proven = code && atoi(code) == 0 && sjob_has(j, "probe");
	free(code);
	if (proven) {
		s->gate = GATE_OPEN;
		sjob_free(j);
		return WEFT_OK;
	}
	return enqueue(s, j, sjob_write_probe(s, j));
}

static const listed *find_listed(const weft_slurm *s, const char *name)
{
	for (size_t i = 0; i < s->n_listed; i++)
		if (!strcmp(s->listed[i].name, name))
			return &s->listed[i];
	return NULL;
}

enum { ADOPT_NEW = 0, ADOPT_TAKEN = 1, ADOPT_REUSE = 2 };

/* Takes over a job an earlier segment of this run submitted for the same
 * key: ADOPT_TAKEN when adopted (collected at the next scan, or watched
 * while it lives); ADOPT_REUSE when its directory was made but no job was
 * ever submitted (no job id, none listed, no exit file); ADOPT_NEW when
 * it ended without a result and must be submitted again. */
static int adopt(weft_slurm *s, sjob *j, node *n)
{
	if (sjob_has(j, "collected"))
		return ADOPT_NEW;
	char *jid = sjob_read(j, "jobid");
	if (jid)
		snprintf(j->id, sizeof j->id, "%.*s", (int)strspn(jid, "0123456789"), jid);
	free(jid);
	const listed *l = find_listed(s, j->name);
	if (l && !j->id[0])
		snprintf(j->id, sizeof j->id, "%s", l->id);
	int alive = l && !slurm_state_ended(l->st);
	int ended = sjob_has(j, "exitcode");
	if (!ended && !alive)
		return j->id[0] ? ADOPT_NEW : ADOPT_REUSE;
	j->phase = J_SUBMITTED;
	j->st = l ? l->st : SJ_COMPLETED;
	j->t_submit = weft_now();
	node_run *nr = weft_node_run(s->rs->eng, j->node);
	snprintf(nr->job_id, sizeof nr->job_id, "%s", j->id);
	nr->job_state = (uint8_t)j->st;
	char *msg = weft_sprintf("node %s: taking over Slurm job %s (%s), submitted before the run was interrupted",
				 n->name, j->id[0] ? j->id : "?", alive ? slurm_state_name(l->st) : "finished");
	slurm_log(s, n, msg);
	free(msg);
	return ADOPT_TAKEN;
}

static int slurm_launch(void *self, run_state *rs, uint32_t id)
{
	weft_slurm *s = self;
	node *n = weft_graph_node(rs->eng, id);
	node_run *nr = weft_node_run(rs->eng, id);
	if (s->gate == GATE_FAILED)
		return weft_err_set(WEFT_EIO, "%s", s->gate_error ? s->gate_error : "the Slurm store check failed");
	if (s->gate == GATE_WAIT && !job_of_node(s, PROBE) && s->set.check_store && start_probe(s) != WEFT_OK)
		return WEFT_ERROR;
	if (!s->set.check_store)
		s->gate = GATE_OPEN;
	/* The newest directory of this key: an earlier segment's job, to take
	 * over, or the number after it, for a new one. */
	char stem[64], *dir = NULL;
	int seq = 1;
	for (; seq < 10000; seq++) {
		snprintf(stem, sizeof stem, "%.16s-%d", nr->key, seq);
		char *d = weft_path_join(s->base, stem);
		if (!d)
			return weft_err_set(WEFT_ERROR, "out of memory");
		if (access(d, F_OK) != 0) {
			free(d);
			break;
		}
		free(dir);
		dir = d;
	}
	sjob *j = NULL;
	if (dir) {
		snprintf(stem, sizeof stem, "%.16s-%d", nr->key, seq - 1);
		j = sjob_new(s, id, dir, stem);
		free(dir);
		if (!j)
			return WEFT_ERROR;
		int how = adopt(s, j, n);
		if (how == ADOPT_REUSE)
			seq--;
		if (how == ADOPT_TAKEN) {
			nr->job = j;
			rs->events->started(rs, id);
			if (jobs_add(s, j) != WEFT_OK) {
				nr->job = NULL;
				sjob_free(j);
				return WEFT_ERROR;
			}
			s->next_scan = 0;
			s->next_poll = weft_now();
			return WEFT_OK;
		}
		sjob_free(j);
	}
	snprintf(stem, sizeof stem, "%.16s-%d", nr->key, seq);
	char *d = weft_path_join(s->base, stem);
	j = d ? sjob_new(s, id, d, stem) : NULL;
	free(d);
	if (!j)
		return WEFT_ERROR;
	int rc = enqueue(s, j, sjob_write_node(s, j, n));
	if (rc != WEFT_OK)
		return rc;
	nr->job = j;
	nr->job_id[0] = '\0';
	nr->job_state = SJ_UNKNOWN;
	rs->events->started(rs, id);
	return WEFT_OK;
}

static void slurm_cancel(void *self, run_state *rs, uint32_t id)
{
	(void)rs;
	weft_slurm *s = self;
	sjob *j = job_of_node(s, id);
	if (j) {
		j->cancel_asked = 1;
	}
}

static void slurm_kill(void *self, run_state *rs, uint32_t id)
{
	(void)rs;
	weft_slurm *s = self;
	sjob *j = job_of_node(s, id);
	if (j) {
		j->cancel_asked = j->kill_asked = 1;
	}
}

/* ------------------------------------------------------------ set-up */

/* One sbatch-free question to the cluster, before the run starts. */
static int ask(char **out, const char *const *argv, const char *what)
{
	char *err = NULL;
	int status = 0;
	int rc = slurm_cmd_sync((char *const *)argv, CMD_TIMEOUT, out, &err, &status);
	for (size_t n = err ? strlen(err) : 0; n && (err[n - 1] == '\n' || err[n - 1] == ' '); n--)
		err[n - 1] = '\0';
	if (rc == WEFT_OK && status != 0)
		rc = weft_err_set(WEFT_EIO, "slurm: `%s` failed (status %d): %s; is slurmctld up, and SLURM_CONF "
					    "right?", what, status, err && *err ? err : "no message");
	else if (rc != WEFT_OK)
		rc = weft_err_set(rc, "slurm: %s", weft_error_last());
	free(err);
	return rc;
}

/* The jobs of this run that squeue still lists ("ID STATE NAME"). */
static int list_run_jobs(weft_slurm *s)
{
	const char *argv[] = {"squeue", "--noheader", "-o", "%i %t %j", "-t", "all", "-u", s->uid, NULL};
	char *out = NULL;
	int rc = ask(&out, argv, "squeue");
	char prefix[32];
	snprintf(prefix, sizeof prefix, "weft-%s-", s->tag);
	for (char *save = NULL, *l = rc == WEFT_OK ? strtok_r(out, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		char id[32], st[16], name[96];
		if (sscanf(l, "%31s %15s %95s", id, st, name) != 3 || strncmp(name, prefix, strlen(prefix)))
			continue;
		listed *v = realloc(s->listed, (s->n_listed + 1) * sizeof *v);
		if (!v) {
			rc = weft_err_set(WEFT_ERROR, "out of memory");
			break;
		}
		s->listed = v;
		listed *e = &v[s->n_listed++];
		snprintf(e->id, sizeof e->id, "%s", id);
		snprintf(e->name, sizeof e->name, "%s", name);
		e->st = slurm_state_parse(st);
	}
	free(out);
	return rc;
}

int slurm_exec_new(weft_slurm **out, run_state *rs, const weft_value *settings)
{
	*out = NULL;
	weft_slurm *s = calloc(1, sizeof *s);
	if (!s)
		return weft_err_set(WEFT_ERROR, "out of memory");
	int rc = slurm_settings_parse(&s->set, settings, "weft.yaml");
	if (rc != WEFT_OK) {
		free(s);
		return rc;
	}
	s->rs = rs;
	s->ex.name = "slurm";
	s->ex.own_timeout = 1;
	s->ex.launch = slurm_launch;
	s->ex.cancel = slurm_cancel;
	s->ex.kill = slurm_kill;
	s->ex.self = s;
	snprintf(s->uid, sizeof s->uid, "%u", (unsigned)getuid());
	if (!slurm_weft_exe(s))
		rc = weft_err_set(WEFT_EINVALID, "slurm: no weft program to run in jobs; set slurm.weft in weft.yaml");
	char *text = NULL;
	const char *sinfo[] = {"sinfo", "--noheader", "-o", "%P|%c|%m|%G|%l|%a", NULL};
	if (rc == WEFT_OK)
		rc = ask(&text, sinfo, "sinfo");
	if (rc == WEFT_OK)
		rc = slurm_parse_sinfo(text, &s->parts, &s->n_parts);
	free(text);
	text = NULL;
	if (rc == WEFT_OK && !s->n_parts)
		rc = weft_err_set(WEFT_EIO, "slurm: sinfo lists no partition; is this the right cluster (SLURM_CONF)?");
	if (rc == WEFT_OK && s->set.status != SLURM_STATUS_SQUEUE) {
		/* sacct needs slurmdbd; without accounting, squeue it is. */
		const char *cfg[] = {"scontrol", "show", "config", NULL};
		if (ask(&text, cfg, "scontrol show config") == WEFT_OK) {
			const char *a = strstr(text, "AccountingStorageType");
			const char *eol = a ? strchr(a, '\n') : NULL;
			int none = !a || (eol ? memmem(a, (size_t)(eol - a), "none", 4) != NULL : strstr(a, "none") != NULL);
			s->use_sacct = !none;
		}
		free(text);
		if (s->set.status == SLURM_STATUS_SACCT && !s->use_sacct)
			rc = weft_err_set(WEFT_EINVALID, "slurm.status is sacct, but the cluster keeps no accounting "
							 "(AccountingStorageType is none); use squeue or auto");
	}
	if (rc != WEFT_OK) {
		slurm_exec_free(s);
		return rc;
	}
	*out = s;
	return WEFT_OK;
}

int slurm_exec_start(weft_slurm *s)
{
	run_state *rs = s->rs;
	snprintf(s->tag, sizeof s->tag, "%08llx",
		 (unsigned long long)(weft_fnv1a(rs->run_id, strlen(rs->run_id)) & 0xffffffffu));
	int rc = rs->opts->resume_id ? list_run_jobs(s) : WEFT_OK;
	if (rc == WEFT_OK) {
		s->base = weft_sprintf("%s/slurm/%s", rs->eng->store_dir, rs->run_id);
		rc = s->base ? weft_mkdirs(s->base, 0755) : weft_err_set(WEFT_ERROR, "out of memory");
	}
	if (rc != WEFT_OK)
		return rc;
	uv_timer_init(&rs->loop, &s->timer);
	s->timer.data = s;
	uv_timer_start(&s->timer, timer_cb, 100, 100);
	s->timer_on = 1;
	s->last_refill = weft_now();
	s->tokens = 1;
	s->interval = s->set.poll;
	return WEFT_OK;
}

const sched_executor *slurm_exec_executor(const weft_slurm *s)
{
	return &s->ex;
}

uint32_t slurm_exec_queue_size(const weft_slurm *s)
{
	return s->set.queue_size;
}

char *slurm_exec_check(const weft_slurm *s, const node *n)
{
	const char *pools[40];
	uint64_t amounts[40];
	slurm_request r = {0};
	r.cpus = n->cpus ? n->cpus : n->op->desc->cpus ? n->op->desc->cpus : 1;
	r.mem = n->mem ? n->mem : n->op->desc->mem_bytes;
	r.time = n->timeout;
	size_t k = n->n_res < 40 ? n->n_res : 40;
	for (size_t i = 0; i < k; i++) {
		pools[i] = n->res_names[i];
		amounts[i] = n->res_amounts[i];
	}
	r.pools = pools;
	r.amounts = amounts;
	r.n_pools = k;
	r.node = n->slurm;
	return slurm_request_fits(s->parts, s->n_parts, &s->set, &r);
}

void slurm_exec_close(weft_slurm *s)
{
	if (!s || s->closing)
		return;
	s->closing = 1;
	/* A probe still queued (every node ended before it ran) goes too. */
	sjob *p = job_of_node(s, PROBE);
	if (p && p->phase == J_SUBMITTED && p->id[0]) {
		const char *argv[] = {"scancel", p->id, NULL};
		if (slurm_cmd_start(&s->rs->loop, (char *const *)argv, CMD_TIMEOUT, NULL, NULL) == WEFT_OK)
			s->cmds++;
	}
	if (s->timer_on) {
		uv_timer_stop(&s->timer);
		uv_close((uv_handle_t *)&s->timer, NULL);
		s->timer_on = 0;
	}
}

void slurm_exec_free(weft_slurm *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_jobs; i++)
		sjob_free(s->jobs[i]);
	free(s->jobs);
	free(s->listed);
	free(s->parts);
	free(s->base);
	free(s->gate_error);
	free(s->last_poll_error);
	slurm_settings_free(&s->set);
	free(s);
}
