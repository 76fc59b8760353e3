/* The sandbox's pattern functions against Lua's own on any subject,
 * pattern and replacement (input: subject NUL pattern NUL replacement):
 * the same results, or an error from both. Subjects and patterns are
 * kept small, and patterns with more than four variable-length items are
 * run on weft's matcher alone, so Lua's unbudgeted one always finishes. */
#include <lauxlib.h>
#include <stdio.h>
#include <lualib.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lpattern.h"

static const char CMP[] =
	"local lp, o, s, p, r, lua_too = ...\n"
	"local function pack(ok, ...) return { ok = ok, n = select('#', ...), ... } end\n"
	"local function all(gm) local t = {} for a, b in gm(s, p) do t[#t + 1] = tostring(a) .. '|' .. tostring(b);"
	"  if #t > 20 then break end end return table.concat(t, ';') end\n"
	"local calls = {\n"
	"  { function(f) return f.find(s, p) end },\n"
	"  { function(f) return f.match(s, p, 2) end },\n"
	"  { function(f) return f.gsub(s, p, r) end },\n"
	"  { function(f) return all(f.gmatch) end },\n"
	"}\n"
	"for i, c in ipairs(calls) do\n"
	"  local b = pack(pcall(c[1], lp))\n"
	"  if lua_too then\n"
	"    local a = pack(pcall(c[1], o))\n"
	"    if a.ok ~= b.ok then return 'call ' .. i .. ': ok ' .. tostring(a.ok) .. ' vs ' .. tostring(b.ok) .. ' ' .. tostring(a[1]) .. ' / ' .. tostring(b[1]) end\n"
	"    if a.ok then\n"
	"      if a.n ~= b.n then return 'call ' .. i .. ': counts differ' end\n"
	"      for k = 1, a.n do if a[k] ~= b[k] then return 'call ' .. i .. ': result ' .. k .. ' differs' end end\n"
	"    end\n"
	"  end\n"
	"end\n"
	"return nil\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data;
	const char *z1 = memchr(d, 0, size);
	const char *z2 = z1 ? memchr(z1 + 1, 0, size - (size_t)(z1 + 1 - d)) : NULL;
	if (!z1 || !z2 || z1 - d > 64 || z2 - z1 - 1 > 32)
		return 0;
	size_t ls = (size_t)(z1 - d), lp = (size_t)(z2 - z1 - 1), lr = size - (size_t)(z2 + 1 - d);
	int variable = 0;
	for (size_t i = 0; i < lp; i++)
		variable += z1[1 + i] == '*' || z1[1 + i] == '+' || z1[1 + i] == '-';
	lua_State *L = luaL_newstate();
	if (!L)
		return 0;
	luaL_openlibs(L);
	if (luaL_loadstring(L, CMP) != LUA_OK)
		abort();
	lua_newtable(L);
	weft_lp_install(L, -1, 0, NULL);
	lua_getglobal(L, "string");
	lua_pushlstring(L, d, ls);
	lua_pushlstring(L, z1 + 1, lp);
	lua_pushlstring(L, z2 + 1, lr);
	lua_pushboolean(L, variable <= 4);
	if (lua_pcall(L, 6, 1, 0) != LUA_OK || !lua_isnil(L, -1)) {
		fprintf(stderr, "%s\n", lua_tostring(L, -1));
		abort();
	}
	lua_close(L);
	return 0;
}
