/*
 * slurm_queue.c -- what the Slurm executor asks of Slurm while a run goes
 * on: sbatch, squeue (or sacct) and scancel, each from the event loop with
 * a deadline (slurm_cmd.c).
 *
 * Sites' controllers are shared by hundreds of users, so every question is
 * batched and bounded: at most `submit_rate` sbatch calls a second and
 * MAX_INFLIGHT_CMDS commands at once; one status query per interval for
 * the whole run, whose interval grows by half while nothing changes; and
 * scancel with up to SCANCEL_BATCH ids. An sbatch that fails for a
 * transient reason is tried again with back-off. This file only changes
 * jobs' fields; slurm_exec.c acts on them.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "slurm_run.h"
#include "util.h"

#define SCANCEL_BATCH 200

static void journal_submit(weft_slurm *s, const sjob *j)
{
	run_state *rs = s->rs;
	if (!rs->journal || j->node == PROBE)
		return;
	node *n = weft_graph_node(rs->eng, j->node);
	json_t *line = json_pack("{s:s,s:s,s:s,s:s,s:s,s:f}", "ev", "submit", "node", n->name, "key",
				 weft_node_run(rs->eng, j->node)->key, "job", j->id, "dir", j->dir, "t", weft_now());
	char *text = line ? json_dumps(line, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(line);
	if (!text || weft_journal_append(rs->journal, text) != WEFT_OK)
		rs->io_error = 1;
	rs->lines_since_sync++;
	free(text);
}


static void on_state(void *arg, const char *id, slurm_state st)
{
	weft_slurm *s = arg;
	for (size_t i = 0; i < s->n_jobs; i++) {
		sjob *j = s->jobs[i];
		if (j->phase != J_SUBMITTED || strcmp(j->id, id))
			continue;
		s->changed |= j->st != st;
		j->st = st;
		j->seen = 1;
	}
}

/* One status answer for the whole run: states, and the jobs it no longer
 * lists. The interval backs off while nothing moves. */
static void poll_done(void *arg, const slurm_cmd_result *r)
{
	weft_slurm *s = arg;
	s->cmds--;
	s->polling = 0;
	double now = weft_now();
	if (r->status != 0) {
		char *msg = weft_sprintf("slurm: %s failed (%s%s); retrying with back-off", s->use_sacct ? "sacct" : "squeue",
					 r->timed_out ? "timed out; " : "", r->err && *r->err ? r->err : "no message");
		if (msg && (!s->last_poll_error || strcmp(msg, s->last_poll_error)))
			slurm_log(s, NULL, msg);
		free(s->last_poll_error);
		s->last_poll_error = msg;
		s->interval *= 2;
	} else {
		free(s->last_poll_error);
		s->last_poll_error = NULL;
		s->changed = 0;
		for (size_t i = 0; i < s->n_jobs; i++)
			s->jobs[i]->seen = 0;
		slurm_parse_status(r->out, on_state, s);
		for (size_t i = 0; i < s->n_jobs; i++) {
			sjob *j = s->jobs[i];
			if (j->phase != J_SUBMITTED)
				continue;
			/* sbatch answers once slurmctld has the job, so a job that
			 * is not listed has left (sacct: not yet recorded). */
			if (!j->seen && !s->use_sacct && j->st != SJ_GONE && j->t_submit < s->poll_started) {
				j->st = SJ_GONE;
				s->changed = 1;
			}
			if (slurm_state_ended(j->st) && !j->t_gone)
				j->t_gone = now;
			else if (!slurm_state_ended(j->st))
				j->t_gone = 0;
			if (j->node != PROBE) {
				node_run *nr = weft_node_run(s->rs->eng, j->node);
				if (nr->job_state != (uint8_t)j->st) {
					nr->job_state = (uint8_t)j->st;
					s->rs->live_dirty = 1;
				}
			}
		}
		s->interval = s->changed ? s->set.poll : s->interval * 1.5;
	}
	if (s->interval > s->set.poll_max)
		s->interval = s->set.poll_max;
	if (s->interval < s->set.poll)
		s->interval = s->set.poll;
	s->next_poll = now + s->interval;
	s->next_scan = 0; /* look for exit files at the next tick */
}

void slurm_poll(weft_slurm *s, double now)
{
	size_t live = 0;
	for (size_t i = 0; i < s->n_jobs; i++)
		live += s->jobs[i]->phase == J_SUBMITTED;
	if (!live || s->polling || s->cmds >= MAX_INFLIGHT_CMDS)
		return;
	slurm_argv a = {0};
	int rc;
	if (s->use_sacct) {
		weft_buf ids = {0};
		for (size_t i = 0; i < s->n_jobs; i++)
			if (s->jobs[i]->phase == J_SUBMITTED)
				weft_buf_printf(&ids, "%s%s", ids.len ? "," : "", s->jobs[i]->id);
		rc = slurm_argv_add(&a, "sacct");
		const char *rest[] = {"-X", "-n", "-P", "-o", "JobIDRaw,State", "-j", ids.data ? ids.data : "0"};
		for (size_t i = 0; rc == WEFT_OK && i < 7; i++)
			rc = slurm_argv_add(&a, rest[i]);
		weft_buf_free(&ids);
	} else {
		const char *all[] = {"squeue", "--noheader", "-o", "%i %t", "-t", "all", "-u", s->uid};
		rc = WEFT_OK;
		for (size_t i = 0; rc == WEFT_OK && i < 8; i++)
			rc = slurm_argv_add(&a, all[i]);
	}
	if (rc == WEFT_OK && slurm_cmd_start(&s->rs->loop, a.v, CMD_TIMEOUT, poll_done, s) == WEFT_OK) {
		s->polling = 1;
		s->cmds++;
		s->poll_started = now;
		s->next_poll = now + s->interval;
	}
	slurm_argv_free(&a);
}


typedef struct cancel_req {
	weft_slurm *s;
	int kill;
} cancel_req;


static void cancel_done(void *arg, const slurm_cmd_result *r)
{
	cancel_req *c = arg;
	weft_slurm *s = c->s;
	s->cmds--;
	if (r->status != 0) {
		char *msg = weft_sprintf("slurm: scancel failed: %s", r->err && *r->err ? r->err : "?");
		slurm_log(s, NULL, msg);
		free(msg);
	}
	free(c);
	/* Soon after a cancel, ask whether the jobs are gone. */
	s->next_poll = weft_now() + 0.3;
}


void slurm_flush_cancels(weft_slurm *s)
{
	for (int kill = 0; kill < 2; kill++) {
		while (s->cmds < MAX_INFLIGHT_CMDS) {
			slurm_argv a = {0};
			int rc = slurm_argv_add(&a, "scancel");
			if (rc == WEFT_OK && kill)
				rc = slurm_argv_add(&a, "--signal=KILL");
			if (rc == WEFT_OK && kill)
				rc = slurm_argv_add(&a, "--full");
			size_t batch = 0;
			for (size_t i = 0; rc == WEFT_OK && i < s->n_jobs && batch < SCANCEL_BATCH; i++) {
				sjob *j = s->jobs[i];
				int want = kill ? j->kill_asked && !j->kill_sent : j->cancel_asked && !j->cancel_sent;
				if (j->phase != J_SUBMITTED || !want)
					continue;
				rc = slurm_argv_add(&a, j->id);
				if (kill)
					j->kill_sent = 1;
				else
					j->cancel_sent = 1;
				batch++;
			}
			cancel_req *c = batch && rc == WEFT_OK ? calloc(1, sizeof *c) : NULL;
			if (c) {
				c->s = s;
				c->kill = kill;
				if (slurm_cmd_start(&s->rs->loop, a.v, CMD_TIMEOUT, cancel_done, c) == WEFT_OK)
					s->cmds++;
				else
					free(c);
			}
			slurm_argv_free(&a);
			if (!batch)
				break;
		}
	}
}


typedef struct submit_req {
	weft_slurm *s;
	sjob *j;
} submit_req;

/* sbatch's failures that a later try may not meet. */
static int transient(const slurm_cmd_result *r)
{
	static const char *const signs[] = {"Socket timed out", "Unable to contact", "temporarily unavailable",
					    "Slurm temporarily unable", "try again", "Try again", "Connection refused",
					    "Zero Bytes were transmitted", "MaxSubmitJob", "job submit limit",
					    "Transport endpoint", NULL};
	if (r->timed_out || r->status < 0)
		return 1;
	for (size_t i = 0; signs[i]; i++)
		if (r->err && strstr(r->err, signs[i]))
			return 1;
	return 0;
}

static void submit_done(void *arg, const slurm_cmd_result *r)
{
	submit_req *q = arg;
	weft_slurm *s = q->s;
	sjob *j = q->j;
	free(q);
	s->cmds--;
	double now = weft_now();
	size_t idlen = strspn(r->out ? r->out : "", "0123456789");
	if (r->status == 0 && idlen > 0 && idlen < sizeof j->id) {
		memcpy(j->id, r->out, idlen);
		j->id[idlen] = '\0';
		j->phase = J_SUBMITTED;
		j->t_submit = now;
		j->st = SJ_PENDING;
		char line[48];
		snprintf(line, sizeof line, "%s\n", j->id);
		if (sjob_write(j, "jobid", line, 0) != WEFT_OK)
			s->rs->io_error = 1;
		journal_submit(s, j);
		if (j->node != PROBE) {
			node_run *nr = weft_node_run(s->rs->eng, j->node);
			snprintf(nr->job_id, sizeof nr->job_id, "%s", j->id);
			nr->job_state = SJ_PENDING;
			s->rs->live_dirty = 1;
		}
		if (s->next_poll > now + s->set.poll)
			s->next_poll = now + s->set.poll;
		return;
	}
	const char *why = r->timed_out ? "sbatch timed out" : r->err && *r->err ? r->err : "sbatch printed no job id";
	if (transient(r) && j->tries < 6 && !j->cancel_asked) {
		double delay = 2.0 * pow(2, j->tries++);
		j->phase = J_QUEUED;
		j->retry_at = now + (delay > 60 ? 60 : delay);
		char *msg = weft_sprintf("slurm: sbatch failed (%s); trying again in %.0fs", why, j->retry_at - now);
		slurm_log(s, j->node == PROBE ? NULL : weft_graph_node(s->rs->eng, j->node), msg);
		free(msg);
		return;
	}
	char *msg = weft_sprintf("sbatch refused the job (%s): %s; the command was in %s/job.sh", r->timed_out ? "timeout"
								     : r->status < 0 ? "not run" : "refused",
				 why, j->dir);
	/* slurm_exec.c's timer ends the node (or, for the probe, the run's
	 * hope of using the cluster) with this message. */
	j->phase = J_REFUSED;
	free(j->refusal);
	j->refusal = msg;
}

void slurm_submit(weft_slurm *s, double now)
{
	s->tokens += (now - s->last_refill) * s->set.submit_rate;
	s->last_refill = now;
	double cap = s->set.submit_rate > 1 ? s->set.submit_rate : 1;
	if (s->tokens > cap)
		s->tokens = cap;
	for (size_t i = 0; i < s->n_jobs && s->cmds < MAX_INFLIGHT_CMDS; i++) {
		sjob *j = s->jobs[i];
		if (j->phase != J_QUEUED || j->retry_at > now)
			continue;
		if (j->node != PROBE && s->gate != GATE_OPEN)
			continue;
		if (s->tokens < 1)
			break;
		submit_req *q = calloc(1, sizeof *q);
		if (!q)
			break;
		q->s = s;
		q->j = j;
		if (slurm_cmd_start(&s->rs->loop, j->argv.v, CMD_TIMEOUT, submit_done, q) != WEFT_OK) {
			free(q);
			break;
		}
		s->tokens -= 1;
		s->cmds++;
		j->phase = J_SUBMITTING;
	}
}
