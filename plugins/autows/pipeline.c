/*
 * pipeline.c -- see pipeline.h.
 */
#include "pipeline.h"

#include "rng.h"
#include "semisup.h"
#include "temper.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int aws_apply_lfs(aws_lmat *L, const aws_lfset *lfs, const aws_data *D, char *err, size_t errlen)
{
	int *dense = malloc((D->n * lfs->n != 0 ? D->n * lfs->n : 1) * sizeof *dense);
	if (!dense) {
		snprintf(err, errlen, "out of memory for a %zu x %zu label matrix", D->n, lfs->n);
		return -1;
	}
	for (size_t i = 0; i < D->n; i++)
		for (size_t j = 0; j < lfs->n; j++)
			dense[i * lfs->n + j] = aws_lf_vote(&lfs->v[j], D->X + i * D->d);
	int rc = aws_lmat_from_dense(L, dense, D->n, lfs->n, D->k);
	free(dense);
	if (rc != 0)
		snprintf(err, errlen, "the LFs vote for classes the dataset does not have; generate them on this dataset");
	return rc;
}

int *aws_vote_counts(const aws_lmat *L)
{
	int *v = malloc((L->n ? L->n : 1) * sizeof *v);
	for (size_t i = 0; v && i < L->n; i++)
		v[i] = (int)(L->row[i + 1] - L->row[i]);
	return v;
}

/* Why weight the gold rows: a hundred exact labels against thousands of
 * noisy ones would otherwise count for almost nothing, and the end model
 * would copy the LFs' mistakes instead of correcting them. */
/* Label spreading over a built graph: gold one-hot on labeled rows, the
 * weighted label-model P on covered rows, nothing on rows in `hide` (the
 * labels a CV fold holds out: still graph rows, their labels unused); the
 * rows outside the graph take the mean of their nearest graph rows. */
static int smooth_on(double **F, const aws_knn *g, const aws_data *D, const int *votes,
		     const double *P, double alpha, double weak_weight, const uint8_t *hide, char *err, size_t errlen)
{
	size_t k = D->k, nr = g->nr;
	double *Y0 = calloc(nr * k + 1, sizeof *Y0), *G = malloc((nr * k + 1) * sizeof *G);
	*F = malloc((D->n * k + 1) * sizeof **F);
	int rc = -1;
	if (!Y0 || !G || !*F) {
		snprintf(err, errlen, "smoothing: out of memory");
		goto done;
	}
	for (size_t q = 0; q < nr; q++) {
		size_t i = g->rows[q];
		if (hide && hide[i])
			continue;
		if (D->split[i] == AWS_LABELED)
			Y0[q * k + (size_t)D->y[i]] = 1;
		else if (weak_weight > 0 && votes[i] > 0)
			for (size_t c = 0; c < k; c++)
				Y0[q * k + c] = weak_weight * P[i * k + c];
	}
	if (aws_spread(G, g, Y0, k, alpha, 30) != 0 || aws_spread_predict(*F, D->n, g, G, k) != 0) {
		snprintf(err, errlen, "smoothing: out of memory");
		goto done;
	}
	rc = 0;
done:
	if (rc != 0) {
		free(*F);
		*F = NULL;
	}
	free(Y0), free(G);
	return rc;
}

/* The graph over D's labeled and unlabeled rows, by their features X
 * (n x D->d); *rows is its row list. */
static int graph_of(aws_knn *g, size_t **rows, const aws_data *D, const double *X, size_t k_nn, char *err,
		    size_t errlen)
{
	size_t nr = 0;
	*rows = malloc((D->n ? D->n : 1) * sizeof **rows);
	for (size_t i = 0; *rows && i < D->n; i++)
		if (D->split[i] != AWS_TEST)
			(*rows)[nr++] = i;
	if (!*rows || aws_knn_build(g, X, D->d, *rows, nr, k_nn) != 0) {
		free(*rows);
		*rows = NULL;
		snprintf(err, errlen, "smoothing: out of memory, or fewer than 2 rows");
		return -1;
	}
	if (aws_knn_outside(g, X, D->n, D->d) != 0) { /* the test rows' neighbours, found once */
		aws_knn_free(g);
		free(*rows);
		*rows = NULL;
		snprintf(err, errlen, "smoothing: out of memory");
		return -1;
	}
	return 0;
}

/* graph_of over X, which it then frees: a graph needs its features only
 * to be built and to find its outside rows' neighbours. X NULL: out of
 * memory. */
static int graph_over(aws_knn *g, size_t **rows, const aws_data *D, double *X, size_t k_nn, char *err,
		      size_t errlen)
{
	if (!X) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = graph_of(g, rows, D, X, k_nn, err, errlen);
	free(X);
	return rc;
}

/* A vote count of 1 for each of n rows: once smoothed, every unlabeled
 * row has a label to learn, covered by an LF or not. */
static int *every_row(size_t n)
{
	int *v = malloc((n ? n : 1) * sizeof *v);
	for (size_t i = 0; v && i < n; i++)
		v[i] = 1;
	return v;
}

int aws_train_end_model(aws_lr *m, const aws_data *D, const int *votes, const double *P, const aws_end_opts *o,
			char *err, size_t errlen)
{
	size_t *rows = malloc((D->n ? D->n : 1) * sizeof *rows), nr = 0, ngold = 0;
	double *T = malloc((D->n ? D->n : 1) * D->k * sizeof *T), *W = malloc((D->n ? D->n : 1) * sizeof *W);
	if (!rows || !T || !W) {
		free(rows), free(T), free(W);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < D->n; i++) {
		int labeled = D->split[i] == AWS_LABELED;
		if (!labeled && (D->split[i] != AWS_UNLABELED || votes[i] == 0))
			continue; /* test rows never train; uncovered rows carry no signal */
		if (!labeled) {
			double mx = 0;
			for (size_t c = 0; c < D->k; c++)
				mx = P[i * D->k + c] > mx ? P[i * D->k + c] : mx;
			if (mx < o->min_conf)
				continue; /* too unsure to teach anything but noise */
		}
		for (size_t c = 0; c < D->k; c++)
			T[nr * D->k + c] = labeled ? (D->y[i] == (int32_t)c) : P[i * D->k + c];
		W[nr] = labeled ? -1 : 1; /* gold rows get their weight below */
		ngold += labeled;
		rows[nr++] = i;
	}
	double gw = o->gold_weight;
	if (gw <= 0)
		gw = ngold && nr > ngold ? (double)(nr - ngold) / (double)ngold / (o->weak_share > 0 ? o->weak_share : 1)
					 : 1.0;
	if (gw < 1)
		gw = 1; /* never trust a gold label less than a weak one */
	for (size_t q = 0; q < nr; q++)
		if (W[q] < 0)
			W[q] = gw;
	int rc = aws_lr_fit(m, D->X, D->d, D->k, rows, nr, T, W, o->l2, o->iters, err, errlen);
	free(rows), free(T), free(W);
	return rc;
}

static const char *const end_names[] = {"logistic",	   "smoothed",	       "graph",
					"selftrained",	   "lf_graph",	       "gold_logistic",
					"gold_spreading", "gold_selftrained", "units_graph",
					"gold_units",	   "auto"};

int aws_end_parse(const char *name)
{
	for (int i = 0; i <= AWS_END_AUTO; i++)
		if (name && !strcmp(name, end_names[i]))
			return i;
	return -1;
}

const char *aws_end_name(aws_end_kind k)
{
	return k <= AWS_END_AUTO ? end_names[k] : "?";
}

void aws_end_result_free(aws_end_result *r)
{
	aws_lr_free(&r->model);
	for (size_t q = 0; q < r->n_more; q++)
		aws_lr_free(&r->more[q].model);
	free(r->P);
	memset(r, 0, sizeof *r);
}

/* The smoothing of the two graph kinds: alpha 0.9 unless the caller set
 * one (a larger alpha lets the graph carry labels farther), k 7, and a
 * weak label's weight w (0: the asked one, or 0.3). */
static aws_end_opts graph_opts(const aws_end_opts *o, double w)
{
	aws_end_opts g = *o;
	if (g.smooth <= 0)
		g.smooth = 0.9;
	if (!g.neighbours)
		g.neighbours = 7;
	g.weak_weight = w > 0 ? w : g.weak_weight > 0 ? g.weak_weight : 0.3;
	return g;
}

int aws_lf_feature_weights(double *w, const aws_lfset *lfs, size_t d)
{
	double tot = 0;
	for (size_t j = 0; j < d; j++)
		w[j] = 0;
	for (size_t l = 0; lfs && l < lfs->n; l++) {
		const aws_lf *f = &lfs->v[l];
		double q = f->ho_fscore > 0 ? f->ho_fscore : 0;
		for (int j = 0; j < f->nf; j++)
			if (f->f[j] >= 0 && (size_t)f->f[j] < d)
				w[f->f[j]] += q / f->nf;
		tot += q;
	}
	if (!(tot > 0))
		return -1; /* every q was 0, so is every w[j] */
	for (size_t j = 0; j < d; j++)
		w[j] /= tot;
	return 0;
}

/* The graphs the graph kinds spread over, built once per fit: `all` on
 * the features as given (built when a kind needs it), `lf` on the
 * features scaled by the LFs' weights (lf_rows NULL when no LF scored),
 * `un` on the features in their own units (un_rows NULL without units). */
typedef struct graphs {
	aws_knn all, lf, un;
	size_t *rows, *lf_rows, *un_rows;
} graphs;

static void graphs_free(graphs *gs)
{
	aws_knn_free(&gs->all);
	aws_knn_free(&gs->lf);
	aws_knn_free(&gs->un);
	free(gs->rows), free(gs->lf_rows), free(gs->un_rows);
	memset(gs, 0, sizeof *gs);
}

/* X scaled by the square roots of the LFs' feature weights; NULL when no
 * LF scored (or out of memory, which *oom tells). */
static double *lf_scaled(const aws_data *D, const aws_lfset *lfs, int *oom)
{
	double *w = malloc((D->d ? D->d : 1) * sizeof *w);
	*oom = !w;
	if (!w || aws_lf_feature_weights(w, lfs, D->d) != 0) {
		free(w);
		return NULL;
	}
	for (size_t j = 0; j < D->d; j++)
		w[j] = sqrt(w[j]);
	double *X = aws_data_scaled(D, w);
	*oom = !X;
	free(w);
	return X;
}

/* A gold kind: the labeled rows alone, every LF ignored (gold_units:
 * gold_spreading over units_graph's graph). */
static int fit_gold(aws_end_result *out, aws_end_kind kind, const aws_data *D, const int *votes,
		    const aws_end_opts *o, const graphs *gs, const uint8_t *hide, char *err, size_t errlen)
{
	out->weak_weight = 0;
	if (kind == AWS_END_GOLD_SPREADING || kind == AWS_END_GOLD_UNITS) /* weak weight 0: no LF's label seeds it */
		return smooth_on(&out->P, kind == AWS_END_GOLD_UNITS ? &gs->un : &gs->all, D, votes, NULL,
				 AWS_GOLD_SPREAD_ALPHA, 0, hide, err, errlen);
	if (kind == AWS_END_GOLD_SELFTRAINED) {
		aws_self_opts so = {0.75, 10, o->l2, o->iters};
		return aws_self_train(&out->P, &out->model, D, NULL, &so, err, errlen);
	}
	if (aws_train_baseline(&out->model, D, o->l2, o->iters, err, errlen) != 0)
		return -1;
	if (aws_predict_all(&out->P, &out->model, D) != 0) {
		aws_lr_free(&out->model);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* One kind at weak weight w, on D (a CV fold's copy: its held-out labels
 * are test rows, and `hide` marks them for the graphs, which are built once). */
static int fit_kind(aws_end_result *out, aws_end_kind kind, double w, const aws_data *D, const int *votes,
		    const double *LM, const aws_end_opts *o, const graphs *gs, const uint8_t *hide, char *err,
		    size_t errlen)
{
	memset(out, 0, sizeof *out);
	out->chosen = kind;
	out->weight = 1;
	out->temperature = 1;
	out->cv_answer = -1;
	out->cv_brier_answer = -1;
	for (int q = 0; q < AWS_END_KINDS; q++)
		out->cv[q] = out->cv_brier[q] = out->cv_brier_tempered[q] = -1;
	aws_end_opts go = graph_opts(o, w);
	int regression = kind == AWS_END_LOGISTIC || kind == AWS_END_SELFTRAINED;
	out->l2 = o->l2; /* what a regression is fitted at; a graph kind has no use for it */
	/* a regression's weight is its weak share, the caller's: w is the
	 * graphs' (no candidate gives a regression its own) */
	out->weak_weight = regression ? o->weak_share : go.weak_weight;
	if (kind == AWS_END_GRAPH)
		return smooth_on(&out->P, &gs->all, D, votes, LM, go.smooth, go.weak_weight, hide, err, errlen);
	if ((kind >= AWS_END_GOLD_LOGISTIC && kind <= AWS_END_GOLD_SELFTRAINED) || kind == AWS_END_GOLD_UNITS)
		return fit_gold(out, kind, D, votes, o, gs, hide, err, errlen);
	if (kind == AWS_END_LFGRAPH)
		return smooth_on(&out->P, &gs->lf, D, votes, LM, go.smooth, go.weak_weight, hide, err, errlen);
	if (kind == AWS_END_UNITS_GRAPH)
		return smooth_on(&out->P, &gs->un, D, votes, LM, go.smooth, go.weak_weight, hide, err, errlen);
	double *S = NULL;
	int *all = NULL;
	if (kind == AWS_END_SMOOTHED) {
		/* the regression learns every unlabeled row's smoothed label */
		if (smooth_on(&S, &gs->all, D, votes, LM, go.smooth, go.weak_weight, hide, err, errlen) != 0)
			return -1;
		if (!(all = every_row(D->n))) {
			free(S);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	aws_end_opts ro = *o;
	ro.weak_share = regression ? o->weak_share : 0;
	int rc = aws_train_end_model(&out->model, D, all ? all : votes, S ? S : LM, &ro, err, errlen);
	free(S), free(all);
	if (rc != 0)
		return -1;
	if (aws_predict_all(&out->P, &out->model, D) != 0) {
		aws_end_result_free(out);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (kind == AWS_END_SELFTRAINED) {
		aws_self_opts so = {0.75, 5, o->l2, o->iters};
		double *P = NULL;
		aws_lr m = {0};
		if (aws_self_train(&P, &m, D, out->P, &so, err, errlen) != 0) {
			aws_end_result_free(out);
			return -1;
		}
		free(out->P);
		out->P = P;
		if (m.w) { /* m is zero when no round added a row: the logistic model stands */
			aws_lr_free(&out->model);
			out->model = m;
		}
	}
	return 0;
}

/* What AUTO's cross-validation tries: logistic, then each graph kind at
 * each weak weight (an asked weak_weight leaves one per kind), then
 * selftrained, then lf_graph at each weak weight where the LFs scored,
 * then the three gold kinds, then units_graph at each weak weight and
 * gold_units where the dataset has units, then gold_logistic at a tenth
 * of the L2 penalty (later, so a tie keeps the kinds that came before
 * it). Why that last one: where the classes are cut from a line, 100
 * labels bear a weaker penalty than the default, and its CV Brier score
 * says so (a linear target in tertiles: 0.799 -> 0.825, docs/plugins/
 * autows.md). The regressions
 * are tried at their default weak share only: at 0.1 as well, all three
 * baselines were beaten on 33 of 58 sets instead of 36 (docs/plugins/
 * autows.md). Why a range:
 * how far the LFs can be trusted against label spreading from the gold
 * labels differs by dataset. On digits spreading from 100 labels is right
 * on 95% of the rows, and the LFs should only break its ties (0.01); on
 * circles in noise dimensions the LFs see what the graph cannot (0.3). */
static const double weak_grid[] = {0.01, 0.1, 0.3};
enum { WEAK_GRID = sizeof weak_grid / sizeof weak_grid[0], CANDIDATES = 2 + 4 * WEAK_GRID + 5 };
_Static_assert(CANDIDATES - 1 <= AWS_END_MAX_MORE, "every candidate but the chosen one may join the mean");

typedef struct candidate {
	aws_end_kind kind;
	double w;
	double l2; /* gold_logistic's L2 penalty; 0: the caller's */
} candidate;

/* fit_kind for candidate c, at its L2 penalty. */
static int fit_cand(aws_end_result *out, const candidate *c, const aws_data *D, const int *votes, const double *LM,
		    const aws_end_opts *o, const graphs *gs, const uint8_t *hide, char *err, size_t errlen)
{
	aws_end_opts co = *o;
	if (c->l2 > 0)
		co.l2 = c->l2;
	return fit_kind(out, c->kind, c->w, D, votes, LM, &co, gs, hide, err, errlen);
}

/* Candidate q's weak weight: the one asked, or the grid's q-th. */
static double grid_weight(const aws_end_opts *o, int q)
{
	return o->weak_weight > 0 ? o->weak_weight : weak_grid[q];
}

/* The candidates (a tie goes to the earlier); their count. */
static int candidates(candidate *c, const aws_end_opts *o, int lf_graph, int units_graph)
{
	int n = 0, nw = o->weak_weight > 0 ? 1 : WEAK_GRID;
	c[n++] = (candidate){.kind = AWS_END_LOGISTIC};
	for (int kd = AWS_END_SMOOTHED; kd <= AWS_END_GRAPH; kd++)
		for (int q = 0; q < nw; q++)
			c[n++] = (candidate){.kind = (aws_end_kind)kd, .w = grid_weight(o, q)};
	c[n++] = (candidate){.kind = AWS_END_SELFTRAINED};
	for (int q = 0; lf_graph && q < nw; q++)
		c[n++] = (candidate){.kind = AWS_END_LFGRAPH, .w = grid_weight(o, q)};
	for (int kd = AWS_END_GOLD_LOGISTIC; kd <= AWS_END_GOLD_SELFTRAINED; kd++)
		c[n++] = (candidate){.kind = (aws_end_kind)kd};
	for (int q = 0; units_graph && q < nw; q++)
		c[n++] = (candidate){.kind = AWS_END_UNITS_GRAPH, .w = grid_weight(o, q)};
	if (units_graph)
		c[n++] = (candidate){.kind = AWS_END_GOLD_UNITS};
	c[n++] = (candidate){.kind = AWS_END_GOLD_LOGISTIC, .l2 = o->l2 / 10};
	return n;
}

/* Each candidate's weight in AUTO's answer, from its Brier score summed
 * over the out-of-fold labels: exp(-(B_c - B_best) / 2), the likelihood
 * of its errors as Gaussian noise of unit variance, so a candidate the CV
 * cannot tell from the best (a few rows' worth, on 100 labels) shares the
 * answer and one clearly worse drops out. Normalised; a weight under
 * 0.001 becomes 0. Why not the best one, or the mean of the best two: the
 * CV ranks the top candidates by a row or two, close to a coin toss; on
 * the 56 sets replayed (docs/plugins/autows.md), the best two's mean beat
 * all three baselines on 37, these weights on 41 (on 38, 39 and 38 with
 * 1, 3 and 4 in place of 2); run on all 78 sets of bench/autows-unseen.sh,
 * 49 against 48, and logistic regression 71 against 67.
 * B_c is scored after the candidate's own temperature (temper.h), the
 * mean is of the untempered predictions: raw, the weak-label regressions,
 * fitted on thousands of rows, are better calibrated than the regression
 * on the 100 gold labels alone, and outweighed it on the 4 ordered
 * classes of final18 although its test accuracy was the best. final22,
 * made to judge it, run with and without: all three baselines beaten on
 * 4 of 5 sets against 2, logistic regression on 4 against 3; all 118
 * sets: 88 against 86, 103 against 103, per seed 375 of 701 against 364
 * (docs/plugins/autows.md, "Tempered scores"). */
static void cv_weights(double *w, const double *brier, int nc)
{
	double best = brier[0], tot = 0;
	for (int c = 1; c < nc; c++)
		best = brier[c] < best ? brier[c] : best;
	for (int c = 0; c < nc; c++)
		tot += w[c] = exp(-(brier[c] - best) / 2);
	double kept = 0;
	for (int c = 0; c < nc; c++) {
		w[c] = w[c] / tot < 1e-3 ? 0 : w[c];
		kept += w[c];
	}
	for (int c = 0; c < nc; c++)
		w[c] /= kept; /* the best has weight 1 before, so kept >= 1 */
}

/* The hits and the Brier score (summed over the labels) of the candidates'
 * out-of-fold predictions weighed by w. */
static void mean_cv(double *hits, double *brier, const double *oof, const double *w, int nc, const aws_data *D,
		    const size_t *lab, size_t nl)
{
	size_t k = D->k;
	*hits = 0, *brier = 0;
	for (size_t q = 0; q < nl; q++) {
		size_t best = 0;
		double pb = -1;
		for (size_t cl = 0; cl < k; cl++) {
			double p = 0;
			for (int c = 0; c < nc; c++)
				p += w[c] > 0 ? w[c] * oof[((size_t)c * nl + q) * k + cl] : 0;
			double t = p - (D->y[lab[q]] == (int32_t)cl);
			*brier += t * t;
			if (p > pb)
				pb = p, best = cl;
		}
		*hits += (int32_t)best == D->y[lab[q]];
	}
}

/* A fold's own weak labels: o->lfs fitted again on the fold's labeled rows
 * (F's), their votes, and label model o->label_model on them. */
static int fold_weak(double **P, int **votes, const aws_data *F, const aws_end_opts *o, char *err, size_t errlen)
{
	size_t *lab = NULL, nl = aws_data_rows(F, AWS_LABELED, &lab);
	int32_t *known = malloc((F->n ? F->n : 1) * sizeof *known);
	aws_lfset s = {0};
	aws_lmat L = {0};
	aws_lm_result r = {0};
	int rc = -1;
	*P = NULL, *votes = NULL;
	if (!lab || !known) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < F->n; i++)
		known[i] = F->split[i] == AWS_LABELED ? F->y[i] : -1;
	if (aws_lfset_refit(&s, o->lfs, F->X, F->n, F->d, F->y, F->k, lab, nl, err, errlen) != 0)
		goto done;
	if (s.n == 0) { /* no LF fits these rows: no weak labels, every row uncovered */
		*votes = calloc(F->n ? F->n : 1, sizeof **votes);
		*P = malloc((F->n ? F->n : 1) * F->k * sizeof **P);
		for (size_t i = 0; *P && i < F->n * F->k; i++)
			(*P)[i] = 1.0 / (double)F->k;
		rc = *votes && *P ? 0 : -1;
		if (rc != 0) {
			free(*votes), free(*P);
			*votes = NULL, *P = NULL;
			snprintf(err, errlen, "out of memory");
		}
		goto done;
	}
	if (aws_apply_lfs(&L, &s, F, err, errlen) != 0 ||
	    aws_label_model(&r, &L, (aws_lm_kind)o->label_model, o->lm_iters, known, err, errlen) != 0)
		goto done;
	if (!(*votes = aws_vote_counts(&L))) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	*P = r.proba, r.proba = NULL;
	rc = 0;
done:
	aws_lm_result_free(&r);
	aws_lmat_free(&L);
	aws_lfset_free(&s);
	free(lab), free(known);
	return rc;
}

/* A partition's order of the rows within a class: splitmix64's mix of
 * (row, partition). wrng_splitmix adds its step before it mixes, so the
 * seed is the value less that step. */
static uint64_t fold_order(size_t row, int rep)
{
	uint64_t s = (((uint64_t)row << 8) ^ (uint64_t)rep) - 0x9e3779b97f4a7c15ULL;
	return wrng_splitmix(&s);
}

typedef struct {
	uint64_t key;
	size_t q;
} fold_key;

static int by_key(const void *a, const void *b)
{
	const fold_key *x = a, *y = b;
	return x->key < y->key ? -1 : x->key > y->key ? 1 : (x->q > y->q) - (x->q < y->q);
}

int aws_cv_folds(int *fold, const aws_data *D, const size_t *lab, size_t nl, int rep)
{
	fold_key *ks = malloc((nl ? nl : 1) * sizeof *ks);
	if (!ks)
		return -1;
	size_t at = 0;
	for (size_t c = 0; c < D->k; c++) {
		size_t m = 0;
		for (size_t q = 0; q < nl; q++)
			if ((size_t)D->y[lab[q]] == c)
				ks[m++] = (fold_key){rep ? fold_order(lab[q], rep) : q, q};
		qsort(ks, m, sizeof *ks, by_key);
		for (size_t i = 0; i < m; i++)
			fold[ks[i].q] = (int)(at++ % 5);
	}
	free(ks);
	return 0;
}

int aws_end_fit(aws_end_result *out, aws_end_kind kind, const aws_data *D, const int *votes, const double *LM,
		const aws_end_opts *o, char *err, size_t errlen)
{
	graphs gs = {0};
	aws_end_opts go = graph_opts(o, 0);
	int oom = 0;
	double *Xlf = NULL;
	if (kind == AWS_END_LFGRAPH || kind == AWS_END_AUTO)
		Xlf = lf_scaled(D, o->lfs, &oom);
	if (oom) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (kind == AWS_END_LFGRAPH && !Xlf) {
		snprintf(err, errlen, "the lf_graph end model weighs the features by the LFs' held-out F-scores: %s",
			 o->lfs ? "no LF scored above 0 on its held-out rows; use kind graph" : "no LFs were given");
		return -1;
	}
	if ((kind == AWS_END_SMOOTHED || kind == AWS_END_GRAPH || kind == AWS_END_GOLD_SPREADING ||
	     kind == AWS_END_AUTO) &&
	    graph_of(&gs.all, &gs.rows, D, D->X, go.neighbours, err, errlen) != 0) {
		free(Xlf);
		graphs_free(&gs);
		return -1;
	}
	if (Xlf && graph_over(&gs.lf, &gs.lf_rows, D, Xlf, go.neighbours, err, errlen) != 0) {
		graphs_free(&gs);
		return -1;
	}
	if ((kind == AWS_END_UNITS_GRAPH || kind == AWS_END_GOLD_UNITS) && !o->units) {
		snprintf(err, errlen,
			 "the %s end model needs the features' standard deviations before standardisation; the dataset "
			 "does not have them",
			 aws_end_name(kind));
		graphs_free(&gs);
		return -1;
	}
	if ((kind == AWS_END_UNITS_GRAPH || kind == AWS_END_GOLD_UNITS || kind == AWS_END_AUTO) && o->units &&
	    graph_over(&gs.un, &gs.un_rows, D, aws_data_scaled(D, o->units), go.neighbours, err, errlen) != 0) {
		graphs_free(&gs);
		return -1;
	}
	int rc = 0;
	if (kind != AWS_END_AUTO) {
		rc = fit_kind(out, kind, 0, D, votes, LM, o, &gs, NULL, err, errlen);
		graphs_free(&gs);
		return rc;
	}
	candidate cand[CANDIDATES];
	int nc = candidates(cand, o, gs.lf_rows != NULL, gs.un_rows != NULL);
	/* 5 stratified folds of the labeled rows (aws_cv_folds), over cv_repeats partitions */
	size_t *lab = NULL, nl = aws_data_rows(D, AWS_LABELED, &lab);
	aws_data F = *D; /* shares everything but the split */
	F.split = malloc((D->n ? D->n : 1) * sizeof *F.split);
	uint8_t *hide = calloc(D->n ? D->n : 1, 1);
	int *fold = malloc((nl ? nl : 1) * sizeof *fold);
	double hits[CANDIDATES] = {0}, brier[CANDIDATES] = {0};
	int reps = o->cv_repeats > 1 ? o->cv_repeats : 1;
	/* out-of-fold predictions, one set per partition */
	double *oof = malloc((nl ? nl : 1) * (size_t)reps * (size_t)nc * D->k * sizeof *oof);
	int32_t *yl = malloc((nl ? nl : 1) * sizeof *yl); /* the labeled rows' classes, for temper.h */
	const double **blk = malloc((size_t)reps * sizeof *blk);
	if (!lab || !F.split || !fold || !hide || !oof || !yl || !blk) {
		rc = -1;
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	for (int it = 0; rc == 0 && it < reps * 5 && nl >= 10; it++) {
		int f = it % 5;
		double *roof = oof + (size_t)(it / 5) * nc * nl * D->k;
		if (f == 0 && aws_cv_folds(fold, D, lab, nl, it / 5) != 0) {
			rc = -1;
			snprintf(err, errlen, "out of memory");
			break;
		}
		memcpy(F.split, D->split, D->n * sizeof *F.split);
		for (size_t q = 0; q < nl; q++) {
			hide[lab[q]] = fold[q] == f;
			if (fold[q] == f)
				F.split[lab[q]] = AWS_TEST; /* hidden from this fold's end model */
		}
		double *FP = NULL;
		int *fv = NULL;
		if (o->lfs && fold_weak(&FP, &fv, &F, o, err, errlen) != 0) {
			rc = -1;
			break;
		}
		/* a fold's regressions stop earlier: they rank the kinds, the
		 * final fit below gets every iteration */
		aws_end_opts co = *o;
		co.iters = co.iters > 200 ? 200 : co.iters;
		for (int c = 0; rc == 0 && c < nc; c++) {
			aws_end_result r;
			if (fit_cand(&r, &cand[c], &F, fv ? fv : votes, FP ? FP : LM, &co, &gs, hide, err, errlen) != 0) {
				rc = -1;
				break;
			}
			for (size_t q = 0; q < nl; q++) {
				if (fold[q] != f)
					continue;
				const double *p = r.P + lab[q] * D->k;
				memcpy(roof + ((size_t)c * nl + q) * D->k, p, D->k * sizeof *p);
				size_t best = 0;
				for (size_t cl = 0; cl < D->k; cl++) {
					double t = p[cl] - (D->y[lab[q]] == (int32_t)cl);
					brier[c] += t * t;
					if (p[cl] > p[best])
						best = cl;
				}
				hits[c] += (int32_t)best == D->y[lab[q]];
			}
			aws_end_result_free(&r);
		}
		free(FP), free(fv);
	}
	if (rc == 0) {
		/* the answer: the candidates weighed by the CV, heaviest first
		 * (on a tie, the earlier); without folds, the first alone */
		double w[CANDIDATES] = {1}, tb[CANDIDATES], temp[CANDIDATES];
		int ord[CANDIDATES], nm = 0;
		for (int c = 0; c < nc; c++) /* each partition's sum over the labels, averaged */
			brier[c] /= reps, hits[c] /= reps, temp[c] = 1;
		for (size_t q = 0; q < nl; q++)
			yl[q] = D->y[lab[q]];
		for (int c = 0; nl >= 10 && c < nc; c++) { /* the weights' scores: tempered (see cv_weights) */
			for (int r = 0; r < reps; r++)
				blk[r] = oof + ((size_t)r * nc + c) * nl * D->k;
			tb[c] = aws_temper_brier(blk, (size_t)reps, yl, nl, D->k, &temp[c]) / reps;
		}
		if (nl >= 10)
			cv_weights(w, tb, nc);
		for (int c = 0; c < nc; c++) { /* insertion: stable */
			if (!(w[c] > 0))
				continue;
			int p = nm++;
			for (; p > 0 && w[c] > w[ord[p - 1]]; p--)
				ord[p] = ord[p - 1];
			ord[p] = c;
		}
		rc = fit_cand(out, &cand[ord[0]], D, votes, LM, o, &gs, NULL, err, errlen);
		if (rc == 0)
			out->weight = w[ord[0]], out->temperature = temp[ord[0]];
		for (size_t i = 0; rc == 0 && nm > 1 && i < D->n * D->k; i++)
			out->P[i] *= w[ord[0]];
		for (int m = 1; rc == 0 && m < nm; m++) {
			aws_end_result r;
			if ((rc = fit_cand(&r, &cand[ord[m]], D, votes, LM, o, &gs, NULL, err, errlen)) != 0)
				break;
			for (size_t i = 0; i < D->n * D->k; i++)
				out->P[i] += w[ord[m]] * r.P[i];
			out->more[out->n_more++] =
				(aws_end_member){r.chosen, r.weak_weight, r.l2, w[ord[m]], r.model, temp[ord[m]]};
			r.model = (aws_lr){0};
			aws_end_result_free(&r);
		}
		if (rc == 0 && nl >= 10) {
			double h = 0, b = 0;
			for (int r = 0; r < reps; r++) {
				double hr, br;
				mean_cv(&hr, &br, oof + (size_t)r * nc * nl * D->k, w, nc, D, lab, nl);
				h += hr, b += br;
			}
			out->cv_answer = h / reps / (double)nl;
			out->cv_brier_answer = b / reps / (double)nl;
		}
		if (rc != 0)
			aws_end_result_free(out);
		for (int c = 0; rc == 0 && nl >= 10 && c < nc; c++) {
			aws_end_kind kd = cand[c].kind; /* each kind at its best weight */
			if (hits[c] / (double)nl > out->cv[kd])
				out->cv[kd] = hits[c] / (double)nl;
			if (out->cv_brier[kd] < 0 || brier[c] / (double)nl < out->cv_brier[kd])
				out->cv_brier[kd] = brier[c] / (double)nl;
			if (out->cv_brier_tempered[kd] < 0 || tb[c] / (double)nl < out->cv_brier_tempered[kd])
				out->cv_brier_tempered[kd] = tb[c] / (double)nl;
		}
	}
done:
	free(F.split), free(fold), free(lab), free(hide), free(oof), free(yl), free(blk);
	graphs_free(&gs);
	return rc;
}

size_t aws_pick_label_model(const double *brier, const double *accuracy, size_t n)
{
	int by_brier = n > 0;
	for (size_t i = 0; i < n; i++)
		by_brier = by_brier && brier[i] >= 0;
	size_t best = 0;
	for (size_t i = 1; i < n; i++)
		if (by_brier ? brier[i] < brier[best] : accuracy[i] > accuracy[best])
			best = i;
	return best;
}

int aws_train_baseline(aws_lr *m, const aws_data *D, double l2, int iters, char *err, size_t errlen)
{
	size_t *rows;
	size_t nr = aws_data_rows(D, AWS_LABELED, &rows);
	double *T = malloc((nr ? nr : 1) * D->k * sizeof *T);
	if (!rows || !T) {
		free(rows), free(T);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t q = 0; q < nr; q++)
		for (size_t c = 0; c < D->k; c++)
			T[q * D->k + c] = D->y[rows[q]] == (int32_t)c;
	int rc = aws_lr_fit(m, D->X, D->d, D->k, rows, nr, T, NULL, l2, iters, err, errlen);
	free(rows), free(T);
	return rc;
}
