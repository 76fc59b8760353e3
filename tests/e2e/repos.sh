#!/bin/bash
# Pipeline repositories: weft init, provenance in the run record (commit,
# branch, dirty state, blob ids of what was read), runs at a revision
# straight from the object database with the keys they had when current,
# detached HEAD, and the error cases. Fixtures are made with libgit2
# (tests/helpers/gitfix), never with the git program.
. "$(dirname "$0")/lib.sh"
: "${GITFIX:?set GITFIX to the gitfix helper}"
g() { "$GITFIX" "$@"; }
cd "$T"

# ---- weft init ---------------------------------------------------------------
run_weft init repo
expect_rc 0 "weft init creates a pipeline repository"
expect_out "initialised a pipeline repository in repo (commit " "and says which commit"
check "with weft.yaml" test -f repo/weft.yaml
check "a starter pipeline" test -f repo/pipelines/hello.lua
check "a .gitignore that keeps the store out" grep -qx ".weft/" repo/.gitignore
INIT=$(g rev-parse repo HEAD)
check "and an initial commit" test ${#INIT} -eq 40
run_weft init repo
expect_rc 2 "weft init never overwrites"
expect_err "weft.yaml already exists" "and says which file is in the way"

cd repo
unset WEFT_STORE # the repository's own .weft, which .gitignore keeps out
latest_record() { ls -d .weft/runs/*/ | sort | tail -1 | sed 's,/$,/record.json,'; }
BRANCH=$(g head .)
run_weft run pipelines/hello.lua
expect_rc 0 "the starter pipeline runs"
expect_out 'shout = "HELLO, WORLD!"' "and greets"
check "the store is inside the repository" test -d .weft/runs
eq "$(rec '.git.commit')" "$INIT" "the record carries HEAD's commit"
eq "$(rec '.git.branch')" "$(g head .)" "and the branch"
eq "$(rec '.git.dirty')" false "a fresh repository is clean (the store is ignored)"
eq "$(rec '.git.files["pipelines/hello.lua"].blob')" "$(g blob . HEAD pipelines/hello.lua)" \
  "the record has the blob id of the script"

# ---- a pipeline with a module and a data file, at two revisions --------------
mkdir -p pipelines/lib data
cat >pipelines/lib/scale.lua <<'LUA'
local M = {}
M.factor = 2
return M
LUA
printf '1\n2\n3\n' >data/numbers.txt
printf 'notes\n' >notes.txt
cat >pipelines/sum.lua <<'LUA'
local scale = require("lib.scale")
local nums = weft.file("../data/numbers.txt")
local total = ops.core.shell { name = "total", nums = nums, capture_stdout = true,
  cmd = "awk '{ s += $1 } END { print s }' \"$nums\"" }
return ops.core.shell { name = "scaled", t = total.stdout, capture_stdout = true,
  cmd = "echo $(( $t * " .. scale.factor .. " ))" }.stdout
LUA
C1=$(g commit . "sum pipeline")
g tag . v1
run_weft run pipelines/sum.lua
expect_out 'scaled = "12"' "the sum pipeline runs at v1"
KEYS1=$(rec '[.nodes[] | "\(.name)=\(.key)"] | join(" ")')
eq "$(rec '.git.commit')" "$C1" "the record names the new commit"
eq "$(rec '.git.files | keys | join(" ")')" "data/numbers.txt pipelines/lib/scale.lua pipelines/sum.lua" \
  "every file the pipeline read is recorded"
eq "$(rec '.git.files["pipelines/lib/scale.lua"] | "\(.kind) \(.blob)"')" "module $(g blob . HEAD pipelines/lib/scale.lua)" \
  "modules with their blob ids"
eq "$(rec '.git.files["data/numbers.txt"].blob')" "$(g blob . HEAD data/numbers.txt)" "and data files"

# ---- a dirty work tree ---------------------------------------------------------
sed -i 's/factor = 2/factor = 3/' pipelines/lib/scale.lua
run_weft run pipelines/sum.lua
expect_out 'scaled = "18"' "the uncommitted change is what runs"
eq "$(rec '.git.dirty')" true "a dirty tree is flagged"
eq "$(rec '.git.dirty_read | join(" ")')" "pipelines/lib/scale.lua" "with the files read that differ from HEAD"
H1=$(rec '.git.dirty_diff_hash')
check "and a hash of their diff" test ${#H1} -eq 64
sed -i 's/factor = 3/factor = 4/' pipelines/lib/scale.lua
run_weft run pipelines/sum.lua
check "another diff has another hash" test "$(rec '.git.dirty_diff_hash')" != "$H1"
printf 'more notes\n' >>notes.txt
sed -i 's/factor = 4/factor = 2/' pipelines/lib/scale.lua
run_weft run pipelines/sum.lua
eq "$(rec '.git.dirty')" true "a change to a file the pipeline did not read still makes the tree dirty"
eq "$(rec '.git.dirty_read | length')" 0 "but no file it read differs"
eq "$(rec '.git.dirty_diff_hash')" null "so there is no diff hash"

# ---- a second revision, then the first one again with --rev -------------------
sed -i 's/factor = 2/factor = 10/' pipelines/lib/scale.lua
printf '5\n' >>data/numbers.txt
C2=$(g commit . "factor 10, more numbers")
run_weft run pipelines/sum.lua
expect_out 'scaled = "110"' "HEAD runs the new revision"
check "with other keys" test "$(rec '[.nodes[] | "\(.name)=\(.key)"] | join(" ")')" != "$KEYS1"
run_weft run --rev v1 pipelines/sum.lua
expect_rc 0 "weft run --rev v1 runs the old revision without a checkout"
expect_out 'scaled = "12"' "with the old module and the old data"
eq "$(rec '[.nodes[] | "\(.name)=\(.key)"] | join(" ")')" "$KEYS1" "the node keys are exactly those of v1"
eq "$(rec '[.nodes[] | .status] | unique | join(",")')" cached "so its results come from the shared cache"
eq "$(rec '.git.rev + " " + .git.commit')" "v1 $C1" "the record names the revision and its commit"
eq "$(g rev-parse . HEAD)" "$C2" "HEAD did not move"
eq "$(cat pipelines/lib/scale.lua | grep -c 'factor = 10')" 1 "the work tree is untouched"
run_weft run --rev "$C1" pipelines/sum.lua
expect_out 'scaled = "12"' "a commit id works as a revision"
g branch . old-sum
run_weft run --rev HEAD~1 pipelines/sum.lua
expect_out 'scaled = "12"' "and so does HEAD~1"

# ---- detached HEAD ---------------------------------------------------------------
g checkout . v1 --detach
run_weft run pipelines/sum.lua
expect_rc 0 "a detached HEAD works"
eq "$(rec '.git.detached') $(rec '.git.branch') $(rec '.git.commit')" "true null $C1" "and is recorded as detached"
run_weft log
expect_out "(detached)" "weft log marks the detached run"
expect_out "@v1" "and the run at a revision"
g checkout . "$BRANCH"

# ---- errors ----------------------------------------------------------------------
run_weft run --rev no-such-tag pipelines/sum.lua
expect_rc 2 "a bad revision is refused"
expect_err "unknown revision 'no-such-tag'" "and named"
cat >pipelines/new.lua <<'LUA'
return ops.core.value { name = "v", value = 1 }
LUA
g commit . "new pipeline" >/dev/null
run_weft run --rev v1 pipelines/new.lua
expect_rc 2 "a script missing at the revision is refused"
expect_err "pipelines/new.lua does not exist at revision v1 (commit ${C1:0:12})" "with the path and the revision"
cat >pipelines/needs.lua <<'LUA'
local m = require("lib.later")
return ops.core.value { name = "v", value = m.x }
LUA
printf 'return { x = 1 }\n' >pipelines/lib/later.lua
run_weft run pipelines/needs.lua
expect_rc 0 "a new module works in the work tree"
g commit . "needs" >/dev/null
g tag . v3
rm pipelines/lib/later.lua
g commit . "drop later" >/dev/null
run_weft run --rev v3 pipelines/needs.lua
expect_rc 0 "a module deleted since is read from the revision"
mkdir -p "$T/plain" && printf 'return 1\n' >"$T/plain/p.lua"
cd "$T/plain"
run_weft run --rev v1 p.lua
expect_rc 2 "--rev outside a repository is refused"
expect_err "is not inside a git repository" "with a clear message"
g init-bare "$T/bare.git"
printf 'return 1\n' >"$T/bare.git/p.lua"
cd "$T/bare.git"
run_weft run --rev HEAD p.lua
expect_rc 2 "a bare repository is refused"
expect_err "is a bare git repository" "and called bare"
# ---- large files at a revision stream from the object database ----------------
# Loose, packed whole, and packed as a delta (libgit2 rebuilds that one):
# each must read exactly; a damaged pack must fail, never give other bytes.
cd "$T"
run_weft init big
cd big
mkdir -p data
awk 'BEGIN { srand(7); for (i = 1; i <= 60000; i++) printf "%d,%d,row %d\n", i, int(rand() * 1e6), i }' >data/big.csv
cat >pipelines/big.lua <<'LUA'
return ops.core.shell { name = "sum", d = weft.file("../data/big.csv"), capture_stdout = true,
  cmd = "cksum < \"$d\"" }.stdout
LUA
g commit . "big v1" >/dev/null
g tag . b1
W1=$(cksum <data/big.csv)
sed -i 's/^30000,.*/30000,0,changed/' data/big.csv
g commit . "big v2" >/dev/null
g tag . b2
W2=$(cksum <data/big.csv)
check "the two versions differ" test "$W1" != "$W2"
run_weft run --rev b1 pipelines/big.lua
expect_out "sum = \"$W1\"" "a loose blob read at a revision is exact"
eq "$(rec '.git.files["data/big.csv"].blob')" "$(g blob . b1 data/big.csv)" "and recorded with its blob id"
g pack .
check "the fixture is packed: no loose object is left" \
  test -z "$(find .git/objects -mindepth 2 -path '*/objects/[0-9a-f][0-9a-f]/*' -type f)"
for rev in b1 b2; do
  want=$W1; [ $rev = b2 ] && want=$W2
  run_weft run --rev $rev pipelines/big.lua
  expect_out "sum = \"$want\"" "a packed blob (one of the two is a delta) read at $rev is exact"
done
pack=$(ls .git/objects/pack/*.pack)
chmod u+w "$pack"
size=$(stat -c %s "$pack")
printf '\xff\xff\xff\xff' | dd of="$pack" bs=1 seek=$((size / 2)) conv=notrunc status=none
for rev in b1 b2; do
  run_weft run --rev $rev pipelines/big.lua
  expect_rc 2 "a damaged pack fails the run at $rev"
  expect_err "git fsck" "and says to check the repository"
done

# ---- weft diff and weft blame ----------------------------------------------------
cd "$T"
run_weft init dr
cd dr
mkdir -p pipelines/lib data
printf 'return { factor = 2 }\n' >pipelines/lib/scale.lua
printf '1\n2\n' >data/n.txt
cat >pipelines/sum.lua <<'LUA'
local scale = require("lib.scale")
local n = weft.param("n", 1, "a value for the side node")
local total = ops.core.shell { name = "total", nums = weft.file("../data/n.txt"), capture_stdout = true,
  cmd = "awk '{ s += $1 } END { print s }' \"$nums\"" }
local scaled = ops.core.shell { name = "scaled", t = total.stdout, capture_stdout = true,
  cmd = "echo $(( $t * " .. scale.factor .. " ))" }
local side = ops.core.value { name = "side", value = n }
return { scaled.stdout, side }
LUA
D1=$(g commit . "sum")
g tag . d1
printf '7\n' >>data/n.txt
D2=$(g commit . "more data")
sed -i 's/factor = 2/factor = 5/' pipelines/lib/scale.lua
D3=$(g commit . "factor 5")
printf 'docs\n' >README.txt
D4=$(g commit . "docs only")
run_weft diff d1 "$D2" pipelines/sum.lua
expect_rc 0 "weft diff compares two revisions"
eq "$(grep -c '^changed' "$T/out")" 2 "a data change changes exactly the node reading it and its dependant"
expect_out "changed  total  input 'nums' changed (file content)" "the reader, because of the file"
expect_out "changed  scaled  input 't' changed (upstream 'total' changed)" "the dependant, because of its upstream"
expect_out "1 unchanged" "the side node is unchanged"
run_weft diff "$D2" "$D3" pipelines/sum.lua
eq "$(grep '^changed' "$T/out")" "changed  scaled  param 'cmd' changed (\"echo \$(( \$t * 2 ))\" -> \"echo \$(( \$t * 5 ))\")" \
  "a module change shows as the param it feeds"
run_weft diff "$D3" "$D4" pipelines/sum.lua
expect_out "0 changed, 0 added, 0 removed, 3 unchanged" "a commit that touches nothing the pipeline reads changes no node"
run_weft diff d1 pipelines/sum.lua -p n=3
eq "$(grep -c 'changed  side' "$T/out")" 0 "-p applies to both sides (here d1 and the work tree), so side does not differ"
expect_out "d1..work tree: 2 changed" "one revision compares with the work tree"
run_weft run pipelines/sum.lua
RUN=$(basename "$(dirname "$(latest_record)")")
run_weft blame "$RUN" scaled
expect_out "$D3" "weft blame names the commit that last changed a node's inputs"
expect_out "param 'cmd' changed" "and what changed"
run_weft blame "$RUN" total
expect_out "$D2" "for an input file, the commit that changed the file"
run_weft blame "$RUN" side
expect_out "$D1" "a node unchanged since it was added is blamed on the commit that added it"
run_weft blame "$RUN" nosuch
expect_rc 2 "blaming a node that does not exist fails"
expect_err "node 'nosuch' is not in the pipeline" "and says so"
sed -i 's/weft.param("n", 1,/weft.param("n", 4,/' pipelines/sum.lua
D5=$(g commit . "n defaults to 4")
run_weft run pipelines/sum.lua
RUN5=$(basename "$(dirname "$(latest_record)")")
check "the record says which params were given (none here)" sh -c "jq -e '.params_given == {}' '$(latest_record)' >/dev/null"
run_weft blame "$RUN5" side
expect_out "$D5" "a changed default is blamed on the commit that changed it"
run_weft run pipelines/sum.lua -p n=4
RUN6=$(basename "$(dirname "$(latest_record)")")
check "a param given with -p is recorded as given" sh -c "jq -e '.params_given == {\"n\": 4}' '$(latest_record)' >/dev/null"
run_weft blame "$RUN6" side
expect_out "$D1" "a value given with -p is replayed as given, so the default's change is not the node's"

# libgit2 is mapped only for pipelines in a repository, and only for what
# .git's own files cannot answer (here --rev: another revision's files),
# and weft's stand-in for mbedTLS's CA loader is what it binds (so the
# system CA bundle is not parsed on every run; engine/repo.c).
LD_DEBUG=bindings "$WEFT" plan --rev HEAD "$T/repo/pipelines/hello.lua" 2>"$T/bindings" >/dev/null || true
check "libgit2 binds the CA loader to weft's stand-in" \
  grep -q "libgit2.*to .*weft.*mbedtls_x509_crt_parse_file" "$T/bindings"
mkdir -p "$T/norepo" && cp "$T/repo/pipelines/hello.lua" "$T/norepo/p.lua"
LD_DEBUG=files "$WEFT" plan "$T/norepo/p.lua" 2>"$T/files" >/dev/null || true
check "outside a repository libgit2 is never loaded" sh -c "! grep -q 'file=libgit2' '$T/files'"
check "and neither is libarchive" sh -c "! grep -q 'file=libarchive' '$T/files'"
finish
