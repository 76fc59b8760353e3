/*
 * op_input.c -- autobi.tables, autobi.profile, autobi.candidates: from a
 * folder of CSV files to the schema graph of candidate joins.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cands_io.h"
#include "ops.h"
#include "steps.h"

/* ---- tables */

int abi_run_tables(weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *dir = weft_op_input_path(ctx, api, "data");
	if (!dir)
		return api->fail(ctx, "input 'data' must be a directory (weft.dir): %s", api->error_last());
	char **names;
	size_t n;
	int rc = abi_list_csv(&names, &n, dir);
	if (rc == -1)
		return api->fail(ctx, "input 'data' is not a directory; pass weft.dir(\"...\") of a folder of CSV files");
	if (rc != 0)
		return api->fail(ctx, "out of memory");
	if (n == 0)
		rc = api->fail(ctx, "the data directory has no .csv files; autobi reads one table per CSV file");
	weft_value *list = rc == WEFT_OK ? api->value_new_list() : NULL;
	for (size_t i = 0; i < n && rc == WEFT_OK; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		weft_value *art = NULL, *item = api->value_new_map();
		if (api->artifact_import(&art, ctx, path) != WEFT_OK) {
			api->value_free(item);
			rc = api->fail(ctx, "cannot read %s: %s", names[i], api->error_last());
			break;
		}
		names[i][strlen(names[i]) - 4] = '\0';
		if (api->value_map_set(item, "name", api->value_new_string(names[i], strlen(names[i]))) != WEFT_OK ||
		    api->value_map_set(item, "file", art) != WEFT_OK || api->value_list_push(list, item) != WEFT_OK)
			rc = api->fail(ctx, "out of memory");
	}
	abi_names_free(names, n);
	if (rc != WEFT_OK) {
		if (list)
			api->value_free(list);
		return rc;
	}
	return api->set_output(ctx, "out", list);
}

/* ---- profile */

static weft_value *stats_value(const weft_host_api *api, const abi_profile *p)
{
	weft_value *m = api->value_new_map(), *cols = api->value_new_list(), *ck = api->value_new_list();
	api->value_map_set(m, "table", api->value_new_string(p->table, strlen(p->table)));
	api->value_map_set(m, "rows", api->value_new_int((int64_t)p->nrows));
	for (size_t c = 0; c < p->ncols; c++) {
		const abi_column *col = &p->cols[c];
		weft_value *o = api->value_new_map();
		const char *tn = abi_type_name((abi_type)col->type);
		api->value_map_set(o, "name", api->value_new_string(col->name, strlen(col->name)));
		api->value_map_set(o, "type", api->value_new_string(tn, strlen(tn)));
		api->value_map_set(o, "missing", api->value_new_int((int64_t)col->nnull));
		api->value_map_set(o, "distinct", api->value_new_int((int64_t)col->ndistinct));
		api->value_map_set(o, "unique", api->value_new_bool(col->nnull == 0 && col->ndistinct == p->nrows));
		api->value_list_push(cols, o);
	}
	for (size_t k = 0; k < p->nckeys; k++) {
		weft_value *pair = api->value_new_list();
		const char *a = p->cols[p->ckeys[k].a].name, *b = p->cols[p->ckeys[k].b].name;
		api->value_list_push(pair, api->value_new_string(a, strlen(a)));
		api->value_list_push(pair, api->value_new_string(b, strlen(b)));
		api->value_list_push(ck, pair);
	}
	api->value_map_set(m, "columns", cols);
	api->value_map_set(m, "composite_keys", ck);
	return m;
}

int abi_run_profile(weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *path = weft_op_input_path(ctx, api, "table");
	const char *name = weft_op_param_string(ctx, api, "table_name");
	int64_t maxk = weft_op_param_int(ctx, api, "max_key_cols");
	if (!path)
		return api->fail(ctx, "input 'table' must be a CSV file artifact: %s", api->error_last());
	if (!name || !*name)
		return api->fail(ctx, "parameter 'table_name' must name the table");
	if (maxk < 0 || maxk > 64)
		return api->fail(ctx, "parameter 'max_key_cols' must be between 0 and 64, got %lld", (long long)maxk);
	char file[512], err[ERRLEN], out[4096];
	snprintf(file, sizeof file, "%s.csv", name);
	wcsv t;
	if (wcsv_read(&t, path, file, err, sizeof err) != 0)
		return api->fail(ctx, "%s", err);
	api->log(ctx, WEFT_LOG_INFO, "%s: %zu rows, %zu columns, delimiter '%c'", file, t.nrows, t.ncols, t.delim);
	abi_profile p;
	int rc = abi_profile_build(&p, &t, name, (size_t)maxk, err, sizeof err);
	wcsv_free(&t);
	if (rc != 0)
		return api->fail(ctx, "%s", err);
	snprintf(out, sizeof out, "%s/profile.bin", api->workdir(ctx));
	rc = abi_profile_save(&p, out, err, sizeof err) != 0 ? api->fail(ctx, "%s", err)
							       : weft_op_give_file(ctx, api, "out", out);
	if (rc == WEFT_OK)
		rc = api->set_output(ctx, "stats", stats_value(api, &p));
	abi_profile_free(&p);
	return rc;
}

/* ---- candidates */

static void free_profiles(abi_profile *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		abi_profile_free(&p[i]);
	free(p);
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int abi_run_candidates(weft_op_ctx *ctx, const weft_host_api *api)
{
	const weft_value *list = api->input(ctx, "profiles");
	if (!list || api->value_type(list) != WEFT_T_LIST)
		return api->fail(ctx, "input 'profiles' must be a list of autobi.profile outputs");
	size_t n = api->value_len(list);
	abi_profile *profs = calloc(n ? n : 1, sizeof *profs);
	if (!profs)
		return api->fail(ctx, "out of memory");
	char err[ERRLEN];
	int rc = WEFT_OK;
	/* as many threads as the node holds CPU slots (the op asks for 4) */
	unsigned threads = api->struct_size >= offsetof(weft_host_api, cpus) + sizeof(void *) ? api->cpus(ctx) : 1;
	double t0 = abi_now();
	/* the paths on this thread (host calls), the files on all */
	const char **paths = calloc(n ? n : 1, sizeof *paths);
	if (!paths) {
		free(profs);
		return api->fail(ctx, "out of memory");
	}
	for (size_t i = 0; i < n && rc == WEFT_OK; i++)
		if (!(paths[i] = weft_op_path_of(ctx, api, api->value_list_at(list, i))))
			rc = api->fail(ctx, "profiles[%zu] is not a profile artifact", i + 1);
	size_t bad = 0;
	if (rc == WEFT_OK && abi_profiles_load(profs, paths, n, threads, &bad, err, sizeof err) != 0)
		rc = api->fail(ctx, "profiles[%zu]: %s", bad + 1, err);
	free(paths);
	if (rc != WEFT_OK) {
		free(profs);
		return rc;
	}
	/* table names must be unique: sorted, neighbours compared */
	const char **names = malloc((n ? n : 1) * sizeof *names);
	if (!names) {
		free_profiles(profs, n);
		return api->fail(ctx, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		names[i] = profs[i].table;
	qsort(names, n, sizeof *names, by_str);
	for (size_t i = 1; i < n && rc == WEFT_OK; i++)
		if (strcmp(names[i - 1], names[i]) == 0)
			rc = api->fail(ctx, "two profiles are both of table '%s'; table names must be unique", names[i]);
	free(names);
	if (rc != WEFT_OK) {
		free_profiles(profs, n);
		return rc;
	}
	abi_cand_opts o = ABI_CAND_OPTS_INIT;
	o.min_containment = weft_op_param_float(ctx, api, "min_containment");
	o.min_key_unique = weft_op_param_float(ctx, api, "min_key_unique");
	o.composite = api->value_bool(api->param(ctx, "composite"));
	o.threads = threads;
	abi_graph g;
	double t1 = abi_now();
	if (abi_graph_from_profiles(&g, profs, n) != 0 || abi_candidates(&g.c, profs, n, &o) != 0)
		rc = api->fail(ctx, "out of memory while generating candidates");
	double t2 = abi_now();
	free_profiles(profs, n);
	if (rc == WEFT_OK) {
		api->log(ctx, WEFT_LOG_INFO, "%zu tables, %zu candidate joins (pair search on %u thread%s); read the "
			 "profiles in %.2f s, searched in %.2f s", n, g.c.n, o.threads, o.threads == 1 ? "" : "s", t1 - t0,
			 t2 - t1);
		size_t count = g.c.n;
		char out[4096];
		snprintf(out, sizeof out, "%s/candidates.bin", api->workdir(ctx));
		rc = abi_graph_save(&g, out, err, sizeof err) != 0 ? api->fail(ctx, "%s", err)
								 : weft_op_give_file(ctx, api, "out", out);
		if (rc == WEFT_OK)
			rc = api->set_output(ctx, "count", api->value_new_int((int64_t)count));
	}
	abi_graph_free(&g);
	return rc;
}

