/*
 * main.c -- the weft command: dispatch to subcommands, shared option helpers.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

volatile int cli_interrupted;

static void on_signal(int sig)
{
	if (cli_interrupted) {
		/* Second Ctrl-C: stop waiting for the drain. */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	cli_interrupted = 1;
}

void cli_install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("weft: error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return WEFT_EXIT_USAGE;
}

int cli_is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

int cli_engine(weft_engine **out, const char *store, const char *start)
{
	weft_engine_options eo = WEFT_ENGINE_OPTIONS_INIT;
	char *path = cli_plugin_search_path(start);
	char *trusted = cli_builtin_plugin_dir();
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = '\0';
	eo.store_dir = store;
	eo.plugin_path = path;
	eo.load_builtin_plugins = 0; /* the search path starts with them */
	eo.worker_exe = n > 0 ? exe : NULL; /* this binary serves `weft worker` */
	eo.trusted_plugin_dir = trusted;
	char *pydir = cli_python_dir();
	eo.python_dir = pydir;
	int rc = weft_engine_new(out, &eo);
	free(pydir);
	free(path);
	free(trusted);
	if (rc != WEFT_OK)
		return cli_fail("%s", weft_error_last());
	return WEFT_EXIT_OK;
}

static const cli_command commands[] = {
	{"run", cmd_run, "run a pipeline script"},
	{"resume", cmd_resume, "continue the latest interrupted run"},
	{"plan", cmd_plan, "dry run: which nodes would run or are cached, and why"},
	{"graph", cmd_graph, "print the pipeline graph as Graphviz DOT"},
	{"status", cmd_status, "recent runs, or what a run is doing now"},
	{"resources", cmd_resources, "the resource pools runs schedule against"},
	{"log", cmd_log, "recent runs with the git commit each ran from"},
	{"show", cmd_show, "one run: its commit, files read, and per-node table"},
	{"report", cmd_report, "write one run as a self-contained HTML report"},
	{"cat", cmd_cat, "print a node's output from a run (default: the newest)"},
	{"export", cmd_export, "copy a node's output out of the store to a path"},
	{"params", cmd_params, "list a pipeline's parameters: type, default, doc"},
	{"diff", cmd_diff, "nodes whose keys differ between two git revisions, and why"},
	{"blame", cmd_blame, "which commit last changed a node's inputs, as of a run"},
	{"init", cmd_init, "make a directory a pipeline repository (git + weft.yaml)"},
	{"ops", cmd_ops, "list the ops of the loaded plugins with their parameters"},
	{"cache", cmd_cache, "cache stats | cache gc --max-size SIZE"},
	{"plugins", cmd_plugins, "list the loaded plugins, or `plugins info NAME`"},
	{"plugin", cmd_plugin, "plugin new | pack | install: write and ship plugins"},
	{"completion", cmd_completion, "print a bash or zsh completion script"},
	{"worker", cmd_worker, NULL},
	{NULL, NULL, NULL},
};

const cli_command *cli_commands(void)
{
	return commands;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: weft <command> [options]\n\ncommands:\n");
	for (const cli_command *c = commands; c->name; c++)
		if (c->summary) /* internal commands (worker) stay unlisted */
			fprintf(f, "  %-8s %s\n", c->name, c->summary);
	fprintf(f, "\nRun `weft <command> --help` for a command's options.\n"
		   "Environment: WEFT_STORE (store directory), WEFT_PLUGIN_PATH (extra plugin dirs).\n");
}

int main(int argc, char **argv)
{
	cli_alloc_setup();
	if (argc < 2 || cli_is_help(argv[1])) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? WEFT_EXIT_USAGE : WEFT_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("weft %s (plugin ABI %d.%d)\n", WEFT_VERSION, WEFT_ABI_MAJOR, WEFT_ABI_MINOR);
		return WEFT_EXIT_OK;
	}
	for (const cli_command *c = commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->run(argc - 1, argv + 1);
	weft_suggester sg;
	weft_suggest_init(&sg, argv[1]);
	for (const cli_command *c = commands; c->name; c++)
		weft_suggest_add(&sg, c->name);
	const char *best = weft_suggest_best(&sg);
	if (best)
		return cli_fail("unknown command '%s' (did you mean '%s'?)", argv[1], best);
	return cli_fail("unknown command '%s'; run `weft --help`", argv[1]);
}
