/*
 * convert.c -- Lua values <-> weft values, node handles, and the
 * fingerprints that give dynamic nodes a stable identity.
 *
 * Lua tables become lists when their keys are exactly 1..n, maps when every
 * key is a string, and an error otherwise (a mixed table has no canonical
 * form). Node handles are userdata holding an integer node id, never a
 * pointer: the engine owns nodes, Lua only names them.
 */
#include <stdlib.h>
#include <string.h>

#include "dsl_internal.h"
#include "util.h"

dsl_node *dsl_check_node(lua_State *L, int idx)
{
	return luaL_testudata(L, idx, DSL_NODE_MT);
}

static int node_index(lua_State *L)
{
	dsl_node *n = luaL_checkudata(L, 1, DSL_NODE_MT);
	const char *field = luaL_checkstring(L, 2);
	if (n->output)
		return luaL_error(L, "cannot select '%s' from an output reference; select outputs from the node", field);
	/* A ref by name keeps its name whole: it may hold dots itself. */
	dsl_push_handle(L, n->id, field, n->refname, n->file, n->line);
	return 1;
}

static int node_tostring(lua_State *L)
{
	dsl_node *n = luaL_checkudata(L, 1, DSL_NODE_MT);
	weft_dsl *d = dsl_from_state(L);
	const char *name = n->refname ? n->refname : weft_graph_node_name(d->eng, n->id);
	if (n->output)
		lua_pushfstring(L, "node<%s.%s>", name ? name : "?", n->output);
	else
		lua_pushfstring(L, "node<%s>", name ? name : "?");
	return 1;
}

static int node_newindex(lua_State *L)
{
	return luaL_error(L, "node handles are read-only");
}

/* <close> on a handle: nothing to close (kept so that such scripts run). */
static int node_close(lua_State *L)
{
	(void)L;
	return 0;
}

static char *put_str(char **p, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *at = memcpy(*p, s, n);
	*p += n;
	return at;
}

dsl_node *dsl_push_handle(lua_State *L, uint32_t id, const char *output, const char *refname, const char *file,
			  int line)
{
	/* One block, the strings after the struct: a handle needs no
	 * finalizer, and a __gc per handle cost the collector more than the
	 * rest of making the node. Lua never moves a userdata. */
	size_t extra = (output ? strlen(output) + 1 : 0) + (refname ? strlen(refname) + 1 : 0) +
		       (file ? strlen(file) + 1 : 0);
	dsl_node *n = lua_newuserdatauv(L, sizeof *n + extra, 0);
	char *p = (char *)(n + 1);
	n->id = id;
	n->line = line;
	n->output = put_str(&p, output);
	n->refname = put_str(&p, refname);
	n->file = put_str(&p, file);
	if (luaL_newmetatable(L, DSL_NODE_MT)) {
		lua_pushcfunction(L, node_close);
		lua_setfield(L, -2, "__close");
		lua_pushcfunction(L, node_index);
		lua_setfield(L, -2, "__index");
		lua_pushcfunction(L, node_newindex);
		lua_setfield(L, -2, "__newindex");
		lua_pushcfunction(L, node_tostring);
		lua_setfield(L, -2, "__tostring");
		lua_pushstring(L, "weft.node");
		lua_setfield(L, -2, "__name");
	}
	lua_setmetatable(L, -2);
	return n;
}

void dsl_push_node(lua_State *L, uint32_t id, const char *output)
{
	(void)dsl_push_handle(L, id, output, NULL, NULL, 0);
}

/* Artifacts: userdata holding a private copy of the value. */
static int art_gc(lua_State *L)
{
	weft_value **p = luaL_checkudata(L, 1, DSL_ARTIFACT_MT);
	weft_value_free(*p);
	*p = NULL;
	return 0;
}

static int art_index(lua_State *L)
{
	weft_value **p = luaL_checkudata(L, 1, DSL_ARTIFACT_MT);
	const char *k = luaL_checkstring(L, 2);
	if (!strcmp(k, "hash"))
		lua_pushstring(L, weft_value_artifact_hash(*p));
	else if (!strcmp(k, "size"))
		lua_pushinteger(L, (lua_Integer)weft_value_artifact_size(*p));
	else if (!strcmp(k, "dir"))
		lua_pushboolean(L, weft_value_artifact_is_dir(*p));
	else
		lua_pushnil(L);
	return 1;
}

static int art_tostring(lua_State *L)
{
	weft_value **p = luaL_checkudata(L, 1, DSL_ARTIFACT_MT);
	lua_pushfstring(L, "artifact<%s %s>", weft_value_artifact_is_dir(*p) ? "dir" : "file",
			weft_value_artifact_hash(*p));
	return 1;
}

void dsl_push_artifact(lua_State *L, const weft_value *art)
{
	weft_value **p = lua_newuserdatauv(L, sizeof *p, 0);
	*p = weft_value_copy(art);
	if (luaL_newmetatable(L, DSL_ARTIFACT_MT)) {
		lua_pushcfunction(L, art_gc);
		lua_setfield(L, -2, "__gc");
		lua_pushcfunction(L, art_index);
		lua_setfield(L, -2, "__index");
		lua_pushcfunction(L, art_tostring);
		lua_setfield(L, -2, "__tostring");
	}
	lua_setmetatable(L, -2);
}

static int box_gc(lua_State *L)
{
	weft_value **b = lua_touserdata(L, 1);
	if (b) {
		weft_value_free(*b);
		*b = NULL;
	}
	return 0;
}

weft_value **dsl_box(lua_State *L, weft_value *v)
{
	weft_value **b = lua_newuserdatauv(L, sizeof *b, 0);
	*b = v;
	if (luaL_newmetatable(L, "weft.box")) {
		lua_pushcfunction(L, box_gc);
		lua_setfield(L, -2, "__gc");
	}
	lua_setmetatable(L, -2);
	return b;
}

weft_value *dsl_unbox(weft_value **b)
{
	weft_value *v = *b;
	*b = NULL;
	return v;
}

void dsl_push_value(lua_State *L, const weft_value *v)
{
	luaL_checkstack(L, 4, "value too deeply nested");
	switch (weft_value_type(v)) {
	case WEFT_T_NULL:
		lua_pushnil(L);
		break;
	case WEFT_T_BOOL:
		lua_pushboolean(L, weft_value_get_bool(v));
		break;
	case WEFT_T_INT:
		lua_pushinteger(L, (lua_Integer)weft_value_get_int(v));
		break;
	case WEFT_T_FLOAT:
		lua_pushnumber(L, weft_value_get_float(v));
		break;
	case WEFT_T_STRING: {
		size_t len;
		const char *s = weft_value_get_string(v, &len);
		lua_pushlstring(L, s, len);
		break;
	}
	case WEFT_T_LIST:
		lua_createtable(L, (int)weft_value_len(v), 0);
		for (size_t i = 0; i < weft_value_len(v); i++) {
			dsl_push_value(L, weft_value_list_at(v, i));
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
		break;
	case WEFT_T_MAP:
		lua_createtable(L, 0, (int)weft_value_len(v));
		for (size_t i = 0; i < weft_value_len(v); i++) {
			dsl_push_value(L, weft_value_map_value_at(v, i));
			lua_setfield(L, -2, weft_value_map_key_at(v, i));
		}
		break;
	case WEFT_T_ARTIFACT:
		dsl_push_artifact(L, v);
		break;
	default:
		if (weft_value_type(v) == WEFT_T_REF)
			dsl_push_node(L, weft_value_ref_node(v), weft_value_ref_output(v));
		else
			lua_pushnil(L);
	}
}

static int conv(weft_value **out, lua_State *L, int idx, int allow_refs, int depth, char *err, size_t errlen)
{
	idx = lua_absindex(L, idx);
	if (depth > 100) {
		snprintf(err, errlen, "value nests deeper than 100 levels (a table that contains itself?)");
		return WEFT_EINVALID;
	}
	switch (lua_type(L, idx)) {
	case LUA_TNIL:
		*out = weft_value_null();
		return WEFT_OK;
	case LUA_TBOOLEAN:
		*out = weft_value_bool(lua_toboolean(L, idx));
		return WEFT_OK;
	case LUA_TNUMBER:
		*out = lua_isinteger(L, idx) ? weft_value_int((int64_t)lua_tointeger(L, idx))
					     : weft_value_float((double)lua_tonumber(L, idx));
		return WEFT_OK;
	case LUA_TSTRING: {
		size_t len;
		const char *s = lua_tolstring(L, idx, &len);
		*out = weft_value_string(s, len);
		return WEFT_OK;
	}
	case LUA_TUSERDATA: {
		dsl_node *n = dsl_check_node(L, idx);
		if (n) {
			if (!allow_refs) {
				snprintf(err, errlen, "a node output cannot be used here (only as a node input)");
				return WEFT_EINVALID;
			}
			*out = n->refname ? weft_value_ref_name_output(n->refname, n->output, n->file, n->line)
					  : weft_value_ref(n->id, n->output);
			return WEFT_OK;
		}
		weft_value **art = luaL_testudata(L, idx, DSL_ARTIFACT_MT);
		if (art && *art) {
			*out = weft_value_copy(*art);
			return WEFT_OK;
		}
		snprintf(err, errlen, "cannot convert a %s to a value", luaL_typename(L, idx));
		return WEFT_EINVALID;
	}
	case LUA_TTABLE:
		break;
	default:
		snprintf(err, errlen, "cannot convert a %s to a value (functions and threads are not data)",
			 luaL_typename(L, idx));
		return WEFT_EINVALID;
	}
	luaL_checkstack(L, 4, "value too deeply nested");
	lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
	size_t count = 0;
	int all_strings = 1;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		count++;
		if (lua_type(L, -2) != LUA_TSTRING)
			all_strings = 0;
		lua_pop(L, 1);
	}
	if (count == (size_t)n) {
		weft_value *l = weft_value_list();
		for (lua_Integer i = 1; l && i <= n; i++) {
			lua_rawgeti(L, idx, i);
			weft_value *item = NULL;
			int rc = conv(&item, L, -1, allow_refs, depth + 1, err, errlen);
			lua_pop(L, 1);
			if (rc != WEFT_OK || weft_value_list_push(l, item) != WEFT_OK) {
				weft_value_free(l);
				return WEFT_EINVALID;
			}
		}
		*out = l;
		return l ? WEFT_OK : WEFT_ERROR;
	}
	if (!all_strings) {
		snprintf(err, errlen, "a table must be a list (keys 1..n) or a map (string keys), not a mix");
		return WEFT_EINVALID;
	}
	weft_value *m = weft_value_map();
	lua_pushnil(L);
	while (m && lua_next(L, idx)) {
		weft_value *item = NULL;
		int rc = conv(&item, L, -1, allow_refs, depth + 1, err, errlen);
		if (rc != WEFT_OK || weft_value_map_set(m, lua_tostring(L, -2), item) != WEFT_OK) {
			lua_pop(L, 2);
			weft_value_free(m);
			return WEFT_EINVALID;
		}
		lua_pop(L, 1);
	}
	*out = m;
	return m ? WEFT_OK : WEFT_ERROR;
}

int dsl_to_value(weft_value **out, lua_State *L, int idx, int allow_refs, char *err, size_t errlen)
{
	*out = NULL;
	err[0] = '\0';
	return conv(out, L, idx, allow_refs, 0, err, errlen);
}

/* ------------------------------------------------------------ fingerprints */

static int dump_writer(lua_State *L, const void *p, size_t sz, void *ud)
{
	(void)L;
	return weft_buf_put(ud, p, sz) == WEFT_OK ? 0 : 1;
}

/* `seen` is the stack index of a table mapping each function already
 * fingerprinted to its ordinal: a recursive local function has itself as an
 * upvalue, and mutually recursive module functions would otherwise expand
 * exponentially up to the depth cap. */
static void fp_value(lua_State *L, int idx, weft_buf *b, int depth, int seen);
static void fp_function(lua_State *L, int idx, weft_buf *b, int depth, int seen);

static void fp_table(lua_State *L, int idx, weft_buf *b, int depth, int seen)
{
	/* Keys in sorted order so the fingerprint does not depend on the hash
	 * seed: collect them into a list, sort it with table.sort-free C. */
	idx = lua_absindex(L, idx);
	weft_value *v = NULL;
	char err[128];
	if (dsl_to_value(&v, L, idx, 1, err, sizeof err) == WEFT_OK) {
		char *j = weft_value_to_json(v, 0);
		weft_buf_printf(b, "T%s;", j ? j : "?");
		free(j);
		weft_value_free(v);
		return;
	}
	/* A table holding functions (a module): fingerprint string-keyed
	 * entries in key order. */
	size_t n = 0, cap = 0;
	char **keys = NULL;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **p = realloc(keys, cap * sizeof *p);
			if (!p)
				break;
			keys = p;
		}
		keys[n++] = weft_strdup(lua_tostring(L, -1));
	}
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && strcmp(keys[k - 1], keys[k]) > 0; k--) {
			char *t = keys[k];
			keys[k] = keys[k - 1];
			keys[k - 1] = t;
		}
	weft_buf_puts(b, "M{");
	for (size_t i = 0; i < n; i++) {
		weft_buf_printf(b, "%s=", keys[i]);
		lua_getfield(L, idx, keys[i]);
		fp_value(L, -1, b, depth + 1, seen);
		lua_pop(L, 1);
		free(keys[i]);
	}
	free(keys);
	weft_buf_puts(b, "}");
}

static void fp_value(lua_State *L, int idx, weft_buf *b, int depth, int seen)
{
	idx = lua_absindex(L, idx);
	if (depth > 12) {
		weft_buf_puts(b, "...");
		return;
	}
	luaL_checkstack(L, 6, "fingerprint too deep");
	switch (lua_type(L, idx)) {
	case LUA_TFUNCTION:
		fp_function(L, idx, b, depth + 1, seen);
		break;
	case LUA_TTABLE:
		fp_table(L, idx, b, depth, seen);
		break;
	case LUA_TUSERDATA: {
		dsl_node *n = dsl_check_node(L, idx);
		weft_value **art = luaL_testudata(L, idx, DSL_ARTIFACT_MT);
		if (n) {
			weft_dsl *d = dsl_from_state(L);
			const char *name = n->refname ? n->refname : weft_graph_node_name(d->eng, n->id);
			weft_buf_printf(b, "N%s.%s;", name ? name : "?", n->output ? n->output : "");
		} else if (art && *art) {
			weft_buf_printf(b, "A%s;", weft_value_artifact_hash(*art));
		} else {
			weft_buf_puts(b, "U;");
		}
		break;
	}
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx))
			weft_buf_printf(b, "I%lld;", (long long)lua_tointeger(L, idx));
		else
			weft_buf_printf(b, "D%.17g;", (double)lua_tonumber(L, idx));
		break;
	case LUA_TSTRING: {
		size_t len;
		const char *s = lua_tolstring(L, idx, &len);
		weft_buf_printf(b, "S%zu:", len);
		weft_buf_put(b, s, len);
		break;
	}
	case LUA_TBOOLEAN:
		weft_buf_puts(b, lua_toboolean(L, idx) ? "T;" : "F;");
		break;
	default:
		weft_buf_printf(b, "%s;", luaL_typename(L, idx));
	}
}

static void fp_function(lua_State *L, int idx, weft_buf *b, int depth, int seen)
{
	idx = lua_absindex(L, idx);
	if (lua_iscfunction(L, idx)) {
		/* Host builtins: their identity is weft's version, not an address. */
		weft_buf_puts(b, "C;");
		return;
	}
	lua_pushvalue(L, idx);
	if (lua_rawget(L, seen) == LUA_TNUMBER) {
		weft_buf_printf(b, "R%lld;", (long long)lua_tointeger(L, -1));
		lua_pop(L, 1);
		return;
	}
	lua_pop(L, 1);
	lua_pushvalue(L, idx);
	lua_pushinteger(L, (lua_Integer)lua_rawlen(L, seen) + 1);
	lua_pushvalue(L, -1);
	lua_rawseti(L, seen, lua_tointeger(L, -1)); /* keeps rawlen counting */
	lua_rawset(L, seen);
	weft_buf_puts(b, "F(");
	lua_pushvalue(L, idx);
	/* Stripped bytecode: the code and constants, not line numbers, so
	 * moving a function down the file does not invalidate its results. */
	lua_dump(L, dump_writer, b, 1);
	lua_pop(L, 1);
	for (int i = 1;; i++) {
		const char *name = lua_getupvalue(L, idx, i);
		if (!name)
			break;
		if (!strcmp(name, "_ENV")) {
			lua_pop(L, 1);
			continue;
		}
		weft_buf_printf(b, "|%s=", name);
		fp_value(L, -1, b, depth, seen);
		lua_pop(L, 1);
	}
	weft_buf_puts(b, ")");
}

int dsl_fingerprint(lua_State *L, int idx, void *buf, int depth)
{
	idx = lua_absindex(L, idx);
	luaL_checkstack(L, 8, "fingerprint");
	lua_newtable(L);
	fp_function(L, idx, buf, depth, lua_gettop(L));
	lua_pop(L, 1);
	return WEFT_OK;
}
