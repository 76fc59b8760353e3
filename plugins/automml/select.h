/*
 * select.h -- AutoMMLab's model selection: the zoo's candidates for the
 * task, counted (arch.c) and measured (latency, by the profile op),
 * filtered by the request's constraints and ranked by their prior.
 */
#ifndef AUTOMML_SELECT_H
#define AUTOMML_SELECT_H

#include <jansson.h>
#include <stddef.h>

/* The request's limits in base units; 0 means none was stated. */
typedef struct limits {
	double params;     /* count */
	double flops;      /* multiply-accumulates */
	double latency_ms; /* per image, batch 1 */
} limits;

/* Reads the limits from a parse's model section; -1 with err on a unit
 * outside the schema. */
int select_limits(const json_t *model, limits *out, char *err, size_t errlen);

/* Chooses among `candidates` ([{name, family, prior, layers, latency_ms}])
 * for data of c x h x w with `classes` and `keypoints`. Returns a new
 * object {chosen, relaxed, table, why}, or NULL with err when no model can
 * meet the request even with every limit relaxed by 1.2x (the message
 * names the closest model and what it misses by) or a candidate is
 * malformed. */
json_t *select_model(const json_t *candidates, const limits *lim, const char *specific, int c, int h, int w,
		     int classes, int keypoints, char *err, size_t errlen);

#endif
