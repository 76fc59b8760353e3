/*
 * plugin.c -- autosdt: AutoSDT (Li et al., 2025) on weft, research code
 * repositories mined for verified, self-contained data-driven discovery
 * tasks (docs/plugins/autosdt.md).
 *
 *   search     repositories -> their commits, kept by a README filter
 *              (the LLM, else keywords); never cached: it is what notices
 *              a new commit
 *   crawl      repository at a commit -> .py files and notebooks' code
 *              cells (JSONL), and a checkout of the tree
 *   prefilter  AutoSDT's path and name rules
 *   judge      the three criteria: the LLM, else the AST (sdt.py)
 *   locate     local modules and data files the program needs (AST)
 *   envcheck   modules: only those of Debian's packages (and the stdlib)
 *   adapt      the self-contained program: data under benchmark/datasets/,
 *              outputs under pred_results/ (templated AST rewrite, or the LLM)
 *   verify     one task run in the sandbox: no network, a timeout, an
 *              output limit; VER's numerator
 *   fix        one self-debug round (LLM only; skipped without one)
 *   instruct   the task's instruction (LLM, else a template)
 *   dataset    near-duplicates removed (MinHash), the JSONL, the yields
 *
 * The file stages read and write JSONL artifacts; their Python-syntax work
 * is share/autosdt/sdt.py, whose content is in their keys
 * (WEFT_OP_PYTHON).
 */
#include <weft/ophelp.h>

#include "ops.h"

#define PYTHON_PARAM {"python", WEFT_T_STRING, "\"\"", "the tasks' interpreter (default $WEFT_PYTHON, else python3)"}
#define LLM_PARAM {"use_llm", WEFT_T_BOOL, "true", "ask the LLM when one is configured (false: the deterministic rule)"}

static const weft_param_spec search_params[] = {
	{"repos", WEFT_T_LIST, "[]", "repository paths or file:// URLs"},
	{"corpus", WEFT_T_STRING, "\"\"", "a directory: each subdirectory that is a git repository is read too"},
	{"only", WEFT_T_LIST, "[]", "with corpus: only the repositories of these names"},
	{"rev", WEFT_T_STRING, "\"\"", "the revision to read in each (default HEAD)"},
	{"keywords", WEFT_T_LIST,
	 "[\"data\",\"dataset\",\"analysis\",\"experiment\",\"model\",\"statistic\",\"regression\",\"classif\","
	 "\"cluster\",\"simulation\",\"sequence\",\"genom\",\"protein\",\"neuro\",\"imaging\",\"climate\","
	 "\"physics\",\"chemistry\",\"biology\",\"example\",\"notebook\",\"scientific\",\"research\"]",
	 "README keywords of the fallback filter (any one keeps the repository)"},
	{"readme_filter", WEFT_T_BOOL, "true", "filter repositories by their README"},
	LLM_PARAM,
};
static const weft_op_desc op_search = {
	WEFT_OP_DESC("search", "1", sdt_run_search, WEFT_OP_USES_LLM,
		     "The repositories and their current commits, kept by a README filter (the LLM, else keywords). "
		     "Not cached: each run asks every repository for its commit."),
	WEFT_OP_PARAMS(search_params),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "report")),
};
static const weft_param_spec crawl_params[] = {
	{"max_checkout", WEFT_T_INT, "536870912", "bytes of the tree checked out at most (data for the tasks)"},
	{"max_file", WEFT_T_INT, "67108864", "files larger than this are left out of the checkout"},
};
static const weft_op_desc op_crawl = {
	WEFT_OP_DESC("crawl", "1", sdt_run_crawl, WEFT_OP_DETERMINISTIC,
		     "A repository at a commit (read with libgit2): its .py files and the code cells of its "
		     "notebooks as JSONL, a checkout of its tree, and counts."),
	WEFT_OP_PARAMS(crawl_params),
	WEFT_OP_INPUTS(WEFT_NAMES("repo")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "tree", "stats")),
};
static const weft_param_spec prefilter_params[] = {
	{"max_lines", WEFT_T_INT, "1000", "files over this many lines are dropped (AutoSDT: 1000)"},
};
static const weft_op_desc op_prefilter = {
	WEFT_OP_DESC("prefilter", "1", sdt_run_prefilter, WEFT_OP_DETERMINISTIC,
		     "AutoSDT's rules: files under util/test/doc/scripts/build/settings-like directories, named "
		     "setup/__init__/config/requirements/manage/utils, or too long, are dropped."),
	WEFT_OP_PARAMS(prefilter_params),
	WEFT_OP_INPUTS(WEFT_NAMES("files")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "stats")),
};
static const weft_param_spec judge_params[] = {PYTHON_PARAM, LLM_PARAM};
static const weft_op_desc op_judge = {
	WEFT_OP_DESC("judge", "1", sdt_run_judge,
		     WEFT_OP_DETERMINISTIC | WEFT_OP_USES_LLM | WEFT_OP_PYTHON,
		     "Is each file a data-driven scientific task? Scientific workflow, at least one dataset, numbers "
		     "or figures out: the LLM when configured, else the AST judge."),
	WEFT_OP_PARAMS(judge_params),
	WEFT_OP_INPUTS(WEFT_NAMES("files")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "stats")),
};
static const weft_param_spec py_params[] = {PYTHON_PARAM};
static const weft_op_desc op_locate = {
	WEFT_OP_DESC("locate", "1", sdt_run_locate, WEFT_OP_DETERMINISTIC | WEFT_OP_PYTHON,
		     "Dependencies: imports resolved against the tree (followed through local modules), string "
		     "literals that name data files, library datasets, and downloads (which drop the task)."),
	WEFT_OP_PARAMS(py_params),
	WEFT_OP_INPUTS(WEFT_NAMES("files", "tree")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "stats")),
};
static const weft_param_spec envcheck_params[] = {
	PYTHON_PARAM,
	{"roots", WEFT_T_LIST, "[\"/usr/lib/python3/dist-packages\"]",
	 "where allowed third-party modules live (Debian's); the stdlib is always allowed"},
};
static const weft_op_desc op_envcheck = {
	WEFT_OP_DESC("envcheck", "1", sdt_run_envcheck, WEFT_OP_DETERMINISTIC | WEFT_OP_PYTHON,
		     "Keeps the files whose third-party modules the task interpreter has from the allowed roots; "
		     "drops the others, naming the module."),
	WEFT_OP_PARAMS(envcheck_params),
	WEFT_OP_INPUTS(WEFT_NAMES("files")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "stats")),
};
static const weft_param_spec adapt_params[] = {PYTHON_PARAM, LLM_PARAM};
static const weft_op_desc op_adapt = {
	WEFT_OP_DESC("adapt", "1", sdt_run_adapt,
		     WEFT_OP_DETERMINISTIC | WEFT_OP_USES_LLM | WEFT_OP_PYTHON,
		     "Each file as a self-contained program: data paths into benchmark/datasets/REPO/, prints, "
		     "figures and written files into pred_results/ (the LLM when configured, else the templated "
		     "rewrite). Outputs the list of tasks."),
	WEFT_OP_PARAMS(adapt_params),
	WEFT_OP_INPUTS(WEFT_NAMES("files", "tree", "repo")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "stats")),
};
static const weft_param_spec verify_params[] = {
	PYTHON_PARAM,
	{"time_limit", WEFT_T_FLOAT, "120", "seconds the program may run"},
	{"max_output", WEFT_T_INT, "67108864", "bytes the program may write"},
	{"sandbox", WEFT_T_BOOL, "true", "no network and a PID namespace (false only where namespaces are off)"},
};
static const weft_op_desc op_verify = {
	WEFT_OP_DESC("verify", "1", sdt_run_verify, WEFT_OP_DETERMINISTIC | WEFT_OP_ISOLATED,
		     "Runs one task's program with its data, no network, a time limit and an output limit; verified "
		     "when it exits 0 and writes its expected outputs (pred)."),
	WEFT_OP_PARAMS(verify_params),
	WEFT_OP_INPUTS(WEFT_NAMES("task", "tree")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "pred")),
};
static const weft_param_spec fix_params[] = {
	{"round", WEFT_T_INT, "1", "the self-debug round (1-3)"},
};
static const weft_op_desc op_fix = {
	WEFT_OP_DESC("fix", "1", sdt_run_fix, WEFT_OP_DETERMINISTIC | WEFT_OP_USES_LLM,
		     "One self-debug round: the LLM gets the program and its error and answers the whole fixed "
		     "program (out), or null without an endpoint."),
	WEFT_OP_PARAMS(fix_params),
	WEFT_OP_INPUTS(WEFT_NAMES("task", "result")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "by")),
};
static const weft_param_spec instruct_params[] = {LLM_PARAM};
static const weft_op_desc op_instruct = {
	WEFT_OP_DESC("instruct", "1", sdt_run_instruct, WEFT_OP_DETERMINISTIC | WEFT_OP_USES_LLM,
		     "One repository's results: each verified task gets its instruction (the LLM, else a template "
		     "naming the inputs, the outputs and their format)."),
	WEFT_OP_PARAMS(instruct_params),
	WEFT_OP_INPUTS(WEFT_NAMES("repo", "results", "stages")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};
static const weft_param_spec dataset_params[] = {
	{"dedup_threshold", WEFT_T_FLOAT, "0.8", "estimated Jaccard at which a program is a near-duplicate"},
	{"shingle", WEFT_T_INT, "5", "tokens per shingle"},
};
static const weft_op_desc op_dataset = {
	WEFT_OP_DESC("dataset", "1", sdt_run_dataset, WEFT_OP_DETERMINISTIC,
		     "The verified tasks of every repository, near-duplicates removed (MinHash + LSH), as JSONL "
		     "(out), with the per-stage yields and VER (stats) and a Markdown report."),
	WEFT_OP_PARAMS(dataset_params),
	WEFT_OP_INPUTS(WEFT_NAMES("repos")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "stats", "report")),
};

static const weft_op_desc *const ops[] = {&op_search, &op_crawl,  &op_prefilter, &op_judge,
					  &op_locate, &op_envcheck, &op_adapt,   &op_verify,
					  &op_fix,    &op_instruct, &op_dataset};
static const weft_plugin_desc autosdt_plugin = WEFT_PLUGIN_DESC(
	"autosdt", "1", "MIT", "AutoSDT: research repositories mined for verified data-driven coding tasks", ops);

WEFT_PLUGIN_EXPORT const weft_plugin_desc *weft_plugin_entry(const weft_host_api *api)
{
	return weft_plugin_accept(api, &autosdt_plugin);
}
