/*
 * lpattern.h -- string.find, string.match, string.gmatch and string.gsub
 * for the sandbox, with Lua 5.4's pattern language and results, and a
 * step budget.
 *
 * Lua's own matcher runs inside one C call, where the sandbox's
 * instruction hook never fires: string.rep("a", 3000):find(".-.-.-.-b")
 * backtracks for hours, and inside a dynamic node it would block the run.
 * This matcher counts its steps (each attempt to match a pattern item at
 * a subject position) and raises a Lua error naming the function and the
 * budget when a call goes over it; between calls the hook keeps counting
 * as before.
 */
#ifndef WEFT_DSL_LPATTERN_H
#define WEFT_DSL_LPATTERN_H

#include <lua.h>

/* Steps one call may take by default (under a second of matching), and
 * per byte of the subject on top, so that a linear pattern over a long
 * text never trips it. */
#define WEFT_LP_DEFAULT_STEPS 200000000LL
#define WEFT_LP_STEPS_PER_BYTE 64LL

/* Replaces find, match, gmatch and gsub in the table at `idx` (a copy of
 * the string library) with the budgeted ones; `steps` is the budget of
 * one call (<= 0: the default). `poll`, if not NULL, is called every 2^20
 * steps with the calling state and may raise an error (lua_error) to end
 * the call: the sandbox checks its wall-clock limit and Ctrl-C there. */
void weft_lp_install(lua_State *L, int idx, long long steps, lua_CFunction poll);

#endif
