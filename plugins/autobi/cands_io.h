/*
 * cands_io.h -- the schema graph as it travels between ops: the tables
 * (name, rows, columns) and the candidate joins with their features and,
 * once predicted, probabilities. Its binary form (cands_io.c) is the
 * artifact of autobi.candidates and autobi.predict_joins.
 */
#ifndef AUTOBI_CANDS_IO_H
#define AUTOBI_CANDS_IO_H

#include "candidates.h"
#include "profile.h"

typedef struct abi_tinfo {
	char *name;
	uint64_t rows;
	size_t ncols;
	char **cols;
	uint8_t *unique; /* per column: a key on its own */
} abi_tinfo;

typedef struct abi_graph {
	size_t ntables;
	abi_tinfo *t;
	abi_cands c;
	int has_p; /* candidates carry probabilities */
} abi_graph;

int abi_graph_from_profiles(abi_graph *g, const abi_profile *profs, size_t n);
/* Larger graph files are refused before they are read. */
#define ABI_GRAPH_MAX_BYTES ((size_t)1 << 30)

/* Writes the graph to path (the op renames it into the store). */
int abi_graph_save(const abi_graph *g, const char *path, char *err, size_t errlen);
/* `what` names the source in messages. */
int abi_graph_load(abi_graph *g, const char *path, const char *what, char *err, size_t errlen);
void abi_graph_free(abi_graph *g);

/* Index of a table by name, or -1. */
long abi_graph_table(const abi_graph *g, const char *name);

#endif
