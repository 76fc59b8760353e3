/*
 * outputs.c -- the two agents that end a run: export (the dataset as CSV
 * and JSONL, the fields in the order asked) and report (report.md and the
 * run's figures, from every message the run made).
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agentmsg.h"
#include "jsonio.h"

/* --------------------------------------------------------------- export */

static void csv_cell(FILE *fp, json_t *v)
{
	char *s = NULL;
	if (json_is_array(v)) {
		size_t cap = 1, i;
		json_t *x;
		json_array_foreach(v, i, x) cap += strlen(json_string_value(x) ?: "") + 2;
		s = calloc(1, cap);
		json_array_foreach(v, i, x)
		{
			if (s && i)
				strcat(s, "; ");
			if (s)
				strcat(s, json_string_value(x) ?: "");
		}
	} else if (json_is_string(v)) {
		s = strdup(json_string_value(v));
	} else if (v && !json_is_null(v)) {
		s = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
	}
	if (!s)
		return;
	int quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		fputc('"', fp);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			fputc('"', fp);
		fputc(*p, fp);
	}
	if (quote)
		fputc('"', fp);
	free(s);
}

int adt_run_export(weft_op_ctx *ctx, const weft_host_api *api)
{
	json_t *vb = adt_need_body(ctx, api, "verdict");
	if (!vb)
		return WEFT_ERROR;
	const char *rpath = adt_ref_path(ctx, api, "verdict", "records");
	const char *ppath = adt_ref_path(ctx, api, "verdict", "program");
	char err[512], dir[4096], path[4300];
	json_t *records = rpath ? adt_read_jsonl(rpath, err, sizeof err) : NULL;
	json_error_t je;
	json_t *program = ppath ? json_load_file(ppath, 0, &je) : NULL;
	if (!records || !program || !weft_op_workfile(ctx, api, "dataset", dir, sizeof dir) || mkdir(dir, 0755)) {
		json_decref(records);
		json_decref(program);
		json_decref(vb);
		return api->fail(ctx, "autodata.export: %s", !records ? err : "cannot read the program or make the dataset");
	}
	json_t *fields = json_object_get(program, "fields");
	/* the dataset: the wanted fields only, in their order */
	json_t *clean = json_array();
	size_t i, k;
	json_t *r, *f;
	json_array_foreach(records, i, r)
	{
		json_t *o = json_object();
		json_array_foreach(fields, k, f)
		{
			const char *name = json_string_value(json_object_get(f, "name"));
			json_t *v = json_object_get(r, name);
			json_object_set(o, name, v ? v : json_null());
		}
		json_array_append_new(clean, o);
	}
	snprintf(path, sizeof path, "%s/dataset.jsonl", dir);
	int bad = adt_write_jsonl(path, clean);
	snprintf(path, sizeof path, "%s/dataset.csv", dir);
	FILE *fp = bad ? NULL : fopen(path, "w");
	if (fp) {
		json_array_foreach(fields, k, f)
		{
			if (k)
				fputc(',', fp);
			csv_cell(fp, json_object_get(f, "name"));
		}
		fputs("\r\n", fp);
		json_array_foreach(clean, i, r)
		{
			json_array_foreach(fields, k, f)
			{
				if (k)
					fputc(',', fp);
				csv_cell(fp, json_object_get(r, json_string_value(json_object_get(f, "name"))));
			}
			fputs("\r\n", fp);
		}
		bad = fclose(fp) != 0;
	} else {
		bad = 1;
	}
	size_t n = json_array_size(clean);
	json_decref(clean);
	json_decref(records);
	json_decref(program);
	json_decref(vb);
	if (bad)
		return api->fail(ctx, "autodata.export: cannot write %s", path);
	if (weft_op_set_file(ctx, api, "out", dir) != WEFT_OK)
		return WEFT_ERROR;
	return weft_op_set_int(ctx, api, "records", (int64_t)n);
}

/* ---------------------------------------------------------------- report */

int adt_run_report(weft_op_ctx *ctx, const weft_host_api *api)
{
	/* every message the run made, in the order the pipeline lists them */
	json_t *all = wop_value_to_json(api, api->input(ctx, "inbox"));
	json_t *extra = wop_value_to_json(api, api->param(ctx, "figures"));
	if (!json_is_array(all)) {
		json_decref(all);
		json_decref(extra);
		return api->fail(ctx, "autodata.report: the inbox is not a list of messages");
	}
	long llm_calls = 0, llm_tokens = 0, turns = 0, fetched = 0, requests = 0, hits = 0, notmod = 0, crawls = 0;
	double agent_seconds = 0;
	json_t *plan = NULL, *pages = NULL, *apis = NULL, *verdict = NULL, *records = NULL;
	size_t i;
	json_t *m;
	json_array_foreach(all, i, m)
	{
		const char *t = json_string_value(json_object_get(m, "type"));
		json_t *b = json_object_get(m, "body");
		json_t *llm = json_object_get(b, "llm");
		llm_calls += (long)json_integer_value(json_object_get(llm, "calls"));
		agent_seconds += json_number_value(json_object_get(b, "seconds"));
		llm_tokens += (long)json_integer_value(json_object_get(llm, "tokens"));
		if (!t)
			continue;
		if (!strcmp(t, "plan"))
			plan = b;
		else if (!strcmp(t, "pages") || !strcmp(t, "apis")) {
			/* every crawl counts (one per agent without the artifact cache) */
			json_t *h = json_object_get(b, "http");
			fetched += (long)json_integer_value(json_object_get(h, "fetched"));
			requests += (long)json_integer_value(json_object_get(h, "requests"));
			hits += (long)json_integer_value(json_object_get(h, "cache_hits"));
			notmod += (long)json_integer_value(json_object_get(h, "not_modified"));
			if (!strcmp(t, "pages")) {
				crawls++;
				pages = pages ? pages : b;
			} else {
				apis = apis ? apis : b;
			}
		}
		else if (!strcmp(t, "verdict")) {
			verdict = b;
			turns++;
		} else if (!strcmp(t, "records"))
			records = b;
	}
	json_t *summary = json_pack(
		"{s:O?, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:O?, s:O?, s:b, s:O?}", "instruction",
		json_object_get(plan, "instruction"), "pages", (json_int_t)json_integer_value(json_object_get(pages, "pages")),
		"api_documents", (json_int_t)json_integer_value(json_object_get(apis, "documents")), "requests",
		(json_int_t)requests, "fetched", (json_int_t)fetched, "http_cache_hits", (json_int_t)hits, "not_modified",
		(json_int_t)notmod, "llm_calls", (json_int_t)llm_calls, "llm_tokens", (json_int_t)llm_tokens, "records",
		json_object_get(verdict, "records"), "fields", json_object_get(verdict, "fields"), "ok",
		json_is_true(json_object_get(verdict, "ok")), "problems", json_object_get(verdict, "problems"));
	json_object_set_new(summary, "turns", json_integer(turns));
	json_object_set_new(summary, "crawls", json_integer(crawls));
	json_object_set_new(summary, "agent_seconds", json_real(round(agent_seconds * 1000) / 1000));
	json_object_set_new(summary, "merged", json_integer(json_integer_value(json_object_get(records, "merged"))));
	json_object_set_new(summary, "plan_decided_by", json_incref(json_object_get(plan, "decided_by")));
	if (json_is_object(extra))
		json_object_update(summary, extra);
	char path[4096];
	if (!weft_op_workfile(ctx, api, "report.md", path, sizeof path)) {
		json_decref(all);
		json_decref(extra);
		json_decref(summary);
		return WEFT_ERROR;
	}
	FILE *fp = fopen(path, "w");
	if (fp) {
		fprintf(fp, "# AutoData run\n\n");
		fprintf(fp, "Instruction: %s\n\n", json_string_value(json_object_get(plan, "instruction")) ?: "");
		fprintf(fp, "| what | value |\n|---|---|\n");
		const char *k;
		json_t *v;
		json_object_foreach(summary, k, v)
		{
			if (json_is_object(v) || json_is_array(v) || !strcmp(k, "instruction"))
				continue;
			char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(6));
			fprintf(fp, "| %s | %s |\n", k, s ? s : "");
			free(s);
		}
		fprintf(fp, "\n## Fields\n\n| field | filled | of its type |\n|---|---|---|\n");
		json_object_foreach(json_object_get(verdict, "fields"), k, v)
		fprintf(fp, "| %s | %.3f | %.3f |\n", k, json_real_value(json_object_get(v, "filled")),
			json_real_value(json_object_get(v, "valid")));
		json_t *probs = json_object_get(verdict, "problems");
		if (json_array_size(probs)) {
			fprintf(fp, "\n## Problems left\n\n");
			json_array_foreach(probs, i, v) fprintf(fp, "- %s\n", json_string_value(v));
		}
		if (fclose(fp)) {
			fp = NULL;
		} else {
			fp = (FILE *)1;
		}
	}
	json_decref(all);
	json_decref(extra);
	if (!fp) {
		json_decref(summary);
		return api->fail(ctx, "autodata.report: cannot write %s", path);
	}
	if (weft_op_set_file(ctx, api, "out", path) != WEFT_OK) {
		json_decref(summary);
		return WEFT_ERROR;
	}
	weft_value *sv = wop_value_from_json(api, summary);
	json_decref(summary);
	return sv ? weft_op_set_value(ctx, api, "summary", sv) : api->fail(ctx, "out of memory");
}

