/*
 * search.c -- search spaces and proposal algorithms (weft/search.h).
 *
 * Every dimension is handled in a unit coordinate u in [0, 1]: a float or
 * int maps u through its range (logarithmically with log = true), a choice
 * takes index floor(u * n). The algorithms work on those coordinates:
 *
 *   grid       every combination of grid_points values per numeric
 *              dimension (all the values of an int range when fewer) and
 *              every choice, in order; it ends when they are done.
 *   random     independent uniform coordinates.
 *   evolution  regularized evolution (Real et al., AAAI 2019): the last
 *              `population` trials are the population (the oldest die);
 *              a tournament of `tournament` random members picks a parent,
 *              and one of its dimensions mutates.
 *   tpe        the Tree-structured Parzen Estimator (Bergstra et al.,
 *              NeurIPS 2011): after `startup` random trials, the best
 *              `gamma` share of the trials forms l(x), the rest g(x), each a
 *              Parzen mixture per dimension with a uniform prior; of
 *              `ei_samples` draws from l, the one with the largest l/g wins.
 *
 * Randomness comes from a splitmix64 stream seeded by (seed, the number of
 * trials so far, the candidate's place in its batch), so a proposal never
 * depends on anything but its inputs. A failed trial (objective null) is
 * the worst trial there is.
 */
#define _GNU_SOURCE
#include "weft/search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "util.h"

enum { D_FLOAT, D_INT, D_CHOICE };

typedef struct dim {
	const char *name;
	int kind;
	double lo, hi;
	int log;
	const weft_value *values;
	size_t n_values;
} dim;

typedef struct obs {
	double *u;    /* one coordinate per dimension */
	double score; /* -INFINITY: failed */
} obs;

/* ------------------------------------------------------------ randomness */

typedef struct rng {
	uint64_t s;
} rng;

static uint64_t next64(rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static double u01(rng *r)
{
	return (double)(next64(r) >> 11) * 0x1.0p-53;
}

static double normal(rng *r)
{
	double a = u01(r), b = u01(r);
	return sqrt(-2.0 * log(a > 0 ? a : 0x1.0p-53)) * cos(6.283185307179586 * b);
}

static rng stream(uint64_t seed, size_t n_history, size_t k)
{
	rng r = {seed ^ 0x5851F42D4C957F2Dull};
	r.s ^= next64(&r) + (uint64_t)n_history * 0x2545F4914F6CDD1Dull;
	r.s ^= next64(&r) + (uint64_t)k * 0x9E3779B97F4A7C15ull;
	(void)next64(&r);
	return r;
}

/* ------------------------------------------------------------ spaces */

static double num(const weft_value *v, int *ok)
{
	weft_type t = weft_value_type(v);
	if (t == WEFT_T_INT || t == WEFT_T_FLOAT)
		return weft_value_get_float(v);
	*ok = 0;
	return 0;
}

static int parse_dim(dim *d, const char *name, const weft_value *v)
{
	d->name = name;
	const char *kind = weft_value_get_string(weft_value_map_get(v, "kind"), NULL);
	if (weft_value_type(v) != WEFT_T_MAP || !kind)
		return weft_err_set(WEFT_EINVALID, "search space: dimension '%s' must be weft.floatv, weft.intv or "
						   "weft.oneof (a map with a kind)", name);
	if (!strcmp(kind, "choice")) {
		d->kind = D_CHOICE;
		d->values = weft_value_map_get(v, "values");
		d->n_values = weft_value_len(d->values);
		if (weft_value_type(d->values) != WEFT_T_LIST || d->n_values == 0)
			return weft_err_set(WEFT_EINVALID, "search space: dimension '%s' must list at least one choice",
					    name);
		return WEFT_OK;
	}
	if (strcmp(kind, "float") && strcmp(kind, "int"))
		return weft_err_set(WEFT_EINVALID, "search space: dimension '%s' has kind '%s'; use float, int or "
						   "choice", name, kind);
	d->kind = !strcmp(kind, "float") ? D_FLOAT : D_INT;
	int ok = 1;
	d->lo = num(weft_value_map_get(v, "lo"), &ok);
	d->hi = num(weft_value_map_get(v, "hi"), &ok);
	d->log = weft_value_get_bool(weft_value_map_get(v, "log"));
	if (!ok || !isfinite(d->lo) || !isfinite(d->hi) || d->lo > d->hi)
		return weft_err_set(WEFT_EINVALID, "search space: dimension '%s' needs finite bounds with lo <= hi", name);
	if (d->log && !(d->lo > 0))
		return weft_err_set(WEFT_EINVALID, "search space: dimension '%s' is on a log scale, so lo must be > 0",
				    name);
	if (d->kind == D_INT && (d->lo != floor(d->lo) || d->hi != floor(d->hi)))
		return weft_err_set(WEFT_EINVALID, "search space: integer dimension '%s' needs whole bounds", name);
	return WEFT_OK;
}

static int parse_space(dim **out, size_t *n, const weft_value *space)
{
	*out = NULL;
	*n = 0;
	if (weft_value_type(space) != WEFT_T_MAP || weft_value_len(space) == 0)
		return weft_err_set(WEFT_EINVALID, "search space must be a non-empty map of name = dimension, for "
						   "example { lr = weft.floatv(1e-4, 1e-1, \"log\") }");
	size_t m = weft_value_len(space);
	dim *d = calloc(m, sizeof *d);
	if (!d)
		return weft_err_set(WEFT_ERROR, "out of memory");
	for (size_t i = 0; i < m; i++) {
		int rc = parse_dim(&d[i], weft_value_map_key_at(space, i), weft_value_map_value_at(space, i));
		if (rc != WEFT_OK) {
			free(d);
			return rc;
		}
	}
	*out = d;
	*n = m;
	return WEFT_OK;
}

int weft_search_space_check(const weft_value *space)
{
	dim *d;
	size_t n;
	int rc = parse_space(&d, &n, space);
	free(d);
	return rc;
}

/* ------------------------------------------------------------ coordinates */

static double clamp01(double u)
{
	return u < 0 ? 0 : u > 1 ? 1 : u;
}

static double to_x(const dim *d, double u)
{
	u = clamp01(u);
	double x = d->log ? exp(log(d->lo) + u * (log(d->hi) - log(d->lo))) : d->lo + u * (d->hi - d->lo);
	if (d->kind == D_INT)
		x = floor(x + 0.5);
	return x < d->lo ? d->lo : x > d->hi ? d->hi : x;
}

static double to_u(const dim *d, const weft_value *v)
{
	if (d->kind == D_CHOICE) {
		char h[65], hv[65];
		if (weft_value_hash(h, v) != WEFT_OK)
			return 0;
		for (size_t i = 0; i < d->n_values; i++)
			if (weft_value_hash(hv, weft_value_list_at(d->values, i)) == WEFT_OK && !strcmp(h, hv))
				return ((double)i + 0.5) / (double)d->n_values;
		return 0.5 / (double)d->n_values;
	}
	int ok = 1;
	double x = num(v, &ok);
	if (!ok || d->hi == d->lo)
		return 0.5;
	double u = d->log ? (log(x) - log(d->lo)) / (log(d->hi) - log(d->lo)) : (x - d->lo) / (d->hi - d->lo);
	return clamp01(u);
}

static size_t choice_of(const dim *d, double u)
{
	size_t i = (size_t)(clamp01(u) * (double)d->n_values);
	return i < d->n_values ? i : d->n_values - 1;
}

static weft_value *candidate(const dim *d, size_t n, const double *u)
{
	weft_value *m = weft_value_map();
	for (size_t i = 0; m && i < n; i++) {
		weft_value *v = d[i].kind == D_CHOICE  ? weft_value_copy(weft_value_list_at(d[i].values, choice_of(&d[i], u[i])))
				: d[i].kind == D_INT ? weft_value_int((int64_t)to_x(&d[i], u[i]))
						     : weft_value_float(to_x(&d[i], u[i]));
		if (!v || weft_value_map_set(m, d[i].name, v) != WEFT_OK) {
			weft_value_free(m);
			return NULL;
		}
	}
	return m;
}

/* ------------------------------------------------------------ history */

static int read_history(obs **out, size_t *n_out, const dim *d, size_t nd, const weft_value *history, int maximize)
{
	size_t n = weft_value_len(history);
	*out = NULL;
	*n_out = 0;
	if (history && weft_value_type(history) != WEFT_T_LIST)
		return weft_err_set(WEFT_EINVALID, "search history must be a list of {candidate, objective}");
	obs *o = n ? calloc(n, sizeof *o) : NULL;
	double *us = n ? calloc(n * nd, sizeof *us) : NULL;
	if (n && (!o || !us)) {
		free(o);
		free(us);
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		const weft_value *h = weft_value_list_at(history, i);
		const weft_value *c = weft_value_map_get(h, "candidate");
		const weft_value *ob = weft_value_map_get(h, "objective");
		o[i].u = us + i * nd;
		for (size_t j = 0; j < nd; j++)
			o[i].u[j] = to_u(&d[j], weft_value_map_get(c, d[j].name));
		int ok = 1;
		double v = ob ? num(ob, &ok) : 0;
		o[i].score = ob && ok && isfinite(v) ? (maximize ? v : -v) : -INFINITY;
	}
	*out = o;
	*n_out = n;
	return WEFT_OK;
}

static void free_history(obs *o)
{
	if (o)
		free(o[0].u);
	free(o);
}

/* ------------------------------------------------------------ algorithms */

static void random_point(double *u, size_t nd, rng *r)
{
	for (size_t j = 0; j < nd; j++)
		u[j] = u01(r);
}

/* The grid's point number `idx`; 0 when the grid is exhausted. */
static int grid_point(double *u, const dim *d, size_t nd, size_t points, size_t idx)
{
	size_t total = 1;
	size_t *radix = calloc(nd, sizeof *radix);
	if (!radix)
		return 0;
	for (size_t j = 0; j < nd; j++) {
		size_t k = d[j].kind == D_CHOICE ? d[j].n_values : points;
		if (d[j].kind == D_INT && d[j].hi - d[j].lo + 1 < (double)k)
			k = (size_t)(d[j].hi - d[j].lo + 1);
		if (d[j].kind != D_CHOICE && d[j].hi == d[j].lo)
			k = 1;
		radix[j] = k ? k : 1;
		total = total > SIZE_MAX / radix[j] ? SIZE_MAX : total * radix[j];
	}
	int ok = idx < total;
	/* The last dimension varies fastest. */
	for (size_t j = nd; ok && j-- > 0;) {
		size_t i = idx % radix[j];
		idx /= radix[j];
		if (d[j].kind == D_CHOICE)
			u[j] = ((double)i + 0.5) / (double)radix[j];
		else if (d[j].kind == D_INT && radix[j] == (size_t)(d[j].hi - d[j].lo + 1) && !d[j].log)
			u[j] = d[j].hi == d[j].lo ? 0.5 : (double)i / (d[j].hi - d[j].lo);
		else
			u[j] = radix[j] == 1 ? 0.5 : (double)i / (double)(radix[j] - 1);
	}
	free(radix);
	return ok;
}

static double reflect01(double u)
{
	while (u < 0 || u > 1)
		u = u < 0 ? -u : 2 - u;
	return u;
}

static void evolve(double *u, const dim *d, size_t nd, const obs *o, size_t n, size_t population, size_t tournament,
		   rng *r)
{
	size_t first = n > population ? n - population : 0, size = n - first;
	size_t best = first + (size_t)(u01(r) * (double)size);
	for (size_t t = 1; t < tournament; t++) {
		size_t c = first + (size_t)(u01(r) * (double)size);
		if (c < n && o[c].score > o[best].score)
			best = c;
	}
	if (best >= n)
		best = n - 1;
	memcpy(u, o[best].u, nd * sizeof *u);
	size_t j = (size_t)(u01(r) * (double)nd);
	if (j >= nd)
		j = nd - 1;
	if (d[j].kind == D_CHOICE) {
		if (d[j].n_values > 1) {
			size_t cur = choice_of(&d[j], u[j]);
			size_t nw = (cur + 1 + (size_t)(u01(r) * (double)(d[j].n_values - 1))) % d[j].n_values;
			u[j] = ((double)nw + 0.5) / (double)d[j].n_values;
		}
		return;
	}
	double before = to_x(&d[j], u[j]);
	u[j] = reflect01(u[j] + 0.15 * normal(r));
	if (d[j].kind == D_INT && to_x(&d[j], u[j]) == before && d[j].hi > d[j].lo) {
		/* An integer that rounded back to itself moves by one. */
		double x = before + (u01(r) < 0.5 ? -1 : 1);
		if (x < d[j].lo || x > d[j].hi)
			x = 2 * before - x;
		u[j] = d[j].log ? (log(x) - log(d[j].lo)) / (log(d[j].hi) - log(d[j].lo)) : (x - d[j].lo) / (d[j].hi - d[j].lo);
	}
}

static int by_score(const void *a, const void *b)
{
	double x = (*(const obs *const *)a)->score, y = (*(const obs *const *)b)->score;
	return x > y ? -1 : x < y;
}

/* log of a Parzen density at u over the points' coordinate j, with a
 * uniform prior of weight one point. */
static double log_parzen(const dim *d, size_t j, double u, obs *const *pts, size_t n, double bw)
{
	if (d[j].kind == D_CHOICE) {
		size_t c = choice_of(&d[j], u), count = 0;
		for (size_t i = 0; i < n; i++)
			count += choice_of(&d[j], pts[i]->u[j]) == c;
		return log(((double)count + 1.0 / (double)d[j].n_values) / ((double)n + 1));
	}
	double sum = 1.0; /* the prior: uniform density 1 on [0, 1] */
	for (size_t i = 0; i < n; i++) {
		double z = (u - pts[i]->u[j]) / bw;
		sum += exp(-0.5 * z * z) / (bw * 2.5066282746310002);
	}
	return log(sum / ((double)n + 1));
}

static void sample_parzen(double *u, const dim *d, size_t nd, obs *const *pts, size_t n, double bw, rng *r)
{
	for (size_t j = 0; j < nd; j++) {
		size_t pick = (size_t)(u01(r) * (double)(n + 1));
		if (pick >= n) {
			u[j] = u01(r); /* the prior */
		} else if (d[j].kind == D_CHOICE) {
			u[j] = pts[pick]->u[j];
		} else {
			u[j] = reflect01(pts[pick]->u[j] + bw * normal(r));
		}
	}
}

static int tpe(double *u, const dim *d, size_t nd, const obs *o, size_t n, double gamma, size_t samples, rng *r)
{
	obs **sorted = malloc(n * sizeof *sorted);
	double *cand = malloc(nd * sizeof *cand);
	if (!sorted || !cand) {
		free(sorted);
		free(cand);
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		sorted[i] = (obs *)&o[i];
	qsort(sorted, n, sizeof *sorted, by_score);
	size_t n_good = (size_t)ceil(gamma * (double)n);
	if (n_good < 1)
		n_good = 1;
	if (n_good >= n)
		n_good = n - 1;
	obs **good = sorted, **bad = sorted + n_good;
	size_t n_bad = n - n_good;
	double bw_good = fmin(0.5, fmax(0.03, 0.25 * pow((double)n_good, -0.2)));
	double bw_bad = fmin(0.5, fmax(0.03, 0.25 * pow((double)n_bad, -0.2)));
	double best = -INFINITY;
	for (size_t s = 0; s < samples; s++) {
		sample_parzen(cand, d, nd, good, n_good, bw_good, r);
		double ei = 0;
		for (size_t j = 0; j < nd; j++)
			ei += log_parzen(d, j, cand[j], good, n_good, bw_good) - log_parzen(d, j, cand[j], bad, n_bad, bw_bad);
		if (ei > best) {
			best = ei;
			memcpy(u, cand, nd * sizeof *u);
		}
	}
	free(sorted);
	free(cand);
	return WEFT_OK;
}

/* ------------------------------------------------------------ proposing */

static double opt_num(const weft_value *o, const char *k, double dflt)
{
	int ok = 1;
	const weft_value *v = weft_value_map_get(o, k);
	double x = v ? num(v, &ok) : dflt;
	return ok && isfinite(x) ? x : dflt;
}

int weft_search_propose(weft_value **candidates, const weft_value *space, const char *algorithm,
			const weft_value *options, uint64_t seed, const weft_value *history, size_t count)
{
	*candidates = NULL;
	const char *algo = algorithm ? algorithm : "tpe";
	if (strcmp(algo, "grid") && strcmp(algo, "random") && strcmp(algo, "evolution") && strcmp(algo, "tpe"))
		return weft_err_set(WEFT_EINVALID, "unknown search algorithm '%s'; use grid, random, evolution or tpe",
				    algo);
	const weft_value *mx = weft_value_map_get(options, "maximize");
	int maximize = mx ? weft_value_get_bool(mx) : 1;
	size_t points = (size_t)fmax(1, opt_num(options, "grid_points", 5));
	size_t population = (size_t)fmax(2, opt_num(options, "population", 20));
	size_t tournament = (size_t)fmax(1, opt_num(options, "tournament", 5));
	size_t startup = (size_t)fmax(2, opt_num(options, "startup", 10));
	double gamma = fmin(0.9, fmax(0.05, opt_num(options, "gamma", 0.25)));
	size_t samples = (size_t)fmax(1, opt_num(options, "ei_samples", 24));
	dim *d;
	size_t nd, n;
	obs *o = NULL;
	int rc = parse_space(&d, &nd, space);
	if (rc != WEFT_OK)
		return rc;
	if ((rc = read_history(&o, &n, d, nd, history, maximize)) != WEFT_OK) {
		free(d);
		return rc;
	}
	weft_value *list = weft_value_list();
	double *u = calloc(nd, sizeof *u);
	size_t finished = 0;
	for (size_t i = 0; i < n; i++)
		finished += isfinite(o[i].score);
	if (!list || !u)
		rc = weft_err_set(WEFT_ERROR, "out of memory");
	for (size_t k = 0; rc == WEFT_OK && k < count; k++) {
		rng r = stream(seed, n, k);
		if (!strcmp(algo, "grid")) {
			if (!grid_point(u, d, nd, points, n + k))
				break;
		} else if (!strcmp(algo, "evolution") && n >= population) {
			evolve(u, d, nd, o, n, population, tournament, &r);
		} else if (!strcmp(algo, "tpe") && finished >= startup && n >= 2) {
			rc = tpe(u, d, nd, o, n, gamma, samples, &r);
		} else {
			random_point(u, nd, &r);
		}
		weft_value *c = rc == WEFT_OK ? candidate(d, nd, u) : NULL;
		if (rc == WEFT_OK && (!c || weft_value_list_push(list, c) != WEFT_OK))
			rc = weft_err_set(WEFT_ERROR, "out of memory");
	}
	free(u);
	free_history(o);
	free(d);
	if (rc != WEFT_OK) {
		weft_value_free(list);
		return rc;
	}
	*candidates = list;
	return WEFT_OK;
}

/* ------------------------------------------------------------ llm */

static const char LLM_SYSTEM[] =
	"You tune the hyperparameters of an experiment in a multi-round dialogue, as an expert would: read the "
	"search space and every trial so far with its objective, reason about which regions look promising, and "
	"propose new candidates likely to improve the objective, each within the space. Answer with JSON only.";

/* The schema of an answer: {candidates: [{dim: value, ...}, ...]}. */
static weft_value *llm_schema(const dim *d, size_t nd)
{
	weft_value *props = weft_value_map(), *req = weft_value_list();
	for (size_t j = 0; props && req && j < nd; j++) {
		weft_value *p = weft_value_map();
		if (!p)
			break;
		if (d[j].kind == D_CHOICE) {
			weft_value_map_set(p, "enum", weft_value_copy(d[j].values));
		} else {
			weft_value_map_set(p, "type", weft_value_cstr(d[j].kind == D_INT ? "integer" : "number"));
		}
		weft_value_map_set(props, d[j].name, p);
		weft_value_list_push(req, weft_value_cstr(d[j].name));
	}
	weft_value *item = weft_value_map(), *arr = weft_value_map(), *top = weft_value_map(), *top_props = weft_value_map(),
		   *top_req = weft_value_list();
	if (!item || !arr || !top || !top_props || !top_req || !props || !req) {
		weft_value_free(props), weft_value_free(req), weft_value_free(item), weft_value_free(arr);
		weft_value_free(top), weft_value_free(top_props), weft_value_free(top_req);
		return NULL;
	}
	weft_value_map_set(item, "type", weft_value_cstr("object"));
	weft_value_map_set(item, "properties", props);
	weft_value_map_set(item, "required", req);
	weft_value_map_set(arr, "type", weft_value_cstr("array"));
	weft_value_map_set(arr, "minItems", weft_value_int(1));
	weft_value_map_set(arr, "items", item);
	weft_value_map_set(top_props, "candidates", arr);
	weft_value_list_push(top_req, weft_value_cstr("candidates"));
	weft_value_map_set(top, "type", weft_value_cstr("object"));
	weft_value_map_set(top, "properties", top_props);
	weft_value_map_set(top, "required", top_req);
	return top;
}

/* What the model reads: the task, the goal, the space and the trials. */
static char *llm_prompt(const dim *d, size_t nd, const weft_value *options, const weft_value *history, size_t count,
			int maximize)
{
	weft_value *u = weft_value_map(), *sp = weft_value_map(), *trials = weft_value_list();
	if (!u || !sp || !trials) {
		weft_value_free(u), weft_value_free(sp), weft_value_free(trials);
		return NULL;
	}
	for (size_t j = 0; j < nd; j++) {
		weft_value *e = weft_value_map();
		if (!e)
			continue;
		if (d[j].kind == D_CHOICE) {
			weft_value_map_set(e, "one_of", weft_value_copy(d[j].values));
		} else {
			weft_value_map_set(e, "type", weft_value_cstr(d[j].kind == D_INT ? "integer" : "real"));
			weft_value_map_set(e, "min", weft_value_float(d[j].lo));
			weft_value_map_set(e, "max", weft_value_float(d[j].hi));
			weft_value_map_set(e, "scale", weft_value_cstr(d[j].log ? "log" : "linear"));
		}
		weft_value_map_set(sp, d[j].name, e);
	}
	for (size_t i = 0; i < weft_value_len(history); i++) {
		const weft_value *h = weft_value_list_at(history, i);
		weft_value *t = weft_value_map();
		const weft_value *ob = weft_value_map_get(h, "objective");
		if (!t)
			continue;
		weft_value_map_set(t, "candidate", weft_value_copy(weft_value_map_get(h, "candidate")));
		weft_value_map_set(t, "objective", ob ? weft_value_copy(ob) : weft_value_cstr("failed"));
		weft_value_list_push(trials, t);
	}
	const char *task = weft_value_get_string(weft_value_map_get(options, "task"), NULL);
	weft_value_map_set(u, "task", weft_value_cstr(task ? task : "(not described)"));
	const weft_value *prior = weft_value_map_get(options, "prior");
	if (prior && weft_value_type(prior) == WEFT_T_MAP)
		weft_value_map_set(u, "default_recipe", weft_value_copy(prior));
	weft_value_map_set(u, "goal", weft_value_cstr(maximize ? "maximize the objective" : "minimize the objective"));
	weft_value_map_set(u, "space", sp);
	weft_value_map_set(u, "trials_so_far", trials);
	weft_value_map_set(u, "propose", weft_value_int((int64_t)count));
	char *text = weft_value_to_json(u, 0);
	weft_value_free(u);
	return text;
}

static weft_value *llm_request(const char *user, weft_value *schema)
{
	weft_value *req = weft_value_map(), *msgs = weft_value_list(), *sys = weft_value_map(), *usr = weft_value_map();
	if (!req || !msgs || !sys || !usr) {
		weft_value_free(req), weft_value_free(msgs), weft_value_free(sys), weft_value_free(usr);
		weft_value_free(schema);
		return NULL;
	}
	weft_value_map_set(sys, "role", weft_value_cstr("system"));
	weft_value_map_set(sys, "content", weft_value_cstr(LLM_SYSTEM));
	weft_value_map_set(usr, "role", weft_value_cstr("user"));
	weft_value_map_set(usr, "content", weft_value_cstr(user));
	weft_value_list_push(msgs, sys);
	weft_value_list_push(msgs, usr);
	weft_value_map_set(req, "messages", msgs);
	weft_value_map_set(req, "schema", schema);
	return req;
}

/* An answer's candidate, clipped into the space (the schema has checked
 * its fields and choices). */
static weft_value *llm_candidate(const dim *d, size_t nd, const weft_value *c)
{
	double *u = calloc(nd ? nd : 1, sizeof *u);
	if (!u)
		return NULL;
	for (size_t j = 0; j < nd; j++)
		u[j] = to_u(&d[j], weft_value_map_get(c, d[j].name));
	weft_value *out = candidate(d, nd, u);
	free(u);
	/* A real number inside its range is kept exactly: the trip through
	 * log space would turn 0.001 into 0.0010000000000000002. */
	for (size_t j = 0; out && j < nd; j++) {
		int ok = 1;
		const weft_value *v = weft_value_map_get(c, d[j].name);
		double x = v ? num(v, &ok) : NAN;
		if (d[j].kind == D_FLOAT && ok && x >= d[j].lo && x <= d[j].hi &&
		    weft_value_map_set(out, d[j].name, weft_value_float(x)) != WEFT_OK) {
			weft_value_free(out);
			out = NULL;
		}
	}
	return out;
}

int weft_search_propose_llm(weft_value **candidates, const char **by, weft_engine *eng, const weft_value *space,
			    const weft_value *options, uint64_t seed, const weft_value *history, size_t count)
{
	*candidates = NULL;
	*by = "llm";
	dim *d;
	size_t nd;
	int rc = parse_space(&d, &nd, space);
	if (rc != WEFT_OK)
		return rc;
	const weft_value *mx = weft_value_map_get(options, "maximize");
	int maximize = mx ? weft_value_get_bool(mx) : 1;
	char *user = llm_prompt(d, nd, options, history, count, maximize);
	weft_value *req = user ? llm_request(user, llm_schema(d, nd)) : NULL, *resp = NULL;
	free(user);
	weft_value *list = weft_value_list();
	int asked = req && list ? weft_engine_llm_chat(&resp, eng, req) : weft_err_set(WEFT_ERROR, "out of memory");
	weft_value_free(req);
	if (asked == WEFT_OK) {
		const weft_value *cs = weft_value_map_get(weft_value_map_get(resp, "json"), "candidates");
		for (size_t i = 0; i < weft_value_len(cs) && weft_value_len(list) < count; i++) {
			weft_value *c = llm_candidate(d, nd, weft_value_list_at(cs, i));
			if (c && weft_value_list_push(list, c) != WEFT_OK)
				rc = weft_err_set(WEFT_ERROR, "out of memory");
		}
	} else {
		*by = asked == WEFT_ENOTFOUND ? "tpe (no LLM endpoint)" : "tpe (the LLM failed)";
	}
	weft_value_free(resp);
	/* Without the LLM, its knowledge comes from the model's default recipe
	 * (options.prior): tried first, once, as the LLM's opening proposal
	 * would be; TPE proposes the rest. */
	const weft_value *prior = weft_value_map_get(options, "prior");
	if (asked != WEFT_OK && rc == WEFT_OK && list && count > 0 && prior && weft_value_type(prior) == WEFT_T_MAP) {
		weft_value *pc = llm_candidate(d, nd, prior);
		int seen = !pc;
		for (size_t i = 0; !seen && i < weft_value_len(history); i++)
			seen = weft_value_equal(weft_value_map_get(weft_value_list_at(history, i), "candidate"), pc);
		if (!seen) {
			if (weft_value_list_push(list, pc) != WEFT_OK)
				rc = weft_err_set(WEFT_ERROR, "out of memory");
			pc = NULL;
			*by = asked == WEFT_ENOTFOUND ? "recipe+tpe (no LLM endpoint)" : "recipe+tpe (the LLM failed)";
		}
		weft_value_free(pc);
	}
	free(d);
	size_t have = weft_value_len(list);
	if (rc == WEFT_OK && list && have < count) {
		/* What the LLM did not give, TPE proposes (after the trials and
		 * the LLM's own candidates, so that it does not repeat them). */
		weft_value *h = history ? weft_value_copy(history) : weft_value_list();
		for (size_t i = 0; h && i < have; i++) {
			weft_value *e = weft_value_map();
			if (e && weft_value_map_set(e, "candidate", weft_value_copy(weft_value_list_at(list, i))) == WEFT_OK)
				weft_value_list_push(h, e);
		}
		weft_value *more = NULL;
		rc = h ? weft_search_propose(&more, space, "tpe", options, seed, h, count - have)
		       : weft_err_set(WEFT_ERROR, "out of memory");
		for (size_t i = 0; rc == WEFT_OK && i < weft_value_len(more); i++)
			rc = weft_value_list_push(list, weft_value_copy(weft_value_list_at(more, i)));
		if (have && rc == WEFT_OK && asked == WEFT_OK)
			*by = "llm+tpe";
		weft_value_free(more);
		weft_value_free(h);
	}
	if (rc != WEFT_OK || !list) {
		weft_value_free(list);
		return rc != WEFT_OK ? rc : weft_err_set(WEFT_ERROR, "out of memory");
	}
	*candidates = list;
	return WEFT_OK;
}

/* ------------------------------------------------------------ functional hash */

int weft_search_fhash(char out[65], const double *values, size_t n, int bits, const char *ns)
{
	if (bits < 1 || bits > 52)
		return weft_err_set(WEFT_EINVALID, "functional hash: bits must be 1 to 52 (24 keeps a float32 exactly)");
	weft_hasher *h = weft_hasher_new();
	if (!h)
		return weft_err_set(WEFT_ERROR, "out of memory");
	char head[64];
	int hl = snprintf(head, sizeof head, "weft-fhash-v1 bits=%d ", bits);
	int rc = weft_hasher_update(h, head, (size_t)hl);
	if (rc == WEFT_OK)
		rc = weft_hasher_update(h, ns ? ns : "", strlen(ns ? ns : "") + 1);
	/* Keep sign, exponent and the top `bits` of the 52 mantissa bits. */
	uint64_t mask = ~((UINT64_C(1) << (52 - bits)) - 1);
	for (size_t i = 0; rc == WEFT_OK && i < n; i++) {
		double v = values[i] == 0 ? 0.0 : values[i]; /* -0 is 0 */
		uint64_t b;
		memcpy(&b, &v, sizeof b);
		if (isnan(v))
			b = UINT64_C(0x7FF8000000000000); /* one NaN */
		b &= mask;
		unsigned char le[8];
		for (int k = 0; k < 8; k++)
			le[k] = (unsigned char)(b >> (8 * k));
		rc = weft_hasher_update(h, le, sizeof le);
	}
	if (rc != WEFT_OK) {
		weft_hasher_free(h);
		return rc;
	}
	return weft_hasher_final(h, out); /* frees the hasher */
}
