/*
 * task_ops.c -- the stages of one task: verify (run the program in the
 * sandbox and check what it wrote) and fix (one self-debug round of the
 * LLM). A verification is a result, not an error: a program that fails,
 * times out or writes too much gives {verified: false, why}, which is
 * cached like any result, because it is what that program does. Only a
 * cancel fails the node, so an interrupted verification is never cached.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonio.h"
#include "ops.h"
#include "sandbox.h"
#include "stage.h"


static int mkdirs(char *path)
{
	for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		int rc = mkdir(path, 0755);
		*s = '/';
		if (rc < 0 && errno != EEXIST)
			return -1;
	}
	return mkdir(path, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* Copies a repository file into the task; the path was checked at
 * export, and is checked again here because a task record is a param a
 * user may write. */
static int copy_file(const char *from, const char *to, char *err, size_t errlen)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		snprintf(err, errlen, "%.800s: %s", from, strerror(errno));
		return -1;
	}
	char dir[8192];
	snprintf(dir, sizeof dir, "%s", to);
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		if (mkdirs(dir) < 0) {
			snprintf(err, errlen, "%.800s: %s", dir, strerror(errno));
			close(in);
			return -1;
		}
	}
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		snprintf(err, errlen, "%.800s: %s", to, strerror(errno));
		close(in);
		return -1;
	}
	char buf[65536];
	ssize_t n;
	int rc = 0;
	while ((n = read(in, buf, sizeof buf)) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				rc = -1;
				break;
			}
			off += w;
		}
		if (rc)
			break;
	}
	if (n < 0 || rc || close(out) != 0) {
		snprintf(err, errlen, "%.800s: cannot copy: %s", to, strerror(errno));
		if (rc == 0 && n >= 0)
			rc = -1;
		close(in);
		return -1;
	}
	close(in);
	return 0;
}

static int safe_rel(const char *p)
{
	return *p && *p != '/' && !strstr(p, "..") && !strchr(p, '\\');
}

static int write_text(const char *path, const char *text, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) == EOF || fclose(f) != 0) {
		snprintf(err, errlen, "%.800s: cannot write: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The last `max` bytes of a file, as a string (for the record and the
 * self-debug prompt). */
static char *tail_of(const char *path, size_t max)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return strdup("");
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	long from = size > (long)max ? size - (long)max : 0;
	fseek(f, from, SEEK_SET);
	char *buf = malloc(max + 1);
	size_t n = buf ? fread(buf, 1, max, f) : 0;
	fclose(f);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	/* keep it valid UTF-8 for JSON: replace what is not ASCII-safe */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)buf[i] >= 0x80 || (buf[i] < 0x20 && buf[i] != '\n' && buf[i] != '\t'))
			buf[i] = '?';
	return buf;
}


/* Checks the expected outputs: each pattern must match at least one
 * non-empty file. Returns the list of files in pred_results/. */
static json_t *check_outputs(const char *taskdir, json_t *expected, char *missing, size_t mlen)
{
	missing[0] = '\0';
	size_t i;
	json_t *e;
	json_array_foreach (expected, i, e) {
		const char *pat = json_string_value(e);
		if (!pat || !safe_rel(pat))
			continue;
		char full[8192];
		snprintf(full, sizeof full, "%s/%s", taskdir, pat);
		glob_t g;
		int ok = 0;
		if (glob(full, 0, NULL, &g) == 0) {
			for (size_t k = 0; k < g.gl_pathc && !ok; k++) {
				struct stat st;
				ok = stat(g.gl_pathv[k], &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
			}
			globfree(&g);
		}
		if (!ok) {
			size_t n = strlen(missing);
			snprintf(missing + n, mlen - n, "%s%s", n ? ", " : "", pat);
		}
	}
	json_t *files = json_array();
	char dir[8192];
	snprintf(dir, sizeof dir, "%s/pred_results/*", taskdir);
	glob_t g;
	if (glob(dir, 0, NULL, &g) == 0) {
		for (size_t k = 0; k < g.gl_pathc && k < 1000; k++) {
			struct stat st;
			if (stat(g.gl_pathv[k], &st) == 0 && S_ISREG(st.st_mode))
				json_array_append_new(files, json_pack("{s:s,s:I}", "path",
								       g.gl_pathv[k] + strlen(taskdir) + 1, "size",
								       (json_int_t)st.st_size));
		}
		globfree(&g);
	}
	return files;
}

int sdt_run_verify(weft_op_ctx *ctx, const weft_host_api *api)
{
	json_t *task = wop_value_to_json(api, api->input(ctx, "task"));
	const char *tree = weft_op_input_path(ctx, api, "tree");
	const char *wd = api->workdir(ctx);
	double timeout = weft_op_param_float(ctx, api, "time_limit");
	uint64_t max_output = (uint64_t)weft_op_param_int(ctx, api, "max_output");
	int isolate = weft_op_param_bool(ctx, api, "sandbox");
	const char *repo = sdt_str(task, "repo"), *name = sdt_str(task, "name"), *program = sdt_str(task, "program");
	char err[1024];
	if (!tree || !wd || !*repo || !*name || !*program || !safe_rel(name) || strchr(name, '/') ||
	    !safe_rel(repo) || strchr(repo, '/')) {
		int frc = api->fail(ctx, "autosdt.verify: task must be a record of autosdt.adapt (repo, name, program) and "
				 "tree the crawl's checkout");
		json_decref(task);
		return frc;
	}
	char taskdir[4096], path[8192], from[8192];
	snprintf(taskdir, sizeof taskdir, "%s/task", wd);
	if (mkdirs(taskdir) < 0) {
		int frc = api->fail(ctx, "autosdt.verify: %s: %s", taskdir, strerror(errno));
		json_decref(task);
		return frc;
	}
	/* the task's files: its data and modules at their repository paths */
	const char *lists[] = {"data", "modules"};
	for (int l = 0; l < 2; l++) {
		size_t i;
		json_t *d;
		json_array_foreach (json_object_get(task, lists[l]), i, d) {
			const char *rel = json_string_value(d);
			if (!rel || !safe_rel(rel))
				continue;
			snprintf(from, sizeof from, "%s/%s", tree, rel);
			snprintf(path, sizeof path, "%s/benchmark/datasets/%s/%s", taskdir, repo, rel);
			if (copy_file(from, path, err, sizeof err) != 0) {
				int frc = api->fail(ctx, "autosdt.verify %s: %s", sdt_str(task, "id"), err);
				json_decref(task);
				return frc;
			}
		}
	}
	snprintf(path, sizeof path, "%s/%s", taskdir, name);
	if (write_text(path, program, err, sizeof err) != 0) {
		int frc = api->fail(ctx, "autosdt.verify: %s", err);
		json_decref(task);
		return frc;
	}
	char log[4200];
	snprintf(log, sizeof log, "%s/run.log", wd);
	const char *argv[] = {name, NULL};
	const char *env[] = {"OMP_NUM_THREADS=1", "OPENBLAS_NUM_THREADS=1", "MKL_NUM_THREADS=1", NULL};
	void *pair[2] = {ctx, (void *)api};
	sdt_run_opts o = {.python = sdt_python(ctx, api), .argv = argv, .dir = taskdir, .log_path = log,
			  .timeout_s = timeout, .max_output = max_output, .isolate = isolate, .env = env,
			  .cancelled = sdt_op_cancelled, .cancel_arg = pair};
	sdt_run_result r;
	if (sdt_sandbox_run(&o, &r, err, sizeof err) != 0) {
		int frc = api->fail(ctx, "autosdt.verify %s: %s", sdt_str(task, "id"), err);
		json_decref(task);
		return frc;
	}
	if (r.cancelled) {
		int frc = api->fail(ctx, "autosdt.verify %s: cancelled", sdt_str(task, "id"));
		json_decref(task);
		return frc;
	}
	char desc[512], missing[2048];
	sdt_run_describe(&r, timeout, max_output, desc, sizeof desc);
	json_t *files = check_outputs(taskdir, json_object_get(task, "expected"), missing, sizeof missing);
	int ok = r.exited && r.code == 0 && !r.over_size && !missing[0] && json_array_size(files) > 0;
	char why[3000];
	if (ok)
		snprintf(why, sizeof why, "%s; wrote %zu file(s) to pred_results/", desc, json_array_size(files));
	else if (r.exited && r.code == 0 && !r.over_size)
		snprintf(why, sizeof why, "%s, but the expected output is missing or empty: %s", desc,
			 missing[0] ? missing : "nothing in pred_results/");
	else
		snprintf(why, sizeof why, "%s", desc);
	char *tail = tail_of(log, 3000);
	api->log(ctx, ok ? WEFT_LOG_INFO : WEFT_LOG_WARN, "verify %s: %s", sdt_str(task, "id"), why);
	/* copy the program's own log into the node's log, for `weft log` */
	api->log(ctx, WEFT_LOG_INFO, "the program's output ends with:\n%s", tail ? tail : "");
	json_t *res = json_pack("{s:s,s:b,s:s,s:f,s:b,s:b,s:o,s:s,s:I}", "id", sdt_str(task, "id"), "verified", ok, "why",
				why, "seconds", r.seconds, "timed_out", r.timed_out, "over_size", r.over_size,
				"outputs", files, "log_tail", tail ? tail : "", "exit",
				(json_int_t)(r.exited ? r.code : -r.signal));
	free(tail);
	json_decref(task);
	if (!res)
		return api->fail(ctx, "autosdt.verify: out of memory");
	snprintf(path, sizeof path, "%s/pred_results", taskdir);
	struct stat st;
	if (ok && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		weft_value *art = NULL;
		if (api->artifact_import(&art, ctx, path) != WEFT_OK) {
			int frc = api->fail(ctx, "autosdt.verify: cannot store pred_results: %s", api->error_last());
			json_decref(res);
			return frc;
		}
		if (api->set_output(ctx, "pred", art) != WEFT_OK) {
			int frc = api->fail(ctx, "autosdt.verify: cannot set output 'pred'");
			json_decref(res);
			return frc;
		}
	}
	return sdt_output_value(ctx, api, "out", res);
}

/* ------------------------------------------------------------ fix */

static const char FIX_SYSTEM[] =
	"You adapted a code file from a research repository into a self-contained program (its data under "
	"benchmark/datasets/REPO/, every output under pred_results/). The user executed it and reports the error. "
	"Address the reported errors and exceptions and respond with the fixed, complete program. When addressing "
	"bugs, ONLY fix the errors: do NOT change or delete the main functionality and logic of the program just to "
	"make it executable. Always include the full code; never write placeholders such as '# Implementation "
	"remains unchanged', pass, TODO, mock or dummy code. Answer with JSON: explanation and code.";

int sdt_run_fix(weft_op_ctx *ctx, const weft_host_api *api)
{
	json_t *task = wop_value_to_json(api, api->input(ctx, "task"));
	json_t *result = wop_value_to_json(api, api->input(ctx, "result"));
	int64_t round = weft_op_param_int(ctx, api, "round");
	if (!json_is_object(task) || !json_is_object(result)) {
		int frc = api->fail(ctx, "autosdt.fix: task and result must be records of autosdt.adapt and autosdt.verify");
		json_decref(task);
		json_decref(result);
		return frc;
	}
	const char *program = sdt_str(task, "program");
	size_t n = strlen(program) + strlen(sdt_str(result, "log_tail")) + 2048;
	char *user = malloc(n);
	json_t *ans = NULL;
	char why[512] = "out of memory";
	int none = 0;
	if (user) {
		snprintf(user, n, "REPO is %s.\n## Self-debug Iteration %lld:\n## Code:\n%s\nThe previous execution "
			 "resulted in the following error message (%s):\n%s\n", sdt_str(task, "repo"), (long long)round,
			 program, sdt_str(result, "why"), sdt_str(result, "log_tail"));
		json_t *schema = sdt_code_schema();
		ans = sdt_llm_json(ctx, api, FIX_SYSTEM, user, schema, 0.7, why, sizeof why, &none);
		json_decref(schema);
		free(user);
	}
	json_t *out;
	if (ans && strlen(sdt_str(ans, "code")) > 0) {
		out = json_deep_copy(task);
		char by[64];
		snprintf(by, sizeof by, "%s+debug%lld", sdt_str(task, "adapted_by"), (long long)round);
		json_object_set_new(out, "program", json_string(sdt_str(ans, "code")));
		json_object_set_new(out, "adapted_by", json_string(by));
		json_object_set_new(out, "expected", json_pack("[s]", "pred_results/*"));
	} else {
		/* no endpoint, or no usable answer: the round is skipped */
		api->log(ctx, WEFT_LOG_INFO, "fix round %lld of %s skipped: %s", (long long)round, sdt_str(task, "id"),
			 ans ? "the LLM's answer has no code" : why);
		out = json_null();
	}
	json_decref(ans);
	json_decref(task);
	json_decref(result);
	if (sdt_output_value(ctx, api, "by", json_string(json_is_null(out) ? "none" : "llm")) != WEFT_OK) {
		json_decref(out);
		return WEFT_ERROR;
	}
	return sdt_output_value(ctx, api, "out", out);
}
