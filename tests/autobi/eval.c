/*
 * eval.c -- the Auto-BI evaluation harness.
 *
 *   autobi-eval eval MODEL [--seeds A-B] [--rows N] [--min-f1 F] [-v]
 *                                                     F1 table per shape and TPC-H
 *   autobi-eval train OUT [--seeds A-B] [--rows N]    fit a model (the shipped one
 *                                                     comes from pipelines/autobi-train.lua)
 *   autobi-eval score MODEL.json TRUTH.json            P/R/F1 of one predicted model
 *   autobi-eval bench MODEL [--tables N] [--rows N] [--threads N]
 *                                  stage timings on one wide schema (N threads for the pair search)
 *   autobi-eval dump MODEL SHAPE [--seeds S-S]         every candidate with p and its label
 *
 * Schemas are generated into a temporary directory with the same generator
 * the training pipeline uses, and run through the same library code the
 * plugin's ops call.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <ftw.h>

#include "bimodel.h"
#include "steps.h"
#include "synth.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(p);
}

typedef struct run {
	abi_profile *profs;
	size_t n;
	abi_graph g;
	json_t *truth;
	double t_parse, t_profile, t_cand, t_predict, t_kmca, t_model;
	size_t nodes;
	int exact;
} run;

static void run_free(run *r)
{
	for (size_t i = 0; i < r->n; i++)
		abi_profile_free(&r->profs[i]);
	free(r->profs);
	abi_graph_free(&r->g);
	json_decref(r->truth);
	memset(r, 0, sizeof *r);
}

/* Generates one schema and computes its candidates (no model needed yet). */
static int prepare(run *r, const char *shape, uint64_t seed, int rows, int tables, unsigned threads)
{
	memset(r, 0, sizeof *r);
	char dir[] = "/tmp/autobi-eval-XXXXXX", err[1024];
	if (!mkdtemp(dir))
		return -1;
	abi_synth_opts so = {shape, seed, rows, tables};
	char tdir[600], tpath[600];
	snprintf(tdir, sizeof tdir, "%s/tables", dir);
	snprintf(tpath, sizeof tpath, "%s/truth.json", dir);
	int rc = -1;
	if (abi_synth(dir, &so, err, sizeof err) != 0 ||
	    abi_profile_dir(&r->profs, &r->n, tdir, &r->t_parse, &r->t_profile, err, sizeof err) != 0)
		goto done;
	json_error_t je;
	if (!(r->truth = json_load_file(tpath, 0, &je))) {
		snprintf(err, sizeof err, "%s: %s", tpath, je.text);
		goto done;
	}
	double t0 = now();
	abi_cand_opts co = ABI_CAND_OPTS_INIT;
	co.threads = threads;
	if (abi_graph_from_profiles(&r->g, r->profs, r->n) != 0 || abi_candidates(&r->g.c, r->profs, r->n, &co) != 0) {
		snprintf(err, sizeof err, "out of memory");
		goto done;
	}
	r->t_cand = now() - t0;
	rc = 0;
done:
	if (rc != 0)
		fprintf(stderr, "autobi-eval: %s seed %llu: %s\n", shape, (unsigned long long)seed, err);
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}

static int predict_model(json_t **model, run *r, const abi_lr *m)
{
	char err[512];
	double t0 = now();
	abi_predict_all(&r->g, m);
	double t1 = now();
	abi_kmca_opts ko = ABI_KMCA_OPTS_INIT;
	abi_kmca_result kr;
	if (abi_kmca_graph(&kr, &r->g, &ko, err, sizeof err) != 0) {
		fprintf(stderr, "autobi-eval: kmca: %s\n", err);
		return -1;
	}
	double t2 = now();
	char *dot = NULL;
	int rc = abi_bimodel_build(model, &dot, &r->g, &kr, 0.5, err, sizeof err);
	r->t_predict = t1 - t0;
	r->t_kmca = t2 - t1;
	r->t_model = now() - t2;
	r->nodes = kr.nodes;
	r->exact = kr.exact;
	free(dot);
	abi_kmca_result_free(&kr);
	if (rc != 0)
		fprintf(stderr, "autobi-eval: model: %s\n", err);
	return rc;
}

static int parse_seeds(const char *s, int *a, int *b)
{
	return sscanf(s, "%d-%d", a, b) == 2 && *a <= *b ? 0 : -1;
}

static const char *const shapes[] = {"star", "snowflake", "constellation", "tpch"};

static int cmd_eval(const char *model_path, int s0, int s1, int rows, int verbose, double min_f1)
{
	abi_lr m;
	char err[512];
	if (abi_lr_load(&m, model_path, err, sizeof err) != 0) {
		fprintf(stderr, "autobi-eval: %s\n", err);
		return 2;
	}
	printf("%-14s %7s %6s %6s %6s %6s %7s %7s\n", "shape", "schemas", "edges", "P", "R", "F1", "exact", "local");
	size_t all_tp = 0, all_fp = 0, all_fn = 0;
	for (int sh = 0; sh < 4; sh++) {
		size_t tp = 0, fp = 0, fn = 0, exact = 0, n = 0, ltp = 0, lfp = 0;
		int last = strcmp(shapes[sh], "tpch") == 0 ? s0 + 2 : s1;
		for (int seed = s0; seed <= last; seed++) {
			run r;
			json_t *model = NULL;
			if (prepare(&r, shapes[sh], (uint64_t)seed, strcmp(shapes[sh], "tpch") == 0 ? 6000 : rows, 0, 1) != 0 ||
			    predict_model(&model, &r, &m) != 0) {
				run_free(&r);
				return 1;
			}
			abi_score sc;
			if (abi_score_model(&sc, model, r.truth, err, sizeof err) != 0) {
				fprintf(stderr, "autobi-eval: %s\n", err);
				return 1;
			}
			/* "local": thresholding p at 0.5 without the global step. */
			int *lab = calloc(r.g.c.n + 1, sizeof *lab);
			if (lab && abi_label(lab, &r.g, r.truth, err, sizeof err) == 0)
				for (size_t i = 0; i < r.g.c.n; i++)
					if (r.g.c.v[i].p >= 0.5) {
						ltp += (size_t)lab[i];
						lfp += (size_t)!lab[i];
					}
			free(lab);
			if (verbose && !sc.exact) {
				printf("  %s seed %d: tp %zu fp %zu fn %zu\n", shapes[sh], seed, sc.tp, sc.fp, sc.fn);
				json_t *pj = json_object_get(model, "joins");
				for (size_t i = 0; i < json_array_size(pj); i++) {
					char *d = json_dumps(json_array_get(pj, i), JSON_COMPACT);
					printf("    pred %s\n", d);
					free(d);
				}
				json_t *tj = json_object_get(r.truth, "joins");
				for (size_t i = 0; i < json_array_size(tj); i++) {
					char *d = json_dumps(json_array_get(tj, i), JSON_COMPACT);
					printf("    true %s\n", d);
					free(d);
				}
			}
			tp += sc.tp, fp += sc.fp, fn += sc.fn, exact += (size_t)sc.exact, n++;
			json_decref(model);
			run_free(&r);
		}
		double p = tp + fp ? (double)tp / (double)(tp + fp) : 1, rc = tp + fn ? (double)tp / (double)(tp + fn) : 1;
		double lp = ltp + lfp ? (double)ltp / (double)(ltp + lfp) : 1, lr = tp + fn ? (double)ltp / (double)(tp + fn) : 1;
		printf("%-14s %7zu %6zu %6.3f %6.3f %6.3f %6.2f %7.3f\n", shapes[sh], n, tp + fn, p, rc,
		       p + rc > 0 ? 2 * p * rc / (p + rc) : 0, (double)exact / (double)n,
		       lp + lr > 0 ? 2 * lp * lr / (lp + lr) : 0);
		all_tp += tp, all_fp += fp, all_fn += fn;
	}
	double p = (double)all_tp / (double)(all_tp + all_fp), rc = (double)all_tp / (double)(all_tp + all_fn);
	double f1 = 2 * p * rc / (p + rc);
	printf("%-14s %7s %6zu %6.3f %6.3f %6.3f\n", "all", "", all_tp + all_fn, p, rc, f1);
	if (f1 < min_f1) {
		fprintf(stderr, "autobi-eval: edge F1 %.3f is below --min-f1 %.3f\n", f1, min_f1);
		return 1;
	}
	return 0;
}

static int cmd_train(const char *out, int s0, int s1, int rows)
{
	abi_examples e = {0};
	char err[512];
	for (int sh = 0; sh < 3; sh++)
		for (int seed = s0; seed <= s1; seed++) {
			run r;
			if (prepare(&r, shapes[sh], (uint64_t)seed, rows, 0, 1) != 0)
				return 1;
			int bad = abi_examples_add(&e, &r.g, r.truth, err, sizeof err);
			run_free(&r);
			if (bad) {
				fprintf(stderr, "autobi-eval: %s\n", err);
				return 1;
			}
		}
	abi_lr m;
	if (abi_lr_train(&m, e.X, e.y, e.n, 1.0, 50, err, sizeof err) != 0 ||
	    abi_lr_save(&m, out, "autobi-eval train", err, sizeof err) != 0) {
		fprintf(stderr, "autobi-eval: %s\n", err);
		return 1;
	}
	printf("trained on %zu candidates (%zu joins), log loss %.4f\n", e.n, m.trained_positive, m.train_log_loss);
	abi_examples_free(&e);
	return 0;
}

static int cmd_score(const char *mp, const char *tp)
{
	json_error_t je;
	json_t *m = json_load_file(mp, 0, &je), *t = m ? json_load_file(tp, 0, &je) : NULL;
	char err[256];
	abi_score s;
	if (!m || !t || abi_score_model(&s, m, t, err, sizeof err) != 0) {
		fprintf(stderr, "autobi-eval: %s\n", !m || !t ? je.text : err);
		json_decref(m);
		json_decref(t);
		return 2;
	}
	printf("tp %zu fp %zu fn %zu precision %.3f recall %.3f f1 %.3f exact %s\n", s.tp, s.fp, s.fn, s.precision,
	       s.recall, s.f1, s.exact ? "yes" : "no");
	json_decref(m);
	json_decref(t);
	return 0;
}

static int cmd_bench(const char *model_path, int tables, int rows, unsigned threads)
{
	abi_lr m;
	char err[512];
	if (abi_lr_load(&m, model_path, err, sizeof err) != 0) {
		fprintf(stderr, "autobi-eval: %s\n", err);
		return 2;
	}
	run r;
	json_t *model = NULL;
	if (prepare(&r, "wide", 7, rows, tables, threads) != 0 || predict_model(&model, &r, &m) != 0)
		return 1;
	abi_score sc;
	abi_score_model(&sc, model, r.truth, err, sizeof err);
	size_t cells = 0;
	for (size_t i = 0; i < r.n; i++)
		cells += r.profs[i].nrows * r.profs[i].ncols;
	double analysis = r.t_cand + r.t_predict + r.t_kmca + r.t_model;
	printf("tables %zu cells %zu candidates %zu\n", r.n, cells, r.g.c.n);
	printf("parse %.3fs profile %.3fs candidates %.3fs predict %.4fs kmca %.4fs (%zu nodes, %s) model %.4fs\n",
	       r.t_parse, r.t_profile, r.t_cand, r.t_predict, r.t_kmca, r.nodes, r.exact ? "exact" : "budget hit",
	       r.t_model);
	printf("excluding parsing: %.3fs (with profiling %.3fs); including parsing: %.3fs\n", analysis,
	       analysis + r.t_profile, analysis + r.t_profile + r.t_parse);
	printf("edges: P %.3f R %.3f F1 %.3f\n", sc.precision, sc.recall, sc.f1);
	json_decref(model);
	run_free(&r);
	return 0;
}

static int cmd_dump(const char *model_path, const char *shape, int seed, int rows, int tables)
{
	abi_lr m;
	char err[512];
	run r;
	if (abi_lr_load(&m, model_path, err, sizeof err) != 0 || prepare(&r, shape, (uint64_t)seed, rows, tables, 1) != 0)
		return 1;
	abi_predict_all(&r.g, &m);
	int *lab = calloc(r.g.c.n + 1, sizeof *lab);
	if (!lab || abi_label(lab, &r.g, r.truth, err, sizeof err) != 0)
		return 1;
	for (size_t i = 0; i < r.g.c.n; i++) {
		const abi_cand *c = &r.g.c.v[i];
		printf("%s %.3f %s.%s%s%s -> %s.%s%s%s\n", lab[i] ? "TRUE " : "false", c->p, r.g.t[c->from].name,
		       r.g.t[c->from].cols[c->fc[0]], c->ncols > 1 ? "+" : "", c->ncols > 1 ? r.g.t[c->from].cols[c->fc[1]] : "",
		       r.g.t[c->to].name, r.g.t[c->to].cols[c->tc[0]], c->ncols > 1 ? "+" : "",
		       c->ncols > 1 ? r.g.t[c->to].cols[c->tc[1]] : "");
	}
	free(lab);
	run_free(&r);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: autobi-eval eval|train|score|bench ...\n");
		return 2;
	}
	int s0 = 1, s1 = 10, rows = 3000, tables = 100, verbose = 0;
	unsigned threads = 1;
	double min_f1 = 0;
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--seeds") == 0 && i + 1 < argc) {
			if (parse_seeds(argv[++i], &s0, &s1) != 0)
				return 2;
		} else if (strcmp(argv[i], "--rows") == 0 && i + 1 < argc)
			rows = atoi(argv[++i]);
		else if (strcmp(argv[i], "--tables") == 0 && i + 1 < argc)
			tables = atoi(argv[++i]);
		else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
			threads = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--min-f1") == 0 && i + 1 < argc)
			min_f1 = atof(argv[++i]);
		else if (strcmp(argv[i], "-v") == 0)
			verbose = 1;
	}
	if (strcmp(argv[1], "eval") == 0)
		return cmd_eval(argv[2], s0, s1, rows, verbose, min_f1);
	if (strcmp(argv[1], "train") == 0)
		return cmd_train(argv[2], s0, s1, rows);
	if (strcmp(argv[1], "score") == 0 && argc >= 4)
		return cmd_score(argv[2], argv[3]);
	if (strcmp(argv[1], "dump") == 0 && argc >= 4)
		return cmd_dump(argv[2], argv[3], s0, rows, tables);
	if (strcmp(argv[1], "bench") == 0)
		return cmd_bench(argv[2], tables, rows, threads);
	fprintf(stderr, "autobi-eval: unknown command '%s'\n", argv[1]);
	return 2;
}
