/*
 * cmd_info.c -- weft log and ops: read-only views of runs and
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

static json_t *load_record(const char *store, const char *id)
{
	char *p = weft_sprintf("%s/runs/%s/record.json", store, id);
	json_t *j = p ? json_load_file(p, 0, NULL) : NULL;
	free(p);
	return j;
}

static const char log_help[] =
	"usage: weft log [RUN_ID] [--store DIR]\n\n"
	"Per-node table of a run (default: the latest): status, cache hit or miss,\n"
	"time, key, and why it ran or how it failed.\n";

int cmd_log(int argc, char **argv)
{
	const char *store_flag = NULL, *id = NULL;
	int rc = simple_opts(argc, argv, log_help, &store_flag, &id, NULL);
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
	json_t *r = load_record(store, id);
	if (!r) {
		rc = cli_fail("run %s has no record under %s/runs (it was killed: `weft resume %s` finishes it)", id, store,
			      id);
		free(latest);
		free(store);
		return rc;
	}
	printf("run %s  %s  %s\n", id, json_string_value(json_object_get(r, "status")),
	       json_string_value(json_object_get(r, "pipeline")));
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
