/*
 * runprune.c -- `weft cache gc --keep-runs N`: the run directories older
 * than the N newest, with what belongs to them elsewhere in the store
 * (their Slurm job directories and leftover work directories).
 *
 * Only finished runs go: a run without a record was killed and may still
 * be resumed, so it is kept (and counted) whatever its age. Like gc, it
 * holds the store lock exclusively, so no run is alive while it deletes.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storelock.h"
#include "util.h"
#include "weft/run.h"

int weft_runs_prune(weft_prune_result *out, const char *store_dir, size_t keep, int dry_run)
{
	memset(out, 0, sizeof *out);
	int lock = -1;
	if (!dry_run && weft_store_lock(&lock, store_dir, 1, 0) != WEFT_OK)
		return WEFT_EIO;
	char **ids = NULL;
	size_t n = 0;
	int rc = weft_runs_list(&ids, &n, store_dir);
	/* Newest first: the first `keep` finished runs stay. */
	size_t kept = 0;
	for (size_t i = 0; rc == WEFT_OK && i < n; i++) {
		if (!weft_run_has_record(store_dir, ids[i])) {
			out->unfinished_kept++;
			continue;
		}
		if (kept < keep) {
			kept++;
			continue;
		}
		out->runs_removed++;
		if (dry_run)
			continue;
		const char *parts[] = {"runs", "slurm", "tmp"};
		for (size_t k = 0; rc == WEFT_OK && k < 3; k++) {
			char *p = weft_sprintf("%s/%s/%s", store_dir, parts[k], ids[i]);
			rc = p ? weft_rm_rf(p) : weft_err_set(WEFT_ERROR, "out of memory");
			free(p);
		}
	}
	out->runs_kept = kept;
	weft_runs_free(ids, n);
	weft_store_unlock(lock);
	return rc;
}
