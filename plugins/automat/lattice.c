/*
 * lattice.c -- see lattice.h.
 */
#include "lattice.h"

#include "structure.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAXPEAKS = 48, SEEDS = 10, MAXORDER = 14 };

typedef struct basis {
	double b1[2], b2[2];
} basis;

static double dot(const double *u, const double *v)
{
	return u[0] * v[0] + u[1] * v[1];
}

static double cross(const double *u, const double *v)
{
	return u[0] * v[1] - u[1] * v[0];
}

/* Integer indices (h, k) of g in basis B, and the distance from g to that
 * lattice point; returns 0 when B is degenerate. */
static int index_of(const basis *B, const double g[2], long *h, long *k, double *miss)
{
	double det = cross(B->b1, B->b2);
	if (fabs(det) < 1e-12)
		return 0;
	double u = cross(g, B->b2) / det, v = cross(B->b1, g) / det;
	*h = lround(u), *k = lround(v);
	double rx = g[0] - (double)*h * B->b1[0] - (double)*k * B->b2[0];
	double ry = g[1] - (double)*h * B->b1[1] - (double)*k * B->b2[1];
	*miss = sqrt(rx * rx + ry * ry);
	return 1;
}

/* Tolerance for a peak to sit on a lattice point: a bin and a half plus
 * 2% of |g|, since distortion and drift move high orders further. */
static double tol_of(const am_spectrum *S, const double g[2])
{
	return 1.5 / (double)(S->w < S->h ? S->w : S->h) + 0.02 * sqrt(dot(g, g));
}

/* The power of the peaks B indexes; with `by_chance`, also the power it
 * would index by chance: a peak lands within tolerance of some point of
 * B's lattice with probability pi tol^2 / (B's cell area), near 1 for a
 * basis much finer than the tolerance. Two peaks of low frequency (a
 * second grain, holes, an edge at a low dose) made such a basis: 4.6
 * bins a side, it indexed 86% of PbTe's peak power at random and won as
 * a 30 A cell, so candidates are scored beyond chance. */
static double score(const basis *B, const am_spectrum *S, const am_peak *pk, size_t n, double *by_chance)
{
	double area = fabs(cross(B->b1, B->b2)), s = 0, chance = 0;
	for (size_t i = 0; i < n; i++) {
		double g[2] = {pk[i].gx, pk[i].gy}, miss;
		long h, k;
		if (!index_of(B, g, &h, &k, &miss) || labs(h) > MAXORDER || labs(k) > MAXORDER)
			continue;
		double tol = tol_of(S, g);
		if (miss < tol)
			s += pk[i].power;
		chance += pk[i].power * (area > 0 ? fmin(1, M_PI * tol * tol / area) : 1);
	}
	if (by_chance)
		*by_chance = chance;
	return s;
}

/* Weighted least squares: b1, b2 minimising sum w |g - h b1 - k b2|^2
 * over the peaks B indexes, w their power, since a weak peak's position
 * is mostly noise. Returns how many it used. */
static size_t refine(basis *B, const am_spectrum *S, const am_peak *pk, size_t n)
{
	double shh = 0, shk = 0, skk = 0, shg[2] = {0}, skg[2] = {0};
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		double g[2] = {pk[i].gx, pk[i].gy}, miss;
		long h, k;
		if (!index_of(B, g, &h, &k, &miss) || miss >= tol_of(S, g) || labs(h) > MAXORDER || labs(k) > MAXORDER)
			continue;
		double w = pk[i].power;
		shh += w * (double)(h * h), shk += w * (double)(h * k), skk += w * (double)(k * k);
		for (int c = 0; c < 2; c++)
			shg[c] += w * (double)h * g[c], skg[c] += w * (double)k * g[c];
		used++;
	}
	double det = shh * skk - shk * shk;
	if (used < 3 || !(fabs(det) > 0))
		return used;
	for (int c = 0; c < 2; c++) {
		B->b1[c] = (skk * shg[c] - shk * skg[c]) / det;
		B->b2[c] = (shh * skg[c] - shk * shg[c]) / det;
	}
	return used;
}

/* Whether a disc's excess (am_spectrum_excess_near, radius 2: 13 bins)
 * is beyond what noise of mean power `level` a bin makes: 8 standard
 * deviations of the disc's sum. */
static int significant(double excess, double level)
{
	return excess > 8 * level * sqrt(13.0);
}

/* A finer reciprocal basis holding B's lattice and t (a fraction of B's
 * cell), of index m: one of {t, b1}, {t, b2}, {t, b1 + b2}, reduced. */
static int finer(const basis *B, const double t[2], int m, const am_spectrum *S, basis *out)
{
	double area = fabs(cross(B->b1, B->b2));
	double sum[2] = {B->b1[0] + B->b2[0], B->b1[1] + B->b2[1]};
	const double *with[3] = {B->b1, B->b2, sum};
	for (int w = 0; w < 3; w++) {
		basis C = {{t[0], t[1]}, {with[w][0], with[w][1]}};
		double ar = fabs(cross(C.b1, C.b2));
		if (ar < 1e-12 || fabs(area / ar - m) > 0.05)
			continue;
		am_reduce2(C.b1, C.b2);
		long h1, k1, h2, k2;
		double m1, m2;
		if (index_of(&C, B->b1, &h1, &k1, &m1) && index_of(&C, B->b2, &h2, &k2, &m2) && m1 < tol_of(S, B->b1) &&
		    m2 < tol_of(S, B->b2)) {
			*out = C;
			return 1;
		}
	}
	return 0;
}

/* Probed points kept for low_half_hits: a cell three times longer than
 * wide probes about 120 (89-121 seen on the simulator's images); with
 * more, the rule is not applied rather than applied to a part. */
#define MAX_PROBED 512

/* Whether a fifth of the probed points in the lower half of |g| are hits.
 * The probe's transfer falls with |g|, so at a low dose a superstructure
 * shows at its first orders only (GaAs [001] at 3-9 counts: z 166 and 130
 * at the first, about 9 at the second, noise beyond); over all the points
 * probed out to 4 times the shortest vector, its hits were one short of a
 * fifth. */
static int low_half_hits(const double *gl, const uint8_t *hit, int n)
{
	int low = (n + 1) / 2, hits = 0;
	for (int i = 0; i < n; i++) {
		int below = 0; /* points before i in |g| order */
		for (int j = 0; j < n; j++)
			below += gl[j] < gl[i] || (gl[j] == gl[i] && j < i);
		if (below < low)
			hits += hit[i];
	}
	return hits * 5 >= low;
}

/* Whether every shortest member of the coset (f1 + h) b1 + (f2 + k) b2
 * lies within 2.5 bins of the slow-scan axis (x within 2.5 bins of 0). */
static int along_slow_axis(const basis *B, double f1, double f2, int w)
{
	double gx[25], gl[25], shortest = INFINITY;
	int n = 0;
	for (int h = -2; h <= 2; h++)
		for (int k = -2; k <= 2; k++, n++) {
			double g[2] = {(f1 + h) * B->b1[0] + (f2 + k) * B->b2[0], (f1 + h) * B->b1[1] + (f2 + k) * B->b2[1]};
			gx[n] = g[0];
			gl[n] = sqrt(dot(g, g));
			shortest = fmin(shortest, gl[n]);
		}
	for (int i = 0; i < n; i++)
		if (gl[i] <= 1.05 * shortest && fabs(gx[i]) * (double)w >= 2.5)
			return 0;
	return 1;
}

/* The coarsest basis that indexes nearly all the power can still miss a
 * superstructure: vacancy order (CrI3's empty third of the metal sites),
 * two species that differ a little (Ga and As), light columns that break
 * a heavy sublattice's symmetry (O in rutile). Its reflections are weak
 * next to the main ones, often too weak to be among the strongest peaks,
 * but far above the noise. So the spectrum is probed where they would be:
 * at B's lattice points shifted by each fraction t of its cell with a
 * denominator of 2 or 3, up to 4 times B's shortest vector. A shift whose
 * spots are significant (8 standard deviations of a 13-bin disc of noise
 * at the local level, which diffuse scattering and the film lift well
 * above the floor) at 3 points at least and a fifth of
 * those probed makes the cell that many times larger; the best shift
 * wins, then a second one is looked for on the new basis (a 2 x 2 cell
 * needs two). A second grain's spots fall at random places, not on every
 * shifted point, and leave B as it was. A shift along the slow-scan axis
 * is not probed: periodic row jitter puts satellites there. */
static void superstructure(basis *B, const am_spectrum *S)
{
	static const double shifts[][3] = {{0.5, 0, 2},	      {0, 0.5, 2},	  {0.5, 0.5, 2},     {1 / 3., 0, 3},
					   {0, 1 / 3., 3},     {1 / 3., 1 / 3., 3}, {1 / 3., -1 / 3., 3}};
	for (int round = 0; round < 2; round++) {
		double l1 = sqrt(dot(B->b1, B->b1)), l2 = sqrt(dot(B->b2, B->b2));
		double gcut = fmin(0.45, 4 * fmax(l1, l2));
		long hm = (long)ceil(gcut / fmin(l1, l2)) + 1;
		double best = 0;
		int pick = -1;
		for (int t = 0; t < (int)(sizeof shifts / sizeof shifts[0]); t++) {
			/* a periodic scan disturbance (mains hum in the row timing)
			 * puts satellites beside every peak along the slow-scan axis,
			 * y: a set of spots whose shortest members all lie within the
			 * probe's reach (2.5 bins) of that axis is not taken for a
			 * superstructure. Its shortest members, not the shift as
			 * listed: the same spots are reached by any shift plus a
			 * lattice vector, and a real superstructure (rutile's O, at
			 * a* and b*; CrI3's three directions) has a shortest member
			 * off the axis whatever the image's rotation. */
			if (along_slow_axis(B, shifts[t][0], shifts[t][1], S->w))
				continue;
			int probed = 0, hits = 0;
			double power = 0;
			double gls[MAX_PROBED];
			uint8_t hit[MAX_PROBED];
			for (long h = -hm; h <= hm; h++)
				for (long k = -hm; k <= hm; k++) {
					double fu = (double)h + shifts[t][0], fv = (double)k + shifts[t][1];
					double g[2] = {fu * B->b1[0] + fv * B->b2[0], fu * B->b1[1] + fv * B->b2[1]};
					double gl = sqrt(dot(g, g));
					if (gl > gcut || gl < 1e-9 || g[0] < 0 || (g[0] == 0 && g[1] < 0))
						continue; /* the half plane holds one of each +-g */
					double level, ex = am_spectrum_excess_near(S, g[0], g[1], 2.0, &level);
					int sig = significant(ex, level);
					if (probed < MAX_PROBED)
						gls[probed] = gl, hit[probed] = (uint8_t)sig;
					probed++;
					if (sig)
						hits++, power += ex;
				}
			if (hits >= 3 && (hits * 5 >= probed || (probed <= MAX_PROBED && low_half_hits(gls, hit, probed))) &&
			    power > best)
				best = power, pick = t;
		}
		if (pick < 0)
			return;
		double t[2] = {shifts[pick][0] * B->b1[0] + shifts[pick][1] * B->b2[0],
			       shifts[pick][0] * B->b1[1] + shifts[pick][1] * B->b2[1]};
		basis C;
		if (!finer(B, t, (int)shifts[pick][2], S, &C))
			return;
		*B = C;
	}
}

static void dual(const double a[2], const double b[2], double ga[2], double gb[2])
{
	double det = cross(a, b);
	ga[0] = b[1] / det, ga[1] = -b[0] / det;
	gb[0] = -a[1] / det, gb[1] = a[0] / det;
}

int am_lattice_estimate(am_lattice *L, const am_image *im, const am_spectrum *S, char *err, size_t errlen)
{
	memset(L, 0, sizeof *L);
	size_t m = im->w < im->h ? im->w : im->h;
	am_peak pk[MAXPEAKS];
	/* at least 4 periods across the image, and periods of 2.2 px or more */
	size_t n = am_spectrum_peaks(S, 4.0 / (double)m, 0.45, 4.0, pk, MAXPEAKS);
	L->npeaks = n;
	if (n < 2) {
		snprintf(err, errlen, "the spectrum has %zu peak(s) above the noise: no lattice (the image is not periodic)",
			 n);
		return -1;
	}
	double total = 0;
	for (size_t i = 0; i < n; i++)
		total += pk[i].power;
	basis cand[SEEDS * SEEDS * 9];
	double sc[SEEDS * SEEDS * 9];
	size_t nc = 0, seeds = n < SEEDS ? n : SEEDS;
	for (size_t i = 0; i < seeds; i++)
		for (size_t j = i + 1; j < seeds; j++) {
			double gi[2] = {pk[i].gx, pk[i].gy}, gj[2] = {pk[j].gx, pk[j].gy};
			double s = fabs(cross(gi, gj)) / sqrt(dot(gi, gi) * dot(gj, gj));
			if (s < sin(20 * M_PI / 180))
				continue; /* nearly collinear */
			for (int d1 = 1; d1 <= 3; d1++)
				for (int d2 = 1; d2 <= 3; d2++) {
					basis B = {{gi[0] / d1, gi[1] / d1}, {gj[0] / d2, gj[1] / d2}};
					am_reduce2(B.b1, B.b2);
					double chance;
					sc[nc] = score(&B, S, pk, n, &chance) - chance;
					cand[nc++] = B;
				}
		}
	if (nc == 0) {
		snprintf(err, errlen, "the spectrum's peaks are all in one direction: a 1-D pattern, not a 2-D lattice");
		return -1;
	}
	double best = 0;
	for (size_t c = 0; c < nc; c++)
		best = sc[c] > best ? sc[c] : best;
	size_t pick = 0;
	double area = -1;
	for (size_t c = 0; c < nc; c++) {
		double ar = fabs(cross(cand[c].b1, cand[c].b2));
		/* coarsest reciprocal cell among those nearly as good; a finer one
		 * always indexes a little more, noise included */
		if (sc[c] >= 0.9 * best && ar > area * (1 + 1e-6)) {
			area = ar;
			pick = c;
		}
	}
	basis B = cand[pick];
	/* The superstructure's spots are probed at B's points shifted, in
	 * discs of 2 bins: a seed basis (two peaks' positions, divided) can
	 * be 5 bins off at the fourth order, so B is fitted to every peak it
	 * indexes first (GaAs at 3-9 counts lost one of its two first-order
	 * superstructure spots that way). */
	(void)refine(&B, S, pk, n);
	superstructure(&B, S);
	L->nrefl = refine(&B, S, pk, n);
	L->indexed = score(&B, S, pk, n, NULL) / total;
	/* real space: rows of B^-1 */
	double a[2], b[2];
	dual(B.b1, B.b2, a, b);
	am_reduce2(a, b);
	L->a[0] = a[0], L->a[1] = a[1], L->b[0] = b[0], L->b[1] = b[1];
	dual(a, b, L->ga, L->gb);
	double px = im->px > 0 ? im->px : 1;
	L->len_a = sqrt(dot(a, a)) * px, L->len_b = sqrt(dot(b, b)) * px;
	L->gamma = acos(dot(a, b) / sqrt(dot(a, a) * dot(b, b))) * 180 / M_PI;
	/* periodicity: power of sharp peaks on lattice points, up to the band
	 * limit, over the power there that is not white noise. The band starts
	 * at half the shortest reciprocal vector, so the slowly varying
	 * background (a gradient, contamination, a hole's edge) does not
	 * count against the lattice. */
	double on = 0, gmax = 0.45;
	double gshort = fmin(sqrt(dot(L->ga, L->ga)), sqrt(dot(L->gb, L->gb)));
	long hmax = (long)ceil(gmax / gshort) + 1;
	for (long h = -hmax; h <= hmax; h++)
		for (long k = -hmax; k <= hmax; k++) {
			double g[2] = {(double)h * L->ga[0] + (double)k * L->gb[0], (double)h * L->ga[1] + (double)k * L->gb[1]};
			if ((h == 0 && k == 0) || sqrt(dot(g, g)) > gmax || g[0] < 0 || (g[0] == 0 && g[1] < 0))
				continue; /* one of each +-g pair: the half plane holds it */
			/* only reflections that noise cannot make count: 8 standard
			 * deviations of a 13-bin disc of white noise. The lattice was
			 * fitted to the strongest peaks, so on an image of noise alone
			 * its points sit on noise maxima, and their excess, however
			 * small, would read as a lattice */
			double ex = am_spectrum_excess_near(S, g[0], g[1], 2.0, NULL);
			if (significant(ex, S->floor / M_LN2))
				on += ex;
		}
	/* three standard deviations of the band's noise are added below, so
	 * pure noise, whose structured power is 0 give or take that, has a
	 * periodicity near 0 and not a ratio of two fluctuations */
	size_t nb;
	double structured = am_spectrum_structured(S, 0.5 * gshort, gmax, &nb);
	double allowance = 3 * S->floor / M_LN2 * sqrt((double)nb);
	L->periodicity = on > 0 ? on / (fmax(structured, on) + allowance) : 0; /* on: signed, 0 on average for noise */
	if (L->periodicity > 1)
		L->periodicity = 1;
	return 0;
}

void am_lattice_frac(const am_lattice *L, double ox, double oy, double x, double y, double *u, double *v)
{
	double d[2] = {x - ox, y - oy};
	*u = dot(d, L->ga), *v = dot(d, L->gb);
}
