/*
 * cli.h -- pieces shared by the weft command implementations.
 */
#ifndef WEFT_CLI_H
#define WEFT_CLI_H

#include <signal.h>
#include <stdio.h>


#include "weft/dsl.h"
#include "weft/weft.h"

typedef struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} cli_command;

int cmd_run(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_ops(int argc, char **argv);
int cmd_cache(int argc, char **argv);
int cmd_plugin(int argc, char **argv);
int cmd_plugins(int argc, char **argv);
int cmd_worker(int argc, char **argv);
int cmd_resources(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_cat(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_params(int argc, char **argv);
int cmd_completion(int argc, char **argv);
int cmd_report(int argc, char **argv);
/* stubs.c: LuaLS stubs of weft.*, the node options and the loaded ops. */
void cli_lua_stubs(FILE *f, weft_engine *eng);
/* alloc.c: the allocator's settings, first thing in main. */
void cli_alloc_setup(void);
/* The command table (main.c), ended by a NULL name. */
const cli_command *cli_commands(void);
int cmd_diff(int argc, char **argv);
int cmd_blame(int argc, char **argv);

/* provenance.c: the pipeline's git repository as the DSL's source. */
typedef struct cli_gitsrc cli_gitsrc;
/* For the repository holding `pipeline_abs`, at `rev` (NULL: the work
 * tree). Without a repository and without `rev`, *out is NULL and the
 * result WEFT_OK; with `rev` that is an error. */
int cli_gitsrc_open(cli_gitsrc **out, const char *pipeline_abs, const char *rev);
weft_dsl_source cli_gitsrc_source(cli_gitsrc *g);
/* The commit the sources come from ("" for a repository without commits). */
const char *cli_gitsrc_commit(const cli_gitsrc *g);
/* After evaluation: commit, branch, dirty state and every file read. */
weft_value *cli_gitsrc_provenance(cli_gitsrc *g);
void cli_gitsrc_free(cli_gitsrc *g);

/* config.c: the repository's weft.yaml, as runs use it. */
typedef struct cli_config {
	weft_resources *resources; /* declared, then detected; -j sets cpus */
	int isolation;             /* WEFT_ISOLATE_* */
	double grace;              /* seconds; 0 = the engine's default */
	weft_value *llm;           /* weft.yaml `llm:`, or NULL */
	int executor;              /* weft.yaml `executor:` (WEFT_EXECUTOR_*) */
	weft_value *slurm;         /* weft.yaml `slurm:`, or NULL */
} cli_config;
/* Reads weft.yaml of the repository holding `path` (a pipeline script or
 * a directory), if any. On error prints the message and returns an exit
 * status. */
int cli_config_load(cli_config *c, const char *path, int jobs);
/* The wall-clock budget for evaluating the script at `path`:
 * WEFT_LUA_MAX_SECONDS, else weft.yaml's limits.script_seconds, else 0 (the
 * DSL's default). An exit status; a bad value is reported. */
int cli_script_seconds(double *out, const char *path);
void cli_config_free(cli_config *c);
/* "local" or "slurm" into WEFT_EXECUTOR_*; an error says which exist. */
int cli_executor_parse(int *out, const char *name);
/* trust.c: where the trust records live (caller frees; NULL without
 * XDG_DATA_HOME and HOME), their text ("" when none; caller frees), the
 * record line of absolute path `abs` in them (its length, newline
 * included, in *linelen), and whether a plugin built inside a repository
 * may load by them (recorded by `weft plugin trust` with its content hash). */
char *cli_trust_file(void);
char *cli_trust_read(void);
const char *cli_trust_line(const char *text, const char *abs, size_t *linelen);
int cli_plugin_trusted(const char *trust, const char *so);
/* Prints one op's signature and docs (as `weft ops` does). */
void cli_print_op(const weft_op_info *op);
/* scaffold.c: `weft plugin new`. */
int cli_scaffold_plugin(const char *name, const char *dir);

/* Prints "weft: error: <msg>" and returns WEFT_EXIT_USAGE. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* paths.c. Every returned string is the caller's to free. */
/* The pipeline's repository: the nearest ancestor of `start` holding
 * weft.yaml, .git or .weft; NULL if none. */
char *cli_repo_root(const char *start);
/* The store directory: --store, else $WEFT_STORE, else <repo>/.weft. */
char *cli_store_dir(const char *flag, const char *start);
/* Opens run `id` of `store`, or the newest run when `id` is NULL; *opened
 * is its id (caller frees). An exit status; an error is printed. */
struct weft_run;
int cli_open_run(struct weft_run **out, char **opened, const char *store, const char *id);
/* jsonout.c: --json output. A string value, or null for NULL; and `v`
 * printed as indented JSON (`if_oom` when it cannot be), then freed. */
weft_value *cli_json_str(const char *s);
void cli_print_json(weft_value *v, const char *if_oom);
/* A value type as `weft ops` and `weft params` name it. */
const char *cli_type_name(weft_type t);
char *cli_builtin_plugin_dir(void);
char *cli_stdlib_dir(void);
/* weft's Python package for Python ops: installed, else the source tree's. */
char *cli_python_dir(void);
/* Scaffolding templates (share/weft/templates, or the source tree's). */
char *cli_templates_dir(void);
/* $XDG_DATA_HOME/weft/plugins (default ~/.local/share/weft/plugins). */
char *cli_user_plugin_dir(void);
/* ':'-separated plugin dirs in load order: built-in, $WEFT_PLUGIN_PATH,
 * <repo>/plugins/NAME/build, then each installed plugin's directory. */
char *cli_plugin_search_path(const char *start);
/* An engine on `store` with every plugin on the search path for `start`. */
int cli_engine(weft_engine **out, const char *store, const char *start);
/* True when `arg` is -h or --help. */
int cli_is_help(const char *arg);

/* Progress rendering (progress.c). */
typedef struct cli_progress {
	int tty;
	int quiet;
	double t0, last_draw;
	size_t last_len;
} cli_progress;
void cli_progress_init(cli_progress *p, int quiet);
void cli_progress_event(const weft_event *ev, void *payload);
void cli_progress_end(cli_progress *p);

extern volatile int cli_interrupted;
void cli_install_signals(void);

/* load.c: options shared by the commands that evaluate a script. */
typedef struct cli_run_args {
	const char *script;
	const char *store;
	const char *params_file;
	weft_value *cli_params;
	int jobs;
	int keep_going;
	int force;
	int quiet;
	const char *rev; /* --rev: load the pipeline from this git revision */
	const char *executor; /* --executor local|slurm */
	int dry_run;          /* -n / --dry-run: plan, run nothing */
	const char *targets[64]; /* run only what these nodes need (positional, --until) */
	size_t n_targets;
	const char *force_nodes[64]; /* --force=NODE[,NODE] */
	size_t n_force_nodes;
	int json;             /* --json, where a command prints one */
	int verbose;          /* -v: say which store is used */
	int graph_run;        /* weft graph --run[=RUN] */
	const char *run_id;   /* its RUN, or NULL for the newest */
	const char *format;   /* weft graph --format dot|json */
	const weft_value *resume_given; /* resume: the params the run was given */
	int silent;      /* cli_load prints no errors */
	const char *positional2;
	const char *out_dir; /* -o/--out: where relative output paths land */
	int strict;          /* --strict: a node's `warnings` output fails the run */
	int lookahead;       /* run, resume: keys and lookups made while the script runs */
} cli_run_args;

typedef struct cli_loaded {
	weft_engine *eng;
	weft_dsl *dsl;
	weft_value *file_params;
	char *store;
	char *pipeline; /* absolute script path */
	cli_gitsrc *git; /* NULL outside a repository */
	weft_value *provenance;
} cli_loaded;
/* Evaluates a->script (at a->rev when set) into l; `extra_params` (may be
 * NULL) stand in for --params. On error prints it and returns the exit
 * status; l is always safe to cli_unload. */
int cli_load(cli_loaded *l, cli_run_args *a, const weft_value *extra_params);
/* Adds one `-p NAME=VALUE` to `params` (the value stays a string, read by
 * the param's type when the script declares it). Prints and returns
 * WEFT_EXIT_USAGE when it is malformed. */
int cli_param_arg(weft_value *params, const char *arg);
void cli_unload(cli_loaded *l);
/* The same for a command whose process exits next: the engine's state is
 * written (weft_engine_flush) but its memory is left to the exit, which
 * for a million nodes saves seconds. Sanitizer builds free it all. */
void cli_unload_at_exit(cli_loaded *l);

#endif
