/*
 * cmd_cache.c -- weft cache stats | gc.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"
#include "weft/sys/worker.h"

static const char cache_help[] =
	"usage: weft cache stats [--store DIR]\n"
	"       weft cache gc [--keep-runs N] [--max-size SIZE] [--dry-run] [--store DIR]\n"
	"\n"
	"--keep-runs removes every finished run but the N newest (record, journal,\n"
	"logs, Slurm job directories); runs without a record can still be resumed\n"
	"and are kept. --max-size then deletes the least recently used objects until\n"
	"the store holds at most SIZE bytes (suffixes K, M, G). Objects referenced by\n"
	"the newest run of each pipeline, and the outputs of the nodes a killed\n"
	"(resumable) run finished, are never deleted.\n";

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || v < 0)
		return -1;
	double mult = 1;
	switch (*end) {
	case 'k': case 'K': mult = 1024; end++; break;
	case 'm': case 'M': mult = 1024.0 * 1024; end++; break;
	case 'g': case 'G': mult = 1024.0 * 1024 * 1024; end++; break;
	case '\0': break;
	default: return -1;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end)
		return -1;
	*out = (uint64_t)(v * mult);
	return 0;
}

static void human(char *buf, size_t n, uint64_t b)
{
	if (b >= 1024ull * 1024 * 1024)
		snprintf(buf, n, "%.2f GiB", (double)b / (1024.0 * 1024 * 1024));
	else if (b >= 1024 * 1024)
		snprintf(buf, n, "%.2f MiB", (double)b / (1024.0 * 1024));
	else if (b >= 1024)
		snprintf(buf, n, "%.1f KiB", (double)b / 1024.0);
	else
		snprintf(buf, n, "%llu B", (unsigned long long)b);
}

/* --keep-runs N */
static int prune_runs(const char *store, const char *keep, int dry)
{
	char *end = NULL;
	long n = strtol(keep, &end, 10);
	if (!end || *end || n < 0)
		return cli_fail("--keep-runs needs a number of runs >= 0, got '%s'", keep);
	weft_prune_result pr;
	if (weft_runs_prune(&pr, store, (size_t)n, dry) != WEFT_OK)
		return cli_fail("%s", weft_error_last());
	printf("%s%zu runs removed, %zu kept, %zu unfinished runs kept (they can be resumed)\n", dry ? "dry run: " : "",
	       pr.runs_removed, pr.runs_kept, pr.unfinished_kept);
	return 0;
}

/* --max-size SIZE */
static int gc_objects(const char *store, const char *max, int dry)
{
	uint64_t limit;
	char a[32], b[32], r[32];
	if (parse_size(max, &limit) != 0)
		return cli_fail("--max-size needs a size such as 500M, got '%s'", max);
	weft_gc_result g;
	if (weft_cache_gc(&g, store, limit, dry) != WEFT_OK)
		return cli_fail("%s", weft_error_last());
	human(a, sizeof a, g.bytes_before);
	human(b, sizeof b, g.bytes_after);
	human(r, sizeof r, g.bytes_removed);
	printf("%s%zu objects removed (%s), %zu cache entries and %zu checkpoints dropped, %zu objects "
	       "protected by the newest runs and unfinished nodes' checkpoints; store %s -> %s\n",
	       dry ? "dry run: " : "", g.objects_removed, r, g.entries_removed, g.checkpoints_removed, g.objects_protected,
	       a, b);
	if (g.bytes_after > limit)
		fprintf(stderr, "weft: store is still above %s: the rest is protected by the newest runs and by "
				"checkpoints that unfinished nodes resume from\n",
			max);
	return 0;
}

int cmd_cache(int argc, char **argv)
{
	if (argc < 2 || cli_is_help(argv[1])) {
		fputs(cache_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? WEFT_EXIT_USAGE : 0;
	}
	const char *sub = argv[1];
	static const struct option longopts[] = {
		{"store", required_argument, NULL, 's'}, {"max-size", required_argument, NULL, 'm'},
		{"dry-run", no_argument, NULL, 'n'},     {"help", no_argument, NULL, 'h'},
		{"keep-runs", required_argument, NULL, 'k'},
		{NULL, 0, NULL, 0},
	};
	const char *store_flag = NULL, *max = NULL, *keep = NULL;
	int dry = 0, c;
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "h", longopts, NULL)) != -1) {
		if (c == 's')
			store_flag = optarg;
		else if (c == 'm')
			max = optarg;
		else if (c == 'n')
			dry = 1;
		else if (c == 'k')
			keep = optarg;
		else if (c == 'h') {
			fputs(cache_help, stdout);
			return 0;
		} else {
			fputs(cache_help, stderr);
			return WEFT_EXIT_USAGE;
		}
	}
	char *store = cli_store_dir(store_flag, ".");
	char a[32];
	int rc = 0;
	if (!strcmp(sub, "stats")) {
		weft_cache_stats st;
		weft_cache_stats_get(&st, store);
		human(a, sizeof a, st.object_bytes);
		char cbuf[32];
		human(cbuf, sizeof cbuf, st.checkpoint_bytes);
		printf("store:    %s\nobjects:  %zu (%s)\nentries:  %zu action cache entries\nruns:     %zu\n"
		       "checkpoints: %zu (%s)\n",
		       store, st.objects, a, st.entries, st.runs, st.checkpoints, cbuf);
	} else if (!strcmp(sub, "gc")) {
		if (!keep && !max)
			rc = cli_fail("cache gc needs --max-size SIZE (e.g. 500M) or --keep-runs N");
		/* Runs first: what only old runs used is then left to --max-size. */
		if (!rc && keep)
			rc = prune_runs(store, keep, dry);
		if (!rc && max)
			rc = gc_objects(store, max, dry);
	} else {
		rc = cli_fail("unknown cache command '%s': use `weft cache stats` or `weft cache gc --max-size SIZE`", sub);
	}
	free(store);
	return rc;
}

/* `weft worker --store DIR`: spawned by the engine, not by people. */
int cmd_worker(int argc, char **argv)
{
	const char *store = NULL, *job = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--store") && i + 1 < argc)
			store = argv[++i];
		else if (!strcmp(argv[i], "--job") && i + 1 < argc)
			job = argv[++i];
		else if (cli_is_help(argv[i]))
			return puts("usage: weft worker --store DIR [--job JOBDIR]\n\nServes op runs for the engine over "
				    "stdin/stdout (see docs/workers.md); with --job, runs the one op of a cluster job "
				    "(docs/cluster.md). Started by weft, not by hand."),
			       WEFT_EXIT_OK;
	}
	if (!store)
		return cli_fail("weft worker needs --store DIR (the engine starts workers itself; you do not need to)");
	if (job) {
		if (weft_worker_job(store, job) != WEFT_OK) {
			fprintf(stderr, "weft worker: %s\n", weft_error_last());
			return WEFT_EXIT_FAILED;
		}
		return WEFT_EXIT_OK;
	}
	if (weft_worker_main(store, 0, 1) != WEFT_OK) {
		fprintf(stderr, "weft worker: %s\n", weft_error_last());
		return WEFT_EXIT_FAILED;
	}
	return WEFT_EXIT_OK;
}
