/*
 * sched_cache.c -- a ready node's key and its action-cache lookup.
 *
 * The key hashes the op's identity (plugin, name, version, ABI major), its
 * params and the resolved inputs' values; a hit is used only when every
 * artifact it names is still in the store and intact, otherwise the entry
 * is dropped and the node recomputes (no wrong result is served).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "hash.h"
#include "pyrun.h"
#include "sched_state.h"
#include "util.h"
#include "value_internal.h"

/* ------------------------------------------------------------ inputs */

/* The value a node of `kind` exposes as output `out` (NULL = primary),
 * given its outputs map; `desc` is its op's (op nodes), `name` names it in
 * `err` (when not NULL), which gets the reason there is none. */
int sched_output_in(const weft_value **res, int kind, const char *name, const weft_op_desc *desc,
		    const weft_value *outputs, const char *out, char **err)
{
	if (kind == NODE_DYNAMIC) {
		const weft_value *v = weft_value_map_get(outputs, "out");
		if (!out) {
			*res = v;
			return WEFT_OK;
		}
		if (weft_value_type(v) != WEFT_T_MAP || !(*res = weft_value_map_get(v, out))) {
			if (err)
				*err = weft_sprintf("dynamic node '%s' returned no field '%s'", name, out);
			return WEFT_EINVALID;
		}
		return WEFT_OK;
	}
	const char *oname = out ? out : (desc->n_outputs ? desc->outputs[0] : "out");
	*res = weft_value_map_get(outputs, oname);
	if (!*res) {
		if (err)
			*err = weft_sprintf("node '%s' produced no output '%s'", name, oname);
		return WEFT_EINVALID;
	}
	return WEFT_OK;
}

int sched_output_of(const weft_value **res, const weft_engine *eng, node *t, const char *out, char **err)
{
	return sched_output_in(res, t->kind, t->name, t->kind == NODE_OP ? t->op->desc : NULL,
			       weft_node_run(eng, t->id)->outputs, out, err);
}

/* What a ref stands for in this run: the output of a node with a result. */
static int run_result(void *ctx, const weft_value *ref, const weft_value **res, char **err)
{
	const weft_engine *eng = ctx;
	uint32_t id = ref->u.r.node;
	const char *output = ref->u.r.output;
	char *nm = NULL;
	if (ref->u.r.name && id == UINT32_MAX) {
		/* An unbound weft.ref("name.output"), as in a script's return value. */
		if (!(nm = weft_strdup(ref->u.r.name)))
			return WEFT_ERROR;
		char *dot = strchr(nm, '.');
		if (dot)
			*dot++ = '\0';
		output = dot;
		if (weft_graph_find(&id, eng, nm) != WEFT_OK) {
			*err = weft_sprintf("no node named '%s'", nm);
			free(nm);
			return WEFT_EINVALID;
		}
	}
	node *t = weft_graph_node(eng, id);
	int rc = WEFT_OK;
	if (!t || !ns_has_result((node_state)weft_node_run(eng, id)->state)) {
		*err = weft_sprintf("upstream node '%s' did not produce a result", t ? t->name : "?");
		rc = WEFT_ECANCELLED;
	} else {
		rc = sched_output_of(res, eng, t, output, err);
	}
	free(nm);
	return rc;
}

int sched_resolve_with(weft_value **out, const weft_value *v, sched_result_fn *result, void *ctx, char **err)
{
	if (v->type == WEFT_T_REF) {
		const weft_value *res;
		int rc = result(ctx, v, &res, err);
		if (rc != WEFT_OK)
			return rc;
		*out = weft_value_copy(res);
		return *out ? WEFT_OK : WEFT_ERROR;
	}
	if (v->type == WEFT_T_LIST || v->type == WEFT_T_MAP) {
		weft_value *c = v->type == WEFT_T_LIST ? weft_value_list() : weft_value_map();
		size_t n = weft_value_len(v);
		for (size_t i = 0; c && i < n; i++) {
			weft_value *item = NULL;
			int rc = sched_resolve_with(&item, v->type == WEFT_T_LIST ? v->u.l.items[i] : v->u.m.vals[i],
						    result, ctx, err);
			if (rc == WEFT_OK)
				rc = v->type == WEFT_T_LIST ? weft_value_list_push(c, item)
							    : weft_value_map_set(c, v->u.m.keys[i], item);
			if (rc != WEFT_OK) {
				weft_value_free(c);
				return rc;
			}
		}
		*out = c;
		return c ? WEFT_OK : WEFT_ERROR;
	}
	*out = weft_value_copy(v);
	return *out ? WEFT_OK : WEFT_ERROR;
}

int sched_resolve(weft_value **out, const weft_engine *eng, const weft_value *v, char **err)
{
	return sched_resolve_with(out, v, run_result, (void *)eng, err);
}

/* ------------------------------------------------------------ keys */

/* A node key's op part: the op, its version, the ABI and (unless the op
 * keys by version) its plugin's code. */
static int hash_op_part(weft_hasher *h, weft_engine *eng, const weft_op_info *op)
{
	char abi[32];
	snprintf(abi, sizeof abi, "abi%d", WEFT_ABI_MAJOR);
	const char *parts[] = {"weft-node-v1", op->plugin, op->desc->name, op->desc->version, abi};
	int rc = WEFT_OK;
	for (size_t k = 0; k < 5 && rc == WEFT_OK; k++)
		rc = weft_hasher_update(h, parts[k], strlen(parts[k]) + 1);
	/* The plugin's code: a rebuilt .so never serves results its earlier
	 * build computed, unless the op opts out. */
	if (rc == WEFT_OK && !(op->desc->flags & WEFT_OP_KEY_BY_VERSION)) {
		const char *code = NULL;
		rc = weft_plugin_code_hash(eng, op, &code);
		if (rc == WEFT_OK)
			rc = weft_hasher_update(h, code, strlen(code) + 1);
	}
	return rc;
}

/* The hasher that has taken op `op`'s part, kept by the op's index in
 * eng->ops: the part is the same for every node of an op, so it is hashed
 * once per engine, and each key starts from a copy (a SHA-256 block less
 * per node). NULL (not an error) for an op outside the engine's table. */
static int op_prefix(weft_hasher **out, weft_engine *eng, const weft_op_info *op)
{
	size_t i = (size_t)(op - eng->ops);
	*out = NULL;
	if (op < eng->ops || i >= eng->n_ops)
		return WEFT_OK;
	if (i >= eng->n_key_prefix) {
		weft_hasher **p = realloc(eng->key_prefix, eng->n_ops * sizeof *p);
		if (!p)
			return weft_err_set(WEFT_ERROR, "out of memory");
		memset(p + eng->n_key_prefix, 0, (eng->n_ops - eng->n_key_prefix) * sizeof *p);
		eng->key_prefix = p;
		eng->n_key_prefix = eng->n_ops;
	}
	if (!eng->key_prefix[i]) {
		weft_hasher *h = weft_hasher_new();
		int rc = h ? hash_op_part(h, eng, op) : weft_err_set(WEFT_ERROR, "cannot create hasher");
		if (rc != WEFT_OK) {
			weft_hasher_free(h);
			return rc;
		}
		eng->key_prefix[i] = h;
	}
	*out = eng->key_prefix[i];
	return WEFT_OK;
}

/* A hasher that has taken the op part: a copy of the kept one, or (an op
 * outside the engine's table) hashed afresh. */
static int op_part(weft_hasher **out, weft_engine *eng, const weft_op_info *op)
{
	weft_hasher *kept;
	int rc = op_prefix(&kept, eng, op);
	if (rc != WEFT_OK)
		return rc;
	if (!kept) {
		weft_hasher *h = weft_hasher_new();
		rc = h ? hash_op_part(h, eng, op) : weft_err_set(WEFT_ERROR, "cannot create hasher");
		if (rc != WEFT_OK) {
			weft_hasher_free(h);
			h = NULL;
		}
		*out = h;
		return rc;
	}
	*out = weft_hasher_dup(kept);
	return *out ? WEFT_OK : weft_err_set(WEFT_ERROR, "cannot create hasher");
}

int sched_key_prefix(const weft_hasher **out, weft_engine *eng, const node *n)
{
	*out = NULL;
	if (n->kind != NODE_OP || (n->op->desc->flags & (WEFT_OP_USES_LLM | WEFT_OP_PYTHON)))
		return WEFT_EINVALID;
	weft_hasher *h;
	int rc = op_prefix(&h, eng, n->op);
	*out = h;
	return rc != WEFT_OK ? rc : h ? WEFT_OK : WEFT_EINVALID;
}

/* A key's last part, the same for every kind of node: the params (an op's;
 * NULL for a dynamic node), then the resolved inputs. Takes `h`. */
static int key_finish(char out[65], weft_hasher *h, const weft_value *params, const weft_value *resolved)
{
	int rc = params ? weft_value_encode(h, params) : WEFT_OK;
	if (rc == WEFT_OK)
		rc = weft_value_encode(h, resolved);
	if (rc != WEFT_OK) {
		weft_hasher_free(h);
		return rc;
	}
	return weft_hasher_final(h, out);
}

int sched_key_local(char out[65], const weft_hasher *prefix, const node *n, const weft_value *resolved)
{
	weft_hasher *h = weft_hasher_dup(prefix);
	return h ? key_finish(out, h, n->params, resolved) : weft_err_set(WEFT_ERROR, "cannot create hasher");
}

int sched_key_is_local(const weft_engine *eng, const node *n)
{
	if (n->kind != NODE_OP || (n->op->desc->flags & (WEFT_OP_USES_LLM | WEFT_OP_PYTHON)))
		return 0;
	size_t i = (size_t)(n->op - eng->ops);
	return n->op >= eng->ops && i < eng->n_key_prefix && eng->key_prefix[i];
}

int sched_key(weft_engine *eng, node *n, node_run *nr)
{
	weft_hasher *h = NULL;
	int rc = n->kind == NODE_OP ? op_part(&h, eng, n->op) : WEFT_OK;
	if (rc != WEFT_OK)
		return rc;
	if (!h && !(h = weft_hasher_new()))
		return weft_err_set(WEFT_ERROR, "cannot create hasher");
	if (n->kind == NODE_OP) {
		/* An op that asks an LLM answers per model: the model and its
		 * parameters (never the url or the key) are part of its key. */
		if (rc == WEFT_OK && (n->op->desc->flags & WEFT_OP_USES_LLM)) {
			char *id = weft_llm_identity(nr->llm_config);
			rc = id ? weft_hasher_update(h, "llm", 4) : weft_err_set(WEFT_ERROR, "out of memory");
			if (rc == WEFT_OK)
				rc = weft_hasher_update(h, id, strlen(id) + 1);
			free(id);
		}
		/* Python: the interpreter (version and prefix: another venv is
		 * another interpreter) and the plugin's own Python files. */
		if (rc == WEFT_OK && (n->op->desc->flags & WEFT_OP_PYTHON)) {
			const char *id = NULL, *files = NULL;
			rc = weft_py_identity(eng, weft_py_interpreter(n->params), &id);
			if (rc == WEFT_OK)
				rc = weft_py_plugin_hash(eng, n->op->plugin_path, n->op->plugin, &files);
			if (rc == WEFT_OK)
				rc = weft_hasher_update(h, "python", 7);
			if (rc == WEFT_OK)
				rc = weft_hasher_update(h, id, strlen(id) + 1);
			if (rc == WEFT_OK)
				rc = weft_hasher_update(h, files, strlen(files) + 1);
		}
	} else {
		rc = weft_hasher_update(h, "weft-dynamic-v1", 16);
		if (rc == WEFT_OK)
			rc = weft_hasher_update(h, n->identity, 64);
	}
	if (rc != WEFT_OK) {
		weft_hasher_free(h);
		return rc;
	}
	return key_finish(nr->key, h, n->kind == NODE_OP ? n->params : NULL, nr->resolved_inputs);
}

int sched_llm_config(run_state *rs, node *n)
{
	node_run *nr = weft_node_run(rs->eng, n->id);
	weft_value_free(nr->llm_config);
	nr->llm_config = NULL;
	if (n->kind != NODE_OP || !(n->op->desc->flags & WEFT_OP_USES_LLM))
		return WEFT_OK;
	const weft_value *run = rs->opts->llm;
	weft_value *m = run && weft_value_type(run) == WEFT_T_MAP ? weft_value_copy(run) : weft_value_map();
	for (size_t i = 0; m && n->llm && i < weft_value_len(n->llm); i++) {
		weft_value *c = weft_value_copy(weft_value_map_value_at(n->llm, i));
		if (!c || weft_value_map_set(m, weft_value_map_key_at(n->llm, i), c) != WEFT_OK) {
			weft_value_free(m);
			m = NULL;
		}
	}
	nr->llm_config = m;
	return m ? WEFT_OK : weft_err_set(WEFT_ERROR, "out of memory");
}

/* Verifies every artifact in `v`; a missing or corrupt one is a miss. */
/* The artifacts of one entry already verified: an op that gives one file
 * under two names (core.shell's `out` and `files`) costs one stat. */
typedef struct seen_set {
	const char *hash[8];
	int n;
} seen_set;

static int verify_outputs(weft_store *st, const weft_value *v, seen_set *seen)
{
	if (v->type == WEFT_T_ARTIFACT) {
		for (int i = 0; i < seen->n; i++)
			if (!strcmp(seen->hash[i], v->u.a.hash))
				return WEFT_OK;
		int rc = weft_store_verify(st, v);
		if (rc == WEFT_OK && seen->n < 8)
			seen->hash[seen->n++] = v->u.a.hash;
		return rc;
	}
	size_t n = weft_value_len(v);
	if (v->type == WEFT_T_LIST || v->type == WEFT_T_MAP)
		for (size_t i = 0; i < n; i++) {
			int rc = verify_outputs(st, v->type == WEFT_T_LIST ? v->u.l.items[i] : v->u.m.vals[i], seen);
			if (rc != WEFT_OK)
				return rc;
		}
	return WEFT_OK;
}

int sched_verify_outputs(weft_store *st, const weft_value *outs)
{
	seen_set seen = {.n = 0};
	return verify_outputs(st, outs, &seen);
}

int sched_cache_lookup(run_state *rs, node *n)
{
	node_run *nr = weft_node_run(rs->eng, n->id);
	weft_value *outs = NULL;
	/* Forced, unless this run (before it was resumed) already computed it. */
	if ((rs->opts->force || nr->forced) && !rs->opts->plan_only && !keyset_has(&rs->finished, nr->key)) {
		if (!nr->reason)
			nr->reason = weft_strdup(nr->forced ? "forced (--force=NODE)" : "forced (--force)");
		return 0;
	}
	weft_value *hashes = NULL;
	if (weft_cache_get_in(&outs, &hashes, &nr->computed, rs->ac, rs->eng->store_dir, nr->key,
			      !rs->opts->plan_only) != WEFT_OK)
		return 0;
	seen_set seen = {.n = 0};
	if (verify_outputs(rs->eng->store, outs, &seen) != WEFT_OK) {
		/* A corrupt or vanished object: forget the entry, recompute. */
		free(nr->reason);
		nr->reason = weft_sprintf("cached output was missing or corrupt (%s); recomputing",
					 weft_error_last());
		weft_cache_drop_in(rs->ac, rs->eng->store_dir, nr->key);
		weft_value_free(outs);
		weft_value_free(hashes);
		return 0;
	}
	weft_value_free(nr->outputs);
	nr->outputs = outs;
	/* Same key, same inputs: their hashes come with the entry. */
	if (hashes) {
		weft_value_free(nr->input_hashes);
		nr->input_hashes = hashes;
	}
	return 1;
}

/* Records a hash per input for the run record (and for "why" reasons). */
void sched_note_input_hashes(node_run *nr)
{
	weft_value *hashes = weft_value_map();
	for (size_t i = 0; hashes && i < weft_value_len(nr->resolved_inputs); i++) {
		char h[65];
		if (weft_value_hash(h, weft_value_map_value_at(nr->resolved_inputs, i)) == WEFT_OK)
			weft_value_map_set(hashes, weft_value_map_key_at(nr->resolved_inputs, i), weft_value_cstr(h));
	}
	weft_value_free(nr->input_hashes);
	nr->input_hashes = hashes;
}

void sched_recheck(run_state *rs, uint32_t id)
{
	node *n = weft_graph_node(rs->eng, id);
	node_run *nr = weft_node_run(rs->eng, id);
	if (sched_cache_lookup(rs, n)) {
		free(nr->reason);
		nr->reason = NULL;
		sched_move(rs, id, NS_CACHED, NULL);
		return;
	}
	if (readyq_push(&rs->runq, id, nr->prio) != WEFT_OK) {
		sched_fail(rs, id, NS_FAILED, weft_strdup("out of memory"));
		return;
	}
	sched_move(rs, id, NS_RUNNABLE, NULL);
}

