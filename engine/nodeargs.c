/*
 * nodeargs.c -- the node vocabulary: the options every node takes beside
 * its op's parameters and inputs, and the one place that splits what a
 * script gave a node into params, inputs and options.
 *
 * A front-end (the Lua DSL, an embedder) hands over one map of everything
 * it was given; the op's descriptor decides what is a parameter and what
 * is an input, this table decides the rest. A new node option is a row
 * here: its parser, its doc for `weft ops`, and the plugin loader's
 * refusal of a parameter of that name all come from the row.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "optable.h"
#include "slurm.h"
#include "util.h"
#include "value_internal.h"

#define MAX_REQUESTS 32

/* What the options of one node parse into; names borrowed from `args`. */
typedef struct opt_acc {
	weft_node_opts *opts;
	const char *name;
	const weft_value *inputs_map;
	const char *res_names[MAX_REQUESTS];
	uint64_t res_amounts[MAX_REQUESTS];
	size_t n_res;
} opt_acc;


typedef int (*opt_parse)(opt_acc *a, const char *key, const weft_value *v, const char *place);

static int whole(int64_t *out, const weft_value *v, int64_t lo, int64_t hi)
{
	if (weft_value_type(v) != WEFT_T_INT)
		return -1;
	*out = weft_value_get_int(v);
	return *out >= lo && *out <= hi ? 0 : -1;
}

static int p_name(opt_acc *a, const char *key, const weft_value *v, const char *place)
{
	if (weft_value_type(v) != WEFT_T_STRING)
		return weft_err_set(WEFT_EINVALID, "%s: node name must be a string", place);
	a->name = weft_value_get_string(v, NULL);
	return WEFT_OK;
}

static int p_cpus(opt_acc *a, const char *key, const weft_value *v, const char *place)
{
	int64_t n;
	if (whole(&n, v, 0, 65536) != 0)
		return weft_err_set(WEFT_EINVALID, "%s: cpus must be a whole number from 0 (the op's default) to 65536",
				    place);
	a->opts->cpus = (uint32_t)n;
	return WEFT_OK;
}

static int p_isolate(opt_acc *a, const char *key, const weft_value *v, const char *place)
{
	if (weft_value_type(v) != WEFT_T_BOOL)
		return weft_err_set(WEFT_EINVALID,
				    "%s: isolate must be true (run in a worker process) or false (run in-process)", place);
	a->opts->isolate = weft_value_get_bool(v) ? 1 : -1;
	return WEFT_OK;
}

static int p_mem(opt_acc *a, const char *key, const weft_value *v, const char *place)
{
	int64_t n;
	uint64_t size = 0;
	if (whole(&n, v, 0, INT64_MAX) == 0)
		size = (uint64_t)n;
	else if (weft_value_type(v) != WEFT_T_STRING || weft_parse_size(&size, weft_value_get_string(v, NULL)) != WEFT_OK)
		return weft_err_set(WEFT_EINVALID,
				    "%s: mem must be a number of bytes or a size such as \"4G\" or \"512M\"", place);
	a->opts->mem_bytes = size;
	return WEFT_OK;
}

static int add_request(opt_acc *a, const char *pool, const weft_value *v, const char *place)
{
	int64_t n;
	if (whole(&n, v, 0, INT64_MAX) != 0)
		return weft_err_set(WEFT_EINVALID, "%s: %s must be a whole number >= 0", place, pool);
	if (a->n_res == MAX_REQUESTS)
		return weft_err_set(WEFT_EINVALID, "%s: at most %d resource requests per node", place, MAX_REQUESTS);
	a->res_names[a->n_res] = pool;
	a->res_amounts[a->n_res++] = (uint64_t)n;
	return WEFT_OK;
}

static int p_device(opt_acc *a, const char *key, const weft_value *v, const char *place)
{
	return add_request(a, key, v, place);
}

static int p_resources(opt_acc *a, const char *key, const weft_value *v, const char *place)
{
	if (weft_value_type(v) != WEFT_T_MAP)
		return weft_err_set(WEFT_EINVALID,
				    "%s: resources must be a table of pool = amount, for example resources = {license = 1}",
				    place);
	for (size_t i = 0; i < weft_value_len(v); i++) {
		int rc = add_request(a, weft_value_map_key_at(v, i), weft_value_map_value_at(v, i), place);
		if (rc != WEFT_OK)
			return rc;
	}
	return WEFT_OK;
}

static int p_duration(opt_acc *a, const char *key, const weft_value *v, const char *place)
{
	double secs = 0;
	weft_type t = weft_value_type(v);
	if (t == WEFT_T_INT || t == WEFT_T_FLOAT) {
		secs = weft_value_get_float(v);
		if (!(secs >= 0))
			return weft_err_set(WEFT_EINVALID, "%s: %s must be >= 0 seconds", place, key);
	} else if (t != WEFT_T_STRING || weft_parse_duration(&secs, weft_value_get_string(v, NULL)) != WEFT_OK) {
		return weft_err_set(WEFT_EINVALID,
				    "%s: %s must be seconds or a duration such as \"90s\", \"5m\" or \"1h30m\"", place, key);
	}
	*(!strcmp(key, "timeout") ? &a->opts->timeout : &a->opts->backoff) = secs;
	return WEFT_OK;
}

static int p_retries(opt_acc *a, const char *key, const weft_value *v, const char *place)
{
	int64_t n;
	if (whole(&n, v, 0, 100) != 0)
		return weft_err_set(WEFT_EINVALID, "%s: retries must be a whole number from 0 to 100", place);
	a->opts->retries = (uint32_t)n;
	return WEFT_OK;
}

static int p_llm(opt_acc *a, const char *key, const weft_value *v, const char *place)
{
	int rc = weft_llm_config_check(v, place);
	if (rc == WEFT_OK)
		a->opts->llm = v; /* borrowed from the arguments; the graph copies it */
	return rc;
}

static int p_checkpoints(opt_acc *a, const char *key, const weft_value *v, const char *place)
{
	(void)key;
	static const char *const names[] = {"drop", "last", "keep"};
	const char *s = weft_value_type(v) == WEFT_T_STRING ? weft_value_get_string(v, NULL) : NULL;
	for (int i = 0; s && i < 3; i++)
		if (!strcmp(s, names[i])) {
			a->opts->checkpoints = i;
			return WEFT_OK;
		}
	return weft_err_set(WEFT_EINVALID,
			    "%s: checkpoints must be \"drop\" (the default), \"last\" or \"keep\": what is kept of "
			    "the node's checkpoints once it has succeeded",
			    place);
}

static int p_executor(opt_acc *a, const char *key, const weft_value *v, const char *place)
{
	(void)key;
	const char *s = weft_value_type(v) == WEFT_T_STRING ? weft_value_get_string(v, NULL) : NULL;
	if (s && !strcmp(s, "local"))
		a->opts->executor = WEFT_EXECUTOR_LOCAL;
	else if (s && !strcmp(s, "slurm"))
		a->opts->executor = WEFT_EXECUTOR_SLURM;
	else
		return weft_err_set(WEFT_EINVALID,
				    "%s: executor must be \"local\" (this machine, even when the run uses a cluster) or "
				    "\"slurm\" (a batch job on the cluster of weft.yaml's `slurm:`)",
				    place);
	return WEFT_OK;
}

static int p_slurm(opt_acc *a, const char *key, const weft_value *v, const char *place)
{
	(void)key;
	int rc = slurm_node_check(v, place);
	if (rc == WEFT_OK)
		a->opts->slurm = v; /* borrowed from the arguments; the graph copies it */
	return rc;
}

static int p_inputs(opt_acc *a, const char *key, const weft_value *v, const char *place)
{
	if (weft_value_type(v) != WEFT_T_MAP)
		return weft_err_set(WEFT_EINVALID, "%s: inputs must be a table of name = value", place);
	a->inputs_map = v;
	return WEFT_OK;
}

typedef struct opt_row {
	weft_node_option pub;
	opt_parse parse;
} opt_row;

static const opt_row rows[] = {
	{{"name", "string", "the node's name, unique in the graph (default: made from the op)"}, p_name},
	{{"cpus", "integer", "CPU slots it holds while running (default: the op's)"}, p_cpus},
	{{"mem", "size", "memory it reserves: bytes or \"4G\", \"512M\" (default: the op's)"}, p_mem},
	{{"gpu", "integer", "GPUs it holds; its process sees them in CUDA_VISIBLE_DEVICES"}, p_device},
	{{"npu", "integer", "NPUs it holds; its process sees them in ASCEND_RT_VISIBLE_DEVICES"}, p_device},
	{{"resources", "table", "amounts of named pools of weft.yaml, {license = 1}"}, p_resources},
	{{"timeout", "duration", "cancel it after this long (seconds or \"5m\"); killed after the grace period"},
	 p_duration},
	{{"retries", "integer", "further attempts after a failure, 0-100 (the op must be retryable)"}, p_retries},
	{{"backoff", "duration", "wait before the first retry, doubling each time (default 1 s)"}, p_duration},
	{{"isolate", "bool", "true: run in a worker process; false: in-process (default: by plugin trust)"}, p_isolate},
	{{"llm", "table", "LLM settings over weft.yaml's `llm:` for this node: url, model, api_key_env, temperature, "
	  "max_tokens, timeout, retries"},
	 p_llm},
	{{"checkpoints", "string", "once it succeeded: \"drop\" its checkpoints (default), keep the \"last\" of "
	  "each name, or \"keep\" all"},
	 p_checkpoints},
	{{"executor", "string", "where it runs: \"local\" (this machine) or \"slurm\" (a batch job); default: the "
	  "run's (--executor, weft.yaml `executor:`)"},
	 p_executor},
	{{"slurm", "table", "Slurm settings over weft.yaml's `slurm:` for this node: partition, time, account, qos, "
	  "flags"},
	 p_slurm},
	{{"inputs", "table", "inputs by name, for names that are not written as arguments"}, p_inputs},
};
#define N_ROWS (sizeof rows / sizeof rows[0])

size_t weft_node_option_count(void)
{
	return N_ROWS;
}

const weft_node_option *weft_node_option_at(size_t i)
{
	return i < N_ROWS ? &rows[i].pub : NULL;
}

static const opt_row *find_row(const char *key)
{
	/* the first letter first: every argument of every node comes here */
	for (size_t i = 0; key && i < N_ROWS; i++)
		if (rows[i].pub.key[0] == key[0] && !strcmp(rows[i].pub.key, key))
			return &rows[i];
	return NULL;
}

int weft_node_option_is(const char *key)
{
	return find_row(key) != NULL;
}

/* The closest name the node could have meant, a parameter, an input (as
 * it is written, without an optional input's '?') or a node option, into
 * `out`; NULL when none is close. */
static const char *suggest_arg(const weft_op_desc *d, const char *k, char out[64])
{
	weft_suggester sg;
	weft_suggest_init(&sg, k);
	for (size_t i = 0; i < d->n_params; i++)
		weft_suggest_add(&sg, d->params[i].name);
	char names[64][64];
	size_t n_names = d->n_inputs < 64 ? d->n_inputs : 64;
	for (size_t i = 0; i < n_names; i++) {
		snprintf(names[i], sizeof names[i], "%s", d->inputs[i]);
		size_t n = strlen(names[i]);
		if (n && names[i][n - 1] == '?')
			names[i][n - 1] = '\0';
		weft_suggest_add(&sg, names[i]);
	}
	for (size_t i = 0; i < N_ROWS; i++)
		weft_suggest_add(&sg, rows[i].pub.key);
	const char *best = weft_suggest_best(&sg);
	if (!best)
		return NULL;
	snprintf(out, 64, "%s", best);
	return out;
}

/*
 * An op that takes inputs of any name would take a misspelt parameter as
 * one, silently (`comand = ...` on core.shell). A key that is not a
 * parameter is refused when a required parameter is missing and the key is
 * close to it, or when it is one letter away from a parameter's name (from
 * five letters); an input of such a name is still given as inputs = {...}.
 */
static int misspelt_param(const weft_op_desc *d, const char *opname, const weft_value *params, const char *k,
			  const char *place, const char *who)
{
	for (size_t i = 0; i < d->n_params; i++) {
		const char *p = d->params[i].name;
		int missing = !d->params[i].default_json && !weft_value_map_get(params, p);
		int close;
		if (missing) {
			weft_suggester sg;
			weft_suggest_init(&sg, k);
			weft_suggest_add(&sg, p);
			close = weft_suggest_best(&sg) != NULL;
		} else {
			close = strlen(k) >= 5 && weft_edit_distance(k, p) == 1;
		}
		if (close)
			return weft_err_set(WEFT_EINVALID,
					    "%s: node '%s': '%s' is not a parameter of %s (did you mean '%s'?); an input "
					    "of that name is given as inputs = { %s = ... }",
					    place, who, k, opname, p, k);
	}
	return WEFT_OK;
}

static int put(weft_value *map, const char *key, const weft_value *v)
{
	weft_value *c = weft_value_copy(v);
	if (!c || weft_value_map_set(map, key, c) != WEFT_OK)
		return weft_err_set(WEFT_ERROR, "out of memory");
	return WEFT_OK;
}

/* Moves args' entry i into map: no copy of the value or its key. */
static int move(weft_value *map, weft_value *args, size_t i)
{
	char *k;
	weft_value *v = weft_value_map_take_at(args, i, &k);
	if (weft_value_map_set_owned(map, k, v) != WEFT_OK)
		return weft_err_set(WEFT_ERROR, "out of memory");
	return WEFT_OK;
}

int weft_graph_add_node_take(uint32_t *out_id, weft_engine *eng, const char *opname, weft_value *args,
			     const char *file, int line)
{
	weft_node_opts opts = WEFT_NODE_OPTS_INIT;
	opts.file = file;
	opts.line = line;
	opt_acc a = {.opts = &opts};
	const weft_op_info *op = weft_engine_op_find(eng, opname);
	weft_value *params = weft_value_map(), *inputs = weft_value_map();
	char place[512], sugg[64];
	int rc = params && inputs ? WEFT_OK : weft_err_set(WEFT_ERROR, "out of memory");
	if (rc == WEFT_OK && weft_value_type(args) != WEFT_T_MAP)
		rc = weft_err_set(WEFT_EINVALID, "%s:%d: node arguments must be named (key = value)", file ? file : "?",
				  line);
	/* The name first: every later message names the node. */
	const weft_value *nv = rc == WEFT_OK ? weft_value_map_get(args, "name") : NULL;
	weft_file_line(place, sizeof place, file ? file : "?", line);
	if (nv && rc == WEFT_OK)
		rc = p_name(&a, "name", nv, place);
	for (size_t i = 0; rc == WEFT_OK && i < weft_value_len(args); i++) {
		const char *k = weft_value_map_key_at(args, i);
		const weft_value *v = weft_value_map_value_at(args, i);
		const opt_row *row = find_row(k);
		if (row) {
			if (strcmp(k, "name"))
				rc = row->parse(&a, k, v, place);
		} else if (!op || weft_op_declares_param(op->desc, k)) {
			rc = move(params, args, i); /* an unknown op is reported by add_op */
		} else if (weft_op_declares_input(op->desc, k, NULL) || (op->desc->flags & WEFT_OP_VARIADIC_INPUTS)) {
			rc = move(inputs, args, i);
		} else {
			const char *s = suggest_arg(op->desc, k, sugg);
			rc = weft_err_set(WEFT_EINVALID, "%s: node '%s': op %s has no parameter or input '%s'%s%s%s",
					  place, a.name ? a.name : opname, opname, k,
					  s ? " (did you mean '" : "; see `weft ops`", s ? s : "", s ? "'?)" : "");
		}
	}
	/* Only now are all the params known (a required one may come later). */
	for (size_t i = 0; rc == WEFT_OK && op && (op->desc->flags & WEFT_OP_VARIADIC_INPUTS) && i < weft_value_len(inputs);
	     i++) {
		const char *k = weft_value_map_key_at(inputs, i);
		if (!weft_op_declares_input(op->desc, k, NULL))
			rc = misspelt_param(op->desc, opname, params, k, place, a.name ? a.name : opname);
	}
	for (size_t i = 0; rc == WEFT_OK && a.inputs_map && i < weft_value_len(a.inputs_map); i++)
		rc = put(inputs, weft_value_map_key_at(a.inputs_map, i), weft_value_map_value_at(a.inputs_map, i));
	if (rc != WEFT_OK) {
		weft_value_free(params);
		weft_value_free(inputs);
		weft_value_free(args);
		return rc;
	}
	opts.res_names = a.res_names;
	opts.res_amounts = a.res_amounts;
	opts.n_res = a.n_res;
	/* add_op takes params and inputs over, even when it fails. The name
	 * and the resource names still point into args. */
	rc = weft_graph_add_op(out_id, eng, a.name, opname, params, inputs, &opts);
	weft_value_free(args);
	return rc;
}

int weft_graph_add_node(uint32_t *out_id, weft_engine *eng, const char *opname, const weft_value *args,
			const char *file, int line)
{
	weft_value *own = weft_value_copy(args);
	if (!own && args)
		return weft_err_set(WEFT_ERROR, "out of memory");
	return weft_graph_add_node_take(out_id, eng, opname, own, file, line);
}
