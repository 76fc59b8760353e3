#!/bin/bash
# Every class of script error exits 2 with a message naming the file, the
# line or the node, and what to do.
. "$(dirname "$0")/lib.sh"
script() { cat > "$T/$1.lua"; }
EXTRA=""

# err NAME EXPECTED_SUBSTRING... : runs $T/NAME.lua, expects exit 2 and each substring
err() {
  local name=$1; shift
  run_weft run "$T/$name.lua" $EXTRA
  expect_rc 2 "$name: exit status"
  for s in "$@"; do expect_err "$s" "$name: says '$s'"; done
}

script unknown_op <<'LUA'
local a = ops.core.value { value = 1 }
weft.node("core.shel", { cmd = "true" })
LUA
err unknown_op "unknown_op.lua:2" "unknown op 'core.shel'" "did you mean 'core.shell'"

script unknown_plugin_op <<'LUA'
local x = ops.core.csvv { file = weft.file("unknown_plugin_op.lua") }
LUA
err unknown_plugin_op "unknown_plugin_op.lua:1" "unknown op 'core.csvv' (did you mean 'core.csv'?)"
check "the unknown op's file:line is said once" [ "$(grep -o 'unknown_plugin_op.lua:1' "$T/err" | wc -l)" = 1 ]

script no_plugin <<'LUA'
local x = ops.imagez.resize { size = 3 }
LUA
err no_plugin "no_plugin.lua:1" "no plugin 'imagez' is installed" "weft plugin install"

script misspelt_variadic <<'LUA'
local a = ops.core.shell { name = "a", cmd = "echo $x", capture_stdot = true }
LUA
err misspelt_variadic "misspelt_variadic.lua:1" "'capture_stdot' is not a parameter of core.shell" \
  "did you mean 'capture_stdout'" "inputs = { capture_stdot = ... }"

script misspelt_required <<'LUA'
local a = ops.core.shell { name = "a", comand = "echo hi" }
LUA
err misspelt_required "misspelt_required.lua:1" "'comand' is not a parameter of core.shell (did you mean 'cmd'?)"

script input_named_like_param <<'LUA'
return ops.core.shell { name = "a", cmd = "echo $capture_stdot", inputs = { capture_stdot = "kept" }, capture_stdout = true }
LUA
run_weft run -q "$T/input_named_like_param.lua"
expect_rc 0 "an input named like a parameter is given through inputs = {...}"

script missing_param <<'LUA'
ops.core.shell { name = "s" }
LUA
err missing_param "missing_param.lua:1" "node 's'" "needs parameter 'cmd'"

script extra_param <<'LUA'
local t = ops.core.csv { name = "t", file = weft.file("extra_param.lua"), delimeter = ";" }
LUA
err extra_param "extra_param.lua:1" "node 't'" "no parameter or input 'delimeter'" "did you mean 'delimiter'"

script wrong_type <<'LUA'
ops.core.csv { name = "t", file = weft.file("wrong_type.lua"), header = "yes" }
LUA
err wrong_type "wrong_type.lua:1" "parameter 'header' of op core.csv must be bool, got string"

script missing_input <<'LUA'
ops.core.csv { name = "t" }
LUA
err missing_input "missing_input.lua:1" "needs input 'file'" 'give it as `file = ' 'see `weft ops core.csv`'

script cycle <<'LUA'
local a = ops.core.concat { name = "a", items = { weft.ref("c") } }
local b = ops.core.concat { name = "b", items = { a } }
local c = ops.core.concat { name = "c", items = { b } }
LUA
err cycle "dependency cycle" "'a'" "'b'" "'c'" "acyclic"

script unknown_ref <<'LUA'
ops.core.concat { name = "a", items = { weft.ref("nosuch") } }
LUA
err unknown_ref "unknown_ref.lua:1" "reference to unknown node 'nosuch'"

script unknown_output <<'LUA'
local t = ops.core.csv { name = "t", file = weft.file("unknown_output.lua") }
ops.core.concat { name = "a", items = { t.tabel } }
LUA
err unknown_output "unknown_output.lua:2" "has no output 'tabel'" "table, columns, types, rows"

script duplicate <<'LUA'
ops.core.value { name = "x", value = 1 }
ops.core.value { name = "x", value = 2 }
LUA
err duplicate "duplicate.lua:2" "duplicate node name" "duplicate.lua:1"

script syntax <<'LUA'
local x = = 3
LUA
err syntax "syntax.lua:1" "unexpected symbol"

script runtime <<'LUA'
local t = nil
local y = t.field
LUA
err runtime "runtime.lua:2" "attempt to index a nil value"

script missing_file <<'LUA'
local f = weft.file("no/such.csv")
LUA
err missing_file "missing_file.lua:1" "no/such.csv" "does not exist"

script forbidden_os <<'LUA'
local now = os.time()
LUA
err forbidden_os "forbidden_os.lua:1" "global 'os'"

script forbidden_random <<'LUA'
local r = math.random()
LUA
err forbidden_random "math.random is not available"

script endless <<'LUA'
while true do end
LUA
err endless "endless.lua:1" "VM instructions"

script bad_require <<'LUA'
local m = require("nosuchmodule")
LUA
err bad_require "bad_require.lua:1" "module 'nosuchmodule' not found"

script binary_chunk <<'LUA'
local f = load("\27Lua")
assert(f, "binary chunks are refused")
LUA
err binary_chunk "binary chunks are refused"

script param_ref <<'LUA'
local a = ops.core.value { name = "a", value = 1 }
ops.core.shell { name = "s", cmd = a }
LUA
err param_ref "param_ref.lua:2" "parameter 'cmd' of op core.shell is a node output"

script required_param <<'LUA'
local n = weft.param("n", nil, "how many")
LUA
err required_param "required_param.lua:1" "parameter 'n' is required: pass -p n=VALUE"

script int_param <<'LUA'
local n = weft.param("n", 3)
LUA
EXTRA="-p n=abc" err int_param "parameter 'n' expects an integer"
EXTRA="-p m=4" err int_param "-p sets parameter 'm'" "does not declare it" "it declares: n"

printf 'n: [1, 2\n' > "$T/bad.yaml"
run_weft run "$T/int_param.lua" --params "$T/bad.yaml"
expect_rc 2 "bad params YAML: exit status"
expect_err "bad.yaml:" "bad params YAML names the file"

run_weft run "$T/no_such_script.lua"
expect_rc 2 "missing script: exit status"
expect_err "cannot read pipeline script" "missing script: says so"

run_weft runn x.lua
expect_rc 2 "unknown command: exit status"
expect_err "did you mean 'run'" "unknown command: suggests one"

# Errors outside the script say what to do next as well.
run_weft show nosuchrun
expect_rc 2 "show of an unknown run: exit status"
expect_err "nothing to resume; run the pipeline again" "show of an unknown run: says what to do"
run_weft status --bogus-flag-xyz
expect_rc 2 "status with a bad flag: exit status"

# A failing node (not a script error) exits 1, names the node, keeps its log.
script failing <<'LUA'
ops.core.shell { name = "bad", cmd = "echo oops >&2; exit 3" }
ops.core.shell { name = "good", cmd = "sleep 0.3; echo fine > $out", outs = { "f" } }
LUA
run_weft run -j 2 "$T/failing.lua"
expect_rc 1 "a failing node exits 1"
expect_err "FAILED bad: command exited with status 3" "the failure names the node and status"
check "the node's log holds its stderr" grep -q oops "$(rec '.nodes[] | select(.name == "bad") | .log')"
eq "$(rec '.nodes[] | select(.name == "good") | .status')" done "the branch already running finishes"
run_weft run -j 1 "$T/failing.lua"
eq "$(rec '.nodes[] | select(.name == "bad") | .status')" failed "fail-fast: the failed node"
run_weft run -j 1 -k "$T/failing.lua"
expect_rc 1 "--keep-going still exits 1"
eq "$(rec '.nodes[] | select(.name == "good") | .status')" cached "--keep-going runs (here: takes from cache) independent branches"

# Fail-fast at -j 1: the failed command's slot goes to no other node.
script failing1 <<'LUA'
ops.core.shell { name = "bad1", cmd = "exit 4" }
ops.core.shell { name = "good1", cmd = "echo fine1 > $out", outs = { "f" } }
LUA
run_weft run -j 1 "$T/failing1.lua"
expect_rc 1 "a failing node at -j 1 exits 1"
eq "$(rec '.nodes[] | select(.name == "good1") | .status')" skipped "fail-fast at -j 1: nothing starts after the failure"

# A command that exits 0 hands its slot on before its outputs are stored:
# at -j 1 the next runnable node starts before the first one's end is
# journaled, unless it waits for that node (then nothing else can start).
script refill <<'LUA'
local a = ops.core.shell { name = "a", cmd = "echo a > $out", outs = { "o" } }
ops.core.shell { name = "b", cmd = "echo b > $out", outs = { "o" } }
ops.core.shell { name = "c", x = a.out, cmd = "cat $x > $out", outs = { "o" } }
LUA
run_weft run -j 1 "$T/refill.lua"
expect_rc 0 "the refill pipeline runs"
order=$(jq -r 'select(.ev == "start" or .ev == "finish") | .ev + " " + .node' \
  "$(dirname "$(latest_record)")/journal" | tr '\n' ',')
case "$order" in
  "start a,start b,finish a,"*) pass "at -j 1, b starts as a's command exits, before a's end is journaled" ;;
  *) fail "refill order: got '$order'" ;;
esac
eq "$(rec '.nodes[] | select(.name == "c") | .status')" done "the node that waited for a ran after it"

# A plugin whose descriptor crashes whoever reads it is described in a child
# process: weft refuses it by name instead of dying with it.
mkdir -p "$T/badplug/build"
cp "$WEFT_BUILD/tests/testplugins/bad_desc.so" "$T/badplug/build/"
for cmd in plugins "plan $T/failing.lua" ops; do
  WEFT_PLUGIN_PATH="$T/badplug/build" run_weft $cmd
  expect_rc 2 "weft $cmd with a crashing plugin on the path"
  expect_err "bad_desc.so" "weft $cmd names the plugin's file"
  expect_err "while describing itself" "weft $cmd says what went wrong"
done
printf '# bad\n' > "$T/badplug/README.md"
run_weft plugin pack "$T/badplug" -o "$T/bad.tar.zst"
expect_rc 2 "weft plugin pack of a crashing plugin"
expect_err "while describing itself" "weft plugin pack says why"
check "and writes no package" test ! -e "$T/bad.tar.zst"
# A YAML "billion laughs" (aliases of aliases) in weft.yaml or a params
# file is refused at once, not expanded until memory runs out.
mkdir -p "$T/laughs/.git"
{
  echo 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'
  for i in $(seq 1 12); do
    printf 'a%d: &a%d [' "$i" "$i"; for k in $(seq 1 10); do printf '*a%d, ' $((i - 1)); done; echo 'x]'
  done
} > "$T/laughs/weft.yaml"
echo 'return 1' > "$T/laughs/p.lua"
start=$(date +%s)
run_weft plan "$T/laughs/p.lua"
expect_rc 2 "weft plan with a billion-laughs weft.yaml is refused"
expect_err "expands to more than 1000000 values" "and says why, naming the limit"
expect_err "laughs/weft.yaml" "and names the file"
check "in seconds ($(( $(date +%s) - start )) s)" [ $(( $(date +%s) - start )) -le 10 ]
cp "$T/laughs/weft.yaml" "$T/laughs.yaml"
run_weft run "$T/int_param.lua" --params "$T/laughs.yaml"
expect_rc 2 "a billion-laughs params file is refused"
expect_err "expands to more than" "and says why"
# A parameter with a NUL byte would run as its text up to the NUL, under a
# key of its own: refused, naming the parameter.
script nulparam <<'LUA'
ops.core.shell { name = "n", cmd = "echo a\0b" }
LUA
err nulparam "nulparam.lua:1" "parameter 'cmd' of op core.shell contains a NUL byte"

# A symbolic link as an output would cache whatever it points at today.
script symout <<'LUA'
ops.core.shell { name = "link", cmd = "echo x > real; ln -s real $out", outs = { "o" } }
LUA
run_weft run "$T/symout.lua"
expect_rc 1 "an output that is a symbolic link fails its node"
expect_err "declared output 'o' is a symbolic link" "and says so"

# A new store is private: the copies of every file scripts read are too.
check "a new store's root is mode 700" [ "$(stat -c %a "$WEFT_STORE")" = 700 ]
# The script's budget is a time as well as a count: weft.yaml sets it.
mkdir -p "$T/slowscript/.git"
printf 'limits:\n  script_seconds: 0.5\n' > "$T/slowscript/weft.yaml"
echo "for i = 1, 1000000000 do local s = string.rep('x', 100000) end" > "$T/slowscript/p.lua"
start=$(date +%s)
run_weft plan "$T/slowscript/p.lua"
expect_rc 2 "a script over its time budget fails"
expect_err "p.lua:1: script evaluation exceeded its time budget of 0.5" "naming the line and the budget"
check "within seconds ($(( $(date +%s) - start )) s)" [ $(( $(date +%s) - start )) -le 5 ]
printf 'limits:\n  script_seconds: soon\n' > "$T/slowscript/weft.yaml"
run_weft plan "$T/slowscript/p.lua"
expect_rc 2 "a bad limits.script_seconds is refused"
expect_err "limits.script_seconds must be a number of seconds" "with what it must be"
# A script error names its place once, whichever way the node was made.
printf 'local a = 1\nlocal n = weft.node("core.noop", { 5 })\nreturn n\n' > "$T/pos1.lua"
printf 'local a = 1\n\nlocal n = ops.core.noop { 5 }\nreturn n\n' > "$T/pos2.lua"
printf 'return weft.fn { fn = 3 }\n' > "$T/pos3.lua"
for f in pos1:2 pos2:3 pos3:1; do
  run_weft plan "$T/${f%%:*}.lua"
  expect_rc 2 "${f%%:*}: the bad call is refused"
  eq "$(grep -o "${f%%:*}.lua:${f#*:}:" "$T/err" | wc -l)" 1 "${f%%:*}: the message names ${f%%:*}.lua:${f#*:} once"
done
finish
