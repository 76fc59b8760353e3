/*
 * synth.c -- see synth.h. Class c's mean sits at separation * e_c in the
 * informative dimensions (a simplex when there are enough of them), and
 * each class also shifts one informative feature by a threshold-like
 * step, so both stumps and linear models have something to find.
 */
#include "synth.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rng.h"

int aws_synth_csv(const char *path, const aws_synth_opts *o, char *err, size_t errlen)
{
	if (o->classes < 2 || o->classes > 26 || o->informative < 1 || o->rows < o->classes) {
		snprintf(err, errlen, "synth needs 2..26 classes, an informative feature and more rows than classes");
		return -1;
	}
	FILE *f = fopen(path, "w");
	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	uint64_t s = o->seed * 0x2545F4914F6CDD1DULL + 1;
	size_t d = o->informative + o->noise;
	for (size_t j = 0; j < d; j++)
		fprintf(f, "%s%s%zu", j ? "," : "", j < o->informative ? "x" : "noise", j < o->informative ? j : j - o->informative);
	fprintf(f, ",label\n");
	/* Imbalance: class c has weight 1 / (1 + c / 2). */
	double wsum = 0;
	for (size_t c = 0; c < o->classes; c++)
		wsum += 1.0 / (1.0 + (double)c / 2);
	for (size_t i = 0; i < o->rows; i++) {
		double u = wrng_unif(&s) * wsum, acc = 0;
		size_t c = 0;
		while (c + 1 < o->classes && u > (acc += 1.0 / (1.0 + (double)c / 2)))
			c++;
		for (size_t j = 0; j < d; j++) {
			double v = wrng_gauss(&s);
			if (j < o->informative) {
				if (j == c % o->informative)
					v += o->separation;
				if (j == (c + 1) % o->informative && wrng_unif(&s) < 0.7)
					v -= o->separation / 2; /* a step, half the time: stump-shaped */
			}
			fprintf(f, "%s%.5f", j ? "," : "", v);
		}
		fprintf(f, ",c%zu\n", c);
	}
	if (fclose(f) != 0) {
		snprintf(err, errlen, "cannot write %s", path);
		return -1;
	}
	return 0;
}
