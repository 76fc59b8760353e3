/* The sandbox's budgeted string.find/match/gmatch/gsub against Lua's own:
 * the same results (values, captures, positions, counts) and the same
 * choice between a result and an error, on 40,000 generated patterns and
 * subjects, and the budget tripping fast on a pattern that backtracks for
 * hours in Lua's matcher. */
#include "test_util.h"

#include <lauxlib.h>
#include <lualib.h>
#include <time.h>

#include "lpattern.h"

static const char DIFF[] =
	"local lp, o = ...\n"
	"math.randomseed(7)\n"
	"local R = math.random\n"
	"local atoms = {'a','b','1',' ','.','%a','%d','%s','%w','%W','%l','%u','[ab]','[^a]','[a-c]','[%d ]',\n"
	"  '%%','%.','%(','[]]','[^]a]','%z','%Z'}\n"
	"local function item()\n"
	"  local r = R(20)\n"
	"  if r == 1 then return '%b()' elseif r == 2 then return '%f[%w]' elseif r == 3 then return '%1' end\n"
	"  local a = atoms[R(#atoms)]\n"
	"  local q = R(8)\n"
	"  if q == 1 then return a .. '*' elseif q == 2 then return a .. '+' elseif q == 3 then return a .. '-'\n"
	"  elseif q == 4 then return a .. '?' end\n"
	"  return a\n"
	"end\n"
	"local function pattern()\n"
	"  local parts, open = {}, 0\n"
	"  if R(5) == 1 then parts[#parts + 1] = '^' end\n"
	"  for _ = 1, R(0, 5) do\n"
	"    local r = R(9)\n"
	"    if r == 1 then parts[#parts + 1] = '('; open = open + 1\n"
	"    elseif r == 2 and open > 0 then parts[#parts + 1] = ')'; open = open - 1\n"
	"    elseif r == 3 then parts[#parts + 1] = '()'\n"
	"    else parts[#parts + 1] = item() end\n"
	"  end\n"
	"  if R(10) > 1 then for _ = 1, open do parts[#parts + 1] = ')' end end\n"
	"  if R(5) == 1 then parts[#parts + 1] = '$' end\n"
	"  return table.concat(parts)\n"
	"end\n"
	"local chars = {'a','b','1',' ','(',')','A','.','%',']'}\n"
	"local function subject()\n"
	"  local t = {}\n"
	"  for i = 1, R(0, 14) do t[i] = chars[R(#chars)] end\n"
	"  return table.concat(t)\n"
	"end\n"
	"local function same(f, g, ...)\n"
	"  local a = table.pack(pcall(f, ...))\n"
	"  local b = table.pack(pcall(g, ...))\n"
	"  if a[1] ~= b[1] then return false, 'ok ' .. tostring(a[1]) .. ' vs ' .. tostring(b[1]) .. ': ' .. tostring(a[2]) .. ' / ' .. tostring(b[2]) end\n"
	"  if not a[1] then return true end\n"
	"  if a.n ~= b.n then return false, 'results ' .. a.n .. ' vs ' .. b.n end\n"
	"  for i = 2, a.n do if a[i] ~= b[i] then return false, 'result ' .. (i - 1) .. ': ' .. tostring(a[i]) .. ' vs ' .. tostring(b[i]) end end\n"
	"  return true\n"
	"end\n"
	"local function all(gm, s, p, init)\n"
	"  local out = {}\n"
	"  for a, b, c in gm(s, p, init) do out[#out + 1] = tostring(a) .. '|' .. tostring(b) .. '|' .. tostring(c); if #out > 40 then break end end\n"
	"  return table.concat(out, ';')\n"
	"end\n"
	"local repls = {'<%0>', '%1', '[%1%1]', '%%', 'x', function(a) if a == 'a' then return nil end return '{' .. a .. '}' end,\n"
	"  {a = 'A', b = false}, function() return 1.5 end, 7}\n"
	"local n = 0\n"
	"for case = 1, 10000 do\n"
	"  local s, p = subject(), pattern()\n"
	"  local init = R(-6, 16)\n"
	"  local checks = {\n"
	"    {'find', o.find, lp.find, s, p, init, R(6) == 1},\n"
	"    {'match', o.match, lp.match, s, p, init},\n"
	"    {'gmatch', function(...) return all(o.gmatch, ...) end, function(...) return all(lp.gmatch, ...) end, s, p, init},\n"
	"    {'gsub', o.gsub, lp.gsub, s, p, repls[R(#repls)], R(4) == 1 and R(0, 3) or nil},\n"
	"  }\n"
	"  for _, c in ipairs(checks) do\n"
	"    local ok, why = same(c[2], c[3], table.unpack(c, 4, 7))\n"
	"    if not ok then error(string.format('%s(%q, %q, %s): %s', c[1], s, p, tostring(c[6]), why)) end\n"
	"    n = n + 1\n"
	"  end\n"
	"end\n"
	"return n\n";

static lua_State *state(long long steps)
{
	lua_State *L = luaL_newstate();
	assert_non_null(L);
	luaL_openlibs(L);
	return L;
}

static void test_same_results_as_lua(void **st)
{
	(void)st;
	lua_State *L = state(0);
	assert_int_equal(luaL_loadstring(L, DIFF), LUA_OK);
	lua_newtable(L);
	weft_lp_install(L, -1, 0, NULL);
	lua_getglobal(L, "string");
	if (lua_pcall(L, 2, 1, 0) != LUA_OK)
		fail_msg("%s", lua_tostring(L, -1));
	assert_int_equal(lua_tointeger(L, -1), 40000);
	lua_close(L);
}

/* Fixed cases the generator rarely makes: long texts, %b, %f, errors. */
static void test_fixed_cases(void **st)
{
	(void)st;
	lua_State *L = state(0);
	lua_newtable(L);
	weft_lp_install(L, -1, 0, NULL);
	lua_setglobal(L, "lp");
	const char *code =
		"assert(lp.find('hello world', 'o w') == 5)\n"
		/* a plain find is linear: a naive search would compare 2e11 bytes */
		"assert(lp.find(('a'):rep(2000000), ('a'):rep(100000) .. 'b', 1, true) == nil)\n"
		"assert(select(3, lp.find('key = value', '(%w+)%s*=%s*(%w+)')) == 'key')\n"
		"assert(lp.match('f(a(b)c) d', '%b()') == '(a(b)c)')\n"
		"assert(lp.gsub('THE (quick) fox', '%f[%a]%a+', 'W') == 'W (W) W')\n"
		"assert(select(2, lp.gsub(('x'):rep(100000), 'x', 'y')) == 100000)\n"
		"local t = {} for k, v in lp.gmatch('a=1, b=2', '(%w+)=(%w+)') do t[#t + 1] = k .. v end\n"
		"assert(table.concat(t, ',') == 'a1,b2')\n"
		"assert(lp.match('  x', '()x') == 3)\n"
		"assert(not pcall(lp.find, 'a', '%'))\n"
		"assert(not pcall(lp.find, 'a', '[a'))\n"
		"assert(not pcall(lp.gsub, 'a', 'a', '%2'))\n"
		"assert(not pcall(lp.match, 'a', '(a'))\n"
		"local ok, e = pcall(lp.match, ('a'):rep(300), ('(a)'):rep(40))\n"
		"assert(not ok and e:find('too many captures'))\n"
		"ok, e = pcall(lp.find, ('a'):rep(1000), ('a?'):rep(300))\n"
		"assert(not ok and e:find('pattern too complex'))\n"
		"return true\n";
	if (luaL_dostring(L, code) != LUA_OK)
		fail_msg("%s", lua_tostring(L, -1));
	lua_close(L);
}

/* Lua's own matcher would take hours: the budget stops it in about a
 * second, with an error that names the function. */
static void test_backtracking_trips_the_budget(void **st)
{
	(void)st;
	lua_State *L = state(0);
	lua_newtable(L);
	weft_lp_install(L, -1, 0, NULL);
	lua_setglobal(L, "lp");
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	int rc = luaL_dostring(L, "return lp.find(string.rep('a', 3000), '.-.-.-.-.-.-.-.-b')");
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_int_not_equal(rc, LUA_OK);
	assert_non_null(strstr(lua_tostring(L, -1), "string.find: the pattern took more than"));
	double secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	assert_true(secs < 10);
	lua_pop(L, 1);
	/* gmatch and gsub too, each call with its own budget */
	assert_int_not_equal(luaL_dostring(L, "for x in lp.gmatch(string.rep('a', 3000), '.-.-.-.-.-.-.-.-b') do end"), LUA_OK);
	assert_non_null(strstr(lua_tostring(L, -1), "string.gmatch:"));
	lua_pop(L, 1);
	assert_int_not_equal(luaL_dostring(L, "return lp.gsub(string.rep('a', 3000), '.-.-.-.-.-.-.-.-b', '')"), LUA_OK);
	assert_non_null(strstr(lua_tostring(L, -1), "string.gsub:"));
	lua_close(L);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_results_as_lua),
		cmocka_unit_test(test_fixed_cases),
		cmocka_unit_test(test_backtracking_trips_the_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
