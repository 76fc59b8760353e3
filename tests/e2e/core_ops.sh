#!/bin/bash
# The core plugin's ops on real files: CSV edge cases (BOM, quoting, embedded
# newlines, header=false, ragged rows), JSON/YAML to values, concat/merge,
# export, and shell failures.
. "$(dirname "$0")/lib.sh"
cd "$T"
printf '\xEF\xBB\xBFname,qty,price\n"Smith, J",3,1.5\n"multi\nline",10,2\n' >bom.csv
printf 'a;b\n1;x\n2;y\n3;z\n' >semi.csv
printf 'a,b\n1,2\n3\n' >ragged.csv
printf '{"k": [1, 2.5, "s", null, true], "m": {"z": 1, "a": 2}}' >v.json
printf 'name: weft\nsizes: [1, 2]\nnested:\n  ok: true\n  country: no\n' >v.yaml

cat >csv.lua <<'LUA'
local t = ops.core.csv { name = "bom", file = weft.file("bom.csv") }
local h = ops.core.csv { name = "nohdr", file = weft.file("bom.csv"), header = false }
local s = ops.core.csv { name = "semi", file = weft.file("semi.csv"), delimiter = ";" }
local out = ops.core.export { name = "export", artifact = t.table, path = weft.path("exp/sub/table.csv") }
return { cols = t.columns, types = t.types, rows = t.rows, nohdr_cols = h.columns, nohdr_rows = h.rows,
         semi_types = s.types, semi_rows = s.rows, exported = out }
LUA
run_weft run csv.lua
expect_rc 0 "the CSV pipeline runs"
expect_out '"cols":["name","qty","price"]' "the BOM is not part of the first column name"
expect_out '"types":{"name":"string","price":"float","qty":"int"}' "column types are inferred"
expect_out '"rows":2' "a quoted field with an embedded newline stays one row"
expect_out '"nohdr_cols":["c1","c2","c3"]' "header=false names columns c1..cN"
expect_out '"nohdr_rows":3' "header=false keeps the first record as data"
expect_out '"semi_types":{"a":"int","b":"string"}' "a custom delimiter splits fields"
expect_out '"semi_rows":3' "and counts every row"
check "export wrote the normalised table" grep -q '^"Smith, J",3,1.5$' exp/sub/table.csv
check "the embedded newline survives normalisation" grep -q '^"multi$' exp/sub/table.csv
eq "$(head -1 exp/sub/table.csv)" "name,qty,price" "the normalised header has no BOM"
check "export left no temp file behind" test "$(ls exp/sub)" = "table.csv"
# The record names a node's log when the op wrote one (export logs what it
# wrote), and none for an op that neither logged nor asked for the path.
check "the record names export's log, which says what it wrote" grep -q "wrote" "$(rec '.nodes[] | select(.name == "export") | .log')"
eq "$(rec '.nodes[] | select(.name == "bom") | .log')" null "a node that logged nothing has no log in the record"

cat >ragged.lua <<'LUA'
return ops.core.csv { name = "rag", file = weft.file("ragged.csv") }
LUA
run_weft run ragged.lua
expect_rc 1 "a ragged CSV fails its node"
expect_err "line 3" "the error names the ragged line"
expect_err "rag" "the error names the node"

cat >values.lua <<'LUA'
local j = ops.core.json { name = "j", file = weft.file("v.json") }
local y = ops.core.yaml { name = "y", file = weft.file("v.yaml") }
local c = ops.core.concat { name = "c", items = { { 1, 2 }, { 3 }, 4 } }
local s = ops.core.concat { name = "s", items = { "a", "b", "c" }, sep = "-" }
local m = ops.core.merge { name = "m", first = { a = 1, b = 1 }, second = { b = 2, c = 3 } }
return { j = j, y = y, c = c, s = s, m = m }
LUA
run_weft run values.lua
expect_rc 0 "the value pipeline runs"
expect_out '"j":{"k":[1,2.5,"s",null,true],"m":{"a":2,"z":1}}' "JSON becomes a value with sorted keys"
expect_out '"nested":{"country":"no","ok":true}' "YAML 1.2 core schema: true is a bool, no stays a string"
expect_out '"sizes":[1,2]' "YAML flow lists become lists"
expect_out '"c":[1,2,3,4]' "concat flattens lists one level"
expect_out '"s":"a-b-c"' "concat joins strings with sep"
expect_out '"m":{"a":1,"b":2,"c":3}' "merge: the input whose name sorts last wins"

printf '{"k": [1, 2' >bad.json
cat >badjson.lua <<'LUA'
return ops.core.json { name = "bad", file = weft.file("bad.json") }
LUA
run_weft run badjson.lua
expect_rc 1 "malformed JSON fails its node"
expect_err "bad" "the error names the node"

cat >shfail.lua <<'LUA'
local ok = ops.core.shell { name = "ok", cmd = "echo fine", capture_stdout = true }
local bad = ops.core.shell { name = "bad", cmd = "echo oops >&2; exit 3" }
local noout = ops.core.shell { name = "noout", cmd = "true", outs = { "missing.txt" } }
return { ok = ok.stdout, bad = bad, noout = noout }
LUA
run_weft run -k shfail.lua
expect_rc 1 "a failing command fails the run"
expect_err "exited with status 3" "the error gives the exit status"
expect_err "oops" "the error shows the command's stderr"
expect_err "missing.txt" "a declared output the command did not create is named"
eq "$(rec '.nodes[] | select(.name == "ok") | .status')" done "-k: the independent node still ran"
# core.shell is a split op (ABI 1.9): in process, the engine spawns the
# command on its scheduling thread and finishes it there when it exits,
# unless its outputs pass 1 MiB, when the finish goes to a worker thread
# (WEFT_EHEAVY). Both ways store exactly the bytes the command wrote, and
# a start that fails (an input name that cannot be a variable) fails its
# node with the op's message while the others run.
cat >split.lua <<'LUA'
local big = ops.core.shell { name = "big", capture_stdout = true, outs = { "blob" },
  cmd = "head -c 3000000 /dev/urandom > $out && sha256sum < $out | cut -c1-64" }
local small = ops.core.shell { name = "small", capture_stdout = true, outs = { "t" },
  cmd = "echo tiny > $out && sha256sum < $out | cut -c1-64" }
local function verify(name, node)
  return ops.core.shell { name = name, blob = node.out, want = node.stdout, capture_stdout = true,
    cmd = 'test "$(sha256sum < "$blob" | cut -c1-64)" = "$want" && stat -c %s "$blob"' }.stdout
end
local badname = ops.core.shell { name = "badname", ["two words"] = 1, cmd = "true" }
return { big = verify("vbig", big), small = verify("vsmall", small), bad = badname }
LUA
run_weft run -k split.lua
expect_rc 1 "a split op whose start fails fails the run (-k: the rest runs)"
expect_err "cannot be an environment variable" "with the op's own message"
eq "$(rec '.nodes[] | select(.name == "vbig") | .status')" done "a 3 MB output, finished on a worker thread, is stored intact"
eq "$(rec '.nodes[] | select(.name == "vsmall") | .status')" done "a small output, finished on the scheduling thread, is stored intact"
run_weft run -k split.lua
eq "$(rec '.nodes[] | select(.name == "vbig") | .status')" cached "and both are served from the cache the next time"
# The command starts as a fresh process would: no signal blocked or
# ignored (weft blocks all while it spawns, and ignores SIGPIPE), stdin
# from /dev/null, its own process group (which weft kills after it), the
# work directory as its directory, and no descriptor of weft's open: the
# shell's descriptors are those of the same command started by this
# script's own shell (dash keeps copies of some for itself). In process
# the core plugin spawns with clone on its own stack, in a worker too.
# The shell reads its own status first, with builtins only: dash blocks
# every signal while it forks a command and clears the mask after, so a
# forked grep read the mask of that moment (3,000 runs of `sh -c 'true;
# grep SigBlk /proc/$$/status'` here: all blocked in 1,974), and after
# the first fork the mask weft gave is gone.
probe='ls /proc/$$/fd > fds'
cat >procstate.lua <<LUA
local cmd = [[
while IFS= read -r l; do case "\$l" in SigBlk:*) blk=\$l;; SigIgn:*) ign=\$l;; esac; done < /proc/\$\$/status
$probe
exec > \$out
echo "fds \$(sort -n fds | tr '\n' ' ')"
echo "\$blk"; echo "\$ign"
awk '{ print (\$1 == \$5) ? "group leader" : "not a group leader" }' /proc/\$\$/stat
echo "stdin \$(readlink /proc/\$\$/fd/0)"
[ "\$(pwd -P)" = "\$(cd "\$WEFT_WORKDIR" && pwd -P)" ] && echo "in the work directory"
rm fds
]]
local a = ops.core.shell { name = "inproc", cmd = cmd, outs = { "o" } }
local b = ops.core.shell { name = "inworker", cmd = cmd, outs = { "o" }, isolate = true }
return { a = ops.core.export { name = "ea", artifact = a.out, path = weft.path("ps-inproc.txt") },
         b = ops.core.export { name = "eb", artifact = b.out, path = weft.path("ps-inworker.txt") } }
LUA
run_weft run procstate.lua
expect_rc 0 "the process-state pipeline runs"
sh -c "$probe" </dev/null
plain=" $(sort -n fds | tr '\n' ' ')"
rm fds
for w in inproc inworker; do
  f=ps-$w.txt
  # (Signals 1-31: glibc's own posix_spawn, used where clone is not,
  # leaves its two internal real-time signals ignored.)
  blk=$(sed -n 's/^SigBlk:[[:space:]]*//p' $f) ign=$(sed -n 's/^SigIgn:[[:space:]]*//p' $f)
  eq "$((0x${blk:-1})) $((0x${ign:-1} & 0x7fffffff))" "0 0" "$w: the command starts with no signal blocked or ignored"
  check "$w: it leads its own process group" grep -qx "group leader" $f
  check "$w: its stdin is /dev/null" grep -qx "stdin /dev/null" $f
  check "$w: it runs in its work directory" grep -qx "in the work directory" $f
  extra=""
  for fd in $(sed -n 's/^fds //p' $f); do
    case "$plain" in *" $fd "*) ;; *) extra="$extra $fd" ;; esac
  done
  eq "$extra" "" "$w: no descriptor of weft's is left open in the command"
done
# Where clone(CLONE_VFORK) is refused (a seccomp profile written for
# glibc's calls, which use clone3), the spawn falls back to posix_spawn
# by itself: the commands run, in process and in a worker, as above.
rm -f ps-inproc.txt ps-inworker.txt
: "${NOVFORK:?set NOVFORK to the novfork helper (tests/helpers/novfork.c)}"
if "$NOVFORK" true; then
  "$NOVFORK" "$WEFT" run --force procstate.lua >"$T/out" 2>"$T/err"
  RC=$?
  sanitizer_clean
  expect_rc 0 "where the kernel refuses core.shell's clone, the commands still run"
  for w in inproc inworker; do
    check "$w: through posix_spawn, it leads its own process group" grep -qx "group leader" ps-$w.txt
    check "$w: and its stdin is /dev/null" grep -qx "stdin /dev/null" ps-$w.txt
  done
else
  echo "ok - # SKIP this machine does not let a process install a seccomp filter (novfork: $?)"
fi

# core.shell's output goes through a pipe into the node's log (ABI 1.10
# out_fd and pump): the log is made at the first byte, headed by the
# command line, or when the command fails; a silent success leaves none.
# 300 KB is several pipes' worth, so the engine must drain it while the
# command runs (in process) and so must the op's own wait (in a worker);
# a log is written while its command still runs.
cat >logs.lua <<'LUA'
local function loud(n) return "head -c 300000 /dev/zero | tr '\\0' x; echo; echo " .. n .. " >&2; echo ok > $out" end
local a = ops.core.shell { name = "silent", cmd = "echo quiet > $out", outs = { "o" } }
local b = ops.core.shell { name = "loud", cmd = loud("loud"), outs = { "o" } }
local c = ops.core.shell { name = "loudw", cmd = loud("loudw"), outs = { "o" }, isolate = true }
local d = ops.core.shell { name = "live", cmd = "echo started; while [ ! -e " .. weft.param("flag", "/", "") ..
  " ]; do sleep 0.05; done; echo z > $out", outs = { "o" } }
return { a = a.out, b = b.out, c = c.out, d = d.out }
LUA
"$WEFT" run logs.lua -p flag="$T/go.flag" >"$T/out" 2>"$T/err" &
lpid=$!
for _ in $(seq 200); do
  log=$(ls "$WEFT_STORE"/runs/*/logs/live.log 2>/dev/null | head -1)
  [ -n "$log" ] && grep -q started "$log" && break
  sleep 0.05
done
check "a running command's output is in its log before it ends" grep -q '^started$' "$log"
touch "$T/go.flag"
wait "$lpid"
RC=$?
sanitizer_clean
expect_rc 0 "the log pipeline runs"
eq "$(rec '.nodes[] | select(.name == "silent") | .log')" null "a command that printed nothing has no log"
check "and no log file" test ! -e "$(dirname "$log")/silent.log"
for n in loud loudw; do
  l=$(rec ".nodes[] | select(.name == \"$n\") | .log")
  eq "$(head -1 "$l")" "\$ head -c 300000 /dev/zero | tr '\\0' x; echo; echo $n >&2; echo ok > \$out" "$n: the log starts with the command line"
  eq "$(tail -n +2 "$l" | tr -cd x | wc -c)" 300000 "$n: and holds every byte the command wrote"
  eq "$(tail -1 "$l")" "$n" "$n: its stderr too, in order"
done
printf 'return ops.core.shell { name = "quietfail", cmd = "exit 4" }\n' > qf.lua
run_weft run qf.lua
expect_rc 1 "a silent command that fails"
check "has a log all the same, naming the command" grep -qx '\$ exit 4' "$(rec '.nodes[] | select(.name == "quietfail") | .log')"
# A list of files reaches core.shell as $k (joined by spaces) and as one
# variable per item, $k_1 .. $k_N with $k_N the count: a path with a space
# survives the latter (reliability issue).
mkdir -p "$T/sp"
printf 'one\n' > "$T/sp/a file.txt"
printf 'two\n' > "$T/sp/b.txt"
cat > "$T/sp/l.lua" <<'LUA'
local files = { weft.file("a file.txt"), weft.file("b.txt") }
return ops.core.shell { name = "cat", files = files, capture_stdout = true,
  cmd = 'n=$files_N; for i in $(seq "$n"); do eval f=\\"\\$files_$i\\"; cat "$f"; done; echo "count=$n"' }.stdout
LUA
export files_1=stale
run_weft run "$T/sp/l.lua"
unset files_1
expect_rc 0 "a shell node reading a list of files, one with a space in its name"
expect_out 'one' "reads the file whose name has a space"
expect_out 'count=2' "and \$files_N counts them (an inherited \$files_1 is shadowed)"
# core.csv reads through a window: a file several windows long, with
# quoted fields holding commas, doubled quotes and newlines and CRLF line
# ends wherever the window's edges fall, parses as Python's csv module
# parses it.
python3 - "$T/big.csv" "$T/big.expected" <<'PY'
import csv, io, random, sys
rnd = random.Random(7)
rows = [["id", "name", "note"]]
for i in range(60000):
    rows.append([str(i), rnd.choice(["plain", 'say "hi"', "a,b", "two\nlines", ""]) * rnd.randint(1, 3),
                 "x" * rnd.randint(0, 40)])
with open(sys.argv[1], "w", newline="") as f:
    csv.writer(f, lineterminator="\r\n").writerows(rows)
out = io.StringIO()
csv.writer(out, lineterminator="\n").writerows(rows)
open(sys.argv[2], "w", newline="").write(out.getvalue())
PY
cat > "$T/big.lua" <<'LUA'
local t = ops.core.csv { name = "big", file = weft.file("big.csv") }
ops.core.export { name = "save", artifact = t.table, path = weft.path("big.out") }
return t.rows
LUA
# Output paths: relative ones land in the directory weft runs in, or in
# --out DIR; a resume writes where the run wrote, wherever it is started.
mkdir -p "$T/outs/pipe" "$T/outs/here" "$T/outs/elsewhere"
cat >"$T/outs/pipe/exp.lua" <<'LUA'
local gate = weft.param("gate", "/", "a file that must exist")
local g = ops.core.shell { name = "gate", cmd = "test -e " .. gate .. " && echo open", capture_stdout = true }
local t = ops.core.shell { name = "make", cmd = "echo exported > $out", outs = { "txt" }, g = g.stdout }
return ops.core.export { name = "save", artifact = t.out, path = "res/x.txt" }
LUA
cd "$T/outs/here" || exit 1
run_weft run "$T/outs/pipe/exp.lua"
expect_rc 0 "a relative export path"
check "lands where weft was started" test -f "$T/outs/here/res/x.txt"
check "not beside the script" test ! -e "$T/outs/pipe/res"
run_weft run "$T/outs/pipe/exp.lua" --out ../o1
expect_rc 0 "--out DIR"
check "puts it under DIR" test -f "$T/outs/o1/res/x.txt"
expect_out "\"$T/outs/o1/res/x.txt\"" "and the node's value is the absolute destination"
run_weft run "$T/outs/pipe/exp.lua" -p gate="$T/outs/flag" -o "$T/outs/o3"
expect_rc 1 "a run that stops before its export"
touch "$T/outs/flag"
cd "$T/outs/elsewhere" || exit 1
run_weft resume
expect_rc 0 "resumed from another directory"
check "writes to the run's output directory" test -f "$T/outs/o3/res/x.txt"
check "and nothing where it was resumed" test ! -e "$T/outs/elsewhere/res"
cd "$T" || exit 1
run_weft run "$T/big.lua"
expect_rc 0 "a CSV of $(($(stat -c %s "$T/big.csv") / 1048576)) MiB, longer than core.csv's window"
expect_out "60000" "has all its rows"
check "and its table is what Python's csv module reads" cmp -s "$T/big.out" "$T/big.expected"
finish
