/*
 * cmd_info.c -- weft log, show and ops: read-only views of runs and
 * plugins. Run information comes from record.json; a run without one was
 * killed before it finished and shows as "interrupted".
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "record.h"
#include "util.h"

static int simple_opts(int argc, char **argv, const char *help, const char **store, const char **pos, int *limit)
{
	static const struct option longopts[] = {
		{"store", required_argument, NULL, 's'},
		{"limit", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "n:h", longopts, NULL)) != -1) {
		if (c == 's')
			*store = optarg;
		else if (c == 'n' && limit)
			*limit = atoi(optarg);
		else if (c == 'h') {
			fputs(help, stdout);
			return -1;
		} else {
			fputs(help, stderr);
			return WEFT_EXIT_USAGE;
		}
	}
	if (optind < argc && pos)
		*pos = argv[optind++];
	if (optind < argc)
		return cli_fail("unexpected argument '%s'", argv[optind]);
	return 0;
}


static const char log_help[] =
	"usage: weft log [--store DIR] [-n N]\n\n"
	"The N most recent runs (default 20), newest first, with the git commit\n"
	"each ran from: a '+' after the commit marks a dirty work tree, '@REV' a\n"
	"run of `weft run --rev REV`. `weft show RUN` prints one run.\n";

int cmd_log(int argc, char **argv)
{
	const char *store_flag = NULL;
	int limit = 20;
	int rc = simple_opts(argc, argv, log_help, &store_flag, NULL, &limit);
	if (rc)
		return rc < 0 ? 0 : rc;
	char *store = cli_store_dir(store_flag, ".");
	char **ids = NULL;
	size_t n = 0;
	(void)weft_record_list_runs(&ids, &n, store);
	if (!n)
		printf("no runs under %s\n", store);
	for (size_t i = 0; i < n; i++) {
		if ((int)i < limit) {
			json_t *r = cli_run_json(store, ids[i], "record.json");
			json_t *git = json_object_get(r, "git");
			const char *commit = json_string_value(json_object_get(git, "commit"));
			const char *branch = json_string_value(json_object_get(git, "branch"));
			const char *rev = json_string_value(json_object_get(git, "rev"));
			char where[96];
			if (!git || json_is_null(git))
				snprintf(where, sizeof where, "(not in a git repository)");
			else
				snprintf(where, sizeof where, "%.12s%s%s%s%s", commit ? commit : "(no commit)",
					 json_is_true(json_object_get(git, "dirty")) ? "+" : "", rev ? " @" : "",
					 rev ? rev : "", branch ? "" : (rev ? "" : " (detached)"));
			char label[64] = "";
			if (branch)
				snprintf(label, sizeof label, " [%s]", branch);
			printf("%-26s %-12s %s%s  %s\n", ids[i], r ? json_string_value(json_object_get(r, "status")) : "interrupted",
			       where, label, r ? json_string_value(json_object_get(r, "pipeline")) : "");
			json_decref(r);
		}
		free(ids[i]);
	}
	free(ids);
	free(store);
	return 0;
}

static const char show_help[] =
	"usage: weft show [RUN_ID] [--store DIR] [--json]\n\n"
	"One run (default: the latest): where it came from (commit, branch, dirty\n"
	"state, the files it read), then each node's status, cache hit or miss,\n"
	"time, key, and why it ran or how it failed. --json prints the record.\n";

static void print_git(json_t *git)
{
	if (!git || json_is_null(git)) {
		printf("  git: not in a repository\n");
		return;
	}
	const char *branch = json_string_value(json_object_get(git, "branch"));
	const char *rev = json_string_value(json_object_get(git, "rev"));
	const char *commit = json_string_value(json_object_get(git, "commit"));
	printf("  commit %s", commit ? commit : "(none yet)");
	if (rev)
		printf("  (--rev %s)", rev);
	else if (branch)
		printf("  on %s", branch);
	else
		printf("  (detached HEAD)");
	printf("%s\n", json_is_true(json_object_get(git, "dirty")) ? "  dirty work tree" : "");
	json_t *dirty = json_object_get(git, "dirty_read");
	if (json_array_size(dirty)) {
		printf("  read uncommitted changes (diff %.12s):", json_string_value(json_object_get(git, "dirty_diff_hash")));
		size_t i;
		json_t *v;
		json_array_foreach(dirty, i, v) printf(" %s", json_string_value(v));
		printf("\n");
	}
	const char *k;
	json_t *f;
	json_object_foreach(json_object_get(git, "files"), k, f)
	{
		printf("  %-6s %.12s  %s\n", json_string_value(json_object_get(f, "kind")),
		       json_string_value(json_object_get(f, "blob")), k);
	}
}

int cmd_show(int argc, char **argv)
{
	const char *store_flag = NULL, *id = NULL;
	int as_json = 0;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--json")) {
			memmove(argv + i, argv + i + 1, (size_t)(argc - i) * sizeof *argv);
			argc--;
			as_json = 1;
			break;
		}
	int rc = simple_opts(argc, argv, show_help, &store_flag, &id, NULL);
	if (rc)
		return rc < 0 ? 0 : rc;
	char *store = cli_store_dir(store_flag, ".");
	char *latest = NULL;
	if (!id) {
		if (weft_runs_latest(&latest, store, 0) != WEFT_OK) {
			free(store);
			return cli_fail("%s", weft_error_last());
		}
		id = latest;
	}
	json_t *r = strchr(id, '/') ? NULL : cli_run_json(store, id, "record.json");
	if (!r) {
		char *why = strchr(id, '/') ? NULL : cli_run_no_record(store, id);
		rc = cli_fail("run %s: %s", id, why ? why : "not a run id (see `weft log`)");
		free(why);
		free(latest);
		free(store);
		return rc;
	}
	if (as_json) {
		json_dumpf(r, stdout, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
		printf("\n");
		json_decref(r);
		free(latest);
		free(store);
		return 0;
	}
	printf("run %s  %s  %s\n", id, json_string_value(json_object_get(r, "status")),
	       json_string_value(json_object_get(r, "pipeline")));
	print_git(json_object_get(r, "git"));
	printf("%-32s %-9s %-5s %8s  %-12s %s\n", "NODE", "STATUS", "CACHE", "TIME", "KEY", "NOTE");
	size_t i;
	json_t *nd;
	json_array_foreach(json_object_get(r, "nodes"), i, nd)
	{
		const char *key = json_string_value(json_object_get(nd, "key"));
		const char *cache = json_string_value(json_object_get(nd, "cache"));
		const char *err = json_string_value(json_object_get(nd, "error"));
		const char *why = json_string_value(json_object_get(nd, "reason"));
		const char *log = json_string_value(json_object_get(nd, "log"));
		printf("%-32s %-9s %-5s %7.2fs  %-12.12s %s%s%s\n", json_string_value(json_object_get(nd, "name")),
		       json_string_value(json_object_get(nd, "status")), cache ? cache : "-",
		       json_real_value(json_object_get(nd, "elapsed")), key ? key : "-", err ? err : why ? why : "",
		       err && log ? "  log: " : "", err && log ? log : "");
	}
	json_decref(r);
	free(latest);
	free(store);
	return 0;
}

static const char ops_help[] = "usage: weft ops [OP] [--store DIR]\n\nLists the ops of the loaded plugins with their parameters, inputs and outputs.\n";

static const char *tname(weft_type t)
{
	static const char *const n[] = {"null", "bool", "int", "float", "string", "list", "map", "artifact"};
	return t == WEFT_T_ANY ? "any" : (unsigned)t < 8 ? n[t] : "?";
}

void cli_print_op(const weft_op_info *op)
{
	const weft_op_desc *d = op->desc;
	printf("%s  (version %s, plugin %s %s%s%s)\n  %s\n", op->full_name, d->version, op->plugin,
	       op->plugin_version, (d->flags & WEFT_OP_DETERMINISTIC) ? "" : ", always runs",
	       (d->flags & WEFT_OP_RETRYABLE) ? ", retryable" : "", d->doc ? d->doc : "");
	for (size_t p = 0; p < d->n_params; p++)
		printf("    param  %-16s %-8s %s%s%s]\n", d->params[p].name, tname(d->params[p].type),
		       d->params[p].doc ? d->params[p].doc : "", d->params[p].default_json ? "  [default " : "  [required",
		       d->params[p].default_json ? d->params[p].default_json : "");
	for (size_t p = 0; p < d->n_inputs; p++)
		printf("    input  %s\n", d->inputs[p]);
	if (d->flags & WEFT_OP_VARIADIC_INPUTS)
		printf("    input  (any name)\n");
	for (size_t p = 0; p < d->n_outputs; p++)
		printf("    output %s%s\n", d->outputs[p], p == 0 ? " (primary)" : "");
	if (d->cpus > 1 || d->mem_bytes)
		printf("    needs  %u cpu slot(s), %llu MiB\n", d->cpus ? d->cpus : 1,
		       (unsigned long long)(d->mem_bytes >> 20));
	printf("\n");
}

int cmd_ops(int argc, char **argv)
{
	const char *store_flag = NULL, *only = NULL;
	int rc = simple_opts(argc, argv, ops_help, &store_flag, &only, NULL);
	if (rc)
		return rc < 0 ? 0 : rc;
	char *store = cli_store_dir(store_flag, ".");
	weft_engine *eng;
	rc = cli_engine(&eng, store, ".");
	free(store);
	if (rc)
		return rc;
	int shown = 0;
	for (size_t i = 0; i < weft_engine_op_count(eng); i++) {
		const weft_op_info *op = weft_engine_op_at(eng, i);
		if (only && strcmp(only, op->full_name))
			continue;
		shown++;
		cli_print_op(op);
	}
	weft_engine_free(eng);
	if (only && !shown)
		return cli_fail("no op named '%s'", only);
	return 0;
}
