/*
 * file_ops.c -- the stages that narrow one repository's files down to
 * candidate tasks: prefilter (AutoSDT's path rules), judge (the three
 * criteria: the LLM, else the AST), locate (modules and data), envcheck
 * (Debian's modules only) and adapt (the self-contained program).
 *
 * Each reads the previous stage's JSONL and writes its own, plus `stats`:
 * {repo, stage, in, kept, dropped: [{path, why}]}, so the dataset's report
 * can say what each stage took out and why.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "ops.h"
#include "rules.h"
#include "stage.h"


static json_t *stats_new(const char *repo, const char *stage, size_t in)
{
	return json_pack("{s:s,s:s,s:I,s:I,s:[]}", "repo", repo, "stage", stage, "in", (json_int_t)in, "kept",
			 (json_int_t)0, "dropped");
}

static void stats_drop(json_t *st, json_t *rec, const char *why)
{
	json_array_append_new(json_object_get(st, "dropped"), json_pack("{s:s,s:s}", "path", sdt_str(rec, "path"), "why", why));
}

static int finish(weft_op_ctx *ctx, const weft_host_api *api, json_t *kept, json_t *st, const char *file)
{
	json_object_set_new(st, "kept", json_integer((json_int_t)json_array_size(kept)));
	api->log(ctx, WEFT_LOG_INFO, "%s %s: %lld in, %zu kept", sdt_str(st, "stage"), sdt_str(st, "repo"),
		 (long long)json_integer_value(json_object_get(st, "in")), json_array_size(kept));
	if (sdt_output_jsonl(ctx, api, "out", file, kept) != WEFT_OK) {
		json_decref(st);
		return WEFT_ERROR;
	}
	return sdt_output_value(ctx, api, "stats", st);
}

static const char *repo_of(json_t *files)
{
	return json_array_size(files) ? sdt_str(json_array_get(files, 0), "repo") : "";
}

/* ------------------------------------------------------------ prefilter */

int sdt_run_prefilter(weft_op_ctx *ctx, const weft_host_api *api)
{
	json_t *files = sdt_input_jsonl(ctx, api, "files");
	if (!files)
		return WEFT_ERROR;
	size_t max_lines = (size_t)weft_op_param_int(ctx, api, "max_lines");
	json_t *kept = json_array(), *st = stats_new(repo_of(files), "prefilter", json_array_size(files));
	size_t i;
	json_t *f;
	json_array_foreach (files, i, f) {
		char why[512];
		if (sdt_rules_drop(sdt_str(f, "path"), (size_t)json_integer_value(json_object_get(f, "lines")), max_lines,
				   why, sizeof why))
			stats_drop(st, f, why);
		else
			json_array_append(kept, f);
	}
	json_decref(files);
	return finish(ctx, api, kept, st, "prefiltered.jsonl");
}

/* ------------------------------------------------------------ judge */

static const char JUDGE_SYSTEM[] =
	"Given a code file, verify whether it is a scientific task. Conditions: (1) Functionality: the program's "
	"functionality relates to tasks in a scientific workflow, including but not limited to feature engineering, "
	"machine learning, deep learning, computational analysis, data visualization, model training, numerical "
	"calculation or analysis, statistical methods, domain-specific analysis or simulation. (2) Input: the "
	"program receives at least one dataset as input, loaded through built-in functions or from local files; a "
	"program that does not receive and process any data is not a scientific task here (synthetic random data "
	"does not count). (3) Output: the program outputs numerical or visualization results that can be evaluated. "
	"A file is a scientific task ONLY IF it satisfies all three. Files that purely contain modeling, "
	"training/testing, data pre-processing, or only utility functions or class definitions are not. Answer with "
	"JSON: reasoning (brief), functionality, input, output (booleans, one per condition) and is_scientific_task "
	"(boolean).";

static json_t *judge_schema(void)
{
	return json_pack("{s:s,s:{s:{s:s},s:{s:s},s:{s:s},s:{s:s},s:{s:s}},s:[s,s,s,s,s]}", "type", "object",
			 "properties", "reasoning", "type", "string", "functionality", "type", "boolean", "input", "type",
			 "boolean", "output", "type", "boolean", "is_scientific_task", "type", "boolean", "required",
			 "reasoning", "functionality", "input", "output", "is_scientific_task");
}

int sdt_run_judge(weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *in = weft_op_input_path(ctx, api, "files");
	if (!in)
		return api->fail(ctx, "autosdt.judge: input 'files' is not a JSONL artifact");
	char out[4096];
	if (!weft_op_workfile(ctx, api, "ast.jsonl", out, sizeof out))
		return api->fail(ctx, "autosdt.judge: no work directory");
	/* The AST verdict always runs: it is the fallback, and the record keeps
	 * it beside the LLM's so that the two can be compared. */
	const char *args[] = {in, out, NULL};
	if (sdt_helper_run(ctx, api, sdt_python(ctx, api), "judge", args) != WEFT_OK)
		return WEFT_ERROR;
	char err[1024];
	json_t *files = sdt_jsonl_read(out, (size_t)1 << 31, err, sizeof err);
	if (!files)
		return api->fail(ctx, "autosdt.judge: %s", err);
	int use_llm = weft_op_param_bool(ctx, api, "use_llm"), llm_off = !use_llm, n_llm = 0;
	char llm_why[512] = "";
	json_t *kept = json_array(), *st = stats_new(repo_of(files), "judge", json_array_size(files));
	json_t *schema = judge_schema();
	size_t i;
	json_t *f;
	json_array_foreach (files, i, f) {
		json_t *v = json_object_get(f, "judge");
		if (!llm_off) {
			const char *code = sdt_str(f, "code");
			size_t n = strlen(code);
			char *user = malloc(n + 512);
			json_t *ans = NULL;
			int none = 0;
			if (user) {
				/* AutoSDT gives files over 1000 lines no LLM call; the
				 * prefilter has dropped those, and this caps the rest */
				snprintf(user, n + 512, "### Program\n# Program name: %s\n%.*s\n", sdt_str(f, "path"),
					 (int)(n > 60000 ? 60000 : n), code);
				ans = sdt_llm_json(ctx, api, JUDGE_SYSTEM, user, schema, 0.1, llm_why, sizeof llm_why, &none);
				free(user);
			}
			if (none)
				llm_off = 1;
			if (ans && json_is_boolean(json_object_get(ans, "is_scientific_task"))) {
				json_t *llm = json_pack("{s:b,s:b,s:b,s:b,s:s,s:s}", "scientific",
							json_is_true(json_object_get(ans, "functionality")), "dataset",
							json_is_true(json_object_get(ans, "input")), "output",
							json_is_true(json_object_get(ans, "output")), "is_task",
							json_is_true(json_object_get(ans, "is_scientific_task")), "by", "llm",
							"reason", sdt_str(ans, "reasoning"));
				json_object_set_new(llm, "ast", json_deep_copy(v));
				json_object_set_new(f, "judge", llm);
				v = llm;
				n_llm++;
			}
			json_decref(ans);
		}
		if (json_is_true(json_object_get(v, "is_task")))
			json_array_append(kept, f);
		else
			stats_drop(st, f, sdt_str(v, "reason"));
	}
	json_decref(schema);
	json_object_set_new(st, "llm_judged", json_integer(n_llm));
	if (use_llm && llm_why[0])
		json_object_set_new(st, "llm", json_string(llm_why));
	json_decref(files);
	return finish(ctx, api, kept, st, "judged.jsonl");
}

/* ------------------------------------------------------------ locate */

int sdt_run_locate(weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *in = weft_op_input_path(ctx, api, "files");
	const char *tree = weft_op_input_path(ctx, api, "tree");
	if (!in || !tree)
		return api->fail(ctx, "autosdt.locate: needs files (JSONL) and tree (the crawl's checkout)");
	char out[4096], err[1024];
	if (!weft_op_workfile(ctx, api, "located.all.jsonl", out, sizeof out))
		return api->fail(ctx, "autosdt.locate: no work directory");
	const char *args[] = {in, out, tree, NULL};
	if (sdt_helper_run(ctx, api, sdt_python(ctx, api), "locate", args) != WEFT_OK)
		return WEFT_ERROR;
	json_t *files = sdt_jsonl_read(out, (size_t)1 << 31, err, sizeof err);
	if (!files)
		return api->fail(ctx, "autosdt.locate: %s", err);
	json_t *kept = json_array(), *st = stats_new(repo_of(files), "locate", json_array_size(files));
	size_t i;
	json_t *f;
	json_array_foreach (files, i, f) {
		json_t *d = json_object_get(f, "deps");
		if (json_is_true(json_object_get(d, "located")))
			json_array_append(kept, f);
		else
			stats_drop(st, f, sdt_str(d, "why"));
	}
	json_decref(files);
	return finish(ctx, api, kept, st, "located.jsonl");
}

/* ------------------------------------------------------------ envcheck */

/* The distinct strings of deps[key] over every file, as a list. */
static json_t *collect(json_t *files, const char *key)
{
	json_t *set = json_object(), *list = json_array();
	size_t i, j;
	json_t *f, *m;
	json_array_foreach (files, i, f)
		json_array_foreach (json_object_get(json_object_get(f, "deps"), key), j, m)
			if (json_is_string(m))
				json_object_set_new(set, json_string_value(m), json_true());
	const char *k;
	json_t *v;
	json_object_foreach (set, k, v)
		json_array_append_new(list, json_string(k));
	json_decref(set);
	return list;
}

/* Appends "; " (or "needs ") and the formatted text to why, truncating. */
static void why_add(char *why, size_t len, const char *what, const char *name, const char *reason)
{
	size_t n = strlen(why);
	if (n + 1 < len)
		snprintf(why + n, len - n, "%s%s '%s' %s", n ? "; " : "needs ", what, name, reason);
}

/* Drops the files whose modules or programs the probe did not find; the
 * missing ones are gathered in `missing` (name -> why). */
static void check_deps(json_t *f, json_t *probe, const char *key, const char *what, char *why, size_t len,
		       json_t *missing)
{
	size_t j;
	json_t *m;
	json_array_foreach (json_object_get(json_object_get(f, "deps"), key), j, m) {
		json_t *p = json_object_get(probe, json_string_value(m));
		if (json_is_true(json_object_get(p, "ok")))
			continue;
		why_add(why, len, what, json_string_value(m), sdt_str(p, "why"));
		json_object_set_new(missing, json_string_value(m), json_string(sdt_str(p, "why")));
	}
}

int sdt_run_envcheck(weft_op_ctx *ctx, const weft_host_api *api)
{
	json_t *files = sdt_input_jsonl(ctx, api, "files");
	if (!files)
		return WEFT_ERROR;
	json_t *roots = wop_value_to_json(api, api->param(ctx, "roots"));
	char req[4096], out[4096];
	if (!weft_op_workfile(ctx, api, "probe.in.json", req, sizeof req) ||
	    !weft_op_workfile(ctx, api, "probe.out.json", out, sizeof out)) {
		int frc = api->fail(ctx, "autosdt.envcheck: no work directory");
		json_decref(files);
		json_decref(roots);
		return frc;
	}
	json_t *q = json_pack("{s:o,s:o,s:o}", "modules", collect(files, "imports"), "programs",
			      collect(files, "programs"), "roots", roots ? roots : json_array());
	int rc = q ? json_dump_file(q, req, 0) : -1;
	json_decref(q);
	if (rc != 0) {
		int frc = api->fail(ctx, "autosdt.envcheck: cannot write %s", req);
		json_decref(files);
		return frc;
	}
	/* the probe runs under the interpreter the tasks will run under */
	const char *args[] = {req, out, NULL};
	if (sdt_helper_run(ctx, api, sdt_python(ctx, api), "probe", args) != WEFT_OK) {
		json_decref(files);
		return WEFT_ERROR;
	}
	json_error_t je;
	json_t *probe = json_load_file(out, 0, &je);
	if (!json_is_object(probe)) {
		int frc = api->fail(ctx, "autosdt.envcheck: the probe's answer: %s", je.text);
		json_decref(probe);
		json_decref(files);
		return frc;
	}
	json_t *kept = json_array(), *st = stats_new(repo_of(files), "envcheck", json_array_size(files));
	json_t *missing = json_object(), *missing_progs = json_object();
	size_t i;
	json_t *f;
	json_array_foreach (files, i, f) {
		char why[1024] = "";
		check_deps(f, json_object_get(probe, "modules"), "imports", "module", why, sizeof why, missing);
		check_deps(f, json_object_get(probe, "programs"), "programs", "the program", why, sizeof why,
			   missing_progs);
		if (why[0])
			stats_drop(st, f, why);
		else
			json_array_append(kept, f);
	}
	json_object_set_new(st, "missing_modules", missing);
	json_object_set_new(st, "missing_programs", missing_progs);
	json_decref(probe);
	json_decref(files);
	return finish(ctx, api, kept, st, "ready.jsonl");
}

/* ------------------------------------------------------------ adapt */

static const char ADAPT_SYSTEM[] =
	"You will be given a code file from a research repository. Modify it into a self-contained program that "
	"runs locally and separately. Do not change the original functionality: keep the original logic as much as "
	"possible, and never include dummy or pass statements or empty or mock functions. Only adapt its input and "
	"output: it runs from a directory where the repository's data and modules are under "
	"benchmark/datasets/REPO/ with their paths in the repository, and it must read exactly those input files "
	"(never generate input data). Save every output to pred_results/pred_NAME.EXT (csv, txt, png, jsonl, as "
	"fits the data): all outputs go under pred_results/, and no file or folder is made anywhere else. Do not "
	"use interactive commands (no !pip, no plt.show()). Answer with JSON: explanation (brief) and code (the "
	"complete program).";

int sdt_run_adapt(weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *in = weft_op_input_path(ctx, api, "files");
	const char *tree = weft_op_input_path(ctx, api, "tree");
	json_t *repo = wop_value_to_json(api, api->input(ctx, "repo"));
	const char *name = json_string_value(json_object_get(repo, "name"));
	if (!in || !tree || !name) {
		int frc = api->fail(ctx, "autosdt.adapt: needs files, tree and repo (a search record)");
		json_decref(repo);
		return frc;
	}
	char out[4096], err[1024];
	if (!weft_op_workfile(ctx, api, "adapted.all.jsonl", out, sizeof out)) {
		int frc = api->fail(ctx, "autosdt.adapt: no work directory");
		json_decref(repo);
		return frc;
	}
	const char *args[] = {in, out, tree, name, NULL};
	if (sdt_helper_run(ctx, api, sdt_python(ctx, api), "adapt", args) != WEFT_OK) {
		json_decref(repo);
		return WEFT_ERROR;
	}
	json_t *files = sdt_jsonl_read(out, (size_t)1 << 31, err, sizeof err);
	if (!files) {
		int frc = api->fail(ctx, "autosdt.adapt: %s", err);
		json_decref(repo);
		return frc;
	}
	int use_llm = weft_op_param_bool(ctx, api, "use_llm"), llm_off = !use_llm, n_llm = 0;
	char llm_why[512] = "";
	json_t *schema = sdt_code_schema();
	json_t *tasks = json_array(), *st = stats_new(name, "adapt", json_array_size(files));
	size_t i;
	json_t *f;
	json_array_foreach (files, i, f) {
		json_t *a = json_object_get(f, "adapt");
		if (json_is_string(json_object_get(a, "error"))) {
			stats_drop(st, f, sdt_str(a, "error"));
			continue;
		}
		const char *program = sdt_str(a, "program");
		const char *by = "template";
		json_t *expected = json_incref(json_object_get(a, "expected"));
		json_t *ans = NULL;
		if (!llm_off) {
			const char *code = sdt_str(f, "code");
			size_t n = strlen(code) + 4096;
			char *deps_text = json_dumps(json_object_get(f, "deps"), JSON_COMPACT);
			n += deps_text ? strlen(deps_text) : 0;
			char *user = malloc(n);
			int none = 0;
			if (user) {
				snprintf(user, n, "REPO is %s and NAME is %s. Data and module files (repository paths): "
					 "%s\n## Code to be modified: %s\n%s\n## Code to be modified end\n", name,
					 sdt_str(a, "name"), deps_text ? deps_text : "{}", sdt_str(f, "path"), code);
				ans = sdt_llm_json(ctx, api, ADAPT_SYSTEM, user, schema, 0.7, llm_why, sizeof llm_why, &none);
				free(user);
			}
			free(deps_text);
			if (none)
				llm_off = 1;
			if (ans && strlen(sdt_str(ans, "code")) > 0) {
				program = sdt_str(ans, "code");
				by = "llm";
				n_llm++;
				char pat[600];
				snprintf(pat, sizeof pat, "pred_results/*");
				json_decref(expected);
				expected = json_pack("[s]", pat);
			}
		}
		json_t *deps = json_object_get(f, "deps");
		char id[4600];
		snprintf(id, sizeof id, "%s/%s", name, sdt_str(f, "path"));
		json_t *t = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:O,s:O,s:O,s:s,s:O,s:s,s:s,s:s}", "id", id,
				      "repo", name, "url", sdt_str(f, "url"), "commit", sdt_str(f, "commit"), "path",
				      sdt_str(f, "path"), "kind", sdt_str(f, "kind"), "name", sdt_str(a, "name"), "program", program,
				      "expected", expected ? expected : json_array(), "data",
				      json_object_get(deps, "data"), "modules", json_object_get(deps, "modules"), "builtin",
				      json_object_get(deps, "builtin"), "adapted_by", by, "rewrites",
				      json_object_get(a, "rewrites") ?: json_array(), "summary", sdt_str(a, "summary"),
				      "judged_by", sdt_str(json_object_get(f, "judge"), "by"), "code", sdt_str(f, "code"));
		json_decref(ans);
		if (!t) {
			int frc = api->fail(ctx, "autosdt.adapt: out of memory");
			json_decref(files);
			json_decref(tasks);
			json_decref(st);
			json_decref(schema);
			json_decref(repo);
			return frc;
		}
		json_object_set_new(t, "discipline", json_string(sdt_str(repo, "discipline")));
		json_array_append_new(tasks, t);
	}
	json_object_set_new(st, "kept", json_integer((json_int_t)json_array_size(tasks)));
	json_object_set_new(st, "llm_adapted", json_integer(n_llm));
	/* `name` belongs to repo: log before it goes */
	api->log(ctx, WEFT_LOG_INFO, "adapt %s: %zu tasks (%d by the LLM)%s%s", name, json_array_size(tasks), n_llm,
		 llm_why[0] ? "; LLM: " : "", llm_why);
	json_decref(schema);
	json_decref(files);
	json_decref(repo);
	if (sdt_output_value(ctx, api, "out", tasks) != WEFT_OK) {
		json_decref(st);
		return WEFT_ERROR;
	}
	return sdt_output_value(ctx, api, "stats", st);
}
