/*
 * sig.c -- static node signatures: what a node's key would be built from,
 * known before anything runs. A signature hashes the op's identity and
 * version, the params, and the inputs with every reference replaced by the
 * referenced node's own signature (and the output it names). Two graphs,
 * say a pipeline at two git revisions, give a node the same signature
 * exactly when nothing upstream of it differs; `weft diff` and
 * `weft blame` compare them.
 */
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "hash.h"
#include "util.h"
#include "value_internal.h"

/* A copy of `v` with refs replaced by "\x01ref SIG OUTPUT" strings. */
static weft_value *unref(const weft_value *v, char (*sigs)[65], uint32_t n_nodes)
{
	if (v->type == WEFT_T_REF) {
		uint32_t id = v->u.r.node;
		const char *sig = id < n_nodes ? sigs[id] : "unbound";
		char *s = weft_sprintf("\x01ref %s %s", sig, v->u.r.output ? v->u.r.output : "");
		weft_value *r = s ? weft_value_cstr(s) : NULL;
		free(s);
		return r;
	}
	if (v->type == WEFT_T_LIST || v->type == WEFT_T_MAP) {
		weft_value *c = v->type == WEFT_T_LIST ? weft_value_list() : weft_value_map();
		for (size_t i = 0; c && i < weft_value_len(v); i++) {
			weft_value *item = unref(v->type == WEFT_T_LIST ? v->u.l.items[i] : v->u.m.vals[i], sigs, n_nodes);
			int rc = !item ? WEFT_ERROR
			       : v->type == WEFT_T_LIST ? weft_value_list_push(c, item)
							: weft_value_map_set(c, v->u.m.keys[i], item);
			if (rc != WEFT_OK) {
				weft_value_free(c);
				return NULL;
			}
		}
		return c;
	}
	return weft_value_copy(v);
}

static int sign(char out[65], node *n, char (*sigs)[65], uint32_t n_nodes)
{
	weft_hasher *h = weft_hasher_new();
	weft_value *inputs = n->inputs ? unref(n->inputs, sigs, n_nodes) : weft_value_map();
	int rc = h && inputs ? WEFT_OK : weft_err_set(WEFT_ERROR, "out of memory");
	if (rc == WEFT_OK && n->kind == NODE_OP) {
		const char *parts[] = {"weft-sig-v1", n->op->plugin, n->op->desc->name, n->op->desc->version};
		for (size_t i = 0; i < 4 && rc == WEFT_OK; i++)
			rc = weft_hasher_update(h, parts[i], strlen(parts[i]) + 1);
		if (rc == WEFT_OK)
			rc = weft_value_encode(h, n->params);
	} else if (rc == WEFT_OK) {
		rc = weft_hasher_update(h, "weft-sig-dynamic-v1", 20);
		if (rc == WEFT_OK)
			rc = weft_hasher_update(h, n->identity, 64);
	}
	if (rc == WEFT_OK)
		rc = weft_value_encode(h, inputs);
	weft_value_free(inputs);
	if (rc == WEFT_OK)
		return weft_hasher_final(h, out);
	weft_hasher_free(h);
	return rc;
}

int weft_graph_signatures(char (*out)[65], weft_engine *eng)
{
	weft_graph *g = &eng->graph;
	if (!g->validated) {
		int rc = weft_graph_validate(eng);
		if (rc != WEFT_OK)
			return rc;
	}
	/* Post-order over deps without recursion: a node is signed after
	 * every node it references. */
	uint8_t *state = calloc(g->n ? g->n : 1, 1);
	uint32_t *stack = malloc((g->n ? g->n : 1) * sizeof *stack * 2 + 16);
	size_t cap = (g->n ? g->n : 1) * 2 + 4, sp = 0;
	int rc = state && stack ? WEFT_OK : weft_err_set(WEFT_ERROR, "out of memory");
	for (uint32_t root = 0; rc == WEFT_OK && root < g->n; root++) {
		if (state[root])
			continue;
		stack[sp++] = root;
		while (rc == WEFT_OK && sp) {
			uint32_t t = stack[sp - 1];
			node *n = g->nodes[t];
			if (state[t] == 0) {
				state[t] = 1;
				for (uint32_t d = 0; d < n->n_deps && rc == WEFT_OK; d++) {
					if (state[n->deps[d]])
						continue;
					if (sp == cap) {
						uint32_t *p = realloc(stack, cap * 2 * sizeof *p);
						if (!p) {
							rc = weft_err_set(WEFT_ERROR, "out of memory");
							break;
						}
						stack = p;
						cap *= 2;
					}
					stack[sp++] = n->deps[d];
				}
				continue;
			}
			sp--;
			if (state[t] == 2)
				continue;
			rc = sign(out[t], n, out, g->n);
			state[t] = 2;
		}
	}
	free(stack);
	free(state);
	return rc;
}

const weft_op_info *weft_graph_node_op(const weft_engine *eng, uint32_t id)
{
	node *n = weft_graph_node(eng, id);
	return n && n->kind == NODE_OP ? n->op : NULL;
}

const weft_value *weft_graph_node_params(const weft_engine *eng, uint32_t id)
{
	node *n = weft_graph_node(eng, id);
	return n ? n->params : NULL;
}

const weft_value *weft_graph_node_inputs(const weft_engine *eng, uint32_t id)
{
	node *n = weft_graph_node(eng, id);
	return n ? n->inputs : NULL;
}
