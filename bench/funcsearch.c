/*
 * funcsearch.c -- functional-equivalence caching against plain search, at
 * an equal budget of expensive evaluations (weft-funcbench; bench/run.sh
 * does not time it: it counts).
 *
 * The space is a small architecture search where many candidates compute
 * the same function, as in the paper's NAS spaces: three blocks, each an
 * op in {identity, zero, scale, square} with a width in {8, 16, 32}; a
 * zero block cuts everything after it (the output is 0), an identity
 * block ignores its width, and `dropout` in {0, 0.1, 0.2} does nothing at
 * evaluation. The probe runs the network on four fixed inputs (cheap); the
 * expensive objective is the network's fit to a target function on a
 * grid, with a little evaluation noise, as training would give.
 *
 * Two views, means over the seeds, per algorithm:
 *   - an equal budget of PROPOSALS trials: how many needed the expensive
 *     evaluation (misses), the hit rate, the speed-up in evaluations, and
 *     the best true quality reached (the same with and without caching:
 *     a full hit reuses the objective of the very same function);
 *   - an equal budget of EVALS expensive evaluations (proposals capped at
 *     10x): the best true quality reached, caching turning the saved
 *     evaluations into more candidates.
 *
 *   weft-funcbench [SEEDS [PROPOSALS [EVALS]]]     (defaults 10, 100, 30)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weft/search.h"

static const char *const OPS[] = {"identity", "zero", "scale", "square"};

static double block(const char *op, int width, double x)
{
	if (!strcmp(op, "identity"))
		return x;
	if (!strcmp(op, "zero"))
		return 0;
	if (!strcmp(op, "scale"))
		return x * (double)width / 16.0;
	return x * x * (double)width / 32.0;
}

static double net(const weft_value *c, double x)
{
	char k[16];
	for (int b = 0; b < 3; b++) {
		snprintf(k, sizeof k, "op%d", b);
		const char *op = weft_value_get_string(weft_value_map_get(c, k), NULL);
		snprintf(k, sizeof k, "w%d", b);
		int w = (int)weft_value_get_int(weft_value_map_get(c, k));
		x = block(op, w, x);
	}
	return x;
}

/* The true quality: minus the squared error to 2 x^2 on [0, 1]. */
static double quality(const weft_value *c)
{
	double err = 0;
	for (int i = 0; i <= 20; i++) {
		double x = i / 20.0, d = net(c, x) - 2 * x * x;
		err += d * d;
	}
	return -err / 21;
}

static double noise(unsigned seed, int trial)
{
	unsigned long long z = (unsigned long long)seed * 0x9E3779B97F4A7C15ull + (unsigned long long)trial;
	z = (z ^ (z >> 31)) * 0xBF58476D1CE4E5B9ull;
	z ^= z >> 29;
	return ((double)(z >> 11) * 0x1.0p-53 - 0.5) * 0.002;
}

typedef struct outcome {
	int proposals, full_hits;
	double best;
} outcome;

/* Stops after `max_props` proposals or `evals` expensive evaluations. */
static outcome run(const weft_value *space, const char *algo, unsigned seed, int max_props, int evals, int functional)
{
	weft_value *hist = weft_value_list();
	outcome o = {0, 0, -INFINITY};
	char (*seen)[65] = calloc((size_t)max_props + 1, sizeof *seen);
	double *seen_obj = calloc((size_t)max_props + 1, sizeof *seen_obj);
	int n_seen = 0, spent = 0;
	while (spent < evals && o.proposals < max_props) {
		weft_value *cs = NULL;
		if (weft_search_propose(&cs, space, algo, NULL, seed, hist, 1) != WEFT_OK || !weft_value_len(cs)) {
			weft_value_free(cs);
			break;
		}
		const weft_value *c = weft_value_list_at(cs, 0);
		double probe[4], obj;
		for (int i = 0; i < 4; i++)
			probe[i] = net(c, 0.2 + 0.2 * i);
		char h[65];
		weft_search_fhash(h, probe, 4, 24, "funcbench");
		int hit = -1;
		for (int i = 0; functional && i < n_seen; i++)
			if (!strcmp(seen[i], h))
				hit = i;
		o.proposals++;
		if (hit >= 0) {
			obj = seen_obj[hit]; /* reused: only the probe was paid */
			o.full_hits++;
		} else {
			obj = quality(c) + noise(seed, spent);
			spent++;
			memcpy(seen[n_seen], h, 65);
			seen_obj[n_seen++] = obj;
			double q = quality(c);
			o.best = q > o.best ? q : o.best;
		}
		weft_value *e = weft_value_map();
		weft_value_map_set(e, "candidate", weft_value_copy(c));
		weft_value_map_set(e, "objective", weft_value_float(obj));
		weft_value_list_push(hist, e);
		weft_value_free(cs);
	}
	free(seen);
	free(seen_obj);
	weft_value_free(hist);
	return o;
}

int main(int argc, char **argv)
{
	int seeds = argc > 1 ? atoi(argv[1]) : 10, props = argc > 2 ? atoi(argv[2]) : 100;
	int evals = argc > 3 ? atoi(argv[3]) : 30;
	if (seeds < 1 || props < 1 || evals < 1) {
		fprintf(stderr, "usage: weft-funcbench [SEEDS [PROPOSALS [EVALS]]]\n");
		return 2;
	}
	char text[2048];
	size_t at = (size_t)snprintf(text, sizeof text, "{");
	for (int b = 0; b < 3; b++)
		at += (size_t)snprintf(text + at, sizeof text - at,
				       "\"op%d\":{\"kind\":\"choice\",\"values\":[\"%s\",\"%s\",\"%s\",\"%s\"]},"
				       "\"w%d\":{\"kind\":\"choice\",\"values\":[8,16,32]},",
				       b, OPS[0], OPS[1], OPS[2], OPS[3], b);
	snprintf(text + at, sizeof text - at, "\"dropout\":{\"kind\":\"choice\",\"values\":[0,0.1,0.2]}}");
	weft_value *space = NULL;
	char err[128];
	if (weft_value_from_json(&space, text, strlen(text), err, sizeof err) != WEFT_OK)
		return 1;
	printf("space: 3 blocks x 4 ops x 3 widths, dropout x 3 (%d candidates); %d seeds\n", 12 * 12 * 12 * 3, seeds);
	const char *algos[] = {"random", "evolution", "tpe"};
	printf("\nequal budget of %d proposals\n%-10s %12s %12s %9s %9s %14s %14s\n", props, "algorithm",
	       "evals plain", "evals cached", "hit rate", "speed-up", "best plain", "best cached");
	for (int a = 0; a < 3; a++) {
		double ev = 0, best0 = 0, best1 = 0, hits = 0;
		for (int s = 1; s <= seeds; s++) {
			outcome p = run(space, algos[a], (unsigned)s, props, props, 0);
			outcome f = run(space, algos[a], (unsigned)s, props, props, 1);
			ev += f.proposals - f.full_hits, hits += f.full_hits;
			best0 += p.best, best1 += f.best;
		}
		printf("%-10s %12d %12.1f %9.2f %8.2fx %14.5f %14.5f\n", algos[a], props, ev / seeds, hits / seeds / props,
		       ev > 0 ? props * seeds / ev : 0, best0 / seeds, best1 / seeds);
	}
	printf("\nequal budget of %d expensive evaluations (at most %d proposals)\n%-10s %14s %14s %18s\n", evals,
	       evals * 10, "algorithm", "best plain", "best cached", "proposals cached");
	for (int a = 0; a < 3; a++) {
		double best0 = 0, best1 = 0, pr = 0;
		for (int s = 1; s <= seeds; s++) {
			outcome p = run(space, algos[a], (unsigned)s, evals, evals, 0);
			outcome f = run(space, algos[a], (unsigned)s, evals * 10, evals, 1);
			best0 += p.best, best1 += f.best, pr += f.proposals;
		}
		printf("%-10s %14.5f %14.5f %18.1f\n", algos[a], best0 / seeds, best1 / seeds, pr / seeds);
	}
	weft_value_free(space);
	return 0;
}
