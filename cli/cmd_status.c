/*
 * cmd_status.c -- weft status: recent runs, and what a live run is doing
 * (from runs/ID/live.json, which the engine rewrites while it runs).
 *
 * A live.json whose pid is gone belongs to a run that was killed; it is
 * shown as interrupted, never as running.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"
#include "weft/run.h"

static const char status_help[] =
	"usage: weft status [RUN_ID] [--store DIR] [-n N] [-w] [--json]\n"
	"\n"
	"Without RUN_ID: what every live run is doing, then the N most recent\n"
	"runs (default 10). With RUN_ID: that run, live or finished.\n"
	"\n"
	"A live view shows the running nodes with their worker and devices, the\n"
	"queue (nodes waiting for resources, highest priority first, and retries\n"
	"waiting for their backoff) and each pool's use, with the utilisation of\n"
	"every device over the run so far.\n"
	"\n"
	"  -w, --watch   redraw every second until no run is live\n";


static void print_pools(const weft_run_pool *pools, size_t n, int live)
{
	for (size_t i = 0; i < n; i++) {
		const weft_run_pool *p = &pools[i];
		const char *name = p->name ? p->name : "?";
		if (!strcmp(name, "mem"))
			printf("    %-9s %.1f / %.1f GiB\n", name, (double)p->used / 1073741824.0,
			       (double)p->capacity / 1073741824.0);
		else if (live || p->devices)
			printf("    %-9s %lld / %lld%s\n", name, (long long)p->used, (long long)p->capacity,
			       p->devices ? " devices" : "");
		for (size_t d = 0; d < p->n_devices; d++) {
			const weft_run_device *dv = &p->devices[d];
			printf("      %s:%-6s %5.1f%% busy (%.1fs)%s%s\n", name, dv->id ? dv->id : "?",
			       100.0 * dv->utilisation, dv->busy_s, dv->node ? "  now: " : "", dv->node ? dv->node : "");
		}
	}
}

static const char *or(const char *s)
{
	return s ? s : "";
}

static void print_live(const weft_run_live_info *l)
{
	printf("run %s  %s  pid %ld  %.1fs\n  pipeline %s\n", or(l->id), or(l->state), l->pid, l->now - l->started,
	       or(l->pipeline));
	printf("  nodes: %zu of %zu finished (%zu executed, %zu cached, %zu failed), %zu running, %zu retries\n",
	       l->finished, l->total, l->executed, l->cached, l->failed, l->running, l->retries);
	if (l->n_nodes) {
		printf("  running:\n    %-28s %-18s %-11s %-16s %9s\n", "NODE", "OP", "WORKER", "DEVICES", "ELAPSED");
		for (size_t i = 0; i < l->n_nodes; i++) {
			const weft_run_live_node *r = &l->nodes[i];
			char wbuf[48];
			if (r->worker_pid)
				snprintf(wbuf, sizeof wbuf, "pid %ld", r->worker_pid);
			else if (r->job_id)
				snprintf(wbuf, sizeof wbuf, "job %s %s", *r->job_id ? r->job_id : "-", or(r->job_state));
			else
				snprintf(wbuf, sizeof wbuf, "%s", r->where);
			char pbuf[80] = "";
			if (r->progress >= 0)
				snprintf(pbuf, sizeof pbuf, "  %.0f%%%s%.60s", r->progress * 100, *r->progress_msg ? " " : "",
					 r->progress_msg);
			printf("    %-28s %-18s %-11s %-16s %8.1fs%s%s%s\n", or(r->node), or(r->op), wbuf,
			       *r->devices ? r->devices : "-", r->elapsed, pbuf, r->attempt > 1 ? "  (retry)" : "",
			       r->cancelling ? "  (cancelling)" : "");
		}
	}
	printf("  queue: %zu waiting for resources, %zu with inputs ready", l->waiting_for_resources,
	       l->waiting_for_inputs);
	for (size_t i = 0; i < l->n_next; i++)
		printf("%s%s", i ? ", " : "; next: ", or(l->next[i]));
	printf("\n");
	for (size_t i = 0; i < l->n_retrying; i++)
		printf("  retrying %s in %.1fs (attempt %u)\n", or(l->retrying[i].node), l->retrying[i].retry_in,
		       l->retrying[i].attempt);
	printf("  pools:\n");
	print_pools(l->pools, l->n_pools, 1);
}

static void print_finished(const char *id, const weft_run_info *r)
{
	const weft_run_counts *c = &r->counts;
	printf("run %s  %s  %.2fs\n  pipeline %s\n", id, r->status, r->wall_seconds, r->pipeline);
	printf("  nodes: %zu total, %zu executed, %zu cached, %zu resumed, %zu failed, %zu skipped\n", c->total,
	       c->executed, c->cached, c->resumed, c->failed, c->skipped);
	if (r->n_pools) {
		printf("  devices over the run:\n");
		print_pools(r->pools, r->n_pools, 0);
	}
}

static void print_table(const char *store, char **ids, size_t n, int limit)
{
	if (n == 0) {
		printf("no runs under %s\n", store);
		return;
	}
	printf("%-26s %-12s %6s %6s %6s %6s %8s  %s\n", "RUN", "STATUS", "NODES", "EXEC", "CACHED", "FAILED", "WALL",
	       "PIPELINE");
	for (size_t i = 0; i < n && (int)i < limit; i++) {
		weft_run_live *live = NULL;
		weft_run *r = NULL;
		if (weft_run_live_open(&live, store, ids[i]) == WEFT_OK) {
			const weft_run_live_info *l = weft_run_live_get(live);
			printf("%-26s %-12s %6zu %6zu %6zu %6zu %7.1fs  %s\n", ids[i], "running", l->total, l->executed,
			       l->cached, l->failed, l->now - l->started, or(l->pipeline));
		} else if (weft_run_open(&r, store, ids[i]) != WEFT_OK) {
			printf("%-26s %-12s %6s %6s %6s %6s %8s  (%s)\n", ids[i], "no record", "-", "-", "-", "-", "-",
			       weft_error_last());
		} else {
			const weft_run_info *in = weft_run_get_info(r);
			const weft_run_counts *c = &in->counts;
			printf("%-26s %-12s %6zu %6zu %6zu %6zu %7.2fs  %s\n", ids[i], in->status, c->total, c->executed,
			       c->cached + c->resumed, c->failed, in->wall_seconds, in->pipeline);
		}
		weft_run_live_free(live);
		weft_run_free(r);
	}
}

/* One screen; returns the number of live runs shown. */
/* weft status --json: the runs (or RUN), newest first, each with its
 * record's counts and, while it runs, its live view as live.json has it. */
static int status_json(const char *store, const char *only, int limit)
{
	char **ids = NULL;
	size_t n = 0;
	if (!only && weft_runs_list(&ids, &n, store) != WEFT_OK)
		return cli_fail("cannot list the runs: %s", weft_error_last());
	weft_value *list = weft_value_list();
	for (size_t i = 0; i < (only ? 1 : n) && (only || (int)i < limit); i++) {
		const char *id = only ? only : ids[i];
		weft_value *e = weft_value_map();
		weft_value_map_set(e, "id", cli_json_str(id));
		char *text = NULL;
		size_t len = 0;
		weft_value *live = NULL;
		if (weft_run_live_text(&text, &len, store, id) == WEFT_OK &&
		    weft_value_from_json(&live, text, len, NULL, 0) != WEFT_OK)
			live = NULL;
		free(text);
		weft_run *r = NULL;
		if (weft_run_open(&r, store, id) == WEFT_OK) {
			const weft_run_info *in = weft_run_get_info(r);
			weft_value *c = weft_value_map();
			weft_value_map_set(c, "total", weft_value_int((int64_t)in->counts.total));
			weft_value_map_set(c, "executed", weft_value_int((int64_t)in->counts.executed));
			weft_value_map_set(c, "cached", weft_value_int((int64_t)in->counts.cached));
			weft_value_map_set(c, "resumed", weft_value_int((int64_t)in->counts.resumed));
			weft_value_map_set(c, "failed", weft_value_int((int64_t)in->counts.failed));
			weft_value_map_set(c, "skipped", weft_value_int((int64_t)in->counts.skipped));
			weft_value_map_set(e, "status", cli_json_str(in->status));
			weft_value_map_set(e, "pipeline", cli_json_str(in->pipeline));
			weft_value_map_set(e, "counts", c);
			weft_value_map_set(e, "wall_seconds", weft_value_float(in->wall_seconds));
		} else {
			weft_value_map_set(e, "status", cli_json_str(live ? "running" : "no record"));
			weft_value_map_set(e, "why", cli_json_str(live ? NULL : weft_error_last()));
		}
		weft_value_map_set(e, "live", live ? live : weft_value_null());
		weft_run_free(r);
		weft_value_list_push(list, e);
	}
	cli_print_json(list, "[]");
	weft_runs_free(ids, n);
	return WEFT_EXIT_OK;
}

static int show(const char *store, const char *only, int limit)
{
	if (only) {
		weft_run_live *live = NULL;
		weft_run *r = NULL;
		int shown = 0;
		if (weft_run_live_open(&live, store, only) == WEFT_OK) {
			print_live(weft_run_live_get(live));
			shown = 1;
		} else if (weft_run_open(&r, store, only) == WEFT_OK)
			print_finished(only, weft_run_get_info(r));
		else
			printf("run %s: not running; %s\n", only, weft_error_last());
		weft_run_live_free(live);
		weft_run_free(r);
		return shown;
	}
	char **ids = NULL;
	size_t n = 0;
	if (weft_runs_list(&ids, &n, store) != WEFT_OK)
		printf("cannot list the runs: %s\n", weft_error_last());
	int live_runs = 0;
	for (size_t i = 0; i < n; i++) {
		weft_run_live *live;
		if (weft_run_live_open(&live, store, ids[i]) == WEFT_OK) {
			print_live(weft_run_live_get(live));
			printf("\n");
			live_runs++;
			weft_run_live_free(live);
		}
	}
	print_table(store, ids, n, limit);
	weft_runs_free(ids, n);
	return live_runs;
}

int cmd_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"store", required_argument, NULL, 's'}, {"limit", required_argument, NULL, 'n'},
		{"watch", no_argument, NULL, 'w'},       {"help", no_argument, NULL, 'h'},
		{"json", no_argument, NULL, 'J'},
		{NULL, 0, NULL, 0},
	};
	const char *store_flag = NULL, *only = NULL;
	int limit = 10, watch = 0, json = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "n:wh", longopts, NULL)) != -1) {
		if (c == 's') {
			store_flag = optarg;
		} else if (c == 'n') {
			limit = atoi(optarg);
		} else if (c == 'w') {
			watch = 1;
		} else if (c == 'J') {
			json = 1;
		} else if (c == 'h') {
			fputs(status_help, stdout);
			return WEFT_EXIT_OK;
		} else {
			fputs(status_help, stderr);
			return WEFT_EXIT_USAGE;
		}
	}
	if (optind < argc)
		only = argv[optind++];
	if (optind < argc)
		return cli_fail("unexpected argument '%s'; see `weft status --help`", argv[optind]);
	if (only && (strchr(only, '/') || !strcmp(only, "..")))
		return cli_fail("'%s' is not a run id (see `weft status`)", only);
	char *store = cli_store_dir(store_flag, ".");
	if (!store)
		return cli_fail("out of memory");
	if (json) {
		int rc = status_json(store, only, limit);
		free(store);
		return rc;
	}
	int tty = isatty(1);
	for (;;) {
		if (watch && tty)
			printf("\033[H\033[2J");
		int live = show(store, only, limit);
		fflush(stdout);
		if (!watch || !live)
			break;
		struct timespec ts = {1, 0};
		nanosleep(&ts, NULL);
		if (!tty)
			printf("\n");
	}
	free(store);
	return WEFT_EXIT_OK;
}
