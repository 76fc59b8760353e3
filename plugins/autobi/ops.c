/*
 * ops.c -- the autobi plugin as the engine sees it: every op's name,
 * version, documentation, parameters, inputs and outputs, in one
 * declarative table (the run functions are in op_*.c). A change to an
 * op's behaviour bumps its version here, which enters its cache key.
 */
#include "ops.h"

/* ------------------------------------------------------------ op_input.c */

static const weft_op_desc abi_op_tables = {
	WEFT_OP_DESC("tables", "1", abi_run_tables, WEFT_OP_DETERMINISTIC,
		     "Lists the CSV files of directory `data` as [{name, file}], one file artifact per table, so each "
		     "table is profiled (and cached) on its own."),
	WEFT_OP_INPUTS(WEFT_NAMES("data")), WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};
static const weft_param_spec profile_params[] = {
	{"table_name", WEFT_T_STRING, NULL, "the table's name (its file name without .csv)"},
	{"max_key_cols", WEFT_T_INT, "12", "composite keys are searched among this many leading key-like columns"},
};
static const weft_op_desc abi_op_profile = {
	WEFT_OP_DESC("profile", "2", abi_run_profile, WEFT_OP_DETERMINISTIC,
		     "Parses one CSV table (BOM, quoting, CRLF, null tokens, sniffed delimiter) and computes per-column "
		     "statistics, value hashes and two-column keys. `out` is the binary profile, `stats` a summary."),
	WEFT_OP_PARAMS(profile_params), WEFT_OP_INPUTS(WEFT_NAMES("table")), WEFT_OP_OUTPUTS(WEFT_NAMES("out", "stats")),
};
static const weft_param_spec cand_params[] = {
	{"min_containment", WEFT_T_FLOAT, "0.5", "drop pairs where less of A.x's values are in B.y"},
	{"min_key_unique", WEFT_T_FLOAT, "0.98", "B.y must be at least this unique (distinct / non-missing)"},
	{"composite", WEFT_T_BOOL, "true", "also look for two-column joins into two-column keys"},
};
static const weft_op_desc abi_op_candidates = {
	/* the pair search runs on every slot the node holds; a request above
	 * the pool is scaled down to it */
	WEFT_OP_DESC_CPUS("candidates", "3", abi_run_candidates, WEFT_OP_DETERMINISTIC,
		     "Candidate joins A.x -> B.y among all profiled tables (pruned by type, key uniqueness and value "
		     "containment) with their feature vectors, as a binary schema-graph artifact (docs/plugins/autobi.md).",
		     4),
	WEFT_OP_PARAMS(cand_params), WEFT_OP_INPUTS(WEFT_NAMES("profiles")), WEFT_OP_OUTPUTS(WEFT_NAMES("out", "count")),
};

/* ------------------------------------------------------------ op_model.c */

static const weft_op_desc abi_op_predict = {
	WEFT_OP_DESC("predict_joins", "3", abi_run_predict, WEFT_OP_DETERMINISTIC,
		     "Scores every candidate with the join classifier (`model`, a weights file): adds its probability p."),
	WEFT_OP_INPUTS(WEFT_NAMES("candidates", "model")), WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};
static const weft_param_spec kmca_params[] = {
	{"k", WEFT_T_INT, "0", "number of root children (facts and isolated tables); 0 chooses it"},
	{"max_nodes", WEFT_T_INT, "10000", "branch-and-bound budget for the FK-once constraint"},
	{"isolation", WEFT_T_FLOAT, "3.0", "cost of leaving a table without a likely outgoing join at the root"},
};
static const weft_op_desc abi_op_kmca = {
	WEFT_OP_DESC("kmca", "2", abi_run_kmca, WEFT_OP_DETERMINISTIC,
		     "Solves k-Min-Cost-Arborescence over the scored joins (cost -log(p/(1-p))): exact Chu-Liu/Edmonds, a "
		     "Lagrangian price for exactly k root edges, branch and bound for FK-once."),
	WEFT_OP_PARAMS(kmca_params), WEFT_OP_INPUTS(WEFT_NAMES("joins")), WEFT_OP_OUTPUTS(WEFT_NAMES("out", "k")),
};
static const weft_param_spec bi_params[] = {
	{"extra_threshold", WEFT_T_FLOAT, "0.5",
	 "constellation step: add non-tree joins with at least this probability"},
};
static const weft_op_desc abi_op_bi_model = {
	WEFT_OP_DESC("bi_model", "2", abi_run_bi_model, WEFT_OP_DETERMINISTIC,
		     "The BI model: tables with roles (fact, dimension, isolated) and joins with columns, N:1/1:1 "
		     "cardinality and confidence, plus the constellation edges; `out` is JSON, `dot` Graphviz."),
	WEFT_OP_PARAMS(bi_params), WEFT_OP_INPUTS(WEFT_NAMES("joins", "tree")), WEFT_OP_OUTPUTS(WEFT_NAMES("out", "dot", "joins")),
};

static const weft_op_desc abi_op_summary = {
	WEFT_OP_DESC("summary", "1", abi_run_summary, WEFT_OP_DETERMINISTIC,
		     "The BI model as summary.md, for people: tables with their roles, rows and joins, every join with "
		     "its columns, cardinality and confidence, and what to check (joins under 0.8 confidence, tables "
		     "that join nothing)."),
	WEFT_OP_INPUTS(WEFT_NAMES("model")), WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};

/* ------------------------------------------------------------ op_train.c */

static const weft_param_spec synth_params[] = {
	{"shape", WEFT_T_STRING, "\"star\"", "star, snowflake, constellation, tpch or wide"},
	{"seed", WEFT_T_INT, "1", "the random seed: same seed, same bytes"},
	{"rows", WEFT_T_INT, "3000", "rows per fact table (tpch: lineitem rows, roughly)"},
	{"tables", WEFT_T_INT, "100", "wide: the number of tables"},
};
static const weft_op_desc abi_op_synth = {
	WEFT_OP_DESC("synth", "1", abi_run_synth, WEFT_OP_DETERMINISTIC,
		     "Generates a synthetic BI schema with data: `tables` (a directory of CSVs) and `truth` (its joins)."),
	WEFT_OP_PARAMS(synth_params), WEFT_OP_OUTPUTS(WEFT_NAMES("out", "tables", "truth")),
};
static const weft_param_spec train_params[] = {
	{"l2", WEFT_T_FLOAT, "1.0", "L2 penalty on the standardised weights"},
	{"iterations", WEFT_T_INT, "50", "Newton steps at most"},
};
static const weft_op_desc abi_op_train = {
	WEFT_OP_DESC("train", "1", abi_run_train, WEFT_OP_DETERMINISTIC,
		     "Fits the join classifier (logistic regression, Newton's method) to candidates labelled by truth "
		     "files: examples = [{candidates, truth}]. `out` is the weights file predict_joins reads."),
	WEFT_OP_PARAMS(train_params), WEFT_OP_INPUTS(WEFT_NAMES("examples")), WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};
static const weft_op_desc abi_op_score = {
	WEFT_OP_DESC("score", "1", abi_run_score, WEFT_OP_DETERMINISTIC,
		     "Edge precision, recall and F1 of a BI model against the true joins, and whether it is exact."),
	WEFT_OP_INPUTS(WEFT_NAMES("model", "truth")), WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};

static const weft_op_desc *const ops[] = {&abi_op_tables,  &abi_op_profile, &abi_op_candidates,
					  &abi_op_predict, &abi_op_kmca,    &abi_op_bi_model, &abi_op_summary,
					  &abi_op_synth,   &abi_op_train,   &abi_op_score};

const weft_plugin_desc abi_plugin =
	WEFT_PLUGIN_DESC("autobi", "1.0.0", "MIT",
			 "Auto-BI (Lin, He, Chaudhuri, VLDB 2023): join prediction and k-MCA BI models from a folder of CSV tables.",
			 ops);
