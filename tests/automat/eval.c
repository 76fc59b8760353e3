/*
 * eval.c -- the AutoMat benchmark: simulated images of every template at
 * three noise tiers, through the same steps the pipeline takes, scored
 * by structure matching against the simulated truth.
 *
 *   automat-eval bench LIBRARY [--size N] [--seeds A-B] [--only NAME] [--line free]
 *       per material and tier: simulate -> quality gate -> denoise (harder
 *       while the gate fails) -> lattice -> columns -> template retrieval
 *       (template line) or template-free reconstruction -> compare with
 *       the truth. Prints one row per image and the per-tier table.
 *       --line free takes the template-free line for every image;
 *       --require T1,T2,T3 exits 1 unless each tier's success rate (%)
 *       reaches its number.
 *   automat-eval convert IN OUT      IN (PNG/TIFF) as OUT: .png, .tiff or .raw
 *   automat-eval noise OUT SIZE      Poisson noise (mean 20), no lattice
 *   automat-eval flat OUT SIZE       every pixel the same
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compare.h"
#include "rng.h"
#include "match.h"
#include "recon.h"
#include "sim.h"
#include "spectrum.h"
#include "steps.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* dose (e/A^2), detector noise, drift (px/row), jitter (px) */
static const double tiers[3][4] = {{5000, 0.02, 0, 0}, {1000, 0.05, 0.002, 0.3}, {250, 0.1, 0.004, 0.6}};

/* The distinct elements of s, heaviest last. */
static size_t elements_of(const am_struct *s, const char **el)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++) {
		size_t e = 0;
		while (e < n && strcmp(el[e], s->at[i].el))
			e++;
		if (e == n && n < 8)
			el[n++] = s->at[i].el;
	}
	return n;
}

typedef struct outcome {
	int match, line_template, denoise_level;
	double lat_err, rmsd, seconds;
	char why[160], picked[64];
} outcome;

static int force_free; /* --line free: skip the templates */

static int run_one(outcome *r, const am_library *lib, const am_template *truth, int tier, int seed, size_t size)
{
	char err[512];
	memset(r, 0, sizeof *r);
	am_sim_opts so = AM_SIM_OPTS_INIT;
	so.w = so.h = size, so.dose = tiers[tier][0], so.read_noise = tiers[tier][1];
	so.drift = tiers[tier][2], so.jitter = tiers[tier][3];
	so.seed = (uint64_t)seed * 1000 + (uint64_t)tier * 100 + (uint64_t)(truth - lib->t);
	so.rotation = fmod(37.0 * (double)so.seed, 180.0);
	am_image im;
	if (am_simulate(&im, &truth->s, &so, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	double t0 = now();
	am_quality_opts qo = AM_QUALITY_OPTS_INIT;
	am_quality q;
	if (am_quality_measure(&q, &im, &qo, err, sizeof err) != 0)
		return -1;
	int level = am_denoise_level(q.snr);
	am_image work = {0};
	for (;;) { /* the agent's rule: denoise harder while the gate fails */
		am_image_free(&work);
		const char *method;
		if (am_image_copy(&work, &im) != 0 || am_denoise(&work, level, &method, err, sizeof err) != 0 ||
		    am_quality_measure(&q, &work, &qo, err, sizeof err) != 0) {
			snprintf(r->why, sizeof r->why, "denoise: %.120s", err);
			break;
		}
		int next = am_gate_next(&q, &qo, level);
		if (q.pass || next < 0)
			break;
		level = next;
	}
	r->denoise_level = level;
	if (!q.pass || !q.has_lattice) {
		if (!r->why[0])
			snprintf(r->why, sizeof r->why, "gate: %.140s", q.verdict);
		goto out;
	}
	const char *el[8];
	size_t ne = elements_of(&truth->s, el);
	am_elements_hint hint;
	am_elements_hint_of(&hint, el, ne);
	am_colset cols;
	if (am_find_columns(&cols, &work, &q.lattice, &hint, err, sizeof err) != 0) {
		snprintf(r->why, sizeof r->why, "columns: %.120s", err);
		goto out;
	}
	am_match *m = calloc(lib->n, sizeof *m);
	am_struct got = {0};
	if (!m)
		return -1;
	am_match_templates(m, lib, &cols, &q.lattice, work.px, work.w, work.h, el, ne);
	if (!force_free && am_match_accepted(&m[0], 0.5)) { /* match_template's default */
		r->line_template = 1;
		snprintf(r->picked, sizeof r->picked, "%s", lib->t[m[0].index].name);
		am_template_fit(&got, &lib->t[m[0].index], &q.lattice);
	} else {
		snprintf(r->picked, sizeof r->picked, "template-free");
		am_recon_opts ro = {0.4, 0.3, 20.0, work.px, el, ne};
		if (am_reconstruct(&got, NULL, NULL, &cols, &q.lattice, work.w, work.h, &ro, err, sizeof err) != 0)
			snprintf(r->why, sizeof r->why, "reconstruct: %.120s", err);
	}
	r->seconds = now() - t0;
	if (got.n) {
		am_cmp c;
		am_cmp_opts co = AM_CMP_OPTS_INIT;
		if (am_compare(&c, &truth->s, &got, &co, err, sizeof err) == 0) {
			r->match = c.match;
			r->lat_err = fmax(fabs(c.err_a), fabs(c.err_b));
			r->rmsd = c.rmsd;
			if (!c.match)
				snprintf(r->why, sizeof r->why, "%.150s", c.why);
		}
	}
	am_struct_free(&got);
	free(m);
	am_colset_free(&cols);
out:
	am_image_free(&work);
	am_image_free(&im);
	return 0;
}

static int bench(const char *libdir, size_t size, int s0, int s1, const char *only, const double *require)
{
	char err[512];
	am_library lib;
	if (am_library_load(&lib, libdir, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	int ok[3] = {0}, tot[3] = {0};
	double lat[3] = {0};
	printf("%-12s %4s %4s %-14s %5s %7s %7s %6s  %s\n", "material", "tier", "seed", "line", "match", "lat_err", "rmsd",
	       "secs", "why");
	for (size_t t = 0; t < lib.n; t++) {
		if (only && strcmp(only, lib.t[t].name))
			continue;
		for (int tier = 0; tier < 3; tier++)
			for (int seed = s0; seed <= s1; seed++) {
				outcome r;
				if (run_one(&r, &lib, &lib.t[t], tier, seed, size) != 0)
					return 1;
				tot[tier]++;
				ok[tier] += r.match;
				lat[tier] += r.match ? r.lat_err : 0;
				printf("%-12s %4d %4d %-14s %5s %6.2f%% %7.3f %6.3f  %s\n", lib.t[t].name, tier + 1, seed, r.picked,
				       r.match ? "yes" : "no", 100 * r.lat_err, r.rmsd, r.seconds, r.why);
			}
	}
	printf("\ntier  matched  success  mean lattice error (matched)\n");
	for (int tier = 0; tier < 3; tier++)
		printf("%4d  %3d/%-3d  %6.1f%%  %.2f%%\n", tier + 1, ok[tier], tot[tier],
		       tot[tier] ? 100.0 * ok[tier] / tot[tier] : 0, ok[tier] ? 100 * lat[tier] / ok[tier] : 0);
	am_library_free(&lib);
	for (int tier = 0; require && tier < 3; tier++)
		if (tot[tier] && 100.0 * ok[tier] / tot[tier] < require[tier]) {
			fprintf(stderr, "tier %d: %.1f%% matched, below the required %.0f%%\n", tier + 1,
				100.0 * ok[tier] / tot[tier], require[tier]);
			return 1;
		}
	return 0;
}

static int write_any(const char *path, const am_image *im)
{
	char err[512];
	size_t l = strlen(path);
	int rc = l > 4 && !strcmp(path + l - 4, ".png")    ? am_image_write_png(path, im, 0, 0, err, sizeof err)
		 : l > 4 && !strcmp(path + l - 4, ".raw")  ? am_image_write_raw(path, im, err, sizeof err)
							   : am_image_write_tiff(path, im, err, sizeof err);
	if (rc != 0)
		fprintf(stderr, "%s\n", err);
	return rc != 0;
}

static int make_image(const char *kind, const char *out, size_t size)
{
	am_image im;
	if (am_image_new(&im, size, size, 0.1) != 0)
		return 1;
	uint64_t s = 7;
	for (size_t i = 0; i < size * size; i++)
		im.v[i] = !strcmp(kind, "flat") ? 100 : wrng_poisson(&s, 20);
	int rc = write_any(out, &im);
	am_image_free(&im);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "convert")) {
		am_image im;
		char err[512];
		if (am_image_read(&im, argv[2], NULL, 0, 0, 0, err, sizeof err) != 0) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		int rc = write_any(argv[3], &im);
		am_image_free(&im);
		return rc;
	}
	if (argc == 4 && (!strcmp(argv[1], "noise") || !strcmp(argv[1], "flat")))
		return make_image(argv[1], argv[2], (size_t)atol(argv[3]));
	if (argc < 3 || strcmp(argv[1], "bench")) {
		fprintf(stderr, "usage: automat-eval bench LIBRARY [--size N] [--seeds A-B] [--only NAME] [--line free] "
				"[--require T1,T2,T3]\n       automat-eval convert IN OUT | noise OUT SIZE | flat OUT SIZE\n");
		return 2;
	}
	double req[3], *require = NULL;
	size_t size = 512;
	int s0 = 1, s1 = 1;
	const char *only = NULL;
	for (int i = 3; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--size"))
			size = (size_t)atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--seeds") && sscanf(argv[i + 1], "%d-%d", &s0, &s1) != 2)
			return 2;
		else if (!strcmp(argv[i], "--line"))
			force_free = !strcmp(argv[i + 1], "free");
		else if (!strcmp(argv[i], "--only"))
			only = argv[i + 1];
		else if (!strcmp(argv[i], "--require")) {
			if (sscanf(argv[i + 1], "%lf,%lf,%lf", &req[0], &req[1], &req[2]) != 3)
				return 2;
			require = req;
		}
	}
	return bench(argv[2], size, s0, s1, only, require);
}
