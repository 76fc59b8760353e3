/*
 * lpattern.c -- see lpattern.h. A backtracking matcher for Lua patterns
 * (character classes, sets, the four quantifiers, captures and position
 * captures, back-references, %b and %f, the anchors), written for the
 * sandbox with one addition to the language's reference semantics: every
 * step counts against a budget.
 */
#define _GNU_SOURCE
#include "lpattern.h"

#include <ctype.h>
#include <lauxlib.h>
#include <stddef.h>
#include <string.h>

#define LP_MAXCAPTURES 32 /* Lua's LUA_MAXCAPTURES */
#define LP_MAXDEPTH 200   /* recursion of the matcher ("pattern too complex") */
#define CAP_UNFINISHED (-1)
#define CAP_POSITION (-2)
#define ESC '%'
#define SPECIALS "^$*+?.([%-"

typedef struct mstate {
	const char *src_init, *src_end, *p_end;
	lua_State *L;
	const char *fn; /* "find", ... for errors */
	int level;      /* captures open or closed */
	int depth;      /* recursion left */
	long long steps, budget;
	lua_CFunction poll; /* called every LP_POLL_EVERY steps, or NULL */
	struct {
		const char *init;
		ptrdiff_t len;
	} cap[LP_MAXCAPTURES];
} mstate;

static const char *do_match(mstate *ms, const char *s, const char *p);

/* About a few milliseconds of matching: the caller's wall-clock limit and
 * Ctrl-C are checked this often (the poll raises its own error). */
#define LP_POLL_EVERY (1LL << 20)

static void step(mstate *ms)
{
	if ((++ms->steps & (LP_POLL_EVERY - 1)) == 0 && ms->poll)
		ms->poll(ms->L);
	if (ms->steps > ms->budget)
		luaL_error(ms->L,
			   "string.%s: the pattern took more than %I steps on a subject of %I bytes (backtracking that "
			   "grows with the text's length, such as several '.-' in a row); simplify the pattern or "
			   "split the text",
			   ms->fn, (lua_Integer)ms->budget, (lua_Integer)(ms->src_end - ms->src_init));
}

static int check_capture(mstate *ms, int c)
{
	c -= '1';
	if (c < 0 || c >= ms->level || ms->cap[c].len == CAP_UNFINISHED)
		return luaL_error(ms->L, "invalid capture index %%%d", c + 1);
	return c;
}

static int open_capture(mstate *ms)
{
	int level = ms->level;
	for (level--; level >= 0; level--)
		if (ms->cap[level].len == CAP_UNFINISHED)
			return level;
	return luaL_error(ms->L, "invalid pattern capture");
}

/* The end of the single-character class at p. */
static const char *class_end(mstate *ms, const char *p)
{
	if (*p++ == ESC) {
		if (p == ms->p_end)
			luaL_error(ms->L, "malformed pattern (ends with '%%')");
		return p + 1;
	}
	if (p[-1] == '[') {
		if (*p == '^')
			p++;
		do { /* the first ']' of a set is a member */
			if (p == ms->p_end)
				luaL_error(ms->L, "malformed pattern (missing ']')");
			if (*(p++) == ESC && p < ms->p_end)
				p++; /* an escape: skip it, so "%]" is a member */
		} while (*p != ']');
		return p + 1;
	}
	return p;
}

static int class_has(int c, int cl)
{
	int r;
	switch (tolower(cl)) {
	case 'a': r = isalpha(c); break;
	case 'c': r = iscntrl(c); break;
	case 'd': r = isdigit(c); break;
	case 'g': r = isgraph(c); break;
	case 'l': r = islower(c); break;
	case 'p': r = ispunct(c); break;
	case 's': r = isspace(c); break;
	case 'u': r = isupper(c); break;
	case 'w': r = isalnum(c); break;
	case 'x': r = isxdigit(c); break;
	case 'z': r = c == 0; break; /* deprecated in Lua 5.2, still there in 5.4 */
	default: return cl == c; /* an escaped non-letter is itself */
	}
	r = r != 0;
	return isupper(cl) ? !r : r;
}

/* c in the set [p, ec], p at '[' and ec at its ']'. */
static int set_has(int c, const char *p, const char *ec)
{
	int in = 1;
	if (*(p + 1) == '^') {
		in = 0;
		p++;
	}
	while (++p < ec) {
		if (*p == ESC) {
			p++;
			if (class_has(c, (unsigned char)*p))
				return in;
		} else if (*(p + 1) == '-' && p + 2 < ec) {
			p += 2;
			if ((unsigned char)*(p - 2) <= c && c <= (unsigned char)*p)
				return in;
		} else if ((unsigned char)*p == c) {
			return in;
		}
	}
	return !in;
}

static int single(mstate *ms, const char *s, const char *p, const char *ep)
{
	step(ms);
	if (s >= ms->src_end)
		return 0;
	int c = (unsigned char)*s;
	switch (*p) {
	case '.':
		return 1;
	case ESC:
		return class_has(c, (unsigned char)*(p + 1));
	case '[':
		return set_has(c, p, ep - 1);
	default:
		return (unsigned char)*p == c;
	}
}

static const char *balance(mstate *ms, const char *s, const char *p)
{
	if (p >= ms->p_end - 1)
		luaL_error(ms->L, "malformed pattern (missing arguments to '%%b')");
	if (s >= ms->src_end || *s != *p)
		return NULL;
	int open = *p, close = *(p + 1), depth = 1;
	while (++s < ms->src_end) {
		step(ms);
		if (*s == close) {
			if (--depth == 0)
				return s + 1;
		} else if (*s == open) {
			depth++;
		}
	}
	return NULL;
}

static const char *expand_max(mstate *ms, const char *s, const char *p, const char *ep)
{
	ptrdiff_t i = 0;
	while (single(ms, s + i, p, ep))
		i++;
	/* the longest run first, then one shorter at a time */
	for (; i >= 0; i--) {
		step(ms);
		const char *r = do_match(ms, s + i, ep + 1);
		if (r)
			return r;
	}
	return NULL;
}

static const char *expand_min(mstate *ms, const char *s, const char *p, const char *ep)
{
	for (;;) {
		step(ms);
		const char *r = do_match(ms, s, ep + 1);
		if (r)
			return r;
		if (!single(ms, s, p, ep))
			return NULL;
		s++;
	}
}

static const char *capture_start(mstate *ms, const char *s, const char *p, int what)
{
	if (ms->level >= LP_MAXCAPTURES)
		luaL_error(ms->L, "too many captures");
	ms->cap[ms->level].init = s;
	ms->cap[ms->level].len = what;
	ms->level++;
	const char *r = do_match(ms, s, p);
	if (!r)
		ms->level--; /* undo */
	return r;
}

static const char *capture_end(mstate *ms, const char *s, const char *p)
{
	int l = open_capture(ms);
	ms->cap[l].len = s - ms->cap[l].init;
	const char *r = do_match(ms, s, p);
	if (!r)
		ms->cap[l].len = CAP_UNFINISHED;
	return r;
}

static const char *backref(mstate *ms, const char *s, int l)
{
	l = check_capture(ms, l);
	size_t len = (size_t)ms->cap[l].len;
	if ((size_t)(ms->src_end - s) >= len && memcmp(ms->cap[l].init, s, len) == 0)
		return s + len;
	return NULL;
}

static const char *do_match(mstate *ms, const char *s, const char *p)
{
	if (ms->depth-- == 0)
		luaL_error(ms->L, "pattern too complex");
	while (p != ms->p_end) {
		step(ms);
		if (*p == '(') {
			s = p[1] == ')' ? capture_start(ms, s, p + 2, CAP_POSITION)
					: capture_start(ms, s, p + 1, CAP_UNFINISHED);
			goto done;
		}
		if (*p == ')') {
			s = capture_end(ms, s, p + 1);
			goto done;
		}
		if (*p == '$' && p + 1 == ms->p_end) {
			s = s == ms->src_end ? s : NULL;
			goto done;
		}
		if (*p == ESC && p + 1 < ms->p_end && p[1] == 'b') {
			s = balance(ms, s, p + 2);
			if (!s)
				goto done;
			p += 4;
			continue;
		}
		if (*p == ESC && p + 1 < ms->p_end && p[1] == 'f') {
			p += 2;
			if (*p != '[')
				luaL_error(ms->L, "missing '[' after '%%f' in pattern");
			const char *ep = class_end(ms, p);
			int prev = s == ms->src_init ? 0 : (unsigned char)*(s - 1);
			int cur = s < ms->src_end ? (unsigned char)*s : 0;
			if (set_has(prev, p, ep - 1) || !set_has(cur, p, ep - 1)) {
				s = NULL;
				goto done;
			}
			p = ep;
			continue;
		}
		if (*p == ESC && p + 1 < ms->p_end && isdigit((unsigned char)p[1])) {
			s = backref(ms, s, (unsigned char)p[1]);
			if (!s)
				goto done;
			p += 2;
			continue;
		}
		const char *ep = class_end(ms, p);
		char q = ep < ms->p_end ? *ep : '\0';
		if (!single(ms, s, p, ep)) {
			if (q == '*' || q == '?' || q == '-') { /* zero of them is fine */
				p = ep + 1;
				continue;
			}
			s = NULL;
			goto done;
		}
		if (q == '?') {
			const char *r = do_match(ms, s + 1, ep + 1);
			if (r) {
				s = r;
				goto done;
			}
			p = ep + 1;
			continue;
		}
		if (q == '+') {
			s = expand_max(ms, s + 1, p, ep);
			goto done;
		}
		if (q == '*') {
			s = expand_max(ms, s, p, ep);
			goto done;
		}
		if (q == '-') {
			s = expand_min(ms, s, p, ep);
			goto done;
		}
		s++;
		p = ep;
	}
done:
	ms->depth++;
	return s;
}

/* ------------------------------------------------------------ results */

static size_t push_capture(mstate *ms, int i, const char *s, const char *e)
{
	if (i >= ms->level) {
		if (i != 0)
			luaL_error(ms->L, "invalid capture index %%%d", i + 1);
		lua_pushlstring(ms->L, s, (size_t)(e - s)); /* the whole match */
		return (size_t)(e - s);
	}
	ptrdiff_t l = ms->cap[i].len;
	if (l == CAP_UNFINISHED)
		luaL_error(ms->L, "unfinished capture");
	if (l == CAP_POSITION)
		lua_pushinteger(ms->L, (ms->cap[i].init - ms->src_init) + 1);
	else
		lua_pushlstring(ms->L, ms->cap[i].init, (size_t)l);
	return 0;
}

static int push_captures(mstate *ms, const char *s, const char *e)
{
	int n = ms->level == 0 && s ? 1 : ms->level;
	luaL_checkstack(ms->L, n, "too many captures");
	for (int i = 0; i < n; i++)
		push_capture(ms, i, s, e);
	return n;
}

static void prepare(mstate *ms, lua_State *L, const char *fn, const char *s, size_t ls, const char *p, size_t lp,
		    long long budget)
{
	ms->L = L;
	ms->fn = fn;
	ms->src_init = s;
	ms->src_end = s + ls;
	ms->p_end = p + lp;
	/* a pattern that is linear in the text takes a few steps a byte:
	 * long texts get room in proportion, backtracking still trips it */
	ms->budget = budget + WEFT_LP_STEPS_PER_BYTE * (long long)ls;
	ms->steps = 0;
	ms->poll = lua_tocfunction(L, lua_upvalueindex(2));
}

static void restart(mstate *ms)
{
	ms->level = 0;
	ms->depth = LP_MAXDEPTH;
}

static long long budget_of(lua_State *L)
{
	return (long long)lua_tointeger(L, lua_upvalueindex(1));
}

/* Lua 5.4's start position: 1-based, negative from the end. */
static size_t start_at(lua_Integer pos, size_t len)
{
	if (pos > 0)
		return (size_t)pos;
	if (pos == 0 || pos < -(lua_Integer)len)
		return 1;
	return len + (size_t)pos + 1;
}

static int no_specials(const char *p, size_t l)
{
	for (size_t i = 0; i < l; i++)
		if (strchr(SPECIALS, p[i]) && p[i])
			return 0;
	return 1;
}

static int find_aux(lua_State *L, int find)
{
	size_t ls, lp;
	const char *s = luaL_checklstring(L, 1, &ls);
	const char *p = luaL_checklstring(L, 2, &lp);
	size_t init = start_at(luaL_optinteger(L, 3, 1), ls) - 1;
	if (init > ls) {
		luaL_pushfail(L);
		return 1;
	}
	if (find && (lua_toboolean(L, 4) || no_specials(p, lp))) {
		/* glibc's two-way search: linear, so plain finds need no budget */
		const char *at = memmem(s + init, ls - init, p, lp);
		if (at) {
			lua_pushinteger(L, (at - s) + 1);
			lua_pushinteger(L, (at - s) + (lua_Integer)lp);
			return 2;
		}
		luaL_pushfail(L);
		return 1;
	}
	mstate ms;
	const char *s1 = s + init;
	int anchor = *p == '^';
	if (anchor)
		p++, lp--;
	prepare(&ms, L, find ? "find" : "match", s, ls, p, lp, budget_of(L));
	do {
		restart(&ms);
		const char *e = do_match(&ms, s1, p);
		if (e) {
			if (find) {
				lua_pushinteger(L, (s1 - s) + 1);
				lua_pushinteger(L, e - s);
				return push_captures(&ms, NULL, NULL) + 2;
			}
			return push_captures(&ms, s1, e);
		}
	} while (s1++ < ms.src_end && !anchor);
	luaL_pushfail(L);
	return 1;
}

static int lp_find(lua_State *L)
{
	return find_aux(L, 1);
}

static int lp_match(lua_State *L)
{
	return find_aux(L, 0);
}

/* gmatch's state, a userdata upvalue beside the subject and the pattern
 * (upvalues 2 and 3, so their bytes stay alive). */
typedef struct gstate {
	const char *src, *p, *last;
	mstate ms;
} gstate;

static int gmatch_next(lua_State *L)
{
	gstate *g = lua_touserdata(L, lua_upvalueindex(1));
	g->ms.L = L;
	g->ms.steps = 0;
	for (const char *src = g->src; src <= g->ms.src_end; src++) {
		restart(&g->ms);
		const char *e = do_match(&g->ms, src, g->p);
		if (e && e != g->last) {
			g->src = g->last = e;
			return push_captures(&g->ms, src, e);
		}
	}
	return 0;
}

static int lp_gmatch(lua_State *L)
{
	size_t ls, lp;
	const char *s = luaL_checklstring(L, 1, &ls);
	const char *p = luaL_checklstring(L, 2, &lp);
	size_t init = start_at(luaL_optinteger(L, 3, 1), ls) - 1;
	long long budget = budget_of(L);
	lua_settop(L, 2);
	gstate *g = lua_newuserdatauv(L, sizeof *g, 0);
	if (init > ls)
		init = ls + 1; /* no match */
	prepare(&g->ms, L, "gmatch", s, ls, p, lp, budget);
	g->src = s + init;
	g->p = p;
	g->last = NULL;
	lua_pushvalue(L, 1);
	lua_pushvalue(L, 2);
	lua_pushcclosure(L, gmatch_next, 3);
	return 1;
}

static void add_string(mstate *ms, luaL_Buffer *b, const char *s, const char *e)
{
	size_t l;
	lua_State *L = ms->L;
	const char *r = lua_tolstring(L, 3, &l);
	const char *end = r + l;
	for (const char *p; (p = memchr(r, ESC, (size_t)(end - r))) != NULL; r = p + 1) {
		luaL_addlstring(b, r, (size_t)(p - r));
		p++;
		if (p == end || (*p != ESC && !isdigit((unsigned char)*p)))
			luaL_error(L, "invalid use of '%c' in replacement string", ESC);
		if (*p == ESC) {
			luaL_addchar(b, *p);
		} else if (*p == '0') {
			luaL_addlstring(b, s, (size_t)(e - s));
		} else {
			push_capture(ms, *p - '1', s, e);
			luaL_tolstring(L, -1, NULL);
			lua_remove(L, -2);
			luaL_addvalue(b);
		}
	}
	luaL_addlstring(b, r, (size_t)(end - r));
}

/* Adds the replacement of [s, e); 0 when the match stays as it was. */
static int add_value(mstate *ms, luaL_Buffer *b, const char *s, const char *e, int tr)
{
	lua_State *L = ms->L;
	if (tr == LUA_TFUNCTION) {
		lua_pushvalue(L, 3);
		int n = push_captures(ms, s, e);
		lua_call(L, n, 1);
	} else if (tr == LUA_TTABLE) {
		push_capture(ms, 0, s, e);
		lua_gettable(L, 3);
	} else {
		add_string(ms, b, s, e);
		return 1;
	}
	if (!lua_toboolean(L, -1)) {
		lua_pop(L, 1);
		luaL_addlstring(b, s, (size_t)(e - s));
		return 0;
	}
	if (!lua_isstring(L, -1))
		return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
	luaL_addvalue(b);
	return 1;
}

static int lp_gsub(lua_State *L)
{
	size_t srcl, lp;
	const char *src = luaL_checklstring(L, 1, &srcl);
	const char *p = luaL_checklstring(L, 2, &lp);
	const char *last = NULL;
	int tr = lua_type(L, 3);
	lua_Integer max_s = luaL_optinteger(L, 4, (lua_Integer)srcl + 1);
	int anchor = *p == '^';
	lua_Integer n = 0;
	int changed = 0;
	luaL_argexpected(L, tr == LUA_TNUMBER || tr == LUA_TSTRING || tr == LUA_TFUNCTION || tr == LUA_TTABLE, 3,
			 "string/function/table");
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	if (anchor)
		p++, lp--;
	mstate ms;
	prepare(&ms, L, "gsub", src, srcl, p, lp, budget_of(L));
	while (n < max_s) {
		restart(&ms);
		const char *e = do_match(&ms, src, p);
		if (e && e != last) {
			n++;
			changed = add_value(&ms, &b, src, e, tr) | changed;
			src = last = e;
		} else if (src < ms.src_end) {
			luaL_addchar(&b, *src++);
		} else {
			break;
		}
		if (anchor)
			break;
	}
	if (!changed) {
		lua_pushvalue(L, 1);
	} else {
		luaL_addlstring(&b, src, (size_t)(ms.src_end - src));
		luaL_pushresult(&b);
	}
	lua_pushinteger(L, n);
	return 2;
}

void weft_lp_install(lua_State *L, int idx, long long steps, lua_CFunction poll)
{
	static const luaL_Reg fns[] = {{"find", lp_find}, {"match", lp_match}, {"gmatch", lp_gmatch},
				       {"gsub", lp_gsub}, {NULL, NULL}};
	idx = lua_absindex(L, idx);
	for (const luaL_Reg *f = fns; f->name; f++) {
		lua_pushinteger(L, steps > 0 ? steps : WEFT_LP_DEFAULT_STEPS);
		if (poll)
			lua_pushcfunction(L, poll);
		else
			lua_pushnil(L);
		lua_pushcclosure(L, f->func, 2);
		lua_setfield(L, idx, f->name);
	}
}
