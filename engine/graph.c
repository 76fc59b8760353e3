/*
 * graph.c -- the pipeline DAG: nodes, name index, validation, DOT.
 *
 * Nodes are appended and never removed while an engine lives, so a node id
 * is a stable index. Edges are derived from refs found in a node's input
 * template; they are linked when the node is added (refs by id) or at
 * validation (refs by name, which may point forward). Errors carry the
 * script location "file:line: node 'x': ..." so the DSL need not add it.
 */
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "optable.h"
#include "statcache.h"
#include "util.h"
#include "value_internal.h"


node *weft_graph_node(const weft_engine *eng, uint32_t id)
{
	return id < eng->graph.n ? eng->graph.nodes[id] : NULL;
}

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The slot of `name` (its node's, or the empty one it would take). A slot
 * keeps the name's hash beside the id, so a probe compares names only
 * when the hashes agree: one strcmp per lookup, not one per collision. */
static graph_slot *index_slot(const weft_graph *g, const char *name, uint32_t *hash)
{
	uint32_t mask = g->index_cap - 1, h = (uint32_t)name_hash(name);
	uint32_t i = h & mask;
	while (g->index[i].id != UINT32_MAX && (g->index[i].hash != h || strcmp(g->nodes[g->index[i].id]->name, name)))
		i = (i + 1) & mask;
	*hash = h;
	return &g->index[i];
}

static int index_grow(weft_graph *g)
{
	uint32_t ncap = g->index_cap ? g->index_cap * 2 : 256;
	graph_slot *old = g->index;
	uint32_t ocap = g->index_cap;
	g->index = malloc(ncap * sizeof *g->index);
	if (!g->index) {
		g->index = old;
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	memset(g->index, 0xff, ncap * sizeof *g->index);
	g->index_cap = ncap;
	/* Names are unique: each goes to the first free slot from its hash. */
	for (uint32_t i = 0; i < ocap; i++) {
		if (old[i].id == UINT32_MAX)
			continue;
		uint32_t j = old[i].hash & (ncap - 1);
		while (g->index[j].id != UINT32_MAX)
			j = (j + 1) & (ncap - 1);
		g->index[j] = old[i];
	}
	free(old);
	return WEFT_OK;
}

int weft_graph_find(uint32_t *out_id, const weft_engine *eng, const char *name)
{
	const weft_graph *g = &eng->graph;
	if (!g->index_cap)
		return WEFT_ENOTFOUND;
	uint32_t h, id = index_slot(g, name, &h)->id;
	if (id == UINT32_MAX)
		return WEFT_ENOTFOUND;
	*out_id = id;
	return WEFT_OK;
}

size_t weft_graph_node_count(const weft_engine *eng)
{
	return eng->graph.n;
}

const char *weft_graph_node_name(const weft_engine *eng, uint32_t id)
{
	node *n = weft_graph_node(eng, id);
	return n ? n->name : NULL;
}

const char *weft_graph_current_parent(const weft_engine *eng)
{
	node *n = weft_graph_node(eng, eng->current_parent);
	return n ? n->name : NULL;
}

/* Frees what a node owns outside the graph's arena (the node itself, its
 * name, file and requests live in the arena and go with it). */
static void node_free(node *n)
{
	if (!n)
		return;
	weft_value_free(n->params);
	weft_value_free(n->llm);
	n->llm = NULL;
	weft_value_free(n->slurm);
	n->slurm = NULL;
	n->params = NULL;
	weft_value_free(n->inputs);
	n->inputs = NULL;
	if (n->payload_free)
		n->payload_free(n->payload);
	n->payload_free = NULL;
	free(n->deps);
	n->deps = NULL;
	free(n->users);
	n->users = NULL;
}

void weft_graph_clear(weft_graph *g)
{
	for (uint32_t i = 0; i < g->n; i++)
		node_free(g->nodes[i]);
	free(g->nodes);
	free(g->index);
	weft_arena_free(&g->arena);
	memset(g, 0, sizeof *g);
}

/* `s` copied into the graph's arena; a script's file name is shared by all
 * its nodes. NULL when out of memory. */
static const char *graph_str(weft_graph *g, const char *s)
{
	if (g->last_file && !strcmp(g->last_file, s))
		return g->last_file;
	return weft_arena_strndup(&g->arena, s, strlen(s));
}

/* Where an error points: "file:line: node 'x'". */
/* The one spelling of a node's location; returns the length it needs. */
static int format_where(char *buf, size_t cap, const char *file, int line, const char *name)
{
	if (file && line > 0)
		return snprintf(buf, cap, "%s:%d: node '%s'", file, line, name ? name : "?");
	return snprintf(buf, cap, "node '%s'", name ? name : "?");
}

static char *where(const char *file, int line, const char *name)
{
	int n = format_where(NULL, 0, file, line, name);
	char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (buf)
		format_where(buf, (size_t)n + 1, file, line, name);
	return buf;
}

/* A node name: 1-200 bytes of UTF-8 text, so file names ("Order
 * Details.csv", "count_doc00.txt") can be node names. No control
 * characters (names go into logs, file names and job scripts line by
 * line), no space at either end, and no "~", which stands for "/" in log
 * file names. */
static int valid_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (!n || n > 200 || s[0] == ' ' || s[n - 1] == ' ')
		return 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c = *p;
		size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
		if (!len || c < 0x20 || c == 0x7F || c == '~' || (len == 2 && c < 0xC2) || (len == 4 && c > 0xF4))
			return 0;
		for (size_t k = 1; k < len; k++)
			if ((p[k] & 0xC0) != 0x80)
				return 0;
		/* overlong three-byte forms and UTF-16 surrogates */
		if (len == 3 && ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0)))
			return 0;
		if (len == 4 && ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90)))
			return 0;
		if (len == 2 && c == 0xC2 && p[1] < 0xA0) /* C1 controls */
			return 0;
		p += len;
	}
	return 1;
}

static int type_accepts(weft_type want, const weft_value *v)
{
	weft_type got = weft_value_type(v);
	if (want == WEFT_T_ANY || want == got || (want == WEFT_T_PATH_OUT && got == WEFT_T_STRING))
		return 1;
	if (want == WEFT_T_FLOAT && got == WEFT_T_INT)
		return 1;
	return 0;
}

/* Whether a string in `v` holds a NUL byte. Ops read parameters as C
 * strings: "a\0b" would run as "a" under a key of its own, so two keys would
 * run one command. */
static int has_nul(const weft_value *v)
{
	weft_type t = weft_value_type(v);
	if (t == WEFT_T_STRING) {
		size_t len = 0;
		const char *s = weft_value_get_string(v, &len);
		return s && memchr(s, '\0', len) != NULL;
	}
	size_t n = t == WEFT_T_LIST || t == WEFT_T_MAP ? weft_value_len(v) : 0;
	for (size_t i = 0; i < n; i++)
		if (has_nul(t == WEFT_T_LIST ? weft_value_list_at(v, i) : weft_value_map_value_at(v, i)))
			return 1;
	return 0;
}

/* "file:line: node 'x'" for error messages, formatted only when an error
 * needs it: most nodes never fail, and formatting cost more than checking. */
typedef struct lazy_loc {
	const char *file, *name;
	int line;
	char buf[512];
} lazy_loc;

static const char *loc_of(lazy_loc *l)
{
	if (!l->buf[0])
		(void)format_where(l->buf, sizeof l->buf, l->file, l->line, l->name);
	return l->buf;
}

/* Checks the params (*io: a map, or NULL for none, then made) against the
 * op's table and adds the defaults, in place: building a second map cost
 * every node an allocation, a copy of its entries and a free. */
static int check_params(weft_value **io, weft_engine *eng, const weft_op_info *op, lazy_loc *where_)
{
	const weft_op_desc *d = op->desc;
	if (!*io && !(*io = weft_value_map()))
		return weft_err_set(WEFT_ERROR, "out of memory");
	weft_value *params = *io;
	if (weft_value_type(params) != WEFT_T_MAP)
		return weft_err_set(WEFT_EINVALID, "%s: params must be a map of name = value", loc_of(where_));
	const char **names = NULL; /* for a suggestion, made only when one is needed */
	int rc = WEFT_OK;
	size_t given = weft_value_len(params);
	for (size_t i = 0; i < given; i++) {
		const char *k = weft_value_map_key_at(params, i);
		const weft_value *v = weft_value_map_value_at(params, i);
		const weft_param_spec *spec = NULL;
		for (size_t p = 0; p < d->n_params; p++)
			if (!strcmp(d->params[p].name, k))
				spec = &d->params[p];
		if (!spec) {
			names = calloc(d->n_params + 1, sizeof *names);
			for (size_t p = 0; names && p < d->n_params; p++)
				names[p] = d->params[p].name;
			const char *sugg = names ? weft_suggest(k, names, d->n_params) : NULL;
			rc = weft_err_set(WEFT_EINVALID, "%s: unknown parameter '%s' for op %s%s%s%s",
					  loc_of(where_), k,
					  op->full_name, sugg ? " (did you mean '" : "", sugg ? sugg : "",
					  sugg ? "'?)" : "; see `weft ops` for its parameters");
			goto cleanup;
		}
		if (weft_value_has_refs(v)) {
			rc = weft_err_set(WEFT_EINVALID,
					  "%s: parameter '%s' of op %s is a node output; parameters must be known "
					  "when the graph is built, so pass it as an input or use a dynamic node",
					  loc_of(where_), k, op->full_name);
			goto cleanup;
		}
		if (has_nul(v)) {
			rc = weft_err_set(WEFT_EINVALID,
					  "%s: parameter '%s' of op %s contains a NUL byte, which ops would cut the "
					  "text at; remove it (binary data goes in a file input)",
					  loc_of(where_), k, op->full_name);
			goto cleanup;
		}
		if (!type_accepts(spec->type, v)) {
			rc = weft_err_set(WEFT_EINVALID, "%s: parameter '%s' of op %s must be %s, got %s",
					  loc_of(where_), k,
					  op->full_name, weft_type_name(spec->type),
					  weft_type_name(weft_value_type(v)));
			goto cleanup;
		}
		if (spec->type == WEFT_T_PATH_OUT) {
			/* Replaced where it is: the key (and k) stay. */
			char *abs = weft_path_abs(eng->out_dir, weft_value_get_string(v, NULL));
			weft_value *cv = abs ? weft_value_cstr(abs) : NULL;
			free(abs);
			if ((rc = weft_value_map_set(params, k, cv)) != WEFT_OK)
				goto cleanup;
		}
	}
	for (size_t p = 0; p < d->n_params; p++) {
		const weft_param_spec *spec = &d->params[p];
		if (weft_value_map_get(params, spec->name))
			continue;
		if (!spec->default_json) {
			rc = weft_err_set(WEFT_EINVALID, "%s: op %s needs parameter '%s' (%s): %s", loc_of(where_),
					  op->full_name, spec->name, weft_type_name(spec->type),
					  spec->doc ? spec->doc : "no description");
			goto cleanup;
		}
		const weft_value *known = weft_engine_op_default(eng, op, p);
		weft_value *dv = known ? weft_value_copy(known) : NULL;
		if (known && !dv) {
			rc = weft_err_set(WEFT_ERROR, "out of memory");
			goto cleanup;
		}
		if (!dv && weft_value_from_json(&dv, spec->default_json, strlen(spec->default_json), NULL, 0) != WEFT_OK) {
			rc = weft_err_set(WEFT_EINVALID, "op %s declares a bad default for '%s': %s", op->full_name,
					  spec->name, spec->default_json);
			goto cleanup;
		}
		if ((rc = weft_value_map_set(params, spec->name, dv)) != WEFT_OK)
			goto cleanup;
	}
cleanup:
	free(names);
	return rc; /* on failure the caller frees the params */
}

static int check_inputs(const weft_op_info *op, const weft_value *inputs, lazy_loc *where_)
{
	const weft_op_desc *d = op->desc;
	int opt;
	if (!(d->flags & WEFT_OP_VARIADIC_INPUTS)) {
		for (size_t i = 0; i < weft_value_len(inputs); i++) {
			const char *k = weft_value_map_key_at(inputs, i);
			if (!weft_op_declares_input(d, k, &opt))
				return weft_err_set(WEFT_EINVALID,
						    "%s: op %s has no input or parameter named '%s'; see `weft ops "
						    "%s` for "
						    "what it takes",
						    loc_of(where_), op->full_name, k, op->full_name);
		}
	}
	for (size_t i = 0; i < d->n_inputs; i++) {
		size_t n = strlen(d->inputs[i]);
		if (n && d->inputs[i][n - 1] == '?')
			continue;
		if (!weft_value_map_get(inputs, d->inputs[i]))
			return weft_err_set(WEFT_EINVALID,
					    "%s: op %s needs input '%s'; give it as `%s = <node or weft.file(...)>` "
					    "(see "
					    "`weft ops %s`)",
					    loc_of(where_), op->full_name, d->inputs[i], d->inputs[i], op->full_name);
	}
	return WEFT_OK;
}

static char *auto_name(weft_engine *eng, const char *base)
{
	node *parent = weft_graph_node(eng, eng->current_parent);
	/* Counters are per expansion so names do not depend on the order in
	 * which concurrent dynamic nodes happen to run. */
	uint32_t *seq = parent && eng->run ? &parent->child_seq : &eng->graph.auto_seq;
	for (;;) {
		uint32_t k = ++*seq;
		char *name = parent && eng->run ? weft_sprintf("%s/%s_%u", parent->name, base, k)
						: weft_sprintf("%s_%u", base, k);
		uint32_t id;
		if (!name || weft_graph_find(&id, eng, name) != WEFT_OK)
			return name;
		free(name);
	}
}

static int collect_deps(node *n, const weft_value *v, int *err)
{
	if (!v)
		return 0;
	if (v->type == WEFT_T_REF) {
		uint32_t id = v->u.r.node;
		if (id == UINT32_MAX)
			return 0; /* bound at validation */
		for (uint32_t i = 0; i < n->n_deps; i++)
			if (n->deps[i] == id)
				return 0;
		uint32_t *d = realloc(n->deps, (n->n_deps + 1) * sizeof *d);
		if (!d) {
			*err = 1;
			return 0;
		}
		n->deps = d;
		n->deps[n->n_deps++] = id;
	} else if (v->type == WEFT_T_LIST) {
		for (size_t i = 0; i < v->u.l.len; i++)
			collect_deps(n, v->u.l.items[i], err);
	} else if (v->type == WEFT_T_MAP) {
		for (size_t i = 0; i < v->u.m.len; i++)
			collect_deps(n, v->u.m.vals[i], err);
	}
	return 0;
}

/* Recomputes deps of node `id` from its template and adds reverse edges. */
int weft_graph_link(weft_engine *eng, uint32_t id)
{
	node *n = weft_graph_node(eng, id);
	int err = 0;
	free(n->deps);
	n->deps = NULL;
	n->n_deps = 0;
	collect_deps(n, n->inputs, &err);
	/* A dynamic node also waits for the nodes its result refers to. */
	node_run *nr = weft_node_run(eng, id);
	if (nr)
		collect_deps(n, nr->dyn_result, &err);
	if (err)
		return weft_err_set(WEFT_ERROR, "out of memory");
	for (uint32_t i = 0; i < n->n_deps; i++) {
		node *d = weft_graph_node(eng, n->deps[i]);
		if (!d)
			return weft_err_set(WEFT_EINVALID, "node '%s' refers to a node that does not exist (a "
							   "reference from another engine?); refer to nodes of this "
							   "graph only", n->name);
		int seen = 0;
		for (uint32_t u = 0; u < d->n_users; u++)
			seen |= d->users[u] == id;
		if (seen)
			continue;
		if (d->n_users == d->cap_users) {
			uint32_t cap = d->cap_users ? d->cap_users * 2 : 2;
			uint32_t *p = realloc(d->users, cap * sizeof *p);
			if (!p)
				return weft_err_set(WEFT_ERROR, "out of memory");
			d->users = p;
			d->cap_users = cap;
		}
		d->users[d->n_users++] = id;
	}
	return WEFT_OK;
}

static int bind_refs(weft_engine *eng, node *n, weft_value *v);

static int add_node(uint32_t *out_id, weft_engine *eng, node *n)
{
	weft_graph *g = &eng->graph;
	int rc;
	if ((g->n + 1) * 2 > g->index_cap && (rc = index_grow(g)) != WEFT_OK)
		goto fail;
	if (g->n == g->cap) {
		uint32_t cap = g->cap ? g->cap * 2 : 64;
		node **p = realloc(g->nodes, cap * sizeof *p);
		if (!p) {
			rc = weft_err_set(WEFT_ERROR, "out of memory");
			goto fail;
		}
		g->nodes = p;
		g->cap = cap;
	}
	uint32_t id = g->n;
	uint32_t h;
	graph_slot *slot = index_slot(g, n->name, &h);
	if (slot->id != UINT32_MAX) {
		node *other = g->nodes[slot->id];
		char *loc = where(n->file, n->line, n->name);
		rc = weft_err_set(WEFT_EINVALID, "%s: duplicate node name (first defined at %s:%d); give it another "
						 "name",
				  loc ? loc : n->name, other->file ? other->file : "?", other->line);
		free(loc);
		goto fail;
	}
	n->id = id;
	g->nodes[g->n++] = n;
	*slot = (graph_slot){id, h};
	if (eng->run) {
		/* Added by a dynamic node while running: refs must resolve now. */
		if ((rc = bind_refs(eng, n, n->inputs)) == WEFT_OK)
			rc = weft_graph_link(eng, id);
		eng->node_added(eng, id, rc);
		if (rc != WEFT_OK)
			return rc;
	} else if ((rc = weft_graph_link(eng, id)) != WEFT_OK) {
		return rc;
	} else if (eng->node_defined) {
		eng->node_defined(eng, n);
	}
	g->validated = 0;
	*out_id = id;
	return WEFT_OK;
fail:
	node_free(n);
	return rc;
}

/* Copies the version-2 node options: pool requests, timeout, retries. */
static int copy_requests(weft_engine *eng, node *n, const weft_node_opts *o)
{
	lazy_loc at = {n->file, n->name ? n->name : "node", n->line, ""};
	if (o->n_res > 32)
		return weft_err_set(WEFT_EINVALID, "%s: at most 32 resource requests per node; merge pools or split "
						   "the node", loc_of(&at));
	if (!(o->timeout >= 0) || o->timeout > 1e9)
		return weft_err_set(WEFT_EINVALID, "%s: timeout must be a number of seconds >= 0; give 0 for none",
				    loc_of(&at));
	if (!(o->backoff >= 0) || o->backoff > 86400)
		return weft_err_set(WEFT_EINVALID, "%s: backoff must be from 0 to 86400 seconds; give a smaller "
						   "backoff", loc_of(&at));
	if (o->retries > 100)
		return weft_err_set(WEFT_EINVALID, "%s: retries must be from 0 to 100; give a smaller number", loc_of(&at));
	n->timeout = o->timeout;
	n->backoff = o->backoff;
	n->retries = o->retries;
	if (!o->n_res)
		return WEFT_OK;
	weft_arena *a = &eng->graph.arena;
	n->res_names = weft_arena_alloc(a, o->n_res * sizeof *n->res_names);
	n->res_amounts = weft_arena_alloc(a, o->n_res * sizeof *n->res_amounts);
	if (!n->res_names || !n->res_amounts)
		return weft_err_set(WEFT_ERROR, "out of memory");
	for (size_t i = 0; i < o->n_res; i++) {
		if (!o->res_names[i] || !strcmp(o->res_names[i], "cpus") || !strcmp(o->res_names[i], "mem"))
			return weft_err_set(WEFT_EINVALID, "%s: request cpus and mem with their own keys (cpus = N, "
							   "mem = \"4G\"), not as resources", loc_of(&at));
		if (!(n->res_names[n->n_res] = weft_arena_strndup(a, o->res_names[i], strlen(o->res_names[i]))))
			return weft_err_set(WEFT_ERROR, "out of memory");
		n->res_amounts[n->n_res++] = o->res_amounts[i];
	}
	return WEFT_OK;
}

static node *new_node(weft_engine *eng, const char *name, const char *base, const weft_node_opts *opts, int *rc)
{
	weft_graph *g = &eng->graph;
	node *n = weft_arena_alloc(&g->arena, sizeof *n);
	if (!n) {
		*rc = weft_err_set(WEFT_ERROR, "out of memory");
		return NULL;
	}
	n->parent = eng->run ? eng->current_parent : UINT32_MAX;
	char *made = name ? NULL : auto_name(eng, base);
	n->name = name || made ? (char *)graph_str(g, name ? name : made) : NULL;
	free(made);
	if (opts && opts->file) {
		n->file = (char *)graph_str(g, opts->file);
		g->last_file = n->file;
	}
	n->line = opts ? opts->line : 0;
	n->cpus = opts ? opts->cpus : 0;
	n->mem = opts ? opts->mem_bytes : 0;
	n->isolate = (int8_t)(opts ? opts->isolate : 0);
	if (opts && opts->version >= 2 && (*rc = copy_requests(eng, n, opts)) != WEFT_OK) {
		node_free(n);
		return NULL;
	}
	if (opts && opts->version >= 4) {
		if (opts->checkpoints < WEFT_CHECKPOINTS_DROP || opts->checkpoints > WEFT_CHECKPOINTS_KEEP) {
			node_free(n);
			*rc = weft_err_set(WEFT_EINVALID, "%s:%d: checkpoints must be \"drop\", \"last\" or \"keep\"",
					   opts->file ? opts->file : "?", opts->line);
			return NULL;
		}
		n->checkpoints = (uint8_t)opts->checkpoints;
	}
	if (opts && opts->version >= 5) {
		if (opts->executor < WEFT_EXECUTOR_DEFAULT || opts->executor > WEFT_EXECUTOR_SLURM ||
		    (opts->slurm && !(n->slurm = weft_value_copy(opts->slurm)))) {
			node_free(n);
			*rc = opts->executor < WEFT_EXECUTOR_DEFAULT || opts->executor > WEFT_EXECUTOR_SLURM
				      ? weft_err_set(WEFT_EINVALID, "%s:%d: executor must be \"local\" or \"slurm\"",
						     opts->file ? opts->file : "?", opts->line)
				      : weft_err_set(WEFT_ERROR, "out of memory");
			return NULL;
		}
		n->executor = (uint8_t)opts->executor;
	}
	if (opts && opts->version >= 3 && opts->llm && !(n->llm = weft_value_copy(opts->llm))) {
		node_free(n);
		*rc = weft_err_set(WEFT_ERROR, "out of memory");
		return NULL;
	}
	if (!n->name) {
		node_free(n);
		*rc = weft_err_set(WEFT_ERROR, "out of memory");
		return NULL;
	}
	if (!valid_name(n->name)) {
		char *loc = where(n->file, n->line, n->name);
		*rc = weft_err_set(WEFT_EINVALID,
				   "%s: invalid node name; a name is 1-200 bytes of UTF-8 text without control "
				   "characters, '~' or spaces at either end (weft.slug(s) makes one from any text)",
				   loc ? loc : n->name);
		free(loc);
		node_free(n);
		return NULL;
	}
	return n;
}

int weft_graph_add_op(uint32_t *out_id, weft_engine *eng, const char *name, const char *opname,
		      weft_value *params, weft_value *inputs, const weft_node_opts *opts)
{
	int rc = WEFT_OK;
	lazy_loc where_ = {opts ? opts->file : NULL, name ? name : opname, opts ? opts->line : 0, ""};
	const char *loc = NULL; /* set on the paths that report an error */
	const weft_op_info *op = weft_engine_op_find(eng, opname);
	if (!op) {
		const char **names = calloc(eng->n_ops + 1, sizeof *names);
		for (size_t i = 0; names && i < eng->n_ops; i++)
			names[i] = eng->ops[i].full_name;
		const char *sugg = names ? weft_suggest(opname, names, eng->n_ops) : NULL;
		loc = loc_of(&where_);
		rc = weft_err_set(WEFT_EINVALID, "%s: unknown op '%s'%s%s%s", loc, opname,
				  sugg ? " (did you mean '" : "; run `weft ops` to list the available ops",
				  sugg ? sugg : "", sugg ? "'?)" : "");
		free(names);
		goto fail;
	}
	/* A graph is being built, so a run (or a plan) is coming, and its
	 * checks of stored outputs will need the store's stat cache: it is
	 * read now on a thread of its own while the script goes on, not
	 * at the first check, which would then wait for it. */
	weft_statcache_preload(eng->sc);
	if (!inputs)
		inputs = weft_value_map();
	if (!inputs || weft_value_type(inputs) != WEFT_T_MAP) {
		rc = weft_err_set(WEFT_EINVALID, "%s: inputs must be a map of name = value; pass a table",
				  loc_of(&where_));
		goto fail;
	}
	if ((rc = check_params(&params, eng, op, &where_)) != WEFT_OK)
		goto fail;
	if ((rc = check_inputs(op, inputs, &where_)) != WEFT_OK)
		goto fail;
	node *n = new_node(eng, name, op->desc->name, opts, &rc);
	if (!n)
		goto fail;
	if (n->retries && !(op->desc->flags & WEFT_OP_RETRYABLE)) {
		char *l2 = where(n->file, n->line, n->name);
		rc = weft_err_set(WEFT_EINVALID,
				  "%s: retries = %u, but op %s does not declare itself retryable (its plugin would "
				  "have to set WEFT_OP_RETRYABLE); remove `retries`",
				  l2 ? l2 : n->name, n->retries, op->full_name);
		free(l2);
		node_free(n);
		goto fail;
	}
	n->kind = NODE_OP;
	n->op = op;
	n->deterministic = (op->desc->flags & WEFT_OP_DETERMINISTIC) != 0;
	n->params = params;
	n->inputs = inputs;
	return add_node(out_id, eng, n);
fail:
	weft_value_free(params);
	weft_value_free(inputs);
	return rc;
}

int weft_graph_add_dynamic(uint32_t *out_id, weft_engine *eng, const char *name, weft_value *inputs,
			   const void *identity, size_t identity_len, weft_dynamic_fn fn, void *payload,
			   void (*payload_free)(void *), const weft_node_opts *opts)
{
	int rc = WEFT_OK;
	if (!inputs)
		inputs = weft_value_map();
	node *n = inputs ? new_node(eng, name, "fn", opts, &rc) : NULL;
	if (!n) {
		if (!inputs)
			rc = weft_err_set(WEFT_ERROR, "out of memory");
		weft_value_free(inputs);
		if (payload_free)
			payload_free(payload);
		return rc;
	}
	n->kind = NODE_DYNAMIC;
	n->deterministic = 1;
	n->inputs = inputs;
	n->fn = fn;
	n->payload = payload;
	n->payload_free = payload_free;
	if (n->n_res || n->timeout > 0 || n->retries) {
		char *loc = where(n->file, n->line, n->name);
		rc = weft_err_set(WEFT_EINVALID,
				  "%s: a dynamic node runs inside the engine; resources, timeout and retries apply to "
				  "the op nodes it adds",
				  loc ? loc : n->name);
		free(loc);
		node_free(n);
		return rc;
	}
	if ((rc = weft_hash_bytes(n->identity, identity, identity_len)) != WEFT_OK) {
		node_free(n);
		return rc;
	}
	return add_node(out_id, eng, n);
}

static const char *const *node_names(const weft_engine *eng)
{
	const char **names = calloc(eng->graph.n + 1, sizeof *names);
	for (uint32_t i = 0; names && i < eng->graph.n; i++)
		names[i] = eng->graph.nodes[i]->name;
	return names;
}

static int check_output(weft_engine *eng, node *user, node *target, const char *output, const char *file, int line)
{
	if (!output || target->kind != NODE_OP || (target->op->desc->flags & WEFT_OP_VARIADIC_OUTPUTS))
		return WEFT_OK;
	const weft_op_desc *d = target->op->desc;
	for (size_t i = 0; i < d->n_outputs; i++)
		if (!strcmp(d->outputs[i], output))
			return WEFT_OK;
	weft_buf list = {0};
	for (size_t i = 0; i < d->n_outputs; i++)
		weft_buf_printf(&list, "%s%s", i ? ", " : "", d->outputs[i]);
	int rc = weft_err_set(WEFT_EINVALID, "%s:%d: node '%s': node '%s' (op %s) has no output '%s'; its outputs "
					     "are: %s",
			      file ? file : (user->file ? user->file : "?"), line ? line : user->line, user->name,
			      target->name, target->op->full_name, output, list.data ? list.data : "(none)");
	weft_buf_free(&list);
	(void)eng;
	return rc;
}

/* Binds refs by name inside `v` to node ids. */
static int bind_refs(weft_engine *eng, node *n, weft_value *v)
{
	if (!v)
		return WEFT_OK;
	if (v->type == WEFT_T_LIST) {
		for (size_t i = 0; i < v->u.l.len; i++)
			if (bind_refs(eng, n, v->u.l.items[i]) != WEFT_OK)
				return WEFT_EINVALID;
		return WEFT_OK;
	}
	if (v->type == WEFT_T_MAP) {
		for (size_t i = 0; i < v->u.m.len; i++)
			if (bind_refs(eng, n, v->u.m.vals[i]) != WEFT_OK)
				return WEFT_EINVALID;
		return WEFT_OK;
	}
	if (v->type != WEFT_T_REF)
		return WEFT_OK;
	if (!v->u.r.name) {
		node *t = weft_graph_node(eng, v->u.r.node);
		if (!t)
			return weft_err_set(WEFT_EINVALID, "node '%s' refers to a node that does not exist (a "
							   "reference from another engine?); refer to nodes of this "
							   "graph only", n->name);
		return check_output(eng, n, t, v->u.r.output, n->file, n->line);
	}
	if (v->u.r.node != UINT32_MAX)
		return WEFT_OK;
	char *nm = weft_strdup(v->u.r.name);
	if (!nm)
		return weft_err_set(WEFT_ERROR, "out of memory");
	uint32_t id;
	int rc = WEFT_OK;
	/* The output given apart names the node exactly; "a.b.c" is the node
	 * "a.b.c" when there is one, else output "c" of node "a.b". */
	char *dot = v->u.r.output;
	int found = weft_graph_find(&id, eng, nm) == WEFT_OK;
	if (!found && !dot && (dot = strrchr(nm, '.')) != NULL) {
		*dot++ = '\0';
		found = weft_graph_find(&id, eng, nm) == WEFT_OK;
	}
	if (!found) {
		const char *const *names = node_names(eng);
		const char *sugg = names ? weft_suggest(nm, (const char **)names, eng->graph.n) : NULL;
		rc = weft_err_set(WEFT_EINVALID, "%s:%d: node '%s': reference to unknown node '%s'%s%s%s",
				  v->u.r.file ? v->u.r.file : "?", v->u.r.line, n->name, nm,
				  sugg ? " (did you mean '" : "", sugg ? sugg : "", sugg ? "'?)" : "");
		free((void *)names);
	} else {
		rc = check_output(eng, n, weft_graph_node(eng, id), dot, v->u.r.file, v->u.r.line);
		if (rc == WEFT_OK) {
			char *out = dot ? weft_strdup(dot) : NULL;
			v->u.r.node = id;
			free(v->u.r.output);
			v->u.r.output = out;
		}
	}
	free(nm);
	return rc;
}

/* Iterative DFS with colours; on a back edge, reports the cycle's path. */
static int find_cycle(weft_engine *eng)
{
	weft_graph *g = &eng->graph;
	uint8_t *colour = calloc(g->n, 1);
	uint32_t *stack = malloc((g->n + 1) * sizeof *stack), *pos = calloc(g->n, sizeof *pos);
	int rc = WEFT_OK;
	if (!colour || !stack || !pos) {
		rc = weft_err_set(WEFT_ERROR, "out of memory");
		goto cleanup;
	}
	for (uint32_t root = 0; root < g->n && rc == WEFT_OK; root++) {
		if (colour[root])
			continue;
		uint32_t sp = 0;
		stack[sp++] = root;
		colour[root] = 1;
		while (sp && rc == WEFT_OK) {
			uint32_t u = stack[sp - 1];
			node *n = g->nodes[u];
			if (pos[u] < n->n_deps) {
				uint32_t v = n->deps[pos[u]++];
				if (colour[v] == 0) {
					colour[v] = 1;
					stack[sp++] = v;
				} else if (colour[v] == 1) {
					weft_buf path = {0};
					uint32_t i = sp;
					while (i > 0 && stack[i - 1] != v)
						i--;
					for (uint32_t k = sp; k-- > (i ? i - 1 : 0);)
						weft_buf_printf(&path, "'%s' <- ", g->nodes[stack[k]]->name);
					weft_buf_printf(&path, "'%s'", g->nodes[u]->name);
					rc = weft_err_set(WEFT_EINVALID,
							  "%s:%d: node '%s': dependency cycle: %s; a pipeline must be "
							  "acyclic (use a dynamic node for loops)",
							  n->file ? n->file : "?", n->line, n->name,
							  path.data ? path.data : "");
					weft_buf_free(&path);
				}
			} else {
				colour[u] = 2;
				sp--;
			}
		}
	}
cleanup:
	free(colour);
	free(stack);
	free(pos);
	return rc;
}

/* Whether `v` holds a ref by name that is not bound yet (weft.ref). */
static int has_unbound(const weft_value *v)
{
	if (!v)
		return 0;
	if (v->type == WEFT_T_REF)
		return v->u.r.name && v->u.r.node == UINT32_MAX;
	size_t n = v->type == WEFT_T_LIST ? v->u.l.len : v->type == WEFT_T_MAP ? v->u.m.len : 0;
	for (size_t i = 0; i < n; i++)
		if (has_unbound(v->type == WEFT_T_LIST ? v->u.l.items[i] : v->u.m.vals[i]))
			return 1;
	return 0;
}

int weft_graph_validate(weft_engine *eng)
{
	weft_graph *g = &eng->graph;
	for (uint32_t i = 0; i < g->n; i++) {
		node *n = g->nodes[i];
		/* A node's refs by id were linked when it was added; only refs
		 * by name are bound (and the node relinked) here. That changes
		 * the node, which the lookahead's thread may be reading. */
		int unbound = has_unbound(n->inputs);
		if (unbound && eng->nodes_changing)
			eng->nodes_changing(eng);
		int rc = bind_refs(eng, n, n->inputs);
		if (rc == WEFT_OK && unbound)
			rc = weft_graph_link(eng, i);
		if (rc != WEFT_OK)
			return rc;
	}
	int rc = find_cycle(eng);
	if (rc == WEFT_OK)
		g->validated = 1;
	return rc;
}

static void dot_escape(weft_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			weft_buf_put(b, "\\", 1);
		weft_buf_put(b, s, 1);
	}
}

char *weft_graph_json(const weft_engine *eng)
{
	const weft_graph *g = &eng->graph;
	weft_value *list = weft_value_list();
	for (uint32_t i = 0; list && i < g->n; i++) {
		node *n = g->nodes[i];
		weft_value *e = weft_value_map(), *deps = weft_value_list();
		const char *op = n->kind == NODE_OP ? n->op->full_name : NULL;
		const char *kind = n->kind == NODE_OP ? "op" : "dynamic";
		for (uint32_t d = 0; deps && d < n->n_deps; d++) {
			const char *dn = g->nodes[n->deps[d]]->name;
			weft_value_list_push(deps, weft_value_string(dn, strlen(dn)));
		}
		char src[4096] = "";
		if (n->file)
			snprintf(src, sizeof src, "%s:%d", n->file, n->line);
		if (!e || !deps) {
			weft_value_free(e);
			weft_value_free(deps);
			weft_value_free(list);
			return NULL;
		}
		weft_value_map_set(e, "name", weft_value_string(n->name, strlen(n->name)));
		weft_value_map_set(e, "kind", weft_value_string(kind, strlen(kind)));
		weft_value_map_set(e, "op", op ? weft_value_string(op, strlen(op)) : weft_value_null());
		weft_value_map_set(e, "deps", deps);
		weft_value_map_set(e, "source", *src ? weft_value_string(src, strlen(src)) : weft_value_null());
		weft_value_list_push(list, e);
	}
	char *text = list ? weft_value_to_json(list, 1) : NULL;
	weft_value_free(list);
	return text;
}

char *weft_graph_dot(const weft_engine *eng)
{
	const weft_graph *g = &eng->graph;
	weft_buf b = {0};
	weft_buf_puts(&b, "digraph weft {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n");
	for (uint32_t i = 0; i < g->n; i++) {
		node *n = g->nodes[i];
		weft_buf_printf(&b, "  n%u [label=\"", i);
		dot_escape(&b, n->name);
		weft_buf_puts(&b, "\\n");
		dot_escape(&b, n->kind == NODE_OP ? n->op->full_name : "dynamic");
		weft_buf_printf(&b, "\"%s];\n", n->kind == NODE_DYNAMIC ? ", shape=diamond" : "");
	}
	for (uint32_t i = 0; i < g->n; i++)
		for (uint32_t d = 0; d < g->nodes[i]->n_deps; d++)
			weft_buf_printf(&b, "  n%u -> n%u;\n", g->nodes[i]->deps[d], i);
	weft_buf_puts(&b, "}\n");
	return b.data;
}
