/*
 * bimodel.h -- from the arborescence to the BI model, and scoring a model
 * against the true joins.
 */
#ifndef AUTOBI_BIMODEL_H
#define AUTOBI_BIMODEL_H

#include <jansson.h>

#include "cands_io.h"
#include "kmca.h"

/* Builds the model JSON and its Graphviz rendering from the tree edges in r,
 * then adds the edges constellation schemas need: in order of probability,
 * each remaining candidate with p >= extra_threshold whose referencing
 * columns are still free (FK-once), whose target is not a fact, and which
 * closes no directed cycle. *model is a new reference; *dot is malloc'd. */
int abi_bimodel_build(json_t **model, char **dot, const abi_graph *g, const abi_kmca_result *r,
		      double extra_threshold, char *err, size_t errlen);

typedef struct abi_score {
	size_t tp, fp, fn;
	double precision, recall, f1;
	int exact; /* the predicted join set equals the true one */
} abi_score;

/* Compares the joins of a model (autobi-bi-model/1) with the true ones
 * (autobi-truth/1). A join is its (table, columns) -> (table, columns). */
int abi_score_model(abi_score *s, const json_t *model, const json_t *truth, char *err, size_t errlen);

#endif
