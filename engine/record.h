/*
 * record.h -- the final run record (record.json in the run directory) and
 * lookups over past records. The record is the machine-readable account of
 * a run: params, each node's key, status, cache hit or miss, timings and
 * output hashes. Tests and `weft log` read it; nothing else parses logs.
 */
#ifndef WEFT_RECORD_H
#define WEFT_RECORD_H

#include <jansson.h>

#include "context.h"

/* A run resumed after kills is one run in several segments: how many, and
 * the nodes executed in all of them (the counts cover this segment). */
typedef struct weft_record_segments {
	size_t count;
	size_t executed;
} weft_record_segments;

/* The log file of node `name` in a run's log directory: <name>.log, a "/"
 * in the name written "~" (log files are flat). Into buf; 0 when it does
 * not fit in cap. */
int record_log_path(char *buf, size_t cap, const char *log_dir, const char *name);
/* `pools` (the run's pools with their utilisation) is taken over. */
int weft_record_write(weft_engine *eng, const char *run_dir, const char *run_id, const weft_run_options *o,
		      const char *status, const weft_run_summary *s, const weft_record_segments *seg, json_t *pools);
/* Nodes (object name -> node record) of the newest recorded run of
 * `pipeline`, other than `exclude_id`; NULL if none. Caller decrefs. */
json_t *weft_record_prev_nodes(const char *store_dir, const char *pipeline, const char *exclude_id);

#endif
