/*
 * sandbox.c -- the Lua state scripts run in.
 *
 * Scripts see a fresh _ENV holding an allow-list: pure library functions,
 * `pairs` replaced by a key-sorted iteration (table order in Lua depends on
 * a per-process hash seed, and graph construction must not), `require`
 * limited to text modules from the pipeline's directory and stdlib/, and
 * `load` limited to text chunks. Absent on purpose: io, os, debug, dofile,
 * loadfile, collectgarbage, math.random (no clock, no unseeded randomness).
 * A custom allocator caps memory; a count hook caps instructions, so a
 * runaway script fails with a message instead of hanging the run.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dsl_internal.h"
#include "lpattern.h"
#include "util.h"

static void *cap_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	weft_dsl *d = ud;
	size_t old = ptr ? osize : 0;
	if (nsize == 0) {
		free(ptr);
		d->mem_used -= old;
		return NULL;
	}
	if (nsize > old && d->mem_used + (nsize - old) > d->mem_limit)
		return NULL; /* Lua raises "not enough memory" */
	/* Most calls make a new block (a string, a table): malloc's path is
	 * the short one, realloc(NULL, n) the long way round to it. */
	void *p = ptr ? realloc(ptr, nsize) : malloc(nsize);
	if (p)
		d->mem_used = d->mem_used - old + nsize;
	return p;
}

#define HOOK_EVERY 1000
/* Seconds between two weft_engine_yield calls while a script runs: often
 * enough that Ctrl-C and `weft status` feel immediate. */
#define YIELD_EVERY 0.1

/* Raises the message on top of the stack, prefixed with the script line
 * that runs now (in a hook, level 0 is the Lua function being run). */
static int raise_here(lua_State *L)
{
	lua_Debug info;
	if (lua_getstack(L, 0, &info) && lua_getinfo(L, "Sl", &info) && info.currentline > 0)
		lua_pushfstring(L, "%s:%d: ", info.short_src, info.currentline);
	else
		lua_pushstring(L, "");
	lua_insert(L, -2);
	lua_concat(L, 2);
	return lua_error(L);
}

/* The wall-clock limit, and the run's turn: a dynamic node's script runs
 * on the run's thread, so the engine gets a moment a few times a second
 * (Ctrl-C, other nodes' timeouts, `weft status`) and may end the script.
 * Called from the hook and, every 2^20 steps, from the pattern matcher. */
static int check_clock(lua_State *L)
{
	weft_dsl *d = dsl_from_state(L);
	double now = weft_mono();
	if (d->deadline > 0 && now > d->deadline) {
		lua_pushfstring(L,
				"script evaluation exceeded its time budget of %f s (an endless loop?); a pipeline "
				"that really takes longer to build sets `limits: {script_seconds: N}` in weft.yaml",
				d->time_limit);
		return raise_here(L);
	}
	if (now >= d->next_yield) {
		d->next_yield = now + YIELD_EVERY;
		if (weft_engine_yield(d->eng) == WEFT_ECANCELLED) {
			lua_pushstring(L, weft_error_last());
			return raise_here(L);
		}
	}
	return 0;
}

/* The budget is a count of VM instructions and a wall-clock time, both per
 * evaluation: the count keeps runaway loops deterministic to report, the
 * time bounds what the count misses (a slow library call per step). */
static void count_hook(lua_State *L, lua_Debug *ar)
{
	(void)ar;
	weft_dsl *d = dsl_from_state(L);
	d->instr_used += HOOK_EVERY;
	if (d->instr_used > d->instr_limit) {
		lua_pushfstring(L, "script exceeded its budget of %I VM instructions (an endless loop?)",
				(lua_Integer)d->instr_limit);
		raise_here(L);
	}
	check_clock(L);
}

weft_dsl *dsl_from_state(lua_State *L)
{
	void *ud = NULL;
	lua_getallocf(L, &ud);
	return ud;
}

void dsl_reset_budget(weft_dsl *d)
{
	d->instr_used = 0;
	d->deadline = weft_mono() + d->time_limit;
	d->next_yield = 0;
}

static int traceback(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);
	if (!msg)
		msg = luaL_tolstring(L, 1, NULL);
	if (!strstr(msg, ".lua:")) {
		/* error(msg, 2) from a tail-called helper loses its caller's frame,
		 * and error objects carry no position: name the nearest script
		 * line still on the stack, preferring the user's over stdlib's. */
		lua_Debug ar;
		char where[256] = "";
		for (int level = 1; lua_getstack(L, level, &ar); level++) {
			if (!lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0 || ar.source[0] != '@')
				continue;
			int is_lib = !strncmp(ar.source + 1, "stdlib/", 7);
			if (!where[0] || !is_lib)
				snprintf(where, sizeof where, "%s:%d: ", ar.source + 1, ar.currentline);
			if (!is_lib)
				break;
		}
		if (where[0])
			msg = lua_pushfstring(L, "%s%s", where, msg);
	}
	/* Validation errors from the engine already say file:line and node;
	 * a traceback would only bury them. Script errors get one frame list. */
	if (getenv("WEFT_LUA_TRACEBACK"))
		luaL_traceback(L, L, msg, 1);
	else
		lua_pushstring(L, msg);
	return 1;
}

int dsl_pcall(weft_dsl *d, int nargs, int nres)
{
	lua_State *L = d->L;
	int base = lua_gettop(L) - nargs;
	lua_pushcfunction(L, traceback);
	lua_insert(L, base);
	int rc = lua_pcall(L, nargs, nres, base);
	lua_remove(L, base);
	if (rc != LUA_OK) {
		const char *msg = lua_tostring(L, -1);
		weft_err_set(WEFT_EINVALID, "%s", msg ? msg : "error object is not a string");
		lua_pop(L, 1);
		return WEFT_EINVALID;
	}
	return WEFT_OK;
}

int dsl_read_source(weft_dsl *d, const char *path, int purpose, char **data, size_t *len)
{
	int rc = d->source.read ? d->source.read(d->source.ctx, path, purpose, data, len) : WEFT_SOURCE_FILESYSTEM;
	if (rc != WEFT_SOURCE_FILESYSTEM)
		return rc;
	struct stat sb;
	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		return weft_err_set(WEFT_ENOTFOUND, "%s does not exist or is not a file", path);
	return weft_read_file(path, data, len);
}

int dsl_import_path(weft_dsl *d, const char *abs, int want_dir, weft_value **out)
{
	char *data = NULL;
	size_t len = 0;
	int rc;
	if (!want_dir && d->source.import) {
		rc = d->source.import(d->source.ctx, abs, d->eng, out);
		return rc == WEFT_SOURCE_FILESYSTEM ? weft_engine_import(out, d->eng, abs) : rc;
	}
	rc = d->source.read ? d->source.read(d->source.ctx, abs, want_dir ? WEFT_SOURCE_DIR : WEFT_SOURCE_FILE,
					     &data, &len)
			    : WEFT_SOURCE_FILESYSTEM;
	if (rc == WEFT_SOURCE_FILESYSTEM)
		rc = weft_engine_import(out, d->eng, abs);
	else if (rc == WEFT_OK)
		rc = weft_engine_import_bytes(out, d->eng, data, len);
	free(data);
	return rc;
}

/* Compiles source text (borrowed) as a chunk with the sandbox _ENV as its
 * upvalue, and leaves it on the stack. */
static int load_chunk(weft_dsl *d, const char *text, size_t len, const char *chunkname)
{
	const char *body = text;
	/* A #! first line is allowed, as lua(1) allows it. */
	if (len && text[0] == '#') {
		const char *nl = memchr(text, '\n', len);
		body = nl ? nl : text + len;
	}
	char *name = weft_sprintf("@%s", chunkname);
	int rc = luaL_loadbufferx(d->L, body, len - (size_t)(body - text), name ? name : "@?", "t");
	free(name);
	if (rc != LUA_OK) {
		int e = weft_err_set(WEFT_EINVALID, "%s", lua_tostring(d->L, -1));
		lua_pop(d->L, 1);
		return e;
	}
	lua_rawgeti(d->L, LUA_REGISTRYINDEX, d->env_ref);
	if (!lua_setupvalue(d->L, -2, 1))
		lua_pop(d->L, 1);
	return WEFT_OK;
}

/* Loads the pipeline script as a chunk with the sandbox _ENV as its upvalue. */
int dsl_load_file(weft_dsl *d, const char *path, const char *chunkname)
{
	char *text = NULL;
	size_t len = 0;
	if (dsl_read_source(d, path, WEFT_SOURCE_SCRIPT, &text, &len) != WEFT_OK)
		return weft_err_set(WEFT_ENOTFOUND, "cannot read pipeline script %s: %s", path, weft_error_last());
	int rc = load_chunk(d, text, len, chunkname);
	free(text);
	return rc;
}

/* --- require: pipeline dir first, then stdlib; text only ---------------- */

static int sandbox_require(lua_State *L)
{
	weft_dsl *d = dsl_from_state(L);
	const char *mod = luaL_checkstring(L, 1);
	for (const char *c = mod; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' ||
		      *c == '.' || *c == '-'))
			return luaL_error(L, "require: bad module name '%s' (use letters, digits, _ and dots)", mod);
	lua_getfield(L, LUA_REGISTRYINDEX, "weft.loaded");
	lua_getfield(L, -1, mod);
	if (!lua_isnil(L, -1))
		return 1;
	lua_pop(L, 1);
	char *rel = weft_sprintf("%s.lua", mod);
	if (!rel)
		return luaL_error(L, "out of memory");
	for (char *p = rel; *p && strcmp(p, ".lua"); p++)
		if (*p == '.')
			*p = '/';
	/* The first candidate the source can read is the module (for a git
	 * revision: the one in its tree); its text is read once. */
	const char *dirs[] = {d->script_dir, d->stdlib_dir};
	char *found = NULL, *shown = NULL, *text = NULL;
	size_t len = 0;
	for (int i = 0; i < 2 && !found; i++) {
		char *cand = weft_path_join(dirs[i], rel);
		if (cand && dsl_read_source(d, cand, WEFT_SOURCE_MODULE, &text, &len) == WEFT_OK) {
			found = cand;
			shown = i == 0 ? weft_path_join(d->script_reldir, rel) : weft_sprintf("stdlib/%s", rel);
		} else {
			free(cand);
		}
	}
	if (!found) {
		lua_pushfstring(L, "module '%s' not found: looked for %s in %s and in %s", mod, rel, d->script_dir,
				d->stdlib_dir);
		free(rel);
		return luaL_error(L, "%s", lua_tostring(L, -1));
	}
	free(rel);
	int rc = load_chunk(d, text, len, shown ? shown : found);
	free(text);
	free(found);
	free(shown);
	if (rc != WEFT_OK)
		return luaL_error(L, "%s", weft_error_last());
	lua_pushstring(L, mod);
	lua_call(L, 1, 1);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_pushboolean(L, 1);
	}
	lua_pushvalue(L, -1);
	lua_setfield(L, -3, mod);
	return 1;
}

static int sandbox_load(lua_State *L)
{
	weft_dsl *d = dsl_from_state(L);
	size_t len;
	const char *s = luaL_checklstring(L, 1, &len);
	const char *name = luaL_optstring(L, 2, "=(load)");
	if (luaL_loadbufferx(L, s, len, name, "t") != LUA_OK) {
		lua_pushnil(L);
		lua_insert(L, -2);
		return 2;
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, d->env_ref);
	if (!lua_setupvalue(L, -2, 1))
		lua_pop(L, 1);
	return 1;
}

static int sandbox_print(lua_State *L)
{
	int n = lua_gettop(L);
	for (int i = 1; i <= n; i++) {
		size_t l;
		const char *s = luaL_tolstring(L, i, &l);
		fprintf(stderr, "%s%s", i > 1 ? "\t" : "", s);
		lua_pop(L, 1);
	}
	fputc('\n', stderr);
	return 0;
}

static int forbidden(lua_State *L)
{
	return luaL_error(L, "%s is not available in pipeline scripts: graph building must be deterministic",
			  lua_tostring(L, lua_upvalueindex(1)));
}

/* Copies the listed fields of library `lib` (from the real globals) into a
 * new table stored as env[lib]. */
static void copy_lib(lua_State *L, int env, const char *lib, const char *const *fields)
{
	lua_getglobal(L, lib);
	int src = lua_gettop(L);
	lua_newtable(L);
	if (fields) {
		for (const char *const *f = fields; *f; f++) {
			lua_getfield(L, src, *f);
			lua_setfield(L, -2, *f);
		}
	} else {
		lua_pushnil(L);
		while (lua_next(L, src)) {
			lua_pushvalue(L, -2);
			lua_insert(L, -2);
			lua_settable(L, -4);
		}
	}
	lua_setfield(L, env, lib);
	lua_pop(L, 1);
}

static const char *const base_fields[] = {"assert", "error", "ipairs", "next", "pcall", "rawequal", "rawget",
					  "rawlen", "rawset", "select", "setmetatable", "getmetatable",
					  "tonumber", "tostring", "type", "xpcall", "_VERSION", NULL};
static const char *const math_fields[] = {"abs", "ceil", "cos", "exp", "floor", "fmod", "huge", "log", "max",
					  "maxinteger", "min", "mininteger", "modf", "pi", "sin", "sqrt", "tan",
					  "tointeger", "type", "ult", "atan", "asin", "acos", NULL};

int dsl_sandbox_open(weft_dsl *d)
{
	lua_State *L = lua_newstate(cap_alloc, d);
	if (!L)
		return weft_err_set(WEFT_ERROR, "cannot create Lua state");
	d->L = L;
	luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
	luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
	luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
	luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
	luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
	lua_pop(L, 5);
	lua_sethook(L, count_hook, LUA_MASKCOUNT, HOOK_EVERY);

	lua_newtable(L);
	int env = lua_gettop(L);
	lua_getglobal(L, "_G");
	for (const char *const *f = base_fields; *f; f++) {
		lua_getfield(L, -1, *f);
		lua_setfield(L, env, *f);
	}
	lua_pop(L, 1);
	copy_lib(L, env, "string", NULL);
	lua_getfield(L, env, "string");
	lua_pushnil(L);
	lua_setfield(L, -2, "dump"); /* binary chunks stay out */
	/* find, match, gmatch and gsub with a step budget: Lua's own matcher
	 * runs inside one C call, where the instruction hook never fires */
	const char *steps = getenv("WEFT_LUA_PATTERN_STEPS");
	weft_lp_install(L, -1, steps ? strtoll(steps, NULL, 10) : 0, check_clock);
	lua_pop(L, 1);
	copy_lib(L, env, "table", NULL);
	copy_lib(L, env, "utf8", NULL);
	copy_lib(L, env, "math", math_fields);
	lua_getfield(L, env, "math");
	lua_pushstring(L, "math.random");
	lua_pushcclosure(L, forbidden, 1);
	lua_setfield(L, -2, "random");
	lua_pushstring(L, "math.randomseed");
	lua_pushcclosure(L, forbidden, 1);
	lua_setfield(L, -2, "randomseed");
	lua_pop(L, 1);
	lua_pushcfunction(L, sandbox_require);
	lua_setfield(L, env, "require");
	lua_pushcfunction(L, sandbox_load);
	lua_setfield(L, env, "load");
	lua_pushcfunction(L, sandbox_print);
	lua_setfield(L, env, "print");
	lua_pushvalue(L, env);
	lua_setfield(L, env, "_G");
	/* Methods on strings ("x"):upper() go through the string metatable's
	 * __index, which is the full string library, dump included: point it
	 * at the sandbox's copy, and hide the metatable from getmetatable. */
	lua_pushliteral(L, "");
	if (lua_getmetatable(L, -1)) {
		lua_getfield(L, env, "string");
		lua_setfield(L, -2, "__index");
		lua_pushboolean(L, 0);
		lua_setfield(L, -2, "__metatable");
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	d->env_ref = luaL_ref(L, LUA_REGISTRYINDEX);

	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, "weft.loaded");
	return WEFT_OK;
}
