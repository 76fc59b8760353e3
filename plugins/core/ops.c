/*
 * ops.c -- the core plugin as the engine sees it: every op's name,
 * version, documentation, parameters, inputs and outputs, in one
 * declarative table (the run functions are in core.c, data.c, files.c and shell.c). A change to an
 * op's behaviour bumps its version here, which enters its cache key.
 */
#include "core.h"

/* ------------------------------------------------------------ core.c */

static const weft_param_spec value_params[] = {
	{"value", WEFT_T_ANY, NULL, "the value to emit"},
};
static const char *const out_only[] = {"out"};
static const weft_op_desc core_op_value = {
	WEFT_OP_DESC("value", "1", core_run_value, WEFT_OP_DETERMINISTIC | WEFT_OP_INLINE,
		     "Emits its `value` parameter as output `out`."),
	WEFT_OP_PARAMS(value_params), WEFT_OP_OUTPUTS(out_only),
};
static const weft_param_spec concat_params[] = {
	{"sep", WEFT_T_STRING, "\"\"", "separator when every item is a string"},
};
static const weft_op_desc core_op_concat = {
	WEFT_OP_DESC("concat", "1", core_run_concat, WEFT_OP_DETERMINISTIC,
		     "Concatenates the list `items`: lists are flattened one level; if every item is a string, the "
		     "strings are joined with `sep`."),
	WEFT_OP_PARAMS(concat_params), WEFT_OP_INPUTS(WEFT_NAMES("items")), WEFT_OP_OUTPUTS(out_only),
};
static const weft_op_desc core_op_merge = {
	WEFT_OP_DESC("merge", "1", core_run_merge, WEFT_OP_DETERMINISTIC | WEFT_OP_VARIADIC_INPUTS,
		     "Merges any number of map inputs into one map; on a key clash the input whose name sorts last wins."),
	WEFT_OP_OUTPUTS(out_only),
};
static const weft_param_spec noop_params[] = {
	{"seed", WEFT_T_INT, "0", "added to the output, to make distinct keys"},
};
static const weft_op_desc core_op_noop = {
	WEFT_OP_DESC("noop", "1", core_run_noop, WEFT_OP_DETERMINISTIC | WEFT_OP_VARIADIC_INPUTS | WEFT_OP_INLINE,
		     "Does nothing; outputs the number of inputs plus `seed`. Used to measure engine overhead."),
	WEFT_OP_PARAMS(noop_params), WEFT_OP_OUTPUTS(out_only),
};
static const weft_param_spec sleep_params[] = {
	{"seconds", WEFT_T_FLOAT, "1", "how long to wait"},
	{"value", WEFT_T_ANY, "null", "emitted as `out` afterwards"},
};
static const weft_op_desc core_op_sleep = {
	WEFT_OP_DESC("sleep", "1", core_run_sleep, WEFT_OP_DETERMINISTIC | WEFT_OP_VARIADIC_INPUTS | WEFT_OP_RETRYABLE,
		     "Waits `seconds` (cancellable), then emits `value`."),
	WEFT_OP_PARAMS(sleep_params), WEFT_OP_OUTPUTS(out_only),
};

/* ------------------------------------------------------------ data.c */

static const weft_param_spec csv_params[] = {
	{"delimiter", WEFT_T_STRING, "\",\"", "field separator (one character)"},
	{"header", WEFT_T_BOOL, "true", "first record holds column names"},
};
static const char *const file_in[] = {"file"};
static const weft_op_desc core_op_csv = {
	WEFT_OP_DESC("csv", "1", core_run_csv, WEFT_OP_DETERMINISTIC,
		     "Parses a CSV file (RFC 4180) into a normalised table artifact (`table`), with `columns`, inferred "
		     "column `types` and the row count `rows`. Ragged rows are an error naming the line."),
	WEFT_OP_PARAMS(csv_params), WEFT_OP_INPUTS(file_in), WEFT_OP_OUTPUTS(WEFT_NAMES("table", "columns", "types", "rows")),
};
static const char *const value_out[] = {"value"};
static const weft_op_desc core_op_json = {
	WEFT_OP_DESC("json", "1", core_run_json, WEFT_OP_DETERMINISTIC,
		     "Parses a JSON file into a value (`value`)."),
	WEFT_OP_INPUTS(file_in), WEFT_OP_OUTPUTS(value_out),
};
static const weft_op_desc core_op_yaml = {
	WEFT_OP_DESC("yaml", "1", core_run_yaml, WEFT_OP_DETERMINISTIC,
		     "Parses a YAML file into a value (`value`)."),
	WEFT_OP_INPUTS(file_in), WEFT_OP_OUTPUTS(value_out),
};

/* ------------------------------------------------------------ files.c */

static const weft_param_spec import_params[] = {
	{"path", WEFT_T_STRING, NULL, "file or directory to import (absolute, or relative to the working directory)"},
};
static const weft_op_desc core_op_import = {
	WEFT_OP_DESC("import", "1", core_run_import, 0,
		     "Imports a file or directory into the store at run time. Prefer weft.file() in scripts, which "
		     "imports while the graph is built."),
	WEFT_OP_PARAMS(import_params), WEFT_OP_OUTPUTS(out_only),
};
static const weft_param_spec glob_params[] = {
	{"pattern", WEFT_T_STRING, NULL, "a glob(7) pattern, absolute (weft.glob makes it so from the script's directory)"},
	{"dirs", WEFT_T_BOOL, "false", "match directories too (imported as trees)"},
	{"allow_empty", WEFT_T_BOOL, "false", "an empty match is a list of none instead of an error"},
};
static const weft_op_desc core_op_glob = {
	WEFT_OP_DESC("glob", "1", core_run_glob, 0,
		     "Lists the files a pattern matches at run time, sorted, each imported into the store: `out` is a "
		     "list of {name, path, file} to fan out over, `files` the artifacts, `names` the file names. It "
		     "always runs, so new files are seen; what uses its outputs is cached by their content."),
	WEFT_OP_PARAMS(glob_params), WEFT_OP_OUTPUTS(WEFT_NAMES("out", "files", "names")),
};
static const weft_param_spec export_params[] = {
	{"path", WEFT_T_PATH_OUT, NULL,
	 "destination path (replaced atomically); a relative one is under the run's output directory (--out, else "
	 "where weft was started)"},
};
static const weft_op_desc core_op_export = {
	WEFT_OP_DESC("export", "1", core_run_export, 0,
		     "Copies an artifact out of the store to `path`, atomically (temp file, then rename). Always runs."),
	WEFT_OP_PARAMS(export_params), WEFT_OP_INPUTS(WEFT_NAMES("artifact")), WEFT_OP_OUTPUTS(out_only),
};

/* ------------------------------------------------------------ shell.c */

static const weft_param_spec shell_params[] = {
	{"cmd", WEFT_T_STRING, NULL, "command line for /bin/sh -c; inputs are in $NAME"},
	{"outs", WEFT_T_LIST, "[]", "output files (relative paths) the command must create; $out is the first"},
	{"env", WEFT_T_MAP, "{}", "extra environment variables"},
	{"capture_stdout", WEFT_T_BOOL, "false", "return stdout (up to 64 KiB) as output `stdout`, trailing newlines stripped as $(...) does"},
};
static const weft_op_desc core_op_shell = {
	WEFT_OP_DESC("shell", "1", core_run_shell, WEFT_OP_DETERMINISTIC | WEFT_OP_VARIADIC_INPUTS | WEFT_OP_RETRYABLE,
		     "Runs a shell command in a fresh work directory. Inputs appear as environment variables (artifacts "
		     "as read-only paths). Declared `outs` are stored as artifacts: `out` is the first, `files` maps each."),
	WEFT_OP_PARAMS(shell_params), WEFT_OP_OUTPUTS(WEFT_NAMES("out", "files", "stdout")),
	WEFT_OP_SPLIT(core_start_shell, core_finish_shell),
	WEFT_OP_PUMP(core_pump_shell),
};

static const weft_op_desc *const ops[] = {
	&core_op_shell, &core_op_import, &core_op_glob, &core_op_export, &core_op_csv, &core_op_json, &core_op_yaml,
	&core_op_concat, &core_op_merge, &core_op_value, &core_op_noop, &core_op_sleep,
};

const weft_plugin_desc core_plugin =
	WEFT_PLUGIN_DESC("core", "0.1.0", "MIT",
			 "Built-in ops: shell commands, files as artifacts, CSV/JSON/YAML, value plumbing.",
			 ops);
