#!/bin/bash
# require() finds modules in the pipeline's own repository first and then in
# stdlib/; a loop built with stdlib's iterate runs, reruns cached, and editing
# the module's code invalidates exactly the nodes that depend on it.
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/repo/lib"
export WEFT_STDLIB="$WEFT_SRC/stdlib"
cat >"$T/repo/lib/grow.lua" <<'LUA'
local M = {}
function M.step(r, state)
  return ops.core.shell {
    name = "grow_" .. r,
    x = tostring(state),
    cmd = "echo x >> \"${WEFT_COUNTER:-/dev/null}\"; echo $(( x * 2 ))",
    capture_stdout = true,
  }.stdout
end
return M
LUA
cat >"$T/repo/p.lua" <<'LUA'
local iterate = require("iterate")
local grow = require("lib.grow")
return iterate.loop {
  name = "double",
  init = 1,
  max_rounds = weft.param("max_rounds", 20),
  step = grow.step,
  done = function(result) return tonumber(result) >= 100 end,
}
LUA
export WEFT_COUNTER="$T/counter"
run_weft run "$T/repo/p.lua"
expect_rc 0 "the loop built from stdlib and a local module runs"
expect_out '"rounds":7' "it stops at the first power of two >= 100 (round 7)"
expect_out '"result":"128' "the final value is 128"
eq "$(wc -l <"$WEFT_COUNTER")" 7 "seven rounds executed"

run_weft run "$T/repo/p.lua"
eq "$(rec .counts.executed)" 0 "the rerun executes nothing"
eq "$(wc -l <"$WEFT_COUNTER")" 7 "and runs no shell step"

run_weft run "$T/repo/p.lua" -p max_rounds=3
expect_out '"converged":false' "a lower max_rounds stops early, not converged"
expect_out '"rounds":3' "after 3 rounds"

# Editing the local module changes the step's code: its nodes rerun.
sed -i 's/x \* 2/x * 3/' "$T/repo/lib/grow.lua"
run_weft run "$T/repo/p.lua"
expect_rc 0 "the edited module runs"
expect_out '"result":"243' "tripling reaches 243 (3^5)"

# A missing module names both places it looked.
printf 'local m = require("lib.nope")\n' >"$T/repo/bad.lua"
run_weft run "$T/repo/bad.lua"
expect_rc 2 "a missing module is a script error"
expect_err "bad.lua:1" "the error names the requiring line"
expect_err "lib/nope.lua" "the error names the module path"

# A bad loop spec fails at the caller's line, not inside stdlib.
printf 'local it = require("iterate")\nlocal r = it.loop { name = "x", step = 1, done = print }\nreturn r\n' >"$T/repo/badspec.lua"
run_weft run "$T/repo/badspec.lua"
expect_rc 2 "a bad iterate spec is a script error"
expect_err "badspec.lua:2: iterate.loop: step must be a function" "the error names the caller's line and says what is wrong"
finish
