/*
 * slurm_jobdir.c -- a Slurm job's directory in the store,
 * <store>/slurm/<run>/<key16>-<n>: what weft writes there (job.json, the
 * batch script, the sbatch line) and how it reads back what the job wrote
 * (started, progress, result.json, exitcode).
 *
 * The batch script runs `weft worker --job DIR` in the background and
 * waits for it, so that the USR2 Slurm sends ahead of the time limit (and
 * the TERM of scancel) reach weft's worker, which cancels the op; its
 * exit file is written last, whatever happened before.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "slurm_run.h"
#include "util.h"


static char *shell_quote(const char *s)
{
	weft_buf b = {0};
	weft_buf_puts(&b, "'");
	for (const char *p = s; *p; p++)
		weft_buf_puts(&b, *p == '\'' ? "'\\''" : (char[2]){*p, 0});
	weft_buf_puts(&b, "'");
	return b.data;
}


char *sjob_file(const sjob *j, const char *name)
{
	return weft_path_join(j->dir, name);
}


int sjob_has(const sjob *j, const char *name)
{
	char *p = sjob_file(j, name);
	int ok = p && access(p, F_OK) == 0;
	free(p);
	return ok;
}


char *sjob_read(const sjob *j, const char *name)
{
	char *p = sjob_file(j, name), *text = NULL;
	size_t len = 0;
	if (!p || weft_read_file(p, &text, &len) != WEFT_OK) {
		free(text);
		text = NULL;
	}
	free(p);
	return text;
}


int sjob_write(const sjob *j, const char *name, const char *text, int mode)
{
	char *p = sjob_file(j, name);
	int rc = p ? weft_write_file_atomic(p, text, strlen(text), 0) : weft_err_set(WEFT_ERROR, "out of memory");
	if (rc == WEFT_OK && mode)
		(void)chmod(p, (mode_t)mode);
	free(p);
	return rc;
}

char *sjob_tail(const sjob *j, const char *name, int lines)
{
	char *text = sjob_read(j, name);
	if (!text)
		return weft_strdup("");
	size_t len = strlen(text), start = len;
	int seen = 0;
	while (start > 0 && seen < lines)
		if (text[--start] == '\n' && start + 1 < len)
			seen++;
	char *from = text + start + (text[start] == '\n');
	weft_buf b = {0};
	char *save = NULL;
	for (char *l = strtok_r(from, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		weft_buf_printf(&b, "\n  | %s", l);
	free(text);
	return b.data ? b.data : weft_strdup("");
}

void slurm_log(weft_slurm *s, node *n, const char *msg)
{
	sched_emit(s->rs, WEFT_EV_LOG, n, msg);
}

void sjob_free(sjob *j)
{
	if (!j)
		return;
	free(j->dir);
	free(j->refusal);
	slurm_argv_free(&j->argv);
	free(j);
}


static const char *script_text =
	"#!/bin/sh\n"
	"# weft: node %s of run %s, written by weft and submitted with sbatch.\n"
	"# The exit file, written last, is what tells weft that the job ended.\n"
	"d=%s\n"
	"date +%%s.%%N > \"$d/started.tmp\" && mv -f \"$d/started.tmp\" \"$d/started\"\n"
	"trap 'kill -USR2 $pid 2>/dev/null' USR2\n"
	"trap 'kill -TERM $pid 2>/dev/null' TERM\n"
	"%s worker --store %s --job \"$d\" &\n"
	"pid=$!\n"
	"while :; do\n"
	"\twait $pid\n"
	"\trc=$?\n"
	"\tkill -0 $pid 2>/dev/null || break\n"
	"done\n"
	"echo $rc > \"$d/exitcode.tmp\" && mv -f \"$d/exitcode.tmp\" \"$d/exitcode\"\n"
	"exit $rc\n";


static const char *probe_text = "#!/bin/sh\n"
				"# weft: checks that this job can run weft and write to the store.\n"
				"d=%s\n"
				"%s --version >/dev/null && hostname > \"$d/probe.tmp\" && mv -f \"$d/probe.tmp\" \"$d/probe\"\n"
				"echo $? > \"$d/exitcode.tmp\" && mv -f \"$d/exitcode.tmp\" \"$d/exitcode\"\n";


const char *slurm_weft_exe(const weft_slurm *s)
{
	return s->set.weft ? s->set.weft : s->rs->eng->worker_exe;
}

/* The sbatch command line of a node (or of the probe, n == NULL). */
static int make_argv(weft_slurm *s, sjob *j, const node *n)
{
	const char *pools[40];
	uint64_t amounts[40];
	slurm_request r = {.cpus = 1};
	if (n) {
		r.cpus = n->cpus ? n->cpus : n->op->desc->cpus ? n->op->desc->cpus : 1;
		r.mem = n->mem ? n->mem : n->op->desc->mem_bytes;
		r.time = n->timeout;
		for (uint16_t i = 0; i < n->n_res && i < 40; i++) {
			pools[i] = n->res_names[i];
			amounts[i] = n->res_amounts[i];
		}
		r.pools = pools;
		r.amounts = amounts;
		r.n_pools = n->n_res < 40 ? n->n_res : 40;
		r.node = n->slurm;
	} else {
		r.mem = 64ull << 20;
		r.time = 60;
	}
	char *script = sjob_file(j, "job.sh"), *out = sjob_file(j, "slurm.out");
	int rc = script && out ? slurm_sbatch_argv(&j->argv, &s->set, &r, j->name, out, script, &j->limit)
			       : weft_err_set(WEFT_ERROR, "out of memory");
	free(script);
	free(out);
	return rc;
}

sjob *sjob_new(weft_slurm *s, uint32_t id, const char *dir, const char *stem)
{
	sjob *j = calloc(1, sizeof *j);
	if (!j || !(j->dir = weft_strdup(dir))) {
		free(j);
		weft_err_set(WEFT_ERROR, "out of memory");
		return NULL;
	}
	j->node = id;
	snprintf(j->name, sizeof j->name, "weft-%s-%s", s->tag, stem);
	return j;
}

int sjob_write_probe(weft_slurm *s, sjob *j)
{
	char *qd = shell_quote(j->dir), *qw = shell_quote(slurm_weft_exe(s));
	char *text = qd && qw ? weft_sprintf(probe_text, qd, qw) : NULL;
	free(qd);
	free(qw);
	(void)weft_rm_rf(j->dir);
	int rc = text ? weft_mkdirs(j->dir, 0755) : weft_err_set(WEFT_ERROR, "out of memory");
	if (rc == WEFT_OK)
		rc = sjob_write(j, "job.sh", text, 0755);
	free(text);
	return rc == WEFT_OK ? make_argv(s, j, NULL) : rc;
}

int sjob_write_node(weft_slurm *s, sjob *j, node *n)
{
	run_state *rs = s->rs;
	json_t *msg = rs->events->job_message(rs, n->id, 0);
	char *text = msg ? json_dumps(msg, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(msg);
	char *qd = shell_quote(j->dir), *qw = shell_quote(slurm_weft_exe(s)), *qs = shell_quote(rs->eng->store_dir);
	char *sh = qd && qw && qs ? weft_sprintf(script_text, n->name, rs->run_id, qd, qw, qs) : NULL;
	free(qd);
	free(qw);
	free(qs);
	int rc = text && sh ? weft_mkdirs(j->dir, 0755) : weft_err_set(WEFT_ERROR, "out of memory");
	if (rc == WEFT_OK)
		rc = sjob_write(j, "job.json", text, 0);
	if (rc == WEFT_OK)
		rc = sjob_write(j, "job.sh", sh, 0755);
	free(text);
	free(sh);
	return rc == WEFT_OK ? make_argv(s, j, n) : rc;
}
