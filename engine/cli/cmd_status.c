/*
 * cmd_status.c -- weft status: recent runs, and what a live run is doing
 * (from runs/ID/live.json, which the engine rewrites while it runs).
 *
 * A live.json whose pid is gone belongs to a run that was killed; it is
 * shown as interrupted, never as running.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "record.h"
#include "util.h"

static const char status_help[] =
	"usage: weft status [RUN_ID] [--store DIR] [-n N] [-w]\n"
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


/* The live snapshot of run `id`, if the process that writes it is alive. */
static json_t *load_live(const char *store, const char *id)
{
	json_t *j = cli_run_json(store, id, "live.json");
	pid_t pid = (pid_t)json_integer_value(json_object_get(j, "pid"));
	if (j && (pid <= 0 || (kill(pid, 0) != 0 && errno != EPERM))) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static long long num(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static void print_pools(json_t *pools, int live)
{
	size_t i;
	json_t *p;
	json_array_foreach(pools, i, p)
	{
		const char *name = str(p, "name");
		json_t *devs = json_object_get(p, "devices");
		if (!strcmp(name, "mem"))
			printf("    %-9s %.1f / %.1f GiB\n", name, (double)num(p, "used") / 1073741824.0,
			       (double)num(p, "capacity") / 1073741824.0);
		else if (live || devs)
			printf("    %-9s %lld / %lld%s\n", name, num(p, "used"), num(p, "capacity"),
			       devs ? " devices" : "");
		size_t d;
		json_t *dv;
		json_array_foreach(devs, d, dv)
		{
			json_t *holder = json_object_get(dv, "node");
			printf("      %s:%-6s %5.1f%% busy (%.1fs)%s%s\n", name, str(dv, "id"),
			       100.0 * json_number_value(json_object_get(dv, "utilisation")),
			       json_number_value(json_object_get(dv, "busy_s")), json_is_string(holder) ? "  now: " : "",
			       json_is_string(holder) ? json_string_value(holder) : "");
		}
	}
}

static void print_live(json_t *j)
{
	json_t *nodes = json_object_get(j, "nodes");
	double age = json_number_value(json_object_get(j, "now")) - json_number_value(json_object_get(j, "started"));
	printf("run %s  %s  pid %lld  %.1fs\n  pipeline %s\n", str(j, "run"), str(j, "state"), num(j, "pid"), age,
	       str(j, "pipeline"));
	printf("  nodes: %lld of %lld finished (%lld executed, %lld cached, %lld failed), %lld running, %lld "
	       "retries\n",
	       num(nodes, "finished"), num(nodes, "total"), num(nodes, "executed"), num(nodes, "cached"),
	       num(nodes, "failed"), num(nodes, "running"), num(nodes, "retries"));
	json_t *running = json_object_get(j, "running");
	if (json_array_size(running)) {
		printf("  running:\n    %-28s %-18s %-11s %-16s %9s\n", "NODE", "OP", "WORKER", "DEVICES", "ELAPSED");
		size_t i;
		json_t *r;
		json_array_foreach(running, i, r)
		{
			json_t *w = json_object_get(r, "worker");
			char wbuf[32];
			if (json_is_integer(w))
				snprintf(wbuf, sizeof wbuf, "pid %lld", (long long)json_integer_value(w));
			else
				snprintf(wbuf, sizeof wbuf, "%s", json_string_value(w) ? json_string_value(w) : "-");
			const char *devs = str(r, "devices");
			printf("    %-28s %-18s %-11s %-16s %8.1fs%s%s\n", str(r, "node"), str(r, "op"), wbuf,
			       *devs ? devs : "-", json_number_value(json_object_get(r, "elapsed")),
			       num(r, "attempt") > 1 ? "  (retry)" : "",
			       json_is_true(json_object_get(r, "cancelling")) ? "  (cancelling)" : "");
		}
	}
	json_t *q = json_object_get(j, "queue");
	printf("  queue: %lld waiting for resources, %lld with inputs ready", num(q, "waiting_for_resources"),
	       num(q, "waiting_for_inputs"));
	json_t *next = json_object_get(q, "next");
	size_t i;
	json_t *v;
	json_array_foreach(next, i, v) printf("%s%s", i ? ", " : "; next: ", json_string_value(v));
	printf("\n");
	json_array_foreach(json_object_get(q, "retrying"), i, v)
	{
		printf("  retrying %s in %.1fs (attempt %lld)\n", str(v, "node"),
		       json_number_value(json_object_get(v, "retry_in")), num(v, "attempt"));
	}
	printf("  pools:\n");
	print_pools(json_object_get(j, "pools"), 1);
}

static void print_finished(const char *id, json_t *r)
{
	json_t *c = json_object_get(r, "counts");
	printf("run %s  %s  %.2fs\n  pipeline %s\n", id, str(r, "status"),
	       json_number_value(json_object_get(r, "wall_seconds")), str(r, "pipeline"));
	printf("  nodes: %lld total, %lld executed, %lld cached, %lld resumed, %lld failed, %lld skipped\n",
	       num(c, "total"), num(c, "executed"), num(c, "cached"), num(c, "resumed"), num(c, "failed"),
	       num(c, "skipped"));
	json_t *pools = json_object_get(r, "resources");
	if (json_array_size(pools)) {
		printf("  devices over the run:\n");
		print_pools(pools, 0);
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
		json_t *live = load_live(store, ids[i]);
		json_t *r = live ? NULL : cli_run_json(store, ids[i], "record.json");
		if (live) {
			json_t *c = json_object_get(live, "nodes");
			printf("%-26s %-12s %6lld %6lld %6lld %6lld %7.1fs  %s\n", ids[i], "running", num(c, "total"),
			       num(c, "executed"), num(c, "cached"), num(c, "failed"),
			       json_number_value(json_object_get(live, "now")) -
				       json_number_value(json_object_get(live, "started")),
			       str(live, "pipeline"));
		} else if (!r) {
			char *why = cli_run_no_record(store, ids[i]);
			printf("%-26s %-12s %6s %6s %6s %6s %8s  (%s)\n", ids[i], "no record", "-", "-", "-", "-", "-",
			       why ? why : "no record");
			free(why);
		} else {
			json_t *c = json_object_get(r, "counts");
			printf("%-26s %-12s %6lld %6lld %6lld %6lld %7.2fs  %s\n", ids[i], str(r, "status"),
			       num(c, "total"), num(c, "executed"), num(c, "cached") + num(c, "resumed"),
			       num(c, "failed"), json_number_value(json_object_get(r, "wall_seconds")),
			       str(r, "pipeline"));
		}
		json_decref(live);
		json_decref(r);
	}
}

/* One screen; returns the number of live runs shown. */
static int show(const char *store, const char *only, int limit)
{
	if (only) {
		json_t *live = load_live(store, only);
		json_t *r = live ? NULL : cli_run_json(store, only, "record.json");
		int shown = live != NULL;
		if (live)
			print_live(live);
		else if (r)
			print_finished(only, r);
		else {
			char *why = cli_run_no_record(store, only);
			printf("run %s: not running; %s\n", only, why ? why : "no record");
			free(why);
		}
		json_decref(live);
		json_decref(r);
		return shown;
	}
	char **ids = NULL;
	size_t n = 0;
	(void)weft_record_list_runs(&ids, &n, store);
	int live_runs = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *live = load_live(store, ids[i]);
		if (live) {
			print_live(live);
			printf("\n");
			live_runs++;
		}
		json_decref(live);
	}
	print_table(store, ids, n, limit);
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return live_runs;
}

int cmd_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"store", required_argument, NULL, 's'}, {"limit", required_argument, NULL, 'n'},
		{"watch", no_argument, NULL, 'w'},       {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *store_flag = NULL, *only = NULL;
	int limit = 10, watch = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "n:wh", longopts, NULL)) != -1) {
		if (c == 's') {
			store_flag = optarg;
		} else if (c == 'n') {
			limit = atoi(optarg);
		} else if (c == 'w') {
			watch = 1;
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
		return cli_fail("unexpected argument '%s'", argv[optind]);
	if (only && (strchr(only, '/') || !strcmp(only, "..")))
		return cli_fail("'%s' is not a run id (see `weft status`)", only);
	char *store = cli_store_dir(store_flag, ".");
	if (!store)
		return cli_fail("out of memory");
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
