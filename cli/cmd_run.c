/*
 * cmd_run.c -- weft run, resume, plan and graph: the commands that
 * evaluate a pipeline script.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"
#include "weft/run.h"


static const char run_help[] =
	"usage: weft run PIPELINE.lua [NODE...] [options]\n"
	"\n"
	"Builds the pipeline's graph and runs it. Nodes whose key (op, version,\n"
	"params, input content) is in the cache are not executed again. Given\n"
	"NODEs (or --until NODE), it runs only what they need.\n"
	"\n"
	"options:\n"
	"  -p, --param NAME=VALUE  set a pipeline parameter (repeatable)\n"
	"      --params FILE       read parameters from a YAML file (-p wins)\n"
	"  -j, --jobs N            run at most N nodes at once (default: cores)\n"
	"  -k, --keep-going        run independent branches after a failure\n"
	"                          (default: stop starting nodes, like make)\n"
	"      --store DIR         cache and run directory (default: .weft at\n"
	"                          the repository root; env WEFT_STORE)\n"
	"  -o, --out DIR           where relative output paths land (core.export's\n"
	"                          path; default: the current directory). Paths a\n"
	"                          script reads (weft.file, weft.glob) are relative\n"
	"                          to the script\n"
	"  -q, --quiet             print only failures and the summary\n"
	"  -v, --verbose           first say which store the run uses\n"
	"      --strict            exit 1 when a node warns about its result (an\n"
	"                          output `warnings`, cached with it: a rerun from\n"
	"                          the cache warns and fails the same way)\n"
	"      --profile NAME      apply weft.yaml's profiles.NAME over its settings\n"
	"                          (also WEFT_PROFILE)\n"
	"      --force             execute every node even if it is cached\n"
	"                          (results are stored again)\n"
	"      --force=NODE[,NODE] execute these nodes even if cached\n"
	"      --until NODE        run only what NODE needs (repeatable)\n"
	"      --rev REV           load the script, its modules and its weft.file\n"
	"                          inputs from git revision REV (tag, branch,\n"
	"                          commit) without checking it out\n"
	"  -n, --dry-run           do not run: show what would run and why (as\n"
	"                          `weft plan`)\n"
	"      --executor NAME     where nodes run: local, or slurm (batch jobs;\n"
	"                          weft.yaml `slurm:`, docs/cluster.md); default:\n"
	"                          weft.yaml `executor:`, else local\n"
	"\n"
	"exit status: 0 success, 1 a node failed, 2 usage or script error,\n"
	"130 interrupted (continue with `weft resume`)\n";

static const char resume_help[] =
	"usage: weft resume [RUN_ID] [options]\n"
	"\n"
	"Continues an interrupted or failed run (default: the latest one that did\n"
	"not finish). The pipeline, parameters, targets and --force come from the\n"
	"run's journal (a forced node that finished before the stop is kept).\n"
	"Nodes that finished are taken from the journal and the cache; nodes that\n"
	"were running when the run stopped run again.\n"
	"\n"
	"A run on Slurm resumes on Slurm: jobs still queued or running are waited\n"
	"for, never submitted again, and finished ones are collected.\n"
	"\n"
	"Relative output paths go to the run's output directory again, wherever\n"
	"weft resume is started, unless -o/--out gives another.\n"
	"\n"
	"options: -j N, -k, --store DIR, -q, --executor NAME, -o DIR (as for `weft run`)\n";

static const char plan_help[] =
	"usage: weft plan PIPELINE.lua [NODE...] [-p NAME=VALUE]... [--params FILE] [--store DIR]\n"
	"                 [--executor NAME] [-o DIR] [--json]\n"
	"\n"
	"Dry run: evaluates the script and shows, for every node, whether it is\n"
	"cached or would run, and why (new node, changed param, changed input, op\n"
	"version). Executes nothing. Dynamic nodes whose inputs are cached are\n"
	"expanded, so the plan covers the nodes they add.\n";

static const char graph_help[] =
	"usage: weft graph PIPELINE.lua [-p NAME=VALUE]... [--params FILE] [--format dot|json]\n"
	"       weft graph --run[=RUN_ID] [--store DIR] [--format dot|json]\n"
	"\n"
	"Prints the graph the script builds, in Graphviz DOT form (or JSON):\n"
	"  weft graph pipeline.lua | dot -Tsvg > graph.svg\n"
	"With --run, the graph a run ran (default: the newest), dynamic nodes\n"
	"expanded, each node coloured by its status.\n";

/* What each status looks like in `weft graph --run`. */
static const char *status_colour(const char *st)
{
	static const char *const map[][2] = {{"done", "palegreen"}, {"cached", "lightblue"}, {"resumed", "lightcyan"},
					     {"failed", "salmon"},  {"skipped", "lightgrey"}, {"expanded", "khaki"},
					     {"running", "gold"}};
	for (size_t i = 0; st && i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(st, map[i][0]))
			return map[i][1];
	return "white";
}

static void dot_str(weft_buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			weft_buf_puts(b, "\\");
		weft_buf_put(b, s, 1);
	}
}

/* weft graph --run: the expanded graph of a run, from its record. */
static int graph_of_run(const cli_run_args *a)
{
	char *store = cli_store_dir(a->store, "."), *opened = NULL;
	weft_run *r = NULL;
	int rc = cli_open_run(&r, &opened, store, a->run_id);
	if (rc == WEFT_EXIT_OK && a->format && !strcmp(a->format, "json")) {
		weft_value *list = weft_value_list();
		for (size_t i = 0; i < weft_run_node_count(r); i++) {
			const weft_run_node *n = weft_run_node_at(r, i);
			weft_value *e = weft_value_map(), *deps = weft_value_list();
			for (size_t d = 0; d < n->n_deps; d++)
				weft_value_list_push(deps, cli_json_str(n->deps[d]));
			weft_value_map_set(e, "name", cli_json_str(n->name));
			weft_value_map_set(e, "kind", cli_json_str(n->kind ? n->kind : "op"));
			weft_value_map_set(e, "op", cli_json_str(n->op));
			weft_value_map_set(e, "status", cli_json_str(n->status ? n->status : "?"));
			weft_value_map_set(e, "parent", cli_json_str(n->parent));
			weft_value_map_set(e, "deps", deps);
			weft_value_list_push(list, e);
		}
		cli_print_json(list, "[]");
	} else if (rc == WEFT_EXIT_OK) {
		weft_buf b = {0};
		weft_buf_puts(&b, "digraph weft {\n  rankdir=LR;\n  node [shape=box, style=filled, fontname=\"monospace\"];\n");
		for (size_t i = 0; i < weft_run_node_count(r); i++) {
			const weft_run_node *n = weft_run_node_at(r, i);
			weft_buf_puts(&b, "  \"");
			dot_str(&b, n->name);
			weft_buf_puts(&b, "\" [label=\"");
			dot_str(&b, n->name);
			weft_buf_puts(&b, "\\n");
			dot_str(&b, n->op ? n->op : "dynamic");
			weft_buf_puts(&b, "\\n");
			dot_str(&b, n->status);
			weft_buf_printf(&b, "\", fillcolor=%s%s];\n", status_colour(n->status),
					n->kind && !strcmp(n->kind, "dynamic") ? ", shape=diamond" : "");
		}
		for (size_t i = 0; i < weft_run_node_count(r); i++) {
			const weft_run_node *n = weft_run_node_at(r, i);
			for (size_t d = 0; d < n->n_deps; d++) {
				weft_buf_puts(&b, "  \"");
				dot_str(&b, n->deps[d]);
				weft_buf_puts(&b, "\" -> \"");
				dot_str(&b, n->name);
				weft_buf_puts(&b, "\";\n");
			}
			if (n->parent) { /* a dynamic node and what it added */
				weft_buf_puts(&b, "  \"");
				dot_str(&b, n->parent);
				weft_buf_puts(&b, "\" -> \"");
				dot_str(&b, n->name);
				weft_buf_puts(&b, "\" [style=dashed];\n");
			}
		}
		weft_buf_puts(&b, "}\n");
		fputs(b.data ? b.data : "", stdout);
		weft_buf_free(&b);
	}
	weft_run_free(r);
	free(opened);
	free(store);
	return rc;
}

/* Whether long option `name` takes a value (a bare `--store` at the end). */
static int getopt_needs_arg(const struct option *opts, const char *name)
{
	for (const struct option *o = opts; o->name; o++)
		if (!strcmp(o->name, name))
			return o->has_arg == required_argument;
	return 0;
}

static int parse_run_args_inner(cli_run_args *a, int argc, char **argv, const char *help)
{
	static const struct option longopts[] = {
		{"param", required_argument, NULL, 'p'}, {"params", required_argument, NULL, 'P'},
		{"jobs", required_argument, NULL, 'j'},  {"keep-going", no_argument, NULL, 'k'},
		{"store", required_argument, NULL, 's'}, {"quiet", no_argument, NULL, 'q'},
		{"force", optional_argument, NULL, 'F'}, {"help", no_argument, NULL, 'h'},
		{"until", required_argument, NULL, 'U'},
		{"rev", required_argument, NULL, 'R'},	 {"executor", required_argument, NULL, 'E'},
		{"dry-run", no_argument, NULL, 'n'},	 {"json", no_argument, NULL, 'J'},
		{"verbose", no_argument, NULL, 'v'},	 {"profile", required_argument, NULL, 'P' + 256},
		{"run", optional_argument, NULL, 'G' + 256}, {"format", required_argument, NULL, 'f' + 256},
		{"out", required_argument, NULL, 'o'},	 {"strict", no_argument, NULL, 'S' + 256},
		{NULL, 0, NULL, 0},
	};
	memset(a, 0, sizeof *a);
	a->cli_params = weft_value_map();
	optind = 1;
	opterr = 0; /* its messages say "run:", not "weft run:", and suggest nothing */
	int c;
	while ((c = getopt_long(argc, argv, "p:j:o:kqhnv", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			a->out_dir = optarg;
			break;
		case 'S' + 256:
			a->strict = 1;
			break;
		case 'v':
			a->verbose = 1;
			break;
		case 'G' + 256:
			a->graph_run = 1;
			a->run_id = optarg;
			break;
		case 'f' + 256:
			if (strcmp(optarg, "dot") && strcmp(optarg, "json"))
				return cli_fail("--format is dot or json, not '%s'", optarg);
			a->format = optarg;
			break;
		case 'P' + 256:
			/* weft.yaml is read later, by cli_config_load: it reads the
			 * profile from here, as from the user's environment. */
			if (setenv("WEFT_PROFILE", optarg, 1) != 0)
				return cli_fail("out of memory");
			break;
		case 'n':
			a->dry_run = 1;
			break;
		case 'J':
			a->json = 1;
			break;
		case '?':
		case ':': {
			const char *bad = argv[optind - 1];
			weft_suggester sg;
			char cands[16][24];
			size_t k = 0;
			weft_suggest_init(&sg, bad);
			for (const struct option *o = longopts; o->name && k < 16; o++, k++) {
				snprintf(cands[k], sizeof cands[k], "--%s", o->name);
				weft_suggest_add(&sg, cands[k]);
			}
			const char *best = weft_suggest_best(&sg);
			if (c == ':' || (optopt && strchr("pjo", optopt)) ||
			    (bad && !strncmp(bad, "--", 2) && !strchr(bad, '=') && getopt_needs_arg(longopts, bad + 2)))
				return cli_fail("option '%s' of `weft %s` needs a value; see `weft %s --help`", bad, argv[0], argv[0]);
			return cli_fail("unknown option '%s' for `weft %s`%s%s%s", bad, argv[0], best ? " (did you mean '" : "; see `weft ",
					best ? best : argv[0], best ? "'?)" : " --help`");
		}
		case 'p':
			if (cli_param_arg(a->cli_params, optarg) != WEFT_EXIT_OK)
				return WEFT_EXIT_USAGE;
			break;
		case 'P':
			a->params_file = optarg;
			break;
		case 'j': {
			char *end;
			long j = strtol(optarg, &end, 10);
			if (*end || j < 1 || j > 4096)
				return cli_fail("-j expects a number from 1 to 4096, got '%s'", optarg);
			a->jobs = (int)j;
			break;
		}
		case 'k':
			a->keep_going = 1;
			break;
		case 's':
			a->store = optarg;
			break;
		case 'q':
			a->quiet = 1;
			break;
		case 'F':
			if (!optarg) {
				a->force = 1;
				break;
			}
			for (char *save = NULL, *t = strtok_r(optarg, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
				if (a->n_force_nodes == 64)
					return cli_fail("at most 64 nodes after --force=");
				a->force_nodes[a->n_force_nodes++] = t;
			}
			break;
		case 'U':
			if (a->n_targets == 64)
				return cli_fail("at most 64 targets");
			a->targets[a->n_targets++] = optarg;
			break;
		case 'R':
			a->rev = optarg;
			break;
		case 'E': {
			int ex;
			if (cli_executor_parse(&ex, optarg) != WEFT_OK)
				return cli_fail("--executor: %s", weft_error_last());
			a->executor = optarg;
			break;
		}
		case 'h':
			fputs(help, stdout);
			return -1;
		default:
			fputs(help, stderr);
			return WEFT_EXIT_USAGE;
		}
	}
	if (optind < argc)
		a->script = argv[optind++];
	if (optind < argc)
		a->positional2 = argv[optind];
	/* `weft run p.lua NODE...` and `weft plan p.lua NODE...`: targets. */
	for (; optind < argc; optind++) {
		if (a->n_targets == 64)
			return cli_fail("at most 64 targets");
		a->targets[a->n_targets++] = argv[optind];
	}
	return 0;
}

/* Parses the shared options; -1 after --help, an exit status on error. On
 * any non-zero return the parsed params are already freed. */
static int parse_run_args(cli_run_args *a, int argc, char **argv, const char *help)
{
	int rc = parse_run_args_inner(a, argc, argv, help);
	if (rc) {
		weft_value_free(a->cli_params);
		a->cli_params = NULL;
	}
	return rc;
}

/* Loaded state for a script: engine, evaluated DSL. */
static void set_threadpool(int jobs)
{
	/* libuv reads this once, when its pool first starts. */
	long n = jobs > 0 ? jobs : sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 4)
		n = 4;
	char buf[16];
	snprintf(buf, sizeof buf, "%ld", n > 1024 ? 1024 : n);
	setenv("UV_THREADPOOL_SIZE", buf, 1);
}

static int plan_loaded(cli_loaded *l, cli_run_args *a);

/* Targets and --force=NODE, for a run and a plan alike. */
static void select_nodes(weft_run_options *ro, const cli_run_args *a)
{
	ro->targets = a->n_targets ? a->targets : NULL;
	ro->n_targets = a->n_targets;
	ro->force_nodes = a->n_force_nodes ? a->force_nodes : NULL;
	ro->n_force_nodes = a->n_force_nodes;
}

/* --executor, else what the resumed run used, else weft.yaml's. */
static int executor_of(const cli_run_args *a, const cli_config *cfg, const char *resumed)
{
	int ex = cfg->executor;
	const char *name = a->executor ? a->executor : resumed && *resumed ? resumed : NULL;
	if (name)
		(void)cli_executor_parse(&ex, name);
	return ex;
}

/* The params that -p and --params gave, with their effective values. */
static weft_value *given_params(const cli_loaded *l, const cli_run_args *a)
{
	const weft_value *eff = weft_dsl_params(l->dsl);
	weft_value *out = weft_value_map();
	const weft_value *srcs[] = {a->cli_params, l->file_params};
	for (size_t s = 0; out && s < 2; s++)
		for (size_t i = 0; srcs[s] && i < weft_value_len(srcs[s]); i++) {
			const char *k = weft_value_map_key_at(srcs[s], i);
			const weft_value *v = eff ? weft_value_map_get(eff, k) : NULL;
			if (v)
				weft_value_map_set(out, k, weft_value_copy(v));
		}
	return out;
}

/* Prints the warnings nodes give about their results: an output named
 * `warnings`, a list of strings (automat.summary's "the relaxed energy
 * per atom is positive"). Being an output, it is cached with the result,
 * so a rerun from the cache warns, and fails under --strict, exactly as
 * the run that computed it. Returns how many nodes warned. */
static size_t report_warnings(const weft_engine *eng)
{
	size_t nodes = 0;
	for (uint32_t id = 0; id < weft_graph_node_count(eng); id++) {
		const weft_value *w = weft_graph_node_output(eng, id, "warnings");
		if (weft_value_type(w) != WEFT_T_LIST || !weft_value_len(w))
			continue;
		nodes++;
		for (size_t i = 0; i < weft_value_len(w); i++) {
			const char *t = weft_value_get_string(weft_value_list_at(w, i), NULL);
			fprintf(stderr, "weft: warning: %s: %s\n", weft_graph_node_name(eng, id), t ? t : "(not text)");
		}
	}
	return nodes;
}

static int execute(cli_loaded *l, cli_run_args *a, const char *resume_id, const char *resumed_executor)
{
	if (a->verbose)
		fprintf(stderr, "weft: store %s\n", l->store);
	cli_config cfg;
	int crc = cli_config_load(&cfg, l->pipeline, a->jobs);
	if (crc != WEFT_EXIT_OK)
		return crc;
	cli_progress prog;
	cli_progress_init(&prog, a->quiet);
	cli_install_signals();
	weft_run_options ro = WEFT_RUN_OPTIONS_INIT;
	ro.jobs = a->jobs;
	ro.resources = cfg.resources;
	ro.isolation = cfg.isolation;
	ro.grace = cfg.grace;
	ro.llm = cfg.llm;
	ro.executor = executor_of(a, &cfg, resumed_executor);
	ro.slurm = cfg.slurm;
	ro.live_status = 1;
	ro.provenance = l->provenance;
	set_threadpool((int)weft_resources_capacity(cfg.resources, "cpus"));
	ro.keep_going = a->keep_going;
	ro.force = a->force;
	ro.pipeline = l->pipeline;
	ro.params = weft_dsl_params(l->dsl);
	/* A resumed run's params all come from its journal: what it says was
	 * given stays so (resume_given); a new run's are -p and --params. */
	weft_value *given = resume_id ? (a->resume_given ? weft_value_copy(a->resume_given) : NULL) : given_params(l, a);
	ro.params_given = given;
	ro.resume_id = resume_id;
	select_nodes(&ro, a);
	ro.on_event = cli_progress_event;
	ro.payload = &prog;
	ro.interrupt = &cli_interrupted;
	weft_run_summary s;
	int rc = weft_engine_run(&s, l->eng, &ro);
	weft_value_free(given);
	cli_progress_end(&prog);
	cli_config_free(&cfg);
	if (rc == WEFT_EINVALID)
		return cli_fail("%s", weft_error_last()); /* a request no pool can meet: nothing ran */
	if (rc != WEFT_OK)
		return cli_fail("%s", weft_error_last()), WEFT_EXIT_FAILED;
	fprintf(stderr, "weft: run %s %s: %zu nodes: %zu executed, %zu cached, %zu resumed, %zu failed, %zu skipped (%.2fs)\n",
		s.run_id, s.interrupted ? "interrupted" : s.failed ? "failed" : "ok", s.total, s.executed, s.cached,
		s.resumed, s.failed, s.skipped, s.wall_seconds);
	const weft_value *tmpl = weft_dsl_result(l->dsl);
	weft_value *result = NULL;
	if (a->n_targets) {
		size_t left = s.total - s.executed - s.cached - s.resumed - s.failed - s.skipped;
		fprintf(stderr, "weft: only what %s%s needs ran; %zu other node%s stayed pending\n", a->targets[0],
			a->n_targets > 1 ? " and the other targets" : "", left, left == 1 ? "" : "s");
	}
	if (!s.interrupted && tmpl && weft_graph_resolve(&result, l->eng, tmpl) == WEFT_OK) {
		/* A returned node prints under its name, anything else as `result`. */
		int is_node = weft_value_type(tmpl) == WEFT_T_REF;
		const char *name = is_node ? weft_graph_node_name(l->eng, weft_value_ref_node(tmpl)) : NULL;
		char *text = weft_value_preview(result, 4000);
		printf("%s = %s\n", name ? name : "result", text ? text : "?");
		free(text);
	}
	weft_value_free(result);
	if (s.interrupted) {
		fprintf(stderr, "weft: continue with `weft resume %s`\n", s.run_id);
		return WEFT_EXIT_INTERRUPTED;
	}
	if (s.failed) {
		fprintf(stderr, "weft: see `weft show %s` for each node's error and log file\n", s.run_id);
		return WEFT_EXIT_FAILED;
	}
	size_t warned = report_warnings(l->eng);
	if (warned && a->strict) {
		fprintf(stderr, "weft: --strict: %zu node%s warned about %s result%s (above); exit 1\n", warned,
			warned == 1 ? "" : "s", warned == 1 ? "its" : "their", warned == 1 ? "" : "s");
		return WEFT_EXIT_FAILED;
	}
	return WEFT_EXIT_OK;
}

int cmd_run(int argc, char **argv)
{
	cli_run_args a;
	int rc = parse_run_args(&a, argc, argv, run_help);
	if (rc)
		return rc < 0 ? WEFT_EXIT_OK : rc;

	cli_loaded l;
	/* A run that may find its nodes cached makes their keys and lookups
	 * on a second core while the script runs (-j 1 asks for one). */
	a.lookahead = !a.dry_run && !a.force && a.jobs != 1;
	rc = cli_load(&l, &a, NULL);
	if (rc == WEFT_EXIT_OK)
		rc = a.dry_run ? plan_loaded(&l, &a) : execute(&l, &a, NULL, NULL);
	cli_unload_at_exit(&l);
	weft_value_free(a.cli_params);
	return rc;
}

int cmd_resume(int argc, char **argv)
{
	cli_run_args a;
	int rc = parse_run_args(&a, argc, argv, resume_help);
	if (rc)
		return rc < 0 ? WEFT_EXIT_OK : rc;
	if (weft_value_len(a.cli_params) || a.params_file) {
		weft_value_free(a.cli_params);
		return cli_fail("resume reuses the run's parameters; start a new run to change them");
	}
	const char *run_id = a.script; /* the positional is a run id here */
	char *store = cli_store_dir(a.store, ".");
	char *latest = NULL;
	if (!run_id) {
		if (weft_runs_latest(&latest, store, 1) != WEFT_OK) {
			rc = cli_fail("nothing to resume: %s", weft_error_last());
			goto done;
		}
		run_id = latest;
	}
	weft_run *hdr = NULL;
	if (weft_run_open_journal(&hdr, store, run_id) != WEFT_OK) {
		rc = cli_fail("%s", weft_error_last());
		goto done;
	}
	const weft_run_info *in = weft_run_get_info(hdr);
	const char *pipeline = *in->pipeline ? in->pipeline : NULL;
	cli_run_args ra = a;
	ra.script = pipeline;
	ra.store = store;
	a.resume_given = in->params_given;
	/* Outputs go where the run's went, unless --out says otherwise. */
	if (!ra.out_dir)
		ra.out_dir = in->out_dir;
	/* It computes what the run was asked to: its targets and forced nodes
	 * (a node forced and finished before the kill is not computed again). */
	if (!a.n_targets)
		for (size_t i = 0; i < in->n_targets && a.n_targets < 64; i++)
			a.targets[a.n_targets++] = in->targets[i];
	if (!a.n_force_nodes)
		for (size_t i = 0; i < in->n_force_nodes && a.n_force_nodes < 64; i++)
			a.force_nodes[a.n_force_nodes++] = in->force_nodes[i];
	a.force = a.force || in->force;
	/* A run of a revision resumes at the same commit, whatever the
	 * revision's name points at now. */
	if (in->git.rev)
		ra.rev = in->git.commit;
	fprintf(stderr, "weft: resuming run %s of %s\n", run_id, pipeline ? pipeline : "?");
	ra.lookahead = !a.force && a.jobs != 1;
	cli_loaded l;
	rc = cli_load(&l, &ra, in->params);
	if (rc == WEFT_EXIT_OK)
		rc = execute(&l, &a, run_id, in->executor);
	cli_unload_at_exit(&l);
	weft_run_free(hdr);
done:
	free(latest);
	free(store);
	weft_value_free(a.cli_params);
	return rc;
}

/* weft plan, and weft run -n: decides, runs nothing. */
static int plan_loaded(cli_loaded *l, cli_run_args *a)
{
	cli_config cfg;
	int rc = cli_config_load(&cfg, l->pipeline, a->jobs);
	if (rc == WEFT_EXIT_OK) {
		weft_run_options ro = WEFT_RUN_OPTIONS_INIT;
		ro.resources = cfg.resources;
		ro.llm = cfg.llm;
		ro.executor = executor_of(a, &cfg, NULL);
		ro.slurm = cfg.slurm;
		ro.keep_going = 1;
		ro.pipeline = l->pipeline;
		ro.params = weft_dsl_params(l->dsl);
		ro.plan_only = 1;
		select_nodes(&ro, a);
		weft_run_summary s;
		if (weft_engine_run(&s, l->eng, &ro) != WEFT_OK) {
			rc = cli_fail("%s", weft_error_last());
		} else {
			size_t would = 0, cached = 0;
			weft_value *list = a->json ? weft_value_list() : NULL;
			for (uint32_t i = 0; i < weft_graph_node_count(l->eng); i++) {
				int st = weft_graph_node_status(l->eng, i);
				const char *reason = weft_graph_node_reason(l->eng, i);
				const char *label = st == WEFT_NODE_WOULD_RUN ? "run" : st == WEFT_NODE_CACHED ? "cached"
								    : st == WEFT_NODE_PENDING ? "pending"
								    : weft_node_status_name((weft_node_status)st);
				const char *name = weft_graph_node_name(l->eng, i);
				would += st == WEFT_NODE_WOULD_RUN;
				cached += st == WEFT_NODE_CACHED;
				if (list) {
					weft_value *e = weft_value_map();
					weft_value_map_set(e, "node", cli_json_str(name));
					weft_value_map_set(e, "plan", cli_json_str(label));
					weft_value_map_set(e, "reason", cli_json_str(st == WEFT_NODE_WOULD_RUN ? reason : NULL));
					weft_value_list_push(list, e);
					continue;
				}
				printf("%-8s %s%s%s\n", label, name, st == WEFT_NODE_WOULD_RUN && reason ? "  -- " : "",
				       st == WEFT_NODE_WOULD_RUN && reason ? reason : "");
			}
			if (list) {
				cli_print_json(list, "[]");
			} else {
				printf("%zu nodes: %zu would run, %zu cached\n", weft_graph_node_count(l->eng), would, cached);
			}
		}
		cli_config_free(&cfg);
	}
	return rc;
}

int cmd_plan(int argc, char **argv)
{
	cli_run_args a;
	int rc = parse_run_args(&a, argc, argv, plan_help);
	if (rc)
		return rc < 0 ? WEFT_EXIT_OK : rc;
	cli_loaded l;
	rc = cli_load(&l, &a, NULL);
	if (rc == WEFT_EXIT_OK)
		rc = plan_loaded(&l, &a);
	cli_unload_at_exit(&l);
	weft_value_free(a.cli_params);
	return rc;
}

static const char params_help[] =
	"usage: weft params PIPELINE.lua [-p NAME=VALUE]... [--params FILE] [--json]\n"
	"\n"
	"Lists the parameters the script declares with weft.param: name, type,\n"
	"default, the value -p / --params would give it, and its doc string.\n";

static const char *type_name(const weft_value *v)
{
	return v ? cli_type_name(weft_value_type(v)) : "any";
}

int cmd_params(int argc, char **argv)
{
	cli_run_args a;
	int rc = parse_run_args(&a, argc, argv, params_help);
	if (rc)
		return rc < 0 ? WEFT_EXIT_OK : rc;
	if (a.n_targets) {
		weft_value_free(a.cli_params);
		return cli_fail("unexpected argument '%s'; see `weft params --help`", a.targets[0]);
	}
	cli_loaded l;
	rc = cli_load(&l, &a, NULL);
	if (rc == WEFT_EXIT_OK) {
		const weft_value *decls = weft_dsl_param_decls(l.dsl), *eff = weft_dsl_params(l.dsl);
		weft_value *out = a.json ? weft_value_map() : NULL;
		if (!a.json)
			printf("%-20s %-8s %-16s %-16s %s\n", "PARAM", "TYPE", "DEFAULT", "VALUE", "DOC");
		for (size_t i = 0; decls && i < weft_value_len(decls); i++) {
			const char *name = weft_value_map_key_at(decls, i);
			const weft_value *d = weft_value_map_value_at(decls, i);
			const weft_value *dflt = weft_value_map_get(d, "default");
			const weft_value *val = eff ? weft_value_map_get(eff, name) : NULL;
			const weft_value *doc = weft_value_map_get(d, "doc");
			const char *docs = weft_value_type(doc) == WEFT_T_STRING ? weft_value_get_string(doc, NULL) : "";
			if (out) {
				weft_value *e = weft_value_map();
				if (e) {
					weft_value_map_set(e, "type", cli_json_str(type_name(dflt)));
					weft_value_map_set(e, "default", dflt ? weft_value_copy(dflt) : weft_value_null());
					weft_value_map_set(e, "value", val ? weft_value_copy(val) : weft_value_null());
					weft_value_map_set(e, "doc", cli_json_str(docs));
					weft_value_map_set(out, name, e);
				}
				continue;
			}
			char *ds = dflt ? weft_value_to_json(dflt, 0) : NULL, *vs = val ? weft_value_to_json(val, 0) : NULL;
			int same = ds && vs && !strcmp(ds, vs);
			printf("%-20s %-8s %-16s %-16s %s\n", name, type_name(dflt), ds ? ds : "-", same ? "" : vs ? vs : "-",
			       docs);
			free(ds);
			free(vs);
		}
		if (out)
			cli_print_json(out, "{}");
	}
	cli_unload(&l);
	weft_value_free(a.cli_params);
	return rc;
}

int cmd_graph(int argc, char **argv)
{
	cli_run_args a;
	int rc = parse_run_args(&a, argc, argv, graph_help);
	if (rc)
		return rc < 0 ? WEFT_EXIT_OK : rc;
	if (a.n_targets) {
		weft_value_free(a.cli_params);
		return cli_fail("unexpected argument '%s'; see `weft graph --help`", a.targets[0]);
	}
	if (a.graph_run) {
		weft_value_free(a.cli_params);
		if (a.script)
			return cli_fail("weft graph --run draws a run's graph from its record; give no script (a run id "
					"goes as --run=RUN_ID)");
		return graph_of_run(&a);
	}
	cli_loaded l;
	rc = cli_load(&l, &a, NULL);
	if (rc == WEFT_EXIT_OK) {
		int json = a.format && !strcmp(a.format, "json");
		char *text = json ? weft_graph_json(l.eng) : weft_graph_dot(l.eng);
		if (text)
			fputs(text, stdout);
		if (json)
			fputs("\n", stdout);
		free(text);
	}
	cli_unload(&l);
	weft_value_free(a.cli_params);
	return rc;
}
