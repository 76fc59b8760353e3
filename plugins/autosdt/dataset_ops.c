/*
 * dataset_ops.c -- the last stages: instruct (one repository's verified
 * tasks get their instructions) and dataset (every repository's tasks,
 * near-duplicates removed, as JSONL, with the per-stage yields, VER and
 * the report).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "minhash.h"
#include "ops.h"
#include "stage.h"


struct sbuf {
	char *p;
	size_t n, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		size_t room = b->cap - b->n;
		va_start(ap, fmt);
		int n = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->p && (size_t)n < room) {
			b->n += (size_t)n;
			return;
		}
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap < b->n + (size_t)n + 1)
			cap *= 2;
		char *q = realloc(b->p, cap);
		if (!q)
			return;
		b->p = q;
		b->cap = cap;
	}
}

/* ------------------------------------------------------------ instruct */

static const char INSTRUCT_SYSTEM[] =
	"You write the task instruction of a data-driven scientific coding task, from the program that solves it. "
	"The instruction says, in two to four sentences and without code, what analysis to do, which input files "
	"(with their paths under benchmark/datasets/) or library datasets to use, and exactly which output files "
	"to write under pred_results/ and in what format. It must not reveal the solution step by step. Answer "
	"with JSON: instruction.";

static const char *ext_of(const char *p)
{
	const char *d = strrchr(p, '.');
	return d && !strchr(d, '/') ? d + 1 : "";
}

/* The template: the program's own summary, its inputs, its outputs. */
static char *template_instruction(json_t *task, json_t *result)
{
	struct sbuf b = {0};
	const char *summary = sdt_str(task, "summary");
	if (*summary)
		sb_printf(&b, "%s%s ", summary, summary[strlen(summary) - 1] == '.' ? "" : ".");
	else
		sb_printf(&b, "Reproduce the analysis of %s from the repository %s. ", sdt_str(task, "path"),
			  sdt_str(task, "repo"));
	size_t nd = json_array_size(json_object_get(task, "data")), nb = json_array_size(json_object_get(task, "builtin"));
	size_t i;
	json_t *d;
	if (nd) {
		sb_printf(&b, "Use the data in ");
		json_array_foreach (json_object_get(task, "data"), i, d)
			sb_printf(&b, "%sbenchmark/datasets/%s/%s (%s)", i ? (i + 1 == nd ? " and " : ", ") : "",
				  sdt_str(task, "repo"), json_string_value(d), *ext_of(json_string_value(d)) ?
				  ext_of(json_string_value(d)) : "file");
		sb_printf(&b, "%s", nb ? ", and " : ". ");
	}
	if (nb) {
		sb_printf(&b, "%s", nd ? "" : "Use ");
		json_array_foreach (json_object_get(task, "builtin"), i, d)
			sb_printf(&b, "%s%s()", i ? (i + 1 == nb ? " and " : ", ") : "the dataset loaded by ",
				  json_string_value(d));
		sb_printf(&b, " (shipped with the library). ");
	}
	json_t *outs = json_object_get(result, "outputs");
	size_t no = json_array_size(outs);
	if (no) {
		sb_printf(&b, "Save ");
		json_t *o;
		json_array_foreach (outs, i, o) {
			const char *p = sdt_str(o, "path"), *e = ext_of(p);
			const char *what = !strcmp(e, "png") || !strcmp(e, "jpg") || !strcmp(e, "svg") || !strcmp(e, "pdf")
						   ? "the figure"
					   : !strcmp(e, "txt")                          ? "the printed results as text"
					   : !strcmp(e, "csv") || !strcmp(e, "tsv")     ? "the table"
										        : "the output";
			if (i == 8) {
				sb_printf(&b, " and %zu more files", no - 8);
				break;
			}
			sb_printf(&b, "%s%s to %s", i ? (i + 1 == no ? " and " : ", ") : "", what, p);
		}
		sb_printf(&b, ".");
	}
	return b.p ? b.p : strdup("");
}

int sdt_run_instruct(weft_op_ctx *ctx, const weft_host_api *api)
{
	json_t *repo = wop_value_to_json(api, api->input(ctx, "repo"));
	json_t *results = wop_value_to_json(api, api->input(ctx, "results"));
	json_t *stages = wop_value_to_json(api, api->input(ctx, "stages"));
	if (!json_is_array(results)) {
		int frc = api->fail(ctx, "autosdt.instruct: results must be a list of {task, result}");
		json_decref(repo);
		json_decref(results);
		json_decref(stages);
		return frc;
	}
	int use_llm = weft_op_param_bool(ctx, api, "use_llm"), llm_off = !use_llm, n_llm = 0;
	char llm_why[512] = "";
	json_t *schema = json_pack("{s:s,s:{s:{s:s}},s:[s]}", "type", "object", "properties", "instruction", "type",
				   "string", "required", "instruction");
	json_t *tasks = json_array();
	size_t i;
	json_t *r;
	json_array_foreach (results, i, r) {
		json_t *task = json_object_get(r, "task"), *res = json_object_get(r, "result");
		if (!json_is_object(task) || !json_is_object(res))
			continue;
		json_t *t = json_deep_copy(task);
		json_object_set(t, "result", res);
		json_t *rounds = json_object_get(r, "rounds"), *first = json_object_get(r, "first_verified");
		json_object_set_new(t, "rounds", rounds ? json_incref(rounds) : json_integer(0));
		json_object_set_new(t, "first_verified", first ? json_incref(first) : json_false());
		if (json_is_true(json_object_get(res, "verified"))) {
			char *tmpl = template_instruction(task, res);
			const char *by = "template";
			json_t *ans = NULL;
			if (!llm_off) {
				const char *prog = sdt_str(task, "program");
				char *outs = json_dumps(json_object_get(res, "outputs"), JSON_COMPACT);
				size_t n = strlen(prog) + 2048 + (outs ? strlen(outs) : 0);
				char *user = malloc(n);
				int none = 0;
				if (user) {
					snprintf(user, n, "Repository: %s\nProgram:\n%s\nOutputs it wrote: %s\n",
						 sdt_str(task, "repo"), prog, outs ? outs : "[]");
					ans = sdt_llm_json(ctx, api, INSTRUCT_SYSTEM, user, schema, 0.2, llm_why,
							   sizeof llm_why, &none);
					free(user);
				}
				free(outs);
				if (none)
					llm_off = 1;
			}
			if (ans && strlen(sdt_str(ans, "instruction")) > 20) {
				json_object_set_new(t, "instruction", json_string(sdt_str(ans, "instruction")));
				by = "llm";
				n_llm++;
			} else {
				json_object_set_new(t, "instruction", json_string(tmpl ? tmpl : ""));
			}
			json_object_set_new(t, "instructed_by", json_string(by));
			json_decref(ans);
			free(tmpl);
		}
		json_array_append_new(tasks, t);
	}
	json_decref(schema);
	json_t *out = json_pack("{s:s,s:o,s:o,s:I}", "repo", sdt_str(repo, "name"), "tasks", tasks, "stages",
				json_is_array(stages) ? stages : json_array(), "llm_instructed", (json_int_t)n_llm);
	if (!json_is_array(stages))
		json_decref(stages);
	json_decref(repo);
	json_decref(results);
	return sdt_output_value(ctx, api, "out", out);
}

/* ------------------------------------------------------------ dataset */

static const char *const STAGES[] = {"crawl", "prefilter", "judge", "locate", "envcheck", "adapt"};
enum { N_STAGES = 6 };

static int stage_index(json_t *st)
{
	const char *s = sdt_str(st, "stage");
	if (!*s)
		return 0; /* the crawl's stats have no stage name */
	for (int i = 0; i < N_STAGES; i++)
		if (!strcmp(s, STAGES[i]))
			return i;
	return -1;
}

int sdt_run_dataset(weft_op_ctx *ctx, const weft_host_api *api)
{
	json_t *repos = wop_value_to_json(api, api->input(ctx, "repos"));
	double threshold = weft_op_param_float(ctx, api, "dedup_threshold");
	int k = (int)weft_op_param_int(ctx, api, "shingle");
	if (!json_is_array(repos)) {
		int frc = api->fail(ctx, "autosdt.dataset: repos must be the list of autosdt.instruct outputs");
		json_decref(repos);
		return frc;
	}
	long long yield[N_STAGES] = {0};
	long long adapted = 0, verified = 0, first_ok = 0, failed_first = 0, rescued = 0, timeouts = 0, oversize = 0;
	json_t *kept = json_array(), *drops = json_object(), *missing = json_object(), *missing_progs = json_object();
	size_t i, j;
	json_t *r, *st, *t;
	json_array_foreach (repos, i, r) {
		json_array_foreach (json_object_get(r, "stages"), j, st) {
			int s = stage_index(st);
			if (s < 0)
				continue;
			yield[s] += s == 0 ? json_integer_value(json_object_get(st, "files"))
					   : json_integer_value(json_object_get(st, "kept"));
			size_t d;
			json_t *x;
			json_array_foreach (json_object_get(st, "dropped"), d, x) {
				/* the reasons, counted by their first words */
				char key[96];
				snprintf(key, sizeof key, "%s: %.60s", STAGES[s], sdt_str(x, "why"));
				char *body = key + strlen(STAGES[s]) + 2;
				char *cut = strstr(body, " --");
				if (!cut)
					cut = strpbrk(body, ":;(,'0123456789");
				if (cut)
					*cut = '\0';
				json_object_set_new(drops, key,
						    json_integer(json_integer_value(json_object_get(drops, key)) + 1));
			}
			const char *m;
			json_t *why;
			json_object_foreach (json_object_get(st, "missing_modules"), m, why)
				json_object_set(missing, m, why);
			json_object_foreach (json_object_get(st, "missing_programs"), m, why)
				json_object_set(missing_progs, m, why);
		}
		json_array_foreach (json_object_get(r, "tasks"), j, t) {
			json_t *res = json_object_get(t, "result");
			adapted++;
			int ok = json_is_true(json_object_get(res, "verified"));
			int first = json_is_true(json_object_get(t, "first_verified"));
			first_ok += first;
			if (!first) {
				failed_first++;
				rescued += ok;
			}
			timeouts += json_is_true(json_object_get(res, "timed_out"));
			oversize += json_is_true(json_object_get(res, "over_size"));
			if (ok) {
				verified++;
				json_array_append(kept, t);
			}
		}
	}
	/* near-duplicates among the verified tasks, on the original code */
	size_t n = json_array_size(kept);
	sdt_minhash *sigs = n ? calloc(n, sizeof *sigs) : NULL;
	long *dup = n ? calloc(n, sizeof *dup) : NULL;
	int oom = n && (!sigs || !dup);
	if (!oom) {
		json_array_foreach (kept, i, t) {
			const char *code = sdt_str(t, "code");
			sdt_minhash_code(&sigs[i], code, strlen(code), k);
		}
		oom = n && sdt_minhash_dedup(sigs, n, 32, threshold, dup) != 0;
	}
	if (oom) {
		free(sigs);
		free(dup);
		int frc = api->fail(ctx, "autosdt.dataset: out of memory");
		json_decref(kept);
		json_decref(repos);
		json_decref(drops);
		json_decref(missing);
		json_decref(missing_progs);
		return frc;
	}
	json_t *rows = json_array(), *dups = json_array();
	json_array_foreach (kept, i, t) {
		if (dup[i] >= 0) {
			json_t *o = json_array_get(kept, (size_t)dup[i]);
			json_array_append_new(dups, json_pack("{s:s,s:s,s:f}", "id", sdt_str(t, "id"), "duplicate_of",
							      sdt_str(o, "id"), "jaccard",
							      sdt_minhash_jaccard(&sigs[i], &sigs[dup[i]])));
			continue;
		}
		json_t *res = json_object_get(t, "result");
		json_t *row = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:{s:O,s:O,s:O},s:O,s:O,s:s,s:s,s:O,s:f}",
					"id", sdt_str(t, "id"), "repository", sdt_str(t, "repo"), "url", sdt_str(t, "url"), "commit",
					sdt_str(t, "commit"), "file", sdt_str(t, "path"), "discipline", sdt_str(t, "discipline"),
					"instruction", sdt_str(t, "instruction"), "instructed_by", sdt_str(t, "instructed_by"),
					"program", sdt_str(t, "program"), "dependencies", "data", json_object_get(t, "data"),
					"modules", json_object_get(t, "modules"), "builtin", json_object_get(t, "builtin"),
					"expected", json_object_get(t, "expected"), "verified_output",
					json_object_get(res, "outputs"), "adapted_by", sdt_str(t, "adapted_by"), "judged_by",
					sdt_str(t, "judged_by"), "self_debug_rounds", json_object_get(t, "rounds"), "seconds",
					json_real_value(json_object_get(res, "seconds")));
		if (row)
			json_array_append_new(rows, row);
	}
	free(sigs);
	free(dup);
	json_decref(kept);
	size_t n_rows = json_array_size(rows);
	double ver = adapted ? (double)verified / (double)adapted : 0.0;
	json_t *stats = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o}",
				  "repositories", (json_int_t)json_array_size(repos), "files", yield[0], "prefiltered",
				  yield[1], "judged", yield[2], "located", yield[3], "environment", yield[4], "adapted",
				  yield[5], "verified", verified, "first_run_verified", first_ok, "ver", ver,
				  "failed_first_run", failed_first, "rescued_by_debug", rescued, "timeouts", timeouts,
				  "over_size", oversize, "after_dedup", (json_int_t)n_rows, "duplicates", dups,
				  "dropped", drops, "missing_modules", missing);
	json_object_set_new(stats, "missing_programs", missing_progs);
	/* the report */
	struct sbuf b = {0};
	sb_printf(&b, "# AutoSDT dataset\n\n%zu tasks from %zu repositories.\n\n| stage | kept |\n|---|---:|\n", n_rows,
		  json_array_size(repos));
	const char *labels[] = {"files crawled", "pre-filtered", "judged tasks", "dependencies located",
				"environment", "adapted"};
	for (int s = 0; s < N_STAGES; s++)
		sb_printf(&b, "| %s | %lld |\n", labels[s], yield[s]);
	sb_printf(&b, "| verified | %lld |\n| after near-duplicate removal | %zu |\n\n", verified, n_rows);
	sb_printf(&b, "VER (verified / adapted): %.3f (%lld / %lld). First run: %lld; self-debug rescued %lld of %lld; "
		  "timeouts %lld; over the output limit %lld.\n\n", ver, verified, adapted, first_ok, rescued,
		  failed_first, timeouts, oversize);
	sb_printf(&b, "## Why files were dropped\n\n| stage: reason | files |\n|---|---:|\n");
	const char *key;
	json_t *v;
	json_object_foreach (drops, key, v)
		sb_printf(&b, "| %s | %lld |\n", key, (long long)json_integer_value(v));
	if (json_object_size(missing)) {
		sb_printf(&b, "\n## Modules missing from the environment\n\n");
		json_object_foreach (missing, key, v)
			sb_printf(&b, "- `%s`: %s\n", key, json_string_value(v));
	}
	if (json_object_size(missing_progs)) {
		sb_printf(&b, "\n## Programs missing from the environment\n\n");
		json_object_foreach (missing_progs, key, v)
			sb_printf(&b, "- `%s`: %s\n", key, json_string_value(v));
	}
	json_decref(repos);
	char path[4096];
	int rc = sdt_output_jsonl(ctx, api, "out", "dataset.jsonl", rows);
	if (rc == WEFT_OK && weft_op_workfile(ctx, api, "report.md", path, sizeof path)) {
		FILE *f = fopen(path, "w");
		if (!f || fputs(b.p ? b.p : "", f) == EOF || fclose(f) != 0)
			rc = api->fail(ctx, "autosdt.dataset: cannot write %s", path);
		else
			rc = weft_op_set_file(ctx, api, "report", path);
	}
	free(b.p);
	if (rc != WEFT_OK) {
		json_decref(stats);
		return rc;
	}
	return sdt_output_value(ctx, api, "stats", stats);
}
