/*
 * plugin.c -- autodistil: AutoDistil (Xu et al., NeurIPS 2022) on weft,
 * few-shot task-agnostic architecture search that distils a transformer
 * into a family of students (docs/plugins/autodistil.md).
 *
 *   corpus    the pinned Debian descriptions, split, tokenised, labelled
 *   pretrain  the teacher: masked-LM pretraining (Python, checkpointed)
 *   space     a sub-space's multipliers -> its students, resolved and
 *             counted (arch.c)
 *   supernet  one SuperLM per sub-space (Python, checkpointed)
 *   probe     a student's output on the probe batch: the search's
 *             functional hash (forward.c)
 *   score     a student's held-out distillation loss (forward.c)
 *   pick      the best searched student under each FLOPs budget
 *   finetune  the teacher or a student on a downstream task (Python)
 *   report    the Markdown report (Python)
 *
 * probe and score are C so that each of the hundreds of trials of a
 * search is an in-process node of a few milliseconds, not a Python
 * process importing torch; torch_score computes the same loss in torch
 * for the cross-check.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <weft/ophelp.h>

#include "jsonio.h"

#include "arch.h"
#include "forward.h"
#include "npy.h"

static int set_json(weft_op_ctx *ctx, const weft_host_api *api, const char *name, json_t *j)
{
	weft_value *v = wop_value_from_json(api, j);
	json_decref(j);
	return v ? api->set_output(ctx, name, v) : WEFT_ERROR;
}

/* The teacher's config: pretrain's `out` ({"config": {...}}) or the
 * config itself. */
static int teacher_config(const weft_host_api *api, const weft_value *v, ad_config *c, char *err, size_t errlen)
{
	json_t *j = wop_value_to_json(api, v);
	const json_t *cfg = json_object_get(j, "config") ? json_object_get(j, "config") : j;
	int rc = ad_config_from_json(cfg, c, err, errlen);
	json_decref(j);
	return rc;
}

static json_t *student_json(const ad_config *c, const ad_mult *m, const ad_arch *a)
{
	char name[64];
	ad_arch_name(a, name, sizeof name);
	return json_pack("{s:s,s:{s:f,s:f,s:f,s:f},s:o,s:I,s:I,s:I}", "name", name, "mult", "depth", m->depth, "heads",
			 m->heads, "hidden", m->hidden, "ratio", m->ratio, "arch", ad_arch_to_json(a), "params",
			 (json_int_t)ad_params(c, a), "params_body", (json_int_t)ad_params_body(c, a), "flops",
			 (json_int_t)ad_flops(c, a));
}

/* ------------------------------------------------------------ space */

static int read_list(weft_op_ctx *ctx, const weft_host_api *api, const char *param, double hi, double *out, size_t *n,
		     size_t max)
{
	json_t *j = wop_value_to_json(api, api->param(ctx, param));
	size_t i;
	json_t *x;
	*n = 0;
	if (!json_is_array(j) || json_array_size(j) == 0 || json_array_size(j) > max) {
		json_decref(j);
		return api->fail(ctx, "autodistil.space: %s must be a list of 1 to %zu multipliers", param, max);
	}
	json_array_foreach(j, i, x)
	{
		double v = json_number_value(x);
		if (!json_is_number(x) || !(v > 0) || v > hi) {
			json_decref(j);
			return api->fail(ctx, "autodistil.space: %s[%zu] must be a number in (0, %g]", param, i + 1, hi);
		}
		out[(*n)++] = v;
	}
	json_decref(j);
	return WEFT_OK;
}

static int run_space(weft_op_ctx *ctx, const weft_host_api *api)
{
	char err[512];
	ad_config c;
	if (teacher_config(api, api->input(ctx, "teacher"), &c, err, sizeof err) != 0)
		return api->fail(ctx, "autodistil.space: teacher: %s", err);
	double d[16], h[16], w[16], r[16];
	size_t nd, nh, nw, nr;
	if (read_list(ctx, api, "depth", 1, d, &nd, 16) || read_list(ctx, api, "heads", 1, h, &nh, 16) ||
	    read_list(ctx, api, "hidden", 1, w, &nw, 16) || read_list(ctx, api, "ratio", 16, r, &nr, 16))
		return WEFT_ERROR;
	json_t *list = json_array();
	ad_arch *seen = calloc(nd * nh * nw * nr, sizeof *seen);
	size_t distinct = 0;
	uint64_t pmin = UINT64_MAX, pmax = 0, fmin = UINT64_MAX, fmax = 0;
	if (!seen) {
		json_decref(list);
		return api->fail(ctx, "autodistil.space: out of memory");
	}
	/* The order of AutoDistil's itertools.product(depth, heads, hidden, ratio). */
	for (size_t a = 0; a < nd; a++)
		for (size_t b = 0; b < nh; b++)
			for (size_t e = 0; e < nw; e++)
				for (size_t f = 0; f < nr; f++) {
					ad_mult m = {d[a], h[b], w[e], r[f]};
					ad_arch s;
					ad_resolve(&c, &m, &s);
					size_t k = 0;
					while (k < distinct && !ad_arch_equal(&seen[k], &s))
						k++;
					if (k == distinct)
						seen[distinct++] = s;
					uint64_t p = ad_params(&c, &s), fl = ad_flops(&c, &s);
					pmin = p < pmin ? p : pmin, pmax = p > pmax ? p : pmax;
					fmin = fl < fmin ? fl : fmin, fmax = fl > fmax ? fl : fmax;
					json_array_append_new(list, student_json(&c, &m, &s));
				}
	free(seen);
	if (json_array_size(list) != nd * nh * nw * nr) {
		json_decref(list);
		return api->fail(ctx, "autodistil.space: out of memory");
	}
	ad_arch full = ad_full(&c);
	json_t *sum = json_pack("{s:s,s:I,s:I,s:[I,I],s:[I,I],s:I,s:I}", "name", weft_op_param_string(ctx, api, "subspace"),
				"students", (json_int_t)json_array_size(list), "distinct", (json_int_t)distinct,
				"params", (json_int_t)pmin, (json_int_t)pmax, "flops", (json_int_t)fmin,
				(json_int_t)fmax, "teacher_params", (json_int_t)ad_params(&c, &full), "teacher_flops",
				(json_int_t)ad_flops(&c, &full));
	if (set_json(ctx, api, "out", list) != WEFT_OK || set_json(ctx, api, "summary", sum) != WEFT_OK)
		return api->fail(ctx, "autodistil.space: cannot set outputs: %s", api->error_last());
	return WEFT_OK;
}

/* ------------------------------------------------------------ probe, score */

/* The student of a node: the search's candidate (multipliers) resolved
 * against the weights' config. */
static int node_student(weft_op_ctx *ctx, const weft_host_api *api, const char *op, const ad_model *m, ad_mult *mult,
			ad_arch *a)
{
	char err[512];
	json_t *j = wop_value_to_json(api, api->input(ctx, "student"));
	const json_t *mj = json_object_get(j, "mult") ? json_object_get(j, "mult") : j;
	int rc = ad_mult_from_json(mj, mult, err, sizeof err);
	json_decref(j);
	if (rc != 0)
		return api->fail(ctx, "%s: %s", op, err);
	ad_resolve(ad_model_config(m), mult, a);
	return WEFT_OK;
}

/* Token ids: a 2-D .npy of integers (autodistil.corpus writes int32). */
static int load_ids(weft_op_ctx *ctx, const weft_host_api *api, const char *op, const char *input, int32_t **ids,
		    int64_t *n, int64_t *T)
{
	const char *path = weft_op_input_path(ctx, api, input);
	char err[512];
	wnpy a;
	if (!path)
		return api->fail(ctx, "%s: input %s must be a .npy file of token ids (autodistil.corpus)", op, input);
	if (wnpy_read(&a, path, input, err, sizeof err) != 0)
		return api->fail(ctx, "%s: %s", op, err);
	size_t count = a.rows * a.cols;
	*ids = a.ndim == 2 && count ? malloc(count * sizeof **ids) : NULL;
	for (size_t i = 0; *ids && i < count; i++) {
		double v = a.data[i];
		if (!(v >= 0 && v <= INT32_MAX) || v != (double)(int32_t)v) {
			free(*ids);
			*ids = NULL;
			wnpy_free(&a);
			return api->fail(ctx, "%s: %s holds %g at row %zu, not a token id", op, input, v, i / a.cols + 1);
		}
		(*ids)[i] = (int32_t)v;
	}
	*n = (int64_t)a.rows;
	*T = (int64_t)a.cols;
	int nd = a.ndim;
	wnpy_free(&a);
	if (!*ids)
		return api->fail(ctx, "%s: %s must be a non-empty 2-D array (sequences x tokens), not %d-D", op, input, nd);
	return WEFT_OK;
}

static ad_model *open_model(weft_op_ctx *ctx, const weft_host_api *api, const char *op, const char *input)
{
	const char *path = weft_op_input_path(ctx, api, input);
	char err[512];
	if (!path) {
		api->fail(ctx, "%s: input %s must be a weights file (autodistil.pretrain or autodistil.supernet)", op,
			  input);
		return NULL;
	}
	ad_model *m = ad_model_open(path, err, sizeof err);
	if (!m)
		api->fail(ctx, "%s: %s", op, err);
	return m;
}

static int run_probe(weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *op = "autodistil.probe";
	ad_model *m = open_model(ctx, api, op, "weights");
	int32_t *ids = NULL;
	int64_t n = 0, T = 0;
	ad_mult mult;
	ad_arch a;
	int rc = WEFT_ERROR;
	if (!m || load_ids(ctx, api, op, "probe", &ids, &n, &T) != WEFT_OK ||
	    node_student(ctx, api, op, m, &mult, &a) != WEFT_OK)
		goto out;
	size_t len = (size_t)n * 2 * (size_t)a.hidden;
	float *v = malloc(len * sizeof *v);
	char err[512];
	if (!v) {
		rc = api->fail(ctx, "%s: out of memory", op);
		goto out;
	}
	if (ad_probe(m, &a, ids, n, (int)T, v, err, sizeof err) != 0) {
		free(v);
		rc = api->fail(ctx, "%s: %s", op, err);
		goto out;
	}
	weft_value *list = api->value_new_list();
	for (size_t i = 0; list && i < len; i++)
		if (api->value_list_push(list, api->value_new_float(v[i])) != WEFT_OK) {
			api->value_free(list);
			list = NULL;
		}
	free(v);
	rc = list && api->set_output(ctx, "out", list) == WEFT_OK ? WEFT_OK
								  : api->fail(ctx, "%s: cannot set the output", op);
out:
	free(ids);
	ad_model_free(m);
	return rc;
}

static int run_score(weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *op = "autodistil.score";
	ad_model *m = open_model(ctx, api, op, "weights"), *t = m ? open_model(ctx, api, op, "teacher") : NULL;
	int32_t *ids = NULL;
	int64_t n = 0, T = 0;
	ad_mult mult;
	ad_arch a;
	int rc = WEFT_ERROR;
	char err[512];
	if (!t || load_ids(ctx, api, op, "distill", &ids, &n, &T) != WEFT_OK ||
	    node_student(ctx, api, op, m, &mult, &a) != WEFT_OK)
		goto out;
	const ad_config *tc = ad_model_config(t), *sc = ad_model_config(m);
	if (tc->head_size != sc->head_size || tc->vocab != sc->vocab || tc->seq_len != sc->seq_len) {
		rc = api->fail(ctx, "%s: the supernet (head size %d, vocab %d) was not made from this teacher (%d, %d)", op,
			       sc->head_size, sc->vocab, tc->head_size, tc->vocab);
		goto out;
	}
	int64_t R = weft_op_param_int(ctx, api, "rel_heads");
	double loss = 0;
	if (ad_distill_loss(t, m, &a, ids, n, (int)T, R > 0 ? (int)R : tc->heads, &loss, err, sizeof err) != 0) {
		rc = api->fail(ctx, "%s: %s", op, err);
		goto out;
	}
	json_t *res = student_json(sc, &mult, &a);
	if (!res || json_object_set_new(res, "objective", json_real(loss)) ||
	    json_object_set_new(res, "cost", json_integer((json_int_t)ad_flops(sc, &a)))) {
		json_decref(res);
		rc = api->fail(ctx, "%s: out of memory", op);
		goto out;
	}
	rc = set_json(ctx, api, "out", res) == WEFT_OK ? WEFT_OK : api->fail(ctx, "%s: cannot set the output", op);
out:
	free(ids);
	ad_model_free(m);
	ad_model_free(t);
	return rc;
}

/* ------------------------------------------------------------ pick */

/* Of every searched student (the searches' histories), the one with the
 * lowest held-out distillation loss whose FLOPs are within each budget
 * (a fraction of the teacher's). */
static int run_pick(weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *op = "autodistil.pick";
	char err[512];
	ad_config c;
	if (teacher_config(api, api->input(ctx, "teacher"), &c, err, sizeof err) != 0)
		return api->fail(ctx, "%s: teacher: %s", op, err);
	json_t *searches = wop_value_to_json(api, api->input(ctx, "searches"));
	json_t *budgets = wop_value_to_json(api, api->param(ctx, "budgets"));
	int rc = WEFT_OK;
	if (!json_is_array(searches) || !json_is_array(budgets) || json_array_size(budgets) == 0) {
		rc = api->fail(ctx, "%s: searches must be a list of weft.search results and budgets a list of "
				    "{name, flops}",
			       op);
		goto out;
	}
	ad_arch full = ad_full(&c);
	double tflops = (double)ad_flops(&c, &full);
	json_t *picks = json_array();
	size_t bi;
	json_t *b;
	json_array_foreach(budgets, bi, b)
	{
		const char *bname = json_string_value(json_object_get(b, "name"));
		double frac = json_number_value(json_object_get(b, "flops"));
		if (!bname || !(frac > 0) || frac > 1) {
			json_decref(picks);
			rc = api->fail(ctx, "%s: budgets[%zu] must be {name = \"...\", flops = a fraction of the teacher's "
					    "in (0, 1]}",
				       op, bi + 1);
			goto out;
		}
		json_t *best = NULL;
		double best_obj = 0;
		int seen = 0;
		size_t si, hi;
		json_t *s, *h;
		json_array_foreach(searches, si, s)
		{
			json_array_foreach(json_object_get(s, "history"), hi, h)
			{
				const json_t *ob = json_object_get(h, "objective");
				ad_mult m;
				ad_arch a;
				if (!json_is_number(ob) || ad_mult_from_json(json_object_get(h, "candidate"), &m, err, sizeof err))
					continue;
				seen++;
				ad_resolve(&c, &m, &a);
				if ((double)ad_flops(&c, &a) > frac * tflops)
					continue;
				if (!best || json_number_value(ob) < best_obj) {
					json_decref(best);
					best = student_json(&c, &m, &a);
					best_obj = json_number_value(ob);
					json_object_set_new(best, "objective", json_real(best_obj));
					json_object_set_new(best, "search", json_integer((json_int_t)si));
					json_object_set_new(best, "trial", json_deep_copy(json_object_get(h, "trial")));
				}
			}
		}
		if (!best) {
			json_decref(picks);
			rc = api->fail(ctx, "%s: no searched student (of %d) is within budget %s (%.3g of the teacher's "
					    "FLOPs); raise it or add a smaller sub-space",
				       op, seen, bname, frac);
			goto out;
		}
		if (json_object_set_new(best, "budget", json_string(bname)) ||
		    json_object_set_new(best, "budget_flops", json_real(frac)) ||
		    json_object_set_new(best, "flops_vs_teacher",
					json_real(json_number_value(json_object_get(best, "flops")) / tflops)) ||
		    json_array_append_new(picks, best)) {
			json_decref(picks);
			rc = api->fail(ctx, "%s: out of memory", op);
			goto out;
		}
	}
	if (set_json(ctx, api, "out", picks) != WEFT_OK)
		rc = api->fail(ctx, "%s: cannot set the output", op);
out:
	json_decref(searches);
	json_decref(budgets);
	return rc;
}

/* ------------------------------------------------------------ Python bodies */

#define PY_OP(fn_)                                                                                             \
	static int run_##fn_(weft_op_ctx *ctx, const weft_host_api *api)                                      \
	{                                                                                                      \
		return api->python_run(ctx, "ops.py", #fn_, NULL);                                             \
	}
PY_OP(corpus)
PY_OP(pretrain)
PY_OP(supernet)
PY_OP(finetune)
PY_OP(report)

static int run_torch_score(weft_op_ctx *ctx, const weft_host_api *api)
{
	return api->python_run(ctx, "ops.py", "score", NULL);
}

/* ------------------------------------------------------------ descriptors */

#define PYTHON_PARAM {"python", WEFT_T_STRING, "\"\"", "the interpreter (default $WEFT_PYTHON, else python3)"}
static const weft_param_spec py_params[] = {PYTHON_PARAM};
#define PY_FLAGS (WEFT_OP_DETERMINISTIC | WEFT_OP_ISOLATED | WEFT_OP_PYTHON)
#define TRAIN_FLAGS (PY_FLAGS | WEFT_OP_RETRYABLE)

static const weft_param_spec corpus_params[] = {
	{"seq_len", WEFT_T_INT, "48", "tokens per description ([CLS] short [SEP] long [SEP])"},
	{"words", WEFT_T_INT, "8000", "words with an id of their own (the most frequent in train)"},
	{"buckets", WEFT_T_INT, "1024", "hashed ids for every other word"},
	{"limit", WEFT_T_INT, "0", "packages kept, a fixed subset by crc32 of the name (0: all 63,436)"},
	{"eval_n", WEFT_T_INT, "256", "dev descriptions in the distillation held-out set"},
	{"probe_n", WEFT_T_INT, "4", "dev descriptions in the probe batch"},
	{"seed", WEFT_T_INT, "0", "seed of the held-out and probe draws"},
	PYTHON_PARAM,
};
static const weft_op_desc op_corpus = {
	WEFT_OP_DESC("corpus", "1", run_corpus, PY_FLAGS,
		     "The pinned Debian bookworm package descriptions (hash checked), split by source package into "
		     "train/dev/test/heldout, tokenised, with Section and Debtags labels; the distillation held-out "
		     "set and the probe batch (.npy)."),
	WEFT_OP_PARAMS(corpus_params),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "data", "distill", "probe", "vocab")),
};

static const weft_param_spec pretrain_params[] = {
	{"layers", WEFT_T_INT, "6", "teacher layers"},
	{"hidden", WEFT_T_INT, "128", "teacher hidden size"},
	{"heads", WEFT_T_INT, "8", "attention heads"},
	{"head_size", WEFT_T_INT, "16", "size of each head"},
	{"ffn_ratio", WEFT_T_INT, "4", "FFN width over hidden"},
	{"steps", WEFT_T_INT, "1500", "training steps"},
	{"batch", WEFT_T_INT, "64", "sequences per step"},
	{"lr", WEFT_T_FLOAT, "0.001", "peak learning rate (AdamW, linear warm-up and decay)"},
	{"mask_prob", WEFT_T_FLOAT, "0.15", "share of words masked"},
	{"seed", WEFT_T_INT, "0", "seed of the weights and batches"},
	{"ckpt_every", WEFT_T_INT, "100", "steps between checkpoints"},
	PYTHON_PARAM,
};
static const weft_op_desc op_pretrain = {
	WEFT_OP_DESC("pretrain", "1", run_pretrain, TRAIN_FLAGS,
		     "The teacher: a BERT-style encoder pretrained by masked language modelling on train's "
		     "descriptions; checkpointed, resumable. Outputs its config and dev MLM figures, and the weights "
		     "(safetensors)."),
	WEFT_OP_PARAMS(pretrain_params),
	WEFT_OP_INPUTS(WEFT_NAMES("corpus", "data")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "weights")),
};

static const weft_param_spec space_params[] = {
	{"subspace", WEFT_T_STRING, "\"sub\"", "the sub-space's name (base, small, tiny)"},
	{"depth", WEFT_T_LIST, NULL, "layer multipliers, fractions of the teacher's layers"},
	{"heads", WEFT_T_LIST, NULL, "attention-head multipliers"},
	{"hidden", WEFT_T_LIST, NULL, "hidden-size multipliers"},
	{"ratio", WEFT_T_LIST, NULL, "MLP ratios (FFN width over the student's hidden size)"},
};
static const weft_op_desc op_space = {
	WEFT_OP_DESC("space", "1", run_space, WEFT_OP_DETERMINISTIC,
		     "A sub-space of AutoDistil's multipliers resolved against the teacher: every student (the "
		     "product of the four lists) with its layers, heads, hidden and FFN sizes, parameters and FLOPs; "
		     "summary counts the distinct students."),
	WEFT_OP_PARAMS(space_params),
	WEFT_OP_INPUTS(WEFT_NAMES("teacher")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "summary")),
};

static const weft_param_spec supernet_params[] = {
	{"subspace", WEFT_T_STRING, "\"sub\"", "the sub-space's name"},
	{"steps", WEFT_T_INT, "600", "training steps, one random student each"},
	{"batch", WEFT_T_INT, "32", "sequences per step"},
	{"lr", WEFT_T_FLOAT, "0.0005", "peak learning rate"},
	{"seed", WEFT_T_INT, "0", "seed of the batches and the sampled students"},
	{"ckpt_every", WEFT_T_INT, "50", "steps between checkpoints"},
	PYTHON_PARAM,
};
static const weft_op_desc op_supernet = {
	WEFT_OP_DESC("supernet", "1", run_supernet, TRAIN_FLAGS,
		     "One SuperLM: the teacher's weights trained by sampling a student of the sub-space at random "
		     "every step, with the self-attention distillation loss (attention and value relations of the "
		     "last layer); checkpointed, resumable."),
	WEFT_OP_PARAMS(supernet_params),
	WEFT_OP_INPUTS(WEFT_NAMES("teacher", "data", "students")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "weights")),
};

static const weft_op_desc op_probe = {
	WEFT_OP_DESC("probe", "1", run_probe, WEFT_OP_DETERMINISTIC,
		     "A student's output on the probe batch ([CLS] and mean final hidden state per sequence), for "
		     "the search's functional-equivalence cache."),
	WEFT_OP_INPUTS(WEFT_NAMES("weights", "probe", "student")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};

static const weft_param_spec score_params[] = {
	{"rel_heads", WEFT_T_INT, "0", "relation heads (0: the teacher's attention heads)"},
};
static const weft_op_desc op_score = {
	WEFT_OP_DESC("score", "1", run_score, WEFT_OP_DETERMINISTIC,
		     "A student's held-out distillation loss against the teacher (the search's objective), with its "
		     "parameters and FLOPs (the cost)."),
	WEFT_OP_PARAMS(score_params),
	WEFT_OP_INPUTS(WEFT_NAMES("weights", "teacher", "distill", "student")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};

static const weft_op_desc op_torch_score = {
	WEFT_OP_DESC("torch_score", "1", run_torch_score, PY_FLAGS,
		     "The same loss as score, computed by model.py in torch: the cross-check of the C scorer."),
	WEFT_OP_PARAMS(py_params),
	WEFT_OP_INPUTS(WEFT_NAMES("weights", "teacher", "distill", "student")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};

static const weft_param_spec pick_params[] = {
	{"budgets", WEFT_T_LIST, NULL, "[{name, flops}]: FLOPs budgets as fractions of the teacher's"},
};
static const weft_op_desc op_pick = {
	WEFT_OP_DESC("pick", "1", run_pick, WEFT_OP_DETERMINISTIC,
		     "The searched student with the lowest distillation loss within each FLOPs budget."),
	WEFT_OP_PARAMS(pick_params),
	WEFT_OP_INPUTS(WEFT_NAMES("teacher", "searches")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};

static const weft_param_spec finetune_params[] = {
	{"task", WEFT_T_STRING, "\"section\"", "section (multi-class) or tags (Debtags, multi-label)"},
	{"steps", WEFT_T_INT, "800", "training steps"},
	{"batch", WEFT_T_INT, "32", "sequences per step"},
	{"lr", WEFT_T_FLOAT, "0.0005", "peak learning rate"},
	{"seed", WEFT_T_INT, "0", "seed of the head and the batches"},
	{"ckpt_every", WEFT_T_INT, "100", "steps between checkpoints"},
	{"label", WEFT_T_STRING, "\"\"", "the model's name in the report"},
	{"student", WEFT_T_ANY, "null", "the student (a pick of autodistil.pick); null: the teacher itself"},
	PYTHON_PARAM,
};
static const weft_op_desc op_finetune = {
	WEFT_OP_DESC("finetune", "1", run_finetune, TRAIN_FLAGS,
		     "Fine-tunes the teacher (no student) or a student sliced from its SuperLM on a downstream task; "
		     "metrics on dev, test and heldout; checkpointed, resumable."),
	WEFT_OP_PARAMS(finetune_params),
	WEFT_OP_INPUTS(WEFT_NAMES("weights", "data", "corpus")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "weights")),
};

static const weft_op_desc op_report = {
	WEFT_OP_DESC("report", "1", run_report, PY_FLAGS | WEFT_OP_VARIADIC_INPUTS,
		     "The Markdown report: corpus, teacher, sub-spaces, search, picks and the accuracy against "
		     "FLOPs table."),
	WEFT_OP_PARAMS(py_params),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "summary")),
};

static const weft_op_desc *const ops[] = {&op_corpus, &op_pretrain, &op_space,    &op_supernet, &op_probe,
					  &op_score,  &op_torch_score, &op_pick, &op_finetune, &op_report};
static const weft_plugin_desc autodistil_plugin = WEFT_PLUGIN_DESC(
	"autodistil", "1", "MIT", "AutoDistil: task-agnostic distillation of a transformer into a family of students",
	ops);

WEFT_PLUGIN_EXPORT const weft_plugin_desc *weft_plugin_entry(const weft_host_api *api)
{
	return weft_plugin_accept(api, &autodistil_plugin);
}
