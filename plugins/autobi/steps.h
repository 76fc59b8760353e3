/*
 * steps.h -- the glue shared by the ops and the evaluation harness, so
 * both run exactly the same chain: probabilities onto candidates, the
 * schema graph into k-MCA, truth labels onto candidates.
 */
#ifndef AUTOBI_STEPS_H
#define AUTOBI_STEPS_H

#include <jansson.h>

#include "cands_io.h"
#include "classify.h"
#include "kmca.h"

void abi_predict_all(abi_graph *g, const abi_lr *m);

/* Edge cost -log(p / (1 - p)) with root edges at 0: the arborescence of
 * least cost is then the most likely one when candidates are independent
 * (see kmca.h), and the k it has is the chosen number of facts. FK-once
 * groups are the candidates sharing referencing columns. */
int abi_kmca_graph(abi_kmca_result *r, const abi_graph *g, const abi_kmca_opts *o, char *err, size_t errlen);

/* labels[i] = 1 when candidate i is one of the truth's joins. */
int abi_label(int *labels, const abi_graph *g, const json_t *truth, char *err, size_t errlen);

/* Training rows: features X (n x ABI_NFEATURES) and 0/1 labels y. */
typedef struct abi_examples {
	double *X;
	int *y;
	size_t n;
} abi_examples;

/* Appends g's candidates, labelled from truth. On failure e is unchanged
 * in content (its buffers may have grown). */
int abi_examples_add(abi_examples *e, const abi_graph *g, const json_t *truth, char *err, size_t errlen);
void abi_examples_free(abi_examples *e);

/* The names of the *.csv files in dir (any case of the extension), sorted,
 * into *names (free with abi_names_free). Returns 0, -1 when dir cannot be
 * opened, -2 when memory runs out. */
int abi_list_csv(char ***names, size_t *n, const char *dir);
void abi_names_free(char **names, size_t n);

/* Reads every *.csv under dir (sorted by name) and profiles it; *profs is
 * an array of *n profiles. For the harness and benchmarks; the pipeline
 * profiles one table per node instead. */
/* Loads n profile files into profs (zeroed, n entries) on up to `threads`
 * threads. 0, or -1 with *bad the lowest index that failed and its message
 * in err; the profiles loaded are freed then. */
int abi_profiles_load(abi_profile *profs, const char *const *paths, size_t n, unsigned threads, size_t *bad,
		      char *err, size_t errlen);

/* Seconds on the monotonic clock, for the stage timings ops log. */
double abi_now(void);

int abi_profile_dir(abi_profile **profs, size_t *n, const char *dir, double *parse_s, double *profile_s, char *err,
		    size_t errlen);

#endif
