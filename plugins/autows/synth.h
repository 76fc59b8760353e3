/*
 * synth.h -- a generated multi-class dataset for AutoWS: k Gaussian
 * classes in a few informative dimensions, among noise dimensions, with
 * class imbalance and some class overlap, written as a CSV with a label
 * column (every row has its gold label; autows.load hides all but
 * n_labels of them).
 */
#ifndef AUTOWS_SYNTH_H
#define AUTOWS_SYNTH_H

#include <stddef.h>
#include <stdint.h>

typedef struct aws_synth_opts {
	size_t rows, classes, informative, noise;
	double separation; /* distance of class means, in standard deviations */
	uint64_t seed;
} aws_synth_opts;

int aws_synth_csv(const char *path, const aws_synth_opts *o, char *err, size_t errlen);

#endif
