/*
 * api.c -- the DSL verbs, defined as data (one table, one registration
 * loop, docs beside each entry), plus the small Lua prelude that the
 * verbs written in Lua live in.
 *
 * Every verb that creates a node records the script location of its caller
 * so engine errors read "pipeline.lua:12: node 'x': ...".
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dsl_internal.h"
#include "util.h"
#include "weft/search.h"

typedef struct dyn_payload {
	weft_dsl *d;
	int ref;
} dyn_payload;

void dsl_where(lua_State *L, const char **file, int *line)
{
	lua_Debug ar;
	*file = "?";
	*line = 0;
	for (int level = 1; lua_getstack(L, level, &ar); level++) {
		if (!lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0)
			continue;
		if (ar.source[0] != '@')
			continue; /* the prelude: report the user's call site */
		*file = ar.source + 1;
		*line = ar.currentline;
		return;
	}
}

/* A script error whose message already starts with file:line (from
 * dsl_where): lua_error, since luaL_error would add the place a second
 * time whenever the script called this function directly. */
static int raise_at(lua_State *L, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lua_pushvfstring(L, fmt, ap);
	va_end(ap);
	return lua_error(L);
}

static int raise_engine_error(lua_State *L)
{
	/* Engine messages already carry file:line; add nothing. */
	lua_pushstring(L, weft_error_last());
	return lua_error(L);
}

/* ------------------------------------------------------------ params */

static int parse_cli(weft_value **out, const char *name, const char *text, const weft_value *def, weft_dsl *d)
{
	char *end;
	errno = 0;
	switch (weft_value_type(def)) {
	case WEFT_T_INT: {
		long long v = strtoll(text, &end, 10);
		if (*text && !*end && !errno) {
			*out = weft_value_int(v);
			return WEFT_OK;
		}
		return weft_err_set(WEFT_EINVALID, "-p %s=%s: parameter '%s' expects an integer", name, text, name);
	}
	case WEFT_T_FLOAT: {
		double v = strtod(text, &end);
		if (*text && !*end && !errno) {
			*out = weft_value_float(v);
			return WEFT_OK;
		}
		return weft_err_set(WEFT_EINVALID, "-p %s=%s: parameter '%s' expects a number", name, text, name);
	}
	case WEFT_T_BOOL:
		if (!strcmp(text, "true") || !strcmp(text, "1") || !strcmp(text, "yes") || !strcmp(text, "on")) {
			*out = weft_value_bool(1);
			return WEFT_OK;
		}
		if (!strcmp(text, "false") || !strcmp(text, "0") || !strcmp(text, "no") || !strcmp(text, "off")) {
			*out = weft_value_bool(0);
			return WEFT_OK;
		}
		return weft_err_set(WEFT_EINVALID, "-p %s=%s: parameter '%s' expects true or false", name, text, name);
	case WEFT_T_STRING:
		*out = weft_value_cstr(text);
		return WEFT_OK;
	default: {
		/* Lists, maps and undeclared types: read the text as YAML. */
		char *label = weft_sprintf("-p %s", name);
		int rc = weft_value_from_yaml(out, text, strlen(text), label ? label : "-p");
		free(label);
		(void)d;
		return rc;
	}
	}
}

static int types_compatible(const weft_value *def, const weft_value *v)
{
	weft_type a = weft_value_type(def), b = weft_value_type(v);
	return a == WEFT_T_NULL || a == b || (a == WEFT_T_FLOAT && b == WEFT_T_INT);
}

static int l_param(lua_State *L)
{
	weft_dsl *d = dsl_from_state(L);
	const char *name = luaL_checkstring(L, 1);
	const char *doc = luaL_optstring(L, 3, "");
	const char *file;
	int line;
	dsl_where(L, &file, &line);
	weft_value *def = NULL;
	char err[256];
	if (dsl_to_value(&def, L, 2, 0, err, sizeof err) != WEFT_OK)
		return luaL_error(L, "weft.param('%s'): bad default: %s", name, err);
	weft_value **defbox = dsl_box(L, def);
	const weft_value *prev = weft_value_map_get(d->decls, name);
	if (prev) {
		int same = weft_value_equal(weft_value_map_get(prev, "default"), def);
		if (!same)
			return luaL_error(L, "weft.param('%s') is declared twice with different defaults", name);
		dsl_push_value(L, weft_value_map_get(d->params, name));
		return 1;
	}
	weft_value *val = NULL;
	const weft_value *cli = weft_value_map_get(d->cli_params, name);
	const weft_value *filev = weft_value_map_get(d->file_params, name);
	int rc = WEFT_OK;
	if (cli) {
		rc = parse_cli(&val, name, weft_value_get_string(cli, NULL), def, d);
	} else if (filev) {
		if (!types_compatible(def, filev))
			rc = weft_err_set(WEFT_EINVALID, "%s: parameter '%s' must be %s like its default",
					  d->params_file ? d->params_file : "params file", name,
					  weft_value_type(def) == WEFT_T_INT ? "an integer" : "the same type");
		else
			val = weft_value_copy(filev);
	} else if (weft_value_type(def) == WEFT_T_NULL) {
		rc = weft_err_set(WEFT_EINVALID, "%s:%d: parameter '%s' is required: pass -p %s=VALUE%s%s%s", file,
				  line, name, name, *doc ? " (" : "", doc, *doc ? ")" : "");
	} else {
		val = weft_value_copy(def);
	}
	if (rc != WEFT_OK)
		return raise_engine_error(L);
	weft_value *decl = weft_value_map();
	weft_value_map_set(decl, "default", dsl_unbox(defbox));
	weft_value_map_set(decl, "doc", weft_value_cstr(doc));
	weft_value_map_set(d->decls, name, decl);
	weft_value_map_set(d->params, name, val);
	dsl_push_value(L, weft_value_map_get(d->params, name));
	return 1;
}

/* ------------------------------------------------------------ files */

static int import_path(lua_State *L, int want_dir)
{
	weft_dsl *d = dsl_from_state(L);
	const char *path = luaL_checkstring(L, 1);
	const char *file;
	int line;
	dsl_where(L, &file, &line);
	char *abs = weft_path_abs(d->script_dir, path);
	weft_value *art = NULL;
	if (!abs)
		return luaL_error(L, "out of memory");
	int rc = dsl_import_path(d, abs, want_dir, &art);
	if (rc != WEFT_OK) {
		lua_pushfstring(L, "%s:%d: weft.%s('%s'): %s (paths are relative to the pipeline's directory %s)",
				file, line, want_dir ? "dir" : "file", path, weft_error_last(), d->script_dir);
		free(abs);
		return lua_error(L);
	}
	if (weft_value_artifact_is_dir(art) != want_dir) {
		weft_value_free(art);
		free(abs);
		return luaL_error(L, "weft.%s('%s'): it is a %s; use weft.%s", want_dir ? "dir" : "file", path,
				  want_dir ? "file" : "directory", want_dir ? "file" : "dir");
	}
	/* Where a Python script came from: its own modules are found beside
	 * it when it becomes a Python op's script (dsl_py_modules). */
	size_t plen = strlen(abs);
	if (!want_dir && plen > 3 && !strcmp(abs + plen - 3, ".py"))
		dsl_py_note_origin(d, art, abs);
	free(abs);
	dsl_push_artifact(L, art);
	weft_value_free(art);
	return 1;
}

static int l_file(lua_State *L)
{
	return import_path(L, 0);
}

static int l_dir(lua_State *L)
{
	return import_path(L, 1);
}

static int l_path(lua_State *L)
{
	weft_dsl *d = dsl_from_state(L);
	char *abs = weft_path_abs(d->script_dir, luaL_checkstring(L, 1));
	if (!abs)
		return luaL_error(L, "out of memory");
	lua_pushstring(L, abs);
	free(abs);
	return 1;
}

static int l_read(lua_State *L)
{
	weft_dsl *d = dsl_from_state(L);
	weft_value **art = luaL_testudata(L, 1, DSL_ARTIFACT_MT);
	if (!art || !*art)
		return luaL_error(L, "weft.read needs an artifact (inside weft.fn, file inputs arrive as artifacts)");
	char *data = NULL;
	size_t len = 0;
	if (weft_engine_read_artifact(&data, &len, d->eng, *art) != WEFT_OK)
		return raise_engine_error(L);
	lua_pushlstring(L, data, len);
	free(data);
	return 1;
}

/* ------------------------------------------------------------ nodes */

/* Converts the value at idx into map[key]; raises a Lua error on failure
 * (the map is boxed by the caller, so nothing leaks). */
static void set_from_lua(weft_value *map, lua_State *L, int idx, const char *key, const char *file, int line)
{
	weft_value *v = NULL;
	char err[256];
	if (dsl_to_value(&v, L, idx, 1, err, sizeof err) != WEFT_OK)
		raise_at(L, "%s:%d: argument '%s': %s", file, line, key, err);
	if (weft_value_map_set(map, key, v) != WEFT_OK)
		luaL_error(L, "out of memory");
}

/* weft.node(opname, {args}) -> node handle. The table becomes one map;
 * which keys are parameters, inputs or node options is the engine's to
 * say (weft_graph_add_node_take), so the DSL holds no list of them. */
static int l_node(lua_State *L)
{
	weft_dsl *d = dsl_from_state(L);
	const char *opname = luaL_checkstring(L, 1);
	luaL_checktype(L, 2, LUA_TTABLE);
	const char *file;
	int line;
	dsl_where(L, &file, &line);
	weft_value_free(d->node_args); /* left by an error in an earlier call */
	weft_value *args = d->node_args = weft_value_map();
	if (!args)
		return luaL_error(L, "out of memory");
	lua_pushnil(L);
	while (lua_next(L, 2)) {
		if (lua_type(L, -2) != LUA_TSTRING)
			return raise_at(L, "%s:%d: node arguments must be named (key = value)", file, line);
		set_from_lua(args, L, -1, lua_tostring(L, -2), file, line);
		lua_pop(L, 1);
	}
	if (dsl_py_fill_modules(d, opname, args) != WEFT_OK)
		return raise_at(L, "%s:%d: %s", file, line, weft_error_last());
	uint32_t id;
	/* The engine takes the map over. */
	d->node_args = NULL;
	int rc = weft_graph_add_node_take(&id, d->eng, opname, args, file, line);
	if (rc != WEFT_OK)
		return raise_engine_error(L);
	dsl_push_node(L, id, NULL);
	return 1;
}

/* weft.ref("name" or "name.output" [, output]): a forward reference,
 * bound later. With `output` given apart, `name` is the node's whole name,
 * dots and all. */
static int l_ref(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);
	const char *output = luaL_optstring(L, 2, NULL);
	const char *file;
	int line;
	dsl_where(L, &file, &line);
	(void)dsl_push_handle(L, UINT32_MAX, output, name, file, line);
	return 1;
}

static int l_is_node(lua_State *L)
{
	lua_pushboolean(L, dsl_check_node(L, 1) != NULL);
	return 1;
}

/* The node a handle names, bound (a ref by name has no id yet). */
static uint32_t node_id_arg(lua_State *L, const char *verb)
{
	dsl_node *n = dsl_check_node(L, 1);
	weft_dsl *d = dsl_from_state(L);
	uint32_t id = n ? n->id : UINT32_MAX;
	if (n && id == UINT32_MAX && n->refname && weft_graph_find(&id, d->eng, n->refname) != WEFT_OK)
		id = UINT32_MAX;
	if (id == UINT32_MAX)
		luaL_error(L, "weft.%s(node): expected a node handle (inside weft.fn, of a node that has run)", verb);
	return id;
}

/* weft.status(node) -> "done", "cached", "resumed", "failed", ... (inside a
 * dynamic node: how an input node's result was obtained in this run). */
static int l_status(lua_State *L)
{
	weft_dsl *d = dsl_from_state(L);
	uint32_t id = node_id_arg(L, "status");
	int st = weft_graph_node_status(d->eng, id);
	lua_pushstring(L, weft_node_status_name((weft_node_status)st));
	return 1;
}

/* weft.elapsed(node) -> seconds its op ran in this run (0: a cache hit). */
static int l_elapsed(lua_State *L)
{
	weft_dsl *d = dsl_from_state(L);
	lua_pushnumber(L, weft_graph_node_elapsed(d->eng, node_id_arg(L, "elapsed")));
	return 1;
}

static int dyn_call(weft_value **out, weft_engine *eng, uint32_t id, const weft_value *inputs, void *payload)
{
	dyn_payload *p = payload;
	lua_State *L = p->d->L;
	int top = lua_gettop(L);
	lua_rawgeti(L, LUA_REGISTRYINDEX, p->ref);
	dsl_push_value(L, inputs);
	dsl_reset_budget(p->d);
	int rc = dsl_pcall(p->d, 1, 1);
	if (rc != WEFT_OK) {
		lua_settop(L, top);
		return weft_err_wrap(rc, "dynamic node '%s' failed", weft_graph_node_name(eng, id));
	}
	char err[256];
	rc = dsl_to_value(out, L, -1, 1, err, sizeof err);
	lua_settop(L, top);
	if (rc != WEFT_OK)
		return weft_err_set(rc, "dynamic node '%s' returned a value weft cannot store: %s",
				    weft_graph_node_name(eng, id), err);
	return WEFT_OK;
}

static void dyn_free(void *payload)
{
	/* The registry ref dies with the Lua state; only the box is ours. */
	free(payload);
}

/* weft.fn{ name=..., inputs={...}, function(inputs) ... end } */
static int l_fn(lua_State *L)
{
	weft_dsl *d = dsl_from_state(L);
	luaL_checktype(L, 1, LUA_TTABLE);
	const char *file;
	int line;
	dsl_where(L, &file, &line);
	lua_getfield(L, 1, "fn");
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_rawgeti(L, 1, 1);
	}
	if (!lua_isfunction(L, -1))
		return raise_at(L, "%s:%d: weft.fn needs a function (fn = function(inputs) ... end)", file, line);
	int fidx = lua_gettop(L);
	lua_getfield(L, 1, "name");
	const char *name = lua_isnil(L, -1) ? NULL : luaL_checkstring(L, -1);
	lua_getfield(L, 1, "inputs");
	weft_value *inputs = NULL;
	char err[256];
	if (!lua_isnil(L, -1) && dsl_to_value(&inputs, L, -1, 1, err, sizeof err) != WEFT_OK)
		return raise_at(L, "%s:%d: weft.fn inputs: %s", file, line, err);
	if (inputs && weft_value_type(inputs) == WEFT_T_LIST && weft_value_len(inputs) == 0) {
		weft_value_free(inputs);
		inputs = NULL;
	}
	weft_value **ibox = dsl_box(L, inputs);
	if (inputs && weft_value_type(inputs) != WEFT_T_MAP)
		return raise_at(L, "%s:%d: weft.fn inputs must be a table of name = value", file, line);
	weft_buf fp = {0};
	weft_buf_puts(&fp, LUA_RELEASE);
	dsl_fingerprint(L, fidx, &fp, 0);
	dyn_payload *p = malloc(sizeof *p);
	if (!p) {
		weft_buf_free(&fp);
		return luaL_error(L, "out of memory");
	}
	dsl_unbox(ibox);
	p->d = d;
	lua_pushvalue(L, fidx);
	p->ref = luaL_ref(L, LUA_REGISTRYINDEX);
	weft_node_opts opts = WEFT_NODE_OPTS_INIT;
	opts.file = file;
	opts.line = line;
	uint32_t id;
	int rc = weft_graph_add_dynamic(&id, d->eng, name, inputs, fp.data, fp.len, dyn_call, p, dyn_free, &opts);
	weft_buf_free(&fp);
	if (rc != WEFT_OK)
		return raise_engine_error(L);
	dsl_push_node(L, id, NULL);
	return 1;
}

/* ops.plugin.op{...}: sugar over weft.node via lazily built tables. */
static int op_call(lua_State *L)
{
	/* ops.p.op {args} is weft.node("p.op", {args}): the op's name takes
	 * the callee's slot and l_node runs in this frame, so the script's
	 * line is one level up, as for weft.node itself. */
	lua_getfield(L, 1, "__op");
	lua_replace(L, 1);
	return l_node(L);
}

static int plugin_index(lua_State *L)
{
	weft_dsl *d = dsl_from_state(L);
	lua_getfield(L, 1, "__plugin");
	const char *plugin = lua_tostring(L, -1);
	const char *op = luaL_checkstring(L, 2);
	lua_pushfstring(L, "%s.%s", plugin, op);
	const char *full = lua_tostring(L, -1);
	if (!weft_engine_op_find(d->eng, full)) {
		const char *file;
		int line;
		dsl_where(L, &file, &line);
		/* The closest op, and whether the plugin exists at all. */
		weft_suggester sg;
		weft_suggest_init(&sg, full);
		int plugin_known = 0;
		size_t plen = strlen(plugin);
		for (size_t i = 0; i < weft_engine_op_count(d->eng); i++) {
			const char *name = weft_engine_op_at(d->eng, i)->full_name;
			weft_suggest_add(&sg, name);
			plugin_known |= !strncmp(name, plugin, plen) && name[plen] == '.';
		}
		const char *best = weft_suggest_best(&sg);
		/* lua_error, not luaL_error: the message carries file:line once. */
		if (!plugin_known)
			lua_pushfstring(L, "%s:%d: unknown op '%s': no plugin '%s' is installed%s%s%s; `weft plugins` "
					   "lists them, `weft plugin install` adds one",
					file, line, full, plugin, best ? " (did you mean '" : "", best ? best : "",
					best ? "'?)" : "");
		else if (best)
			lua_pushfstring(L, "%s:%d: unknown op '%s' (did you mean '%s'?)", file, line, full, best);
		else
			lua_pushfstring(L, "%s:%d: unknown op '%s'; `weft ops %s` lists plugin %s's ops", file, line, full,
					plugin, plugin);
		return lua_error(L);
	}
	lua_newtable(L);
	lua_pushvalue(L, -2);
	lua_setfield(L, -2, "__op");
	lua_newtable(L);
	lua_pushcfunction(L, op_call);
	lua_setfield(L, -2, "__call");
	lua_setmetatable(L, -2);
	/* Kept in the plugin's table: the next ops.p.op is a plain field. */
	lua_pushvalue(L, 2);
	lua_pushvalue(L, -2);
	lua_rawset(L, 1);
	return 1;
}

static int ops_index(lua_State *L)
{
	const char *plugin = luaL_checkstring(L, 2);
	lua_newtable(L);
	lua_pushstring(L, plugin);
	lua_setfield(L, -2, "__plugin");
	lua_newtable(L);
	lua_pushcfunction(L, plugin_index);
	lua_setfield(L, -2, "__index");
	lua_setmetatable(L, -2);
	/* Kept in `ops` (when called as its __index): ops.p is then a plain field. */
	if (lua_istable(L, 1)) {
		lua_pushvalue(L, 2);
		lua_pushvalue(L, -2);
		lua_rawset(L, 1);
	}
	return 1;
}

static int l_op(lua_State *L)
{
	const char *full = luaL_checkstring(L, 1);
	const char *dot = strchr(full, '.');
	if (!dot)
		return luaL_error(L, "weft.op('%s'): expected plugin.op", full);
	lua_settop(L, 1);
	lua_pushlstring(L, full, (size_t)(dot - full));
	lua_pushcfunction(L, ops_index);
	lua_pushnil(L);
	lua_pushvalue(L, 2);
	lua_call(L, 2, 1);
	lua_pushcfunction(L, plugin_index);
	lua_insert(L, -2);
	lua_pushstring(L, dot + 1);
	lua_call(L, 2, 1);
	return 1;
}

/* Converts argument `idx` (or nil) into a value; raises a Lua error naming
 * what it is. The value is boxed, so an error later frees it. */
static weft_value *arg_value(lua_State *L, int idx, const char *what)
{
	if (lua_isnoneornil(L, idx))
		return NULL;
	weft_value *v = NULL;
	char err[256];
	if (dsl_to_value(&v, L, idx, 0, err, sizeof err) != WEFT_OK)
		luaL_error(L, "%s: %s", what, err);
	dsl_box(L, v);
	return v;
}

/* weft.search_propose(space, algorithm, options, seed, history, count)
 * -> candidates, by (weft/search.h). Pure but for "llm", which asks the
 * run's LLM (inside a dynamic node) and says in `by` which path ran. */
static int l_search_propose(lua_State *L)
{
	weft_value *space = arg_value(L, 1, "search space");
	const char *algo = luaL_optstring(L, 2, "tpe");
	weft_value *options = arg_value(L, 3, "search options");
	lua_Integer seed = luaL_optinteger(L, 4, 1);
	weft_value *history = arg_value(L, 5, "search history");
	lua_Integer count = luaL_optinteger(L, 6, 1);
	if (count < 0 || count > 4096)
		return luaL_error(L, "weft.search_propose: count must be 0..4096");
	weft_value *c = NULL;
	const char *by = algo;
	int rc;
	if (strcmp(algo, "llm"))
		rc = weft_search_propose(&c, space, algo, options, (uint64_t)seed, history, (size_t)count);
	else if (count == 0)
		rc = weft_search_space_check(space); /* checking the spec, at build time */
	else
		rc = weft_search_propose_llm(&c, &by, dsl_from_state(L)->eng, space, options, (uint64_t)seed, history,
					     (size_t)count);
	if (rc != WEFT_OK)
		return raise_engine_error(L);
	if (c)
		dsl_push_value(L, c);
	else
		lua_newtable(L);
	weft_value_free(c);
	lua_pushstring(L, by); /* which path proposed them */
	return 2;
}

/* weft.search_fhash(values, bits, namespace) -> hex: the functional hash
 * of a probe's outputs (a list of numbers; weft/search.h). */
static int l_search_fhash(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_Integer bits = luaL_optinteger(L, 2, 24);
	const char *ns = luaL_optstring(L, 3, "");
	lua_Integer n = luaL_len(L, 1);
	if (n < 0 || n > (1 << 24))
		return luaL_error(L, "weft.search_fhash: at most 16M values");
	double *v = malloc((size_t)(n ? n : 1) * sizeof *v);
	if (!v)
		return luaL_error(L, "out of memory");
	for (lua_Integer i = 0; i < n; i++) {
		lua_geti(L, 1, i + 1);
		int isnum = 0;
		v[i] = lua_tonumberx(L, -1, &isnum);
		lua_pop(L, 1);
		if (!isnum) {
			free(v);
			return luaL_error(L, "weft.search_fhash: value %d of the probe is not a number", (int)(i + 1));
		}
	}
	char out[65];
	int rc = weft_search_fhash(out, v, (size_t)n, (int)bits, ns);
	free(v);
	if (rc != WEFT_OK)
		return raise_engine_error(L);
	lua_pushstring(L, out);
	return 1;
}

/* weft.text(string) -> artifact: the bytes as a file artifact. */
static int l_text(lua_State *L)
{
	weft_dsl *d = dsl_from_state(L);
	size_t len = 0;
	const char *s = luaL_checklstring(L, 1, &len);
	weft_value *art = NULL;
	if (weft_engine_import_bytes(&art, d->eng, s, len) != WEFT_OK)
		return raise_engine_error(L);
	dsl_push_artifact(L, art);
	weft_value_free(art);
	return 1;
}

/* weft.json.decode(text): what a dynamic node reads (weft.read) is often
 * JSON; objects become tables, arrays lists, null nil. */
static int l_json_decode(lua_State *L)
{
	size_t len = 0;
	const char *text = luaL_checklstring(L, 1, &len);
	weft_value *v = NULL;
	char err[256] = "";
	if (weft_value_from_json(&v, text, len, err, sizeof err) != WEFT_OK) {
		const char *file;
		int line;
		dsl_where(L, &file, &line);
		lua_pushfstring(L, "%s:%d: weft.json.decode: not JSON: %s", file, line, err[0] ? err : weft_error_last());
		return lua_error(L);
	}
	dsl_push_value(L, v);
	weft_value_free(v);
	return 1;
}

/* weft.json.encode(value): compact JSON, map keys sorted. */
static int l_json_encode(lua_State *L)
{
	weft_value *v = NULL;
	char err[256] = "";
	if (dsl_to_value(&v, L, 1, 0, err, sizeof err) != WEFT_OK)
		return luaL_error(L, "weft.json.encode: %s", err);
	char *text = weft_value_to_json(v, 0);
	weft_value_free(v);
	if (!text)
		return luaL_error(L, "out of memory");
	lua_pushstring(L, text);
	free(text);
	return 1;
}

/* Compares dotted versions number by number ("1.10" > "1.9"). */
static int version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		char *ea, *eb;
		long x = strtol(a, &ea, 10), y = strtol(b, &eb, 10);
		if (x != y)
			return x < y ? -1 : 1;
		a = *ea == '.' ? ea + 1 : ea;
		b = *eb == '.' ? eb + 1 : eb;
		if (ea == a && eb == b && !isdigit((unsigned char)*a) && !isdigit((unsigned char)*b))
			break; /* suffixes ("-rc1") do not order */
	}
	return 0;
}

/* weft.require_plugin(name, ">=1.2"): checked while the script runs, so a
 * pipeline that needs a plugin says so before anything is built. */
static int l_require_plugin(lua_State *L)
{
	weft_dsl *d = dsl_from_state(L);
	const char *name = luaL_checkstring(L, 1);
	const char *want = luaL_optstring(L, 2, "");
	const char *file;
	int line;
	dsl_where(L, &file, &line);
	const char *op = want;
	size_t oplen = strspn(want, "<>=!");
	const char *ver = want + oplen;
	while (*ver == ' ')
		ver++;
	if (*want && (!*ver || !isdigit((unsigned char)*ver) || oplen > 2)) {
		lua_pushfstring(L, "%s:%d: weft.require_plugin('%s', '%s'): the version must read like \">=1.2\", "
				   "\"==2.0.1\" or \"<3\"", file, line, name, want);
		return lua_error(L);
	}
	for (size_t i = 0; i < weft_engine_plugin_count(d->eng); i++) {
		weft_plugin_info p;
		if (weft_engine_plugin_at(&p, d->eng, i) != WEFT_OK || strcmp(p.name, name))
			continue;
		int c = *want ? version_cmp(p.version, ver) : 0;
		int ok = !*want || (!strncmp(op, ">=", 2)   ? c >= 0
				    : !strncmp(op, "<=", 2) ? c <= 0
				    : !strncmp(op, "!=", 2) ? c != 0
				    : *op == '>'	    ? c > 0
				    : *op == '<'	    ? c < 0
				    : oplen		    ? c == 0
							    : c >= 0); /* a bare version is a minimum */
		if (ok) {
			lua_pushstring(L, p.version);
			return 1;
		}
		lua_pushfstring(L, "%s:%d: this pipeline needs plugin %s %s, but %s %s is installed (%s); install a "
				   "matching package with `weft plugin install`",
				file, line, name, want, name, p.version, p.path);
		return lua_error(L);
	}
	lua_pushfstring(L, "%s:%d: this pipeline needs plugin %s%s%s, which is not installed; `weft plugins` lists "
			   "what is, `weft plugin install` adds one",
			file, line, name, *want ? " " : "", want);
	return lua_error(L);
}

typedef struct verb {
	const char *name;
	lua_CFunction fn;
	const char *doc;
} verb;

/* The whole DSL surface; docs/dsl.md documents each entry. */
static const verb verbs[] = {
	{"param", l_param, "weft.param(name, default, doc) -> value: a pipeline parameter (-p name=v)"},
	{"file", l_file, "weft.file(path) -> artifact: a file, imported when the graph is built"},
	{"dir", l_dir, "weft.dir(path) -> artifact: a directory tree, imported when the graph is built"},
	{"path", l_path, "weft.path(rel) -> string: absolute path relative to the pipeline's directory"},
	{"node", l_node, "weft.node(op, {args}) -> node: a node running plugin op `op`"},
	{"op", l_op, "weft.op(name) -> constructor: `weft.op('core.shell'){...}`"},
	{"ref", l_ref,
	 "weft.ref('name[.output]' [, output]) -> node: a reference by name, bound after the script; with output "
	 "apart, the name is taken whole"},
	{"fn", l_fn, "weft.fn{name=, inputs=, function(inputs) ... end} -> node: a dynamic node"},
	{"read", l_read, "weft.read(artifact) -> string: an artifact's bytes (inside weft.fn)"},
	{"is_node", l_is_node, "weft.is_node(x) -> bool"},
	{"text", l_text, "weft.text(s) -> artifact: the string as a file artifact"},
	{"status", l_status, "weft.status(node) -> string: how the node's result was obtained (inside weft.fn)"},
	{"elapsed", l_elapsed, "weft.elapsed(node) -> seconds its op ran in this run (inside weft.fn)"},
	{"require_plugin", l_require_plugin,
	 "weft.require_plugin(name, version) -> version: stop unless the plugin is installed, at that version (\">=1.2\")"},
	{"json_decode", l_json_decode, "weft.json.decode(text) -> value: JSON text as Lua values (null is nil)"},
	{"json_encode", l_json_encode, "weft.json.encode(value) -> string: compact JSON, keys sorted"},
	{"search_fhash", l_search_fhash, "weft.search_fhash(values, bits, namespace) -> hex: a probe's functional hash"},
	{"search_propose", l_search_propose,
	 "weft.search_propose(space, algorithm, options, seed, history, count) -> candidates (weft.search uses it)"},
	{NULL, NULL, NULL},
};

const char *weft_dsl_verb_at(size_t i, const char **doc)
{
	size_t n = sizeof verbs / sizeof verbs[0] - 1;
	if (i >= n)
		return NULL;
	if (doc)
		*doc = verbs[i].doc;
	return verbs[i].name;
}

static const char prelude[] =
	"local weft, env = ...\n"
	"local function before(a, b)\n"
	"  local ta, tb = type(a), type(b)\n"
	"  if ta ~= tb then return ta < tb end\n"
	"  if ta == 'number' or ta == 'string' then return a < b end\n"
	"  return tostring(a) < tostring(b)\n"
	"end\n"
	"-- pairs in key order: Lua's own order depends on a per-process seed.\n"
	"function env.pairs(t)\n"
	"  local mt = getmetatable(t)\n"
	"  if mt and mt.__pairs then return mt.__pairs(t) end\n"
	"  local keys = {}\n"
	"  for k in next, t do keys[#keys + 1] = k end\n"
	"  table.sort(keys, before)\n"
	"  local i = 0\n"
	"  return function() i = i + 1; local k = keys[i]; if k ~= nil then return k, t[k] end end, t, nil\n"
	"end\n"
	"-- weft.map(list, f, opts): f(item, i) per item. A literal list expands now;\n"
	"-- a node's output expands at run time inside a dynamic node.\n"
	"-- Search spaces (weft/search.h) and weft.search (stdlib/search.lua).\n"
	"function weft.floatv(lo, hi, scale) return { kind = 'float', lo = lo, hi = hi, log = scale == 'log' } end\n"
	"function weft.intv(lo, hi, scale) return { kind = 'int', lo = lo, hi = hi, log = scale == 'log' } end\n"
	"function weft.oneof(values) return { kind = 'choice', values = values } end\n"
	"function weft.search(spec) local r = require('search').run(spec); return r end\n"
	"weft.json = { decode = weft.json_decode, encode = weft.json_encode }\n"
	"-- weft.glob(pattern, opts): the files a pattern (from the script's directory)\n"
	"-- matches at run time, as a node output of {name, path, file} items.\n"
	"function weft.glob(pattern, opts)\n"
	"  opts = opts or {}\n"
	"  if type(pattern) ~= 'string' then error('weft.glob(pattern): pattern must be a string', 2) end\n"
	"  return ops.core.glob { name = opts.name, pattern = weft.path(pattern), dirs = opts.dirs or false,\n"
	"                         allow_empty = opts.allow_empty or false }.out\n"
	"end\n"
	"-- weft.slug(s): s as a node name (file names have dots, spaces, ...).\n"
	"function weft.slug(s)\n"
	"  local out = tostring(s):gsub('[^%w_%-%[%]/:@]', '_')\n"
	"  return out\n"
	"end\n"
	"function weft.map(list, f, opts)\n"
	"  opts = opts or {}\n"
	"  if type(f) ~= 'function' then error('weft.map(list, f): f must be a function', 2) end\n"
	"  local function apply(items)\n"
	"    local out = {}\n"
	"    for i = 1, #items do out[i] = f(items[i], i) end\n"
	"    return out\n"
	"  end\n"
	"  if weft.is_node(list) then\n"
	"    return weft.fn{ name = opts.name, inputs = { list = list }, function(inp) return apply(inp.list or {}) end }\n"
	"  end\n"
	"  if type(list) ~= 'table' then error('weft.map: expected a list or a node output', 2) end\n"
	"  return apply(list)\n"
	"end\n";

void dsl_register_api(weft_dsl *d)
{
	lua_State *L = d->L;
	lua_rawgeti(L, LUA_REGISTRYINDEX, d->env_ref);
	int env = lua_gettop(L);
	lua_newtable(L);
	for (const verb *v = verbs; v->name; v++) {
		lua_pushcfunction(L, v->fn);
		lua_setfield(L, -2, v->name);
	}
	lua_pushstring(L, WEFT_VERSION);
	lua_setfield(L, -2, "version");
	lua_pushvalue(L, -1);
	lua_setfield(L, env, "weft");
	int weft = lua_gettop(L);
	lua_newtable(L);
	lua_newtable(L);
	lua_pushcfunction(L, ops_index);
	lua_setfield(L, -2, "__index");
	lua_setmetatable(L, -2);
	lua_setfield(L, env, "ops");
	if (luaL_loadbufferx(L, prelude, sizeof prelude - 1, "=weft", "t") == LUA_OK) {
		lua_pushvalue(L, env);
		lua_setupvalue(L, -2, 1);
		lua_pushvalue(L, weft);
		lua_pushvalue(L, env);
		lua_call(L, 2, 0);
	} else {
		lua_pop(L, 1);
	}
	lua_settop(L, env - 1);
}
