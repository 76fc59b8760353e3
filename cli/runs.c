/*
 * runs.c -- opening a run by id, or the newest, for the commands that read
 * one (show, cat, export, report, graph --run).
 */
#include <stdlib.h>

#include "cli.h"
#include "util.h"
#include "weft/run.h"

int cli_open_run(weft_run **out, char **opened, const char *store, const char *id)
{
	*out = NULL;
	*opened = NULL;
	char *latest = NULL;
	if (!id && weft_runs_latest(&latest, store, 0) != WEFT_OK)
		return cli_fail("%s", weft_error_last());
	const char *use = id ? id : latest;
	if (weft_run_open(out, store, use) != WEFT_OK) {
		int rc = cli_fail("run %s: %s", use, weft_error_last());
		free(latest);
		return rc;
	}
	*opened = latest ? latest : weft_strdup(id);
	return WEFT_EXIT_OK;
}
