/*
 * synth.h -- synthetic BI schemas with data and their true joins, for
 * training the join classifier and for the evaluation harness.
 *
 * Shapes: star (one fact), snowflake (dimensions with sub-dimensions),
 * constellation (several facts sharing dimensions), and tpch (the eight
 * TPC-H tables with their keys, the composite partsupp key included). The
 * data has what makes join discovery hard in practice: skewed foreign keys,
 * dense integer keys that contain each other, small integer measures that
 * fit inside those keys, missing and dangling references, cryptic and
 * misleading column names, and mixed naming conventions.
 */
#ifndef AUTOBI_SYNTH_H
#define AUTOBI_SYNTH_H

#include <stddef.h>
#include <stdint.h>

typedef struct abi_synth_opts {
	const char *shape;  /* star | snowflake | constellation | tpch | wide */
	uint64_t seed;
	int fact_rows;      /* rows of each fact table (tpch: lineitem, roughly) */
	int tables;         /* wide: the number of tables */
} abi_synth_opts;

/* Writes DIR/tables/NAME.csv for each table and DIR/truth.json with the
 * true joins. Returns 0, or -1 with a message in err. */
int abi_synth(const char *dir, const abi_synth_opts *opts, char *err, size_t errlen);

#endif
