/*
 * lfs.c -- the Snuba-style LF generator (see lfs.h): synthesizer, pruner,
 * verifier.
 *
 * Every heuristic is fitted on the feedback rows (at first, all labeled
 * rows) but scored on all labeled rows, so one lucky split of a handful
 * of hard rows does not pass for a good LF.
 */
#define _GNU_SOURCE
#include "lfs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "sortd.h"
#include "topk.h"

typedef struct ctx {
	const double *X;
	size_t n, d, k;
	const int32_t *y;
	const size_t *lab;
	size_t nlab;
	const size_t *pool; /* rows on which coverage and diversity are measured */
	size_t npool;
	/* for out-of-fold scores: the round's feedback rows, each labeled
	 * row's fold (5 folds; 255 = not labeled), scratch */
	const size_t *fb;
	size_t nfb;
	const uint8_t *fold_of;
	size_t *fold_rows, *side;
	double *vals, *oof;
} ctx;

static const double *row(const ctx *c, size_t i)
{
	return c->X + i * c->d;
}

/* ---- thresholds and leaves, one class against the rest */

/* P(target) in a leaf with `hit` of `tot` rows of the target, smoothed. */
static double leaf_p(double hit, double tot)
{
	return (hit + 0.5) / (tot + 1.0);
}

static double gini2(double hit, double tot)
{
	return tot > 0 ? 2 * hit * (1 - hit / tot) : 0;
}

/* The split of feature f over rows that minimises Gini impurity for the
 * target class; rows with x <= thr go left. NAN when nothing splits. */
static double best_split(const ctx *c, int f, int target, const size_t *rows, size_t nr, double *vals)
{
	for (size_t i = 0; i < nr; i++)
		vals[i] = row(c, rows[i])[f];
	wsort_doubles(vals, nr);
	double best = INFINITY, thr = NAN;
	for (int q = 1; q < 16; q++) {
		size_t at = nr * (size_t)q / 16;
		if (at == 0 || at >= nr || vals[at - 1] == vals[at])
			continue;
		double t = (vals[at - 1] + vals[at]) / 2, hl = 0, nl = 0, hr = 0, nrr = 0;
		for (size_t i = 0; i < nr; i++) {
			int h = c->y[rows[i]] == target;
			if (row(c, rows[i])[f] <= t)
				hl += h, nl += 1;
			else
				hr += h, nrr += 1;
		}
		double g = gini2(hl, nl) + gini2(hr, nrr);
		if (g < best - 1e-12) {
			best = g;
			thr = t;
		}
	}
	return thr;
}

/* ---- the three families */

/* The share of x's knn nearest reference rows (in the LF's features)
 * that are of its class; reference `skip` left out (leave-one-out on the
 * labeled rows while fitting; SIZE_MAX otherwise). Ties at the k-th
 * distance go to the earlier reference, as the order is fixed. */
static double knn_conf(const aws_lf *lf, const double *x, size_t skip)
{
	double best[32];
	size_t ref_of[32], have = 0, kk = lf->knn < 32 ? (size_t)lf->knn : 32;
	for (size_t r = 0; r < lf->nref; r++) {
		if (r == skip)
			continue;
		const double *ref = lf->p + r * (size_t)lf->nf;
		double s = 0;
		for (int j = 0; j < lf->nf; j++) {
			double t = x[lf->f[j]] - ref[j];
			s += t * t;
		}
		aws_topk_offer(best, ref_of, &have, kk, s, r);
	}
	int hit = 0;
	for (size_t q = 0; q < have; q++)
		hit += lf->ref_y[ref_of[q]] == lf->target;
	return have ? (double)hit / (double)have : 0;
}

static double lf_conf(const aws_lf *lf, const double *x)
{
	if (lf->family == AWS_LF_KNN)
		return knn_conf(lf, x, SIZE_MAX);
	if (lf->family == AWS_LF_STUMP)
		return lf->p[x[lf->f[0]] > lf->thr[0]];
	if (lf->family == AWS_LF_TREE) {
		int right = x[lf->f[0]] > lf->thr[0];
		return lf->p[right * 2 + (x[lf->f[1]] > lf->thr[1 + right])];
	}
	double z = lf->p[lf->nf];
	for (int j = 0; j < lf->nf; j++)
		z += lf->p[j] * x[lf->f[j]];
	return z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
}

int aws_lf_vote(const aws_lf *lf, const double *x)
{
	return lf_conf(lf, x) >= lf->beta ? lf->target : -1;
}

static void leaf_fill(const ctx *c, aws_lf *lf, const size_t *rows, size_t nr, int leaves)
{
	double hit[4] = {0}, tot[4] = {0};
	for (size_t i = 0; i < nr; i++) {
		const double *x = row(c, rows[i]);
		int leaf;
		if (leaves == 2) {
			leaf = x[lf->f[0]] > lf->thr[0];
		} else {
			int right = x[lf->f[0]] > lf->thr[0];
			leaf = right * 2 + (x[lf->f[1]] > lf->thr[1 + right]);
		}
		tot[leaf] += 1;
		hit[leaf] += c->y[rows[i]] == lf->target;
	}
	for (int l = 0; l < leaves; l++)
		lf->p[l] = leaf_p(hit[l], tot[l]);
}

static int fit_stump(aws_lf *lf, const ctx *c, int f, int target, const size_t *rows, size_t nr, double *vals)
{
	double t = best_split(c, f, target, rows, nr, vals);
	if (isnan(t) || !(lf->p = malloc(2 * sizeof *lf->p)))
		return -1;
	lf->family = AWS_LF_STUMP, lf->nf = 1, lf->f[0] = f, lf->thr[0] = t, lf->k = c->k, lf->target = target;
	leaf_fill(c, lf, rows, nr, 2);
	return 0;
}

static int fit_tree(aws_lf *lf, const ctx *c, int f1, int f2, int target, const size_t *rows, size_t nr,
		    double *vals, size_t *side)
{
	double t = best_split(c, f1, target, rows, nr, vals);
	if (isnan(t) || !(lf->p = malloc(4 * sizeof *lf->p)))
		return -1;
	lf->family = AWS_LF_TREE, lf->nf = 2, lf->f[0] = f1, lf->f[1] = f2, lf->thr[0] = t, lf->k = c->k;
	lf->target = target;
	for (int s = 0; s < 2; s++) {
		size_t ns = 0;
		for (size_t i = 0; i < nr; i++)
			if ((row(c, rows[i])[f1] > t) == s)
				side[ns++] = rows[i];
		double t2 = ns >= 2 ? best_split(c, f2, target, side, ns, vals) : NAN;
		lf->thr[1 + s] = isnan(t2) ? INFINITY : t2; /* no split: one leaf */
	}
	leaf_fill(c, lf, rows, nr, 4);
	return 0;
}

/* Logistic regression of the target against the rest on one or two
 * features, by gradient descent (features are standardised). */
static int fit_logistic(aws_lf *lf, const ctx *c, const int *f, int nf, int target, const size_t *rows, size_t nr)
{
	lf->family = AWS_LF_LOGISTIC, lf->nf = nf, lf->f[0] = f[0], lf->f[1] = nf > 1 ? f[1] : 0, lf->k = c->k;
	lf->target = target;
	if (!(lf->p = calloc((size_t)nf + 1, sizeof *lf->p)))
		return -1;
	for (int it = 0; it < 150; it++) {
		double g[3] = {0};
		for (size_t i = 0; i < nr; i++) {
			const double *x = row(c, rows[i]);
			double r = lf_conf(lf, x) - (c->y[rows[i]] == target);
			for (int j = 0; j < nf; j++)
				g[j] += r * x[f[j]];
			g[nf] += r;
		}
		for (int q = 0; q <= nf; q++)
			lf->p[q] -= 1.0 * (g[q] / (double)nr + 0.01 * lf->p[q]);
	}
	return 0;
}

/* A k-NN LF for the target on the features f[0..nf): every labeled row
 * is a reference (the feedback rows only steer which class is fitted). */
static int fit_knn(aws_lf *lf, const ctx *c, const int *f, int nf, int target, int knn)
{
	lf->family = AWS_LF_KNN, lf->nf = nf, lf->k = c->k, lf->target = target, lf->knn = knn;
	lf->nref = c->nlab;
	memcpy(lf->f, f, (size_t)nf * sizeof *f);
	lf->p = malloc(c->nlab * (size_t)nf * sizeof *lf->p);
	lf->ref_y = malloc(c->nlab * sizeof *lf->ref_y);
	if (!lf->p || !lf->ref_y) {
		free(lf->p), free(lf->ref_y);
		lf->p = NULL, lf->ref_y = NULL;
		return -1;
	}
	for (size_t i = 0; i < c->nlab; i++) {
		for (int j = 0; j < nf; j++)
			lf->p[i * (size_t)nf + (size_t)j] = row(c, c->lab[i])[f[j]];
		lf->ref_y[i] = c->y[c->lab[i]];
	}
	return 0;
}

/* ---- scoring: beta, F-score, coverage */

typedef struct vote {
	double conf;
	int correct;
} vote;

static int by_conf_desc(const void *a, const void *b)
{
	double x = ((const vote *)a)->conf, y = ((const vote *)b)->conf;
	return x > y ? -1 : x < y;
}

/* The same heuristic (family, features, class) fitted on other rows. */
static int refit(aws_lf *dst, const aws_lf *like, const ctx *c, const size_t *rows, size_t nr)
{
	memset(dst, 0, sizeof *dst);
	if (nr < 2)
		return -1;
	if (like->family == AWS_LF_STUMP)
		return fit_stump(dst, c, like->f[0], like->target, rows, nr, c->vals);
	if (like->family == AWS_LF_TREE)
		return fit_tree(dst, c, like->f[0], like->f[1], like->target, rows, nr, c->vals, c->side);
	return fit_logistic(dst, c, like->f, like->nf, like->target, rows, nr);
}

/* Each labeled row's confidence from the heuristic fitted without its
 * fold, so that the threshold and the F-score are chosen on rows the fit
 * did not see (in-sample, a 1-2 feature fit on 100 rows looked 0.78
 * precise on digits and was 0.53 on new rows). A fold's fit that fails
 * (nothing to split) abstains on that fold. */
static void out_of_fold(const aws_lf *lf, const ctx *c)
{
	for (int f = 0; f < 5; f++) {
		size_t nr = 0;
		for (size_t q = 0; q < c->nfb; q++)
			if (c->fold_of[c->fb[q]] != f)
				c->fold_rows[nr++] = c->fb[q];
		aws_lf g;
		int ok = refit(&g, lf, c, c->fold_rows, nr) == 0;
		for (size_t i = 0; i < c->nlab; i++)
			if (i % 5 == (size_t)f)
				c->oof[i] = ok ? lf_conf(&g, row(c, c->lab[i])) : 0;
		free(g.p);
	}
}

/* beta maximising the F-score of the votes for the target class on the
 * labeled rows: precision of its votes, recall of the class; each row's
 * confidence out of fold (k-NN: leave-one-out). */
static void choose_beta(aws_lf *lf, const ctx *c, vote *v, int oof)
{
	double positives = 0;
	if (oof && lf->family != AWS_LF_KNN)
		out_of_fold(lf, c);
	for (size_t i = 0; i < c->nlab; i++) {
		/* a k-NN LF's references are the labeled rows: leave the row out */
		v[i].conf = lf->family == AWS_LF_KNN ? knn_conf(lf, row(c, c->lab[i]), i)
			    : oof		     ? c->oof[i]
						     : lf_conf(lf, row(c, c->lab[i]));
		v[i].correct = c->y[c->lab[i]] == lf->target;
		positives += v[i].correct;
	}
	qsort(v, c->nlab, sizeof *v, by_conf_desc);
	double bestf = -1, hits = 0;
	lf->beta = 1.1, lf->fscore = lf->precision = lf->coverage = 0;
	for (size_t j = 0; j < c->nlab && positives > 0; j++) {
		hits += v[j].correct;
		if (j + 1 < c->nlab && v[j + 1].conf == v[j].conf)
			continue; /* a threshold keeps or drops ties together */
		if (v[j].conf <= 0.5)
			break; /* never vote for a class the heuristic finds unlikely */
		double prec = hits / (double)(j + 1), rec = hits / positives;
		double fs = prec + rec > 0 ? 2 * prec * rec / (prec + rec) : 0;
		if (fs > bestf) {
			bestf = fs;
			lf->beta = v[j].conf;
			lf->fscore = fs, lf->precision = prec, lf->coverage = (double)(j + 1) / (double)c->nlab;
		}
	}
}

/* Coverage bitmap over the pool rows. */
static void coverage(const aws_lf *lf, const ctx *c, uint8_t *bits)
{
	for (size_t i = 0; i < c->npool; i++)
		bits[i] = aws_lf_vote(lf, row(c, c->pool[i])) >= 0;
}

static double jaccard_distance(const uint8_t *a, const uint8_t *u, size_t n)
{
	size_t inter = 0, uni = 0;
	for (size_t i = 0; i < n; i++) {
		inter += a[i] && u[i];
		uni += a[i] || u[i];
	}
	return uni ? 1.0 - (double)inter / (double)uni : 0.0;
}

static int same_lf(const aws_lf *a, const aws_lf *b)
{
	if (a->family == AWS_LF_KNN || b->family == AWS_LF_KNN)
		return a->family == b->family && a->target == b->target && a->nf == b->nf &&
		       !memcmp(a->f, b->f, (size_t)a->nf * sizeof *a->f) && fabs(a->beta - b->beta) < 1e-12;
	return a->family == b->family && a->target == b->target && a->nf == b->nf && a->f[0] == b->f[0] &&
	       (a->nf < 2 || a->f[1] == b->f[1]) && a->thr[0] == b->thr[0] && fabs(a->beta - b->beta) < 1e-12;
}

int aws_lfset_refit(aws_lfset *out, const aws_lfset *in, const double *X, size_t n, size_t d, const int32_t *y,
		    size_t k, const size_t *lab, size_t nlab, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	size_t *side = malloc((nlab ? nlab : 1) * sizeof *side);
	double *vals = malloc((nlab ? nlab : 1) * sizeof *vals);
	out->v = calloc(in->n ? in->n : 1, sizeof *out->v);
	if (!side || !vals || !out->v) {
		free(side), free(vals), free(out->v);
		out->v = NULL;
		snprintf(err, errlen, "refitting the LFs: out of memory");
		return -1;
	}
	ctx c = {.X = X, .n = n, .d = d, .k = k, .y = y, .lab = lab, .nlab = nlab, .side = side, .vals = vals};
	for (size_t i = 0; i < in->n; i++) {
		const aws_lf *lf = &in->v[i];
		aws_lf *g = &out->v[out->n];
		int rc = lf->family == AWS_LF_KNN ? (nlab ? fit_knn(g, &c, lf->f, lf->nf, lf->target, lf->knn) : -1)
						  : refit(g, lf, &c, lab, nlab);
		if (rc != 0) { /* nothing splits these rows (or no memory): the LF is left out */
			free(g->p), free(g->ref_y);
			memset(g, 0, sizeof *g);
			continue;
		}
		g->beta = lf->beta;
		out->n++;
	}
	free(side), free(vals);
	return 0;
}

void aws_lfset_free(aws_lfset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].p);
		free(s->v[i].ref_y);
	}
	free(s->v);
	memset(s, 0, sizeof *s);
}

typedef struct round_state {
	const ctx *c;
	const aws_lfgen_opts *o;
	aws_lfset *out;
	const uint8_t *uni;
	vote *votes;
	uint8_t *bits;
	aws_lf best;
	double best_score;
} round_state;

/* Scores one fitted heuristic; keeps it when it beats the round's best. */
/* The kept LF's precision, coverage and F-score at its threshold, each
 * labeled row judged by a fit without its fold (k-NN: without itself):
 * what lfs.json reports as `held_out`, whatever chose the threshold. */
static void held_out_stats(aws_lf *lf, const ctx *c)
{
	if (lf->family != AWS_LF_KNN)
		out_of_fold(lf, c);
	double votes = 0, hits = 0, positives = 0;
	for (size_t i = 0; i < c->nlab; i++) {
		double conf = lf->family == AWS_LF_KNN ? knn_conf(lf, row(c, c->lab[i]), i) : c->oof[i];
		int pos = c->y[c->lab[i]] == lf->target;
		positives += pos;
		if (conf >= lf->beta)
			votes += 1, hits += pos;
	}
	lf->ho_precision = votes ? hits / votes : 0;
	lf->ho_coverage = c->nlab ? votes / (double)c->nlab : 0;
	double rec = positives ? hits / positives : 0;
	lf->ho_fscore = lf->ho_precision + rec > 0 ? 2 * lf->ho_precision * rec / (lf->ho_precision + rec) : 0;
}

static void consider(round_state *r, aws_lf *lf)
{
	choose_beta(lf, r->c, r->votes, r->o->out_of_fold);
	for (size_t i = 0; i < r->out->n; i++)
		if (same_lf(&r->out->v[i], lf)) {
			free(lf->p), free(lf->ref_y);
			return;
		}
	coverage(lf, r->c, r->bits);
	double div = r->out->n ? jaccard_distance(r->bits, r->uni, r->c->npool) : 1.0;
	double score = (1 - r->o->diversity) * lf->fscore + r->o->diversity * div;
	if (lf->fscore >= r->o->min_fscore && score > r->best_score) {
		free(r->best.p), free(r->best.ref_y);
		r->best = *lf;
		r->best_score = score;
	} else {
		free(lf->p), free(lf->ref_y);
	}
}

int aws_lf_generate(aws_lfset *out, const double *X, size_t n, size_t d, const int32_t *y, size_t k,
		    const size_t *lab, size_t nlab, const aws_lfgen_opts *o, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (k < 2 || k > 256 || nlab < 2 || d == 0) {
		snprintf(err, errlen, "LF generation needs 2..256 classes, 2 or more labeled rows and a feature");
		return -1;
	}
	uint64_t seed = o->seed;
	size_t npool = n < 2000 ? n : 2000;
	size_t *pool = malloc(npool * sizeof *pool), *feedback = malloc(nlab * sizeof *feedback);
	size_t *side = malloc(nlab * sizeof *side);
	double *vals = malloc(nlab * sizeof *vals);
	/* uni: the pool rows covered by the kept LFs of each class */
	uint8_t *uni = calloc(npool * k, 1), *bits = calloc(npool, 1), *spent = calloc(k, 1);
	size_t *per_class = calloc(k, sizeof *per_class);
	vote *votes = malloc(nlab * sizeof *votes);
	uint8_t *fold_of = malloc(n ? n : 1);
	size_t *fold_rows = malloc(nlab * sizeof *fold_rows);
	double *oof = malloc(nlab * sizeof *oof);
	out->v = calloc(o->max_lfs ? o->max_lfs : 1, sizeof *out->v);
	int rc = -1;
	if (!pool || !feedback || !side || !vals || !uni || !bits || !spent || !per_class || !votes || !out->v ||
	    !fold_of || !fold_rows || !oof) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	memset(fold_of, 255, n);
	for (size_t i = 0; i < nlab; i++)
		fold_of[lab[i]] = (uint8_t)(i % 5);
	for (size_t i = 0; i < npool; i++) /* a fixed sample: stride through the rows */
		pool[i] = n <= 2000 ? i : (size_t)((double)i * (double)n / (double)npool);
	ctx c = {X, n, d, k, y, lab, nlab, pool, npool, feedback, nlab, fold_of, fold_rows, side, vals, oof};
	memcpy(feedback, lab, nlab * sizeof *feedback);
	size_t nfb = nlab;
	while (out->n < o->max_lfs && nfb >= 2) {
		/* Classes take turns, the one with the fewest LFs first: left to
		 * F-score alone, the easy classes collect most LFs and the hard
		 * ones go almost unlabeled, which the end model then inherits. */
		int t = -1;
		for (int q = 0; q < (int)k; q++)
			if (!spent[q] && (t < 0 || per_class[q] < per_class[t]))
				t = q;
		if (t < 0)
			break;
		c.nfb = nfb;
		round_state r = {&c, o, out, uni + (size_t)t * npool, votes, bits, {0}, -INFINITY};
		for (int f = 0; f < (int)d; f++) {
			aws_lf lf = {0};
			if ((o->families & AWS_LF_STUMP) && fit_stump(&lf, &c, f, t, feedback, nfb, vals) == 0)
				consider(&r, &lf);
			aws_lf lg = {0};
			if ((o->families & AWS_LF_LOGISTIC) && fit_logistic(&lg, &c, &f, 1, t, feedback, nfb) == 0)
				consider(&r, &lg);
		}
		if (o->families & (AWS_LF_TREE | AWS_LF_LOGISTIC)) {
			size_t pairs = d * (d - 1) / 2;
			for (size_t q = 0; q < (pairs < o->max_pairs ? pairs : o->max_pairs); q++) {
				int f[2];
				if (pairs <= o->max_pairs) { /* every pair, in order */
					size_t a = 0, rest = q;
					while (rest >= d - 1 - a)
						rest -= d - 1 - a++;
					f[0] = (int)a, f[1] = (int)(a + 1 + rest);
				} else { /* a seeded sample */
					f[0] = (int)(wrng_splitmix(&seed) % d);
					f[1] = (int)((size_t)f[0] + 1 + wrng_splitmix(&seed) % (d - 1)) % (int)d;
				}
				aws_lf lt = {0}, ll = {0};
				if ((o->families & AWS_LF_TREE) &&
				    fit_tree(&lt, &c, f[0], f[1], t, feedback, nfb, vals, side) == 0)
					consider(&r, &lt);
				if ((o->families & AWS_LF_LOGISTIC) && fit_logistic(&ll, &c, f, 2, t, feedback, nfb) == 0)
					consider(&r, &ll);
			}
		}
		if (o->families & AWS_LF_KNN) {
			/* random subspaces: sqrt(d) features (4..AWS_LF_MAXF) */
			int sub = (int)sqrt((double)d);
			sub = sub < 4 ? 4 : sub > AWS_LF_MAXF ? AWS_LF_MAXF : sub;
			if ((size_t)sub > d)
				sub = (int)d;
			for (size_t q = 0; q < o->knn_subspaces; q++) {
				int f[AWS_LF_MAXF];
				for (int j = 0; j < sub; j++) { /* distinct, by rejection */
					int v, dup;
					do {
						v = (int)(wrng_splitmix(&seed) % d);
						dup = 0;
						for (int u = 0; u < j; u++)
							dup |= f[u] == v;
					} while (dup);
					f[j] = v;
				}
				for (int a = 1; a < sub; a++) /* sorted: the same set is the same LF */
					for (int b = a; b > 0 && f[b - 1] > f[b]; b--) {
						int tmp = f[b];
						f[b] = f[b - 1];
						f[b - 1] = tmp;
					}
				aws_lf lk = {0};
				if (fit_knn(&lk, &c, f, sub, t, o->knn) == 0)
					consider(&r, &lk);
			}
		}
		if (!r.best.p) {
			spent[t] = 1; /* nothing left for this class reaches min_fscore */
			continue;
		}
		held_out_stats(&r.best, &c);
		out->v[out->n++] = r.best;
		per_class[t]++;
		coverage(&r.best, &c, bits);
		for (size_t i = 0; i < npool; i++)
			uni[(size_t)t * npool + i] |= bits[i];
		/* Verifier: majority vote of the kept LFs on the labeled rows; the
		 * rows it gets wrong or is unsure of are the next feedback set. */
		nfb = 0;
		for (size_t i = 0; i < nlab; i++) {
			double cnt[256] = {0}, tot = 0;
			for (size_t j = 0; j < out->n; j++) {
				int v = aws_lf_vote(&out->v[j], row(&c, lab[i]));
				if (v >= 0)
					cnt[v] += 1, tot += 1;
			}
			size_t best = 0;
			for (size_t q = 1; q < k; q++)
				if (cnt[q] > cnt[best])
					best = q;
			if (tot == 0 || cnt[best] / tot < 0.75 || (int32_t)best != y[lab[i]])
				feedback[nfb++] = lab[i];
		}
	}
	if (out->n == 0) {
		snprintf(err, errlen,
			 "no labeling function reached an F-score of %.2f on the labeled rows; lower min_fscore or add "
			 "labels",
			 o->min_fscore);
		goto done;
	}
	rc = 0;
done:
	free(pool), free(feedback), free(side), free(vals), free(uni), free(bits), free(spent), free(per_class), free(votes);
	free(fold_of), free(fold_rows), free(oof);
	if (rc != 0)
		aws_lfset_free(out);
	return rc;
}

/* ---- JSON */

static const char *family_name(int f)
{
	return f == AWS_LF_STUMP ? "stump" : f == AWS_LF_TREE ? "tree" : f == AWS_LF_KNN ? "knn" : "logistic";
}

/* A number, or "inf" / "-inf" (JSON has no infinities; a tree's "no
 * split" threshold is +inf, and dropping it would shift the others). */
static json_t *dbl(double v)
{
	return isinf(v) ? json_string(v > 0 ? "inf" : "-inf") : json_real(isnan(v) ? 0 : v);
}

static int dbl_of(const json_t *j, double *out)
{
	const char *s = json_string_value(j);
	if (s && (!strcmp(s, "inf") || !strcmp(s, "-inf"))) {
		*out = s[0] == '-' ? -INFINITY : INFINITY;
		return 0;
	}
	if (!json_is_number(j))
		return -1;
	*out = json_number_value(j);
	return 0;
}

static json_t *dbl_array(const double *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, dbl(v[i]));
	return a;
}

json_t *aws_lfset_to_json(const aws_lfset *s, char *const *features, char *const *classes)
{
	json_t *arr = json_array(), *cl = json_array();
	for (size_t c = 0; s->n && c < s->v[0].k; c++)
		json_array_append_new(cl, json_string(classes[c]));
	for (size_t i = 0; i < s->n; i++) {
		const aws_lf *lf = &s->v[i];
		json_t *feats = json_array(), *fi = json_array();
		for (int j = 0; j < lf->nf; j++) {
			json_array_append_new(feats, json_string(features[lf->f[j]]));
			json_array_append_new(fi, json_integer(lf->f[j]));
		}
		size_t np = lf->family == AWS_LF_STUMP ? 2 : lf->family == AWS_LF_TREE ? 4 : (size_t)lf->nf + 1;
		json_t *o = json_pack("{s:i, s:s, s:s, s:i, s:o, s:o, s:o, s:{s:f, s:f, s:f}}", "id", (int)i, "family",
				      family_name(lf->family), "class", classes[lf->target], "class_index", lf->target,
				      "features", feats, "feature_index", fi, "abstain_below",
				      dbl(lf->beta), "labeled", "fscore", lf->fscore, "precision", lf->precision, "coverage",
				      lf->coverage);
		json_object_set_new(o, "held_out", json_pack("{s:f, s:f, s:f}", "fscore", lf->ho_fscore, "precision",
							     lf->ho_precision, "coverage", lf->ho_coverage));
		if (lf->family == AWS_LF_KNN) {
			json_t *refs = json_array(), *ry = json_array();
			for (size_t r = 0; r < lf->nref; r++) {
				json_array_append_new(refs, dbl_array(lf->p + r * (size_t)lf->nf, (size_t)lf->nf));
				json_array_append_new(ry, json_integer(lf->ref_y[r]));
			}
			json_object_set_new(o, "neighbours", json_integer(lf->knn));
			json_object_set_new(o, "references", refs);
			json_object_set_new(o, "reference_class", ry);
		} else {
			if (lf->family != AWS_LF_LOGISTIC)
				json_object_set_new(o, "thresholds",
						    dbl_array(lf->thr, lf->family == AWS_LF_STUMP ? 1 : 3));
			json_object_set_new(o, lf->family == AWS_LF_LOGISTIC ? "weights" : "leaves", dbl_array(lf->p, np));
		}
		json_array_append_new(arr, o);
	}
	return json_pack("{s:s, s:o, s:o}", "format", "autows-lfs/1", "classes", cl, "lfs", arr);
}

static int read_knn(aws_lf *lf, const json_t *o, size_t k)
{
	const json_t *refs = json_object_get(o, "references"), *ry = json_object_get(o, "reference_class");
	json_int_t kn = json_integer_value(json_object_get(o, "neighbours"));
	size_t nref = json_array_size(refs);
	if (nref == 0 || nref > 1000000 || json_array_size(ry) != nref || kn < 1 || kn > 32)
		return -1;
	lf->knn = (int)kn, lf->nref = nref;
	lf->p = malloc(nref * (size_t)lf->nf * sizeof *lf->p);
	lf->ref_y = malloc(nref * sizeof *lf->ref_y);
	if (!lf->p || !lf->ref_y)
		return -1;
	for (size_t r = 0; r < nref; r++) {
		const json_t *row = json_array_get(refs, r);
		json_int_t c = json_integer_value(json_array_get(ry, r));
		if (json_array_size(row) != (size_t)lf->nf || !json_is_integer(json_array_get(ry, r)) || c < 0 ||
		    (size_t)c >= k)
			return -1;
		lf->ref_y[r] = (int32_t)c;
		for (int q = 0; q < lf->nf; q++)
			if (dbl_of(json_array_get(row, (size_t)q), &lf->p[r * (size_t)lf->nf + (size_t)q]) != 0)
				return -1;
	}
	return 0;
}

int aws_lfset_from_json(aws_lfset *s, const json_t *j, size_t d, size_t k, char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	const json_t *arr = json_object_get(j, "lfs");
	const char *fmt = json_string_value(json_object_get(j, "format"));
	if (!fmt || strcmp(fmt, "autows-lfs/1") != 0 || !json_is_array(arr)) {
		snprintf(err, errlen, "not an autows LF file (format autows-lfs/1); make it with autows.generate_lfs");
		return -1;
	}
	if (!(s->v = calloc(json_array_size(arr) + 1, sizeof *s->v)))
		return -1;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *o = json_array_get(arr, i), *fi = json_object_get(o, "feature_index");
		const char *fam = json_string_value(json_object_get(o, "family"));
		aws_lf *lf = &s->v[s->n++];
		lf->family = !fam ? 0 : !strcmp(fam, "stump") ? AWS_LF_STUMP : !strcmp(fam, "tree") ? AWS_LF_TREE
			   : !strcmp(fam, "logistic") ? AWS_LF_LOGISTIC : !strcmp(fam, "knn") ? AWS_LF_KNN : 0;
		lf->nf = (int)json_array_size(fi);
		lf->k = k;
		int bad_num = dbl_of(json_object_get(o, "abstain_below"), &lf->beta) != 0;
		json_int_t tc = json_integer_value(json_object_get(o, "class_index"));
		lf->target = (int)tc;
		/* The statistics as scored when generated; the held-out F-score
		 * weighs the LF's features in the lf_graph end model. Optional:
		 * absent (an older file, a hand-written LF), they are 0. */
		const json_t *lb = json_object_get(o, "labeled"), *ho = json_object_get(o, "held_out");
		lf->fscore = json_number_value(json_object_get(lb, "fscore"));
		lf->precision = json_number_value(json_object_get(lb, "precision"));
		lf->coverage = json_number_value(json_object_get(lb, "coverage"));
		lf->ho_fscore = json_number_value(json_object_get(ho, "fscore"));
		lf->ho_precision = json_number_value(json_object_get(ho, "precision"));
		lf->ho_coverage = json_number_value(json_object_get(ho, "coverage"));
		if (!isfinite(lf->ho_fscore) || lf->ho_fscore < 0 || lf->ho_fscore > 1)
			lf->ho_fscore = 0;
		int maxf = lf->family == AWS_LF_KNN ? AWS_LF_MAXF : 2;
		int bad = bad_num || tc < 0 || (size_t)tc >= k || !lf->family || lf->nf < 1 || lf->nf > maxf ||
			  (lf->family == AWS_LF_STUMP && lf->nf != 1) || (lf->family == AWS_LF_TREE && lf->nf != 2);
		for (int q = 0; !bad && q < lf->nf; q++) {
			json_int_t v = json_integer_value(json_array_get(fi, (size_t)q));
			bad = v < 0 || (size_t)v >= d;
			lf->f[q] = (int)v;
		}
		if (!bad && lf->family == AWS_LF_KNN) {
			if (read_knn(lf, o, k) != 0) {
				snprintf(err, errlen, "LF %zu (k-NN) is malformed: its references, their classes and "
						      "neighbours must agree; generate the LFs again", i);
				aws_lfset_free(s);
				return -1;
			}
			continue;
		}
		const json_t *th = json_object_get(o, "thresholds");
		size_t nth = lf->family == AWS_LF_STUMP ? 1 : lf->family == AWS_LF_TREE ? 3 : 0;
		bad = bad || json_array_size(th) != nth;
		for (size_t q = 0; !bad && q < nth; q++)
			bad = dbl_of(json_array_get(th, q), &lf->thr[q]) != 0;
		size_t np = lf->family == AWS_LF_STUMP ? 2 : lf->family == AWS_LF_TREE ? 4 : (size_t)lf->nf + 1;
		const json_t *pv = json_object_get(o, lf->family == AWS_LF_LOGISTIC ? "weights" : "leaves");
		if (bad || json_array_size(pv) != np || !(lf->p = malloc(np * sizeof *lf->p))) {
			snprintf(err, errlen, "LF %zu is malformed or was made for other features or classes; generate the LFs "
				 "again", i);
			aws_lfset_free(s);
			return -1;
		}
		for (size_t q = 0; q < np; q++)
			if (dbl_of(json_array_get(pv, q), &lf->p[q]) != 0) {
				snprintf(err, errlen, "LF %zu has a parameter that is not a number; generate the LFs again", i);
				aws_lfset_free(s);
				return -1;
			}
	}
	return 0;
}
