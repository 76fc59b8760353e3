/*
 * cmd_info.c -- weft log, show and ops: read-only views of runs and
 * plugins. Run information comes from record.json; a run without one was
 * killed before it finished and shows as "interrupted".
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"
#include "weft/run.h"

static int simple_opts(int argc, char **argv, const char *help, const char **store, const char **pos, int *limit,
		       int *json)
{
	static const struct option longopts[] = {
		{"store", required_argument, NULL, 's'},
		{"limit", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{"json", no_argument, NULL, 'J'},
		{NULL, 0, NULL, 0},
	};
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "n:h", longopts, NULL)) != -1) {
		if (c == 'J' && json)
			*json = 1;
		else if (c == 's')
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
		return cli_fail("unexpected argument '%s'; see `weft %s --help`", argv[optind], argv[0]);
	return 0;
}


static const char log_help[] =
	"usage: weft log [--store DIR] [-n N] [--json]\n\n"
	"The N most recent runs (default 20), newest first, with the git commit\n"
	"each ran from: a '+' after the commit marks a dirty work tree, '@REV' a\n"
	"run of `weft run --rev REV`. `weft show RUN` prints one run.\n";

int cmd_log(int argc, char **argv)
{
	const char *store_flag = NULL;
	int limit = 20;
	int json = 0;
	int rc = simple_opts(argc, argv, log_help, &store_flag, NULL, &limit, &json);
	if (rc)
		return rc < 0 ? 0 : rc;
	char *store = cli_store_dir(store_flag, ".");
	char **ids = NULL;
	size_t n = 0;
	if (!store || weft_runs_list(&ids, &n, store) != WEFT_OK) {
		free(store);
		return cli_fail("%s", store ? weft_error_last() : "out of memory");
	}
	if (!n && !json)
		printf("no runs under %s\n", store);
	weft_value *list = json ? weft_value_list() : NULL;
	for (size_t i = 0; i < n && (int)i < limit; i++) {
		weft_run *r = NULL;
		(void)weft_run_open(&r, store, ids[i]);
		const weft_run_info *in = r ? weft_run_get_info(r) : NULL;
		if (list) {
			weft_value *e = weft_value_map();
			const weft_run_git *g = in && in->git.present ? &in->git : NULL;
			const char *st = in ? in->status : "interrupted", *pl = in ? in->pipeline : "";
			weft_value_map_set(e, "id", cli_json_str(ids[i]));
			weft_value_map_set(e, "status", cli_json_str(st));
			weft_value_map_set(e, "pipeline", cli_json_str(pl));
			weft_value_map_set(e, "commit", cli_json_str(g ? g->commit : NULL));
			weft_value_map_set(e, "branch", cli_json_str(g ? g->branch : NULL));
			weft_value_map_set(e, "rev", cli_json_str(g ? g->rev : NULL));
			weft_value_map_set(e, "dirty", weft_value_bool(g && g->dirty));
			weft_value_list_push(list, e);
			weft_run_free(r);
			continue;
		}
		char where[96];
		if (!in || !in->git.present)
			snprintf(where, sizeof where, "(not in a git repository)");
		else {
			const weft_run_git *g = &in->git;
			snprintf(where, sizeof where, "%.12s%s%s%s%s", g->commit ? g->commit : "(no commit)",
				 g->dirty ? "+" : "", g->rev ? " @" : "", g->rev ? g->rev : "",
				 g->branch || g->rev ? "" : " (detached)");
		}
		char label[64] = "";
		if (in && in->git.branch)
			snprintf(label, sizeof label, " [%s]", in->git.branch);
		printf("%-26s %-12s %s%s  %s\n", ids[i], in ? in->status : "interrupted", where, label,
		       in ? in->pipeline : "");
		weft_run_free(r);
	}
	if (list)
		cli_print_json(list, "[]");
	weft_runs_free(ids, n);
	free(store);
	return 0;
}

static const char show_help[] =
	"usage: weft show [RUN_ID] [--store DIR] [--json]\n\n"
	"One run (default: the latest): where it came from (commit, branch, dirty\n"
	"state, the files it read), then each node's status, cache hit or miss,\n"
	"time, key, and why it ran or how it failed. --json prints the record.\n";

static void print_git(const weft_run_git *g)
{
	if (!g->present) {
		printf("  git: not in a repository\n");
		return;
	}
	printf("  commit %s", g->commit ? g->commit : "(none yet)");
	if (g->rev)
		printf("  (--rev %s)", g->rev);
	else if (g->branch)
		printf("  on %s", g->branch);
	else
		printf("  (detached HEAD)");
	printf("%s\n", g->dirty ? "  dirty work tree" : "");
	if (g->n_dirty_read) {
		printf("  read uncommitted changes (diff %.12s):", g->dirty_diff_hash ? g->dirty_diff_hash : "?");
		for (size_t i = 0; i < g->n_dirty_read; i++)
			printf(" %s", g->dirty_read[i] ? g->dirty_read[i] : "?");
		printf("\n");
	}
	for (size_t i = 0; i < g->n_files; i++)
		printf("  %-6s %.12s  %s\n", g->files[i].kind ? g->files[i].kind : "?",
		       g->files[i].blob ? g->files[i].blob : "?", g->files[i].path);
}

static const char *or(const char *s, const char *dflt)
{
	return s ? s : dflt;
}

int cmd_show(int argc, char **argv)
{
	const char *store_flag = NULL, *id = NULL;
	int as_json = 0;
	int rc = simple_opts(argc, argv, show_help, &store_flag, &id, NULL, &as_json);
	if (rc)
		return rc < 0 ? 0 : rc;
	char *store = cli_store_dir(store_flag, "."), *latest = NULL;
	weft_run *r;
	if ((rc = cli_open_run(&r, &latest, store, id)) != WEFT_EXIT_OK) {
		free(store);
		return rc;
	}
	id = latest;
	if (as_json) {
		/* The record as written: keys sorted, reals at full precision. */
		fputs(weft_run_text(r, NULL), stdout);
	} else {
		const weft_run_info *in = weft_run_get_info(r);
		printf("run %s  %s  %s\n  store %s\n", id, in->status, in->pipeline, store);
		print_git(&in->git);
		const weft_run_llm *l = &in->llm;
		if (l->calls || l->cache_hits || l->unavailable || l->failed)
			printf("  llm: %u answers asked (%u requests), %u from the store, %llu + %llu tokens, %.2fs; "
			       "%u without an endpoint and %u failed: their ops used their rules\n",
			       l->calls, l->requests, l->cache_hits, (unsigned long long)l->prompt_tokens,
			       (unsigned long long)l->completion_tokens, l->seconds, l->unavailable, l->failed);
		printf("%-32s %-9s %-5s %8s  %-12s %s\n", "NODE", "STATUS", "CACHE", "TIME", "KEY", "NOTE");
		for (size_t i = 0; i < weft_run_node_count(r); i++) {
			const weft_run_node *nd = weft_run_node_at(r, i);
			const char *err = nd->error, *log = nd->log;
			if (err && log && strstr(err, log))
				log = NULL; /* the error names its log already */
			printf("%-32s %-9s %-5s %7.2fs  %-12.12s %s%s%s\n", or(nd->name, "?"), or(nd->status, "?"),
			       or(nd->cache, "-"), nd->elapsed, or(nd->key, "-"), err ? err : or(nd->reason, ""),
			       err && log ? "  log: " : "", err && log ? log : "");
			if (nd->job_id)
				printf("%-32s slurm job %s on %s, %s; waited %.1fs in the queue, ran %.2fs\n", "",
				       nd->job_id, or(nd->job_host, "?"), or(nd->job_state, "?"), nd->queue_wait, nd->elapsed);
		}
	}
	weft_run_free(r);
	free(latest);
	free(store);
	return 0;
}

static const char ops_help[] = "usage: weft ops [OP] [--store DIR] [--json | --lua-stubs]\n\nLists the ops of the loaded plugins with their parameters, inputs and outputs.\n--lua-stubs writes LuaLS type stubs (---@meta) of weft.*, the node options and every op,\nfor an editor: weft ops --lua-stubs > .luals/weft.lua\n";

const char *cli_type_name(weft_type t)
{
	static const char *const n[] = {"null", "bool", "int", "float", "string", "list", "map", "artifact", "outpath"};
	return t == WEFT_T_ANY ? "any" : (unsigned)t < 9 ? n[t] : "?";
}

void cli_print_op(const weft_op_info *op)
{
	const weft_op_desc *d = op->desc;
	printf("%s  (version %s, plugin %s %s%s%s)\n  %s\n", op->full_name, d->version, op->plugin,
	       op->plugin_version, (d->flags & WEFT_OP_DETERMINISTIC) ? "" : ", always runs",
	       (d->flags & WEFT_OP_RETRYABLE) ? ", retryable" : "", d->doc ? d->doc : "");
	for (size_t p = 0; p < d->n_params; p++)
		printf("    param  %-16s %-8s %s%s%s]\n", d->params[p].name, cli_type_name(d->params[p].type),
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

/* One op for `weft ops --json`: what `weft ops` prints, as data. */
static weft_value *op_json(const weft_op_info *op)
{
	const weft_op_desc *d = op->desc;
	weft_value *e = weft_value_map(), *params = weft_value_list(), *ins = weft_value_list(), *outs = weft_value_list();
	for (size_t p = 0; p < d->n_params; p++) {
		weft_value *pm = weft_value_map();
		weft_value_map_set(pm, "name", cli_json_str(d->params[p].name));
		weft_value_map_set(pm, "type", cli_json_str(cli_type_name(d->params[p].type)));
		weft_value_map_set(pm, "default", cli_json_str(d->params[p].default_json)); /* as JSON text; null: required */
		weft_value_map_set(pm, "doc", cli_json_str(d->params[p].doc));
		weft_value_list_push(params, pm);
	}
	for (size_t p = 0; p < d->n_inputs; p++)
		weft_value_list_push(ins, cli_json_str(d->inputs[p]));
	for (size_t p = 0; p < d->n_outputs; p++)
		weft_value_list_push(outs, cli_json_str(d->outputs[p]));
	weft_value_map_set(e, "name", cli_json_str(op->full_name));
	weft_value_map_set(e, "version", cli_json_str(d->version));
	weft_value_map_set(e, "plugin", cli_json_str(op->plugin));
	weft_value_map_set(e, "doc", cli_json_str(d->doc));
	weft_value_map_set(e, "deterministic", weft_value_bool((d->flags & WEFT_OP_DETERMINISTIC) != 0));
	weft_value_map_set(e, "retryable", weft_value_bool((d->flags & WEFT_OP_RETRYABLE) != 0));
	weft_value_map_set(e, "any_inputs", weft_value_bool((d->flags & WEFT_OP_VARIADIC_INPUTS) != 0));
	weft_value_map_set(e, "params", params);
	weft_value_map_set(e, "inputs", ins);
	weft_value_map_set(e, "outputs", outs);
	return e;
}

int cmd_ops(int argc, char **argv)
{
	const char *store_flag = NULL, *only = NULL;
	int json = 0, stubs = 0;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--lua-stubs")) {
			memmove(argv + i, argv + i + 1, (size_t)(argc - i) * sizeof *argv);
			argc--;
			stubs = 1;
			break;
		}
	int rc = simple_opts(argc, argv, ops_help, &store_flag, &only, NULL, &json);
	if (rc)
		return rc < 0 ? 0 : rc;
	char *store = cli_store_dir(store_flag, ".");
	weft_engine *eng;
	rc = cli_engine(&eng, store, ".");
	free(store);
	if (rc)
		return rc;
	if (stubs) {
		cli_lua_stubs(stdout, eng);
		weft_engine_free(eng);
		return 0;
	}
	int shown = 0;
	weft_value *list = json ? weft_value_list() : NULL;
	for (size_t i = 0; i < weft_engine_op_count(eng); i++) {
		const weft_op_info *op = weft_engine_op_at(eng, i);
		if (only && strcmp(only, op->full_name))
			continue;
		shown++;
		if (list)
			weft_value_list_push(list, op_json(op));
		else
			cli_print_op(op);
	}
	weft_engine_free(eng);
	if (only && !shown) {
		weft_value_free(list);
		return cli_fail("no op named '%s'; `weft ops` lists them all", only);
	}
	if (list) {
		cli_print_json(list, "[]");
		return 0;
	}
	printf("Every node also takes these options:\n");
	for (size_t i = 0; i < weft_node_option_count(); i++) {
		const weft_node_option *o = weft_node_option_at(i);
		printf("    %-10s %-9s %s\n", o->key, o->kind, o->doc);
	}
	return 0;
}
