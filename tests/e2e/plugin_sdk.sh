#!/bin/bash
# The third-party plugin workflow, end to end, with nothing but the installed
# SDK: install weft to a prefix; scaffold a plugin; build it out of tree; run
# its cmocka test; pack it; install it into a fresh user directory; use it
# from a pipeline. Then the same for examples/plugin-hello, and the refusals:
# ABI mismatch, duplicate op names, bad packages.
. "$(dirname "$0")/lib.sh"
: "${WEFT_BUILD:?set WEFT_BUILD to the weft build directory}"
P="$T/prefix"
export HOME="$T/home" XDG_DATA_HOME="$T/xdg"
unset WEFT_PLUGIN_PATH
mkdir -p "$HOME"
cmake_flags=(-G Ninja -DCMAKE_PREFIX_PATH="$P")
if [ "${WEFT_SANITIZE:-OFF}" = ON ]; then
  # The harness library is instrumented, so whatever links it must be too.
  cmake_flags+=(-DCMAKE_C_FLAGS="-fsanitize=address,undefined" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined")
fi

check "cmake --install puts the SDK under a prefix" cmake --install "$WEFT_BUILD" --prefix "$P"
WEFT="$P/bin/weft"
check "the header is installed" test -f "$P/include/weft/plugin.h"
check "pkg-config finds weft" env PKG_CONFIG_PATH="$P/lib/pkgconfig" pkg-config --exists weft
# The shipped pipelines install with the data they read, and run from the
# prefix into an output directory, reading nothing from the source tree.
check "the pipelines are installed" test -f "$P/share/weft/pipelines/automat.lua"
check "with the Auto-BI model and the AutoMat templates beside them" \
  test -f "$P/share/weft/plugins/autobi/model/joins.json" -a -f "$P/share/weft/plugins/automat/templates/2H-MoS2.cif"
check "and the examples" test -f "$P/share/weft/examples/quickstart/sales.csv"
mkdir -p "$T/inst_run"
run_weft run -q "$P/share/weft/pipelines/automat.lua" -o "$T/inst_run" --store "$T/inst_store"
expect_rc 0 "the installed automat pipeline runs"
check "writing its summary under the output directory" test -s "$T/inst_run/automat-out/summary.md"
run_weft run -q "$P/share/weft/pipelines/autobi.lua" -p data="$P/share/weft/examples/quickstart" -o "$T/inst_run" \
  --store "$T/inst_store"
expect_rc 0 "the installed autobi pipeline runs with its installed model"
check "writing model.json under the output directory" test -s "$T/inst_run/autobi-out/model.json"
inc=$(PKG_CONFIG_PATH="$P/lib/pkgconfig" pkg-config --cflags weft | sed 's/^-I//; s/ *$//')
check "pkg-config --cflags weft points at the installed header" test -f "$inc/weft/plugin.h"
cat >"$T/pc.c" <<'C'
#include <weft/plugin.h>
WEFT_PLUGIN_EXPORT const weft_plugin_desc *weft_plugin_entry(const weft_host_api *api) { (void)api; return 0; }
C
check "a plugin compiles with just pkg-config --cflags --libs weft" \
  sh -c "cc -shared -fPIC \$(PKG_CONFIG_PATH='$P/lib/pkgconfig' pkg-config --cflags --libs weft) -o '$T/pc.so' '$T/pc.c'"

# --- 1. scaffold, build out of tree, test
cd "$T"
run_weft plugin new demo
expect_rc 0 "weft plugin new scaffolds a project"
for f in CMakeLists.txt src/demo.c tests/test_demo.c README.md; do
  check "the scaffold has $f" test -f "$T/demo/$f"
done
run_weft plugin new demo
expect_rc 2 "scaffolding over an existing directory is refused"
run_weft plugin new Bad-Name
expect_err "must be lower-case letters" "a bad plugin name is refused with the rule"
check "the scaffold configures against the installed SDK" \
  cmake -S "$T/demo" -B "$T/demo/build" "${cmake_flags[@]}" -DCMAKE_BUILD_TYPE=Debug -Wno-dev >"$T/cmake.log" 2>&1 \
  || cat "$T/cmake.log"
check "the scaffold builds" cmake --build "$T/demo/build" >"$T/build.log" 2>&1 || cat "$T/build.log"
check "its cmocka test passes" ctest --test-dir "$T/demo/build" --output-on-failure >"$T/ctest.log" 2>&1 \
  || cat "$T/ctest.log"
eq "$(nm -D --defined-only "$T/demo/build/demo.so" | awk '{print $3}' | tr '\n' ' ')" "weft_plugin_entry " \
  "the plugin exports only weft_plugin_entry"

# --- 2. pack and install into a fresh user directory
run_weft plugin pack "$T/demo" -o "$T/demo.tar.zst"
expect_rc 0 "weft plugin pack packs the build"
ABI=$(awk '/#define WEFT_ABI_MAJOR/{a=$3} /#define WEFT_ABI_MINOR/{b=$3} END{print a "." b}' "$WEFT_SRC/include/weft/plugin.h")
expect_out "packed demo 0.1.0 (1 op, ABI $ABI)" "pack reports what it packed"
run_weft plugin install "$T/demo.tar.zst"
expect_rc 0 "weft plugin install installs it"
check "it lands in XDG_DATA_HOME" test -f "$XDG_DATA_HOME/weft/plugins/demo/demo.so"
check "with its manifest" grep -q '^sha256: "' "$XDG_DATA_HOME/weft/plugins/demo/manifest.yaml"
run_weft plugins
expect_out "$XDG_DATA_HOME/weft/plugins/demo/demo.so" "weft plugins lists the installed plugin and its file"
run_weft plugins info demo
expect_out "demo.upper" "weft plugins info shows its ops"
expect_out "text put before every line" "with their parameter docs"

# --- 3. a pipeline uses it
mkdir -p "$T/pipe" && cd "$T/pipe"
printf 'one\ntwo\nthree\n' >notes.txt
cat >p.lua <<'LUA'
local up = ops.demo.upper { name = "shout", text = weft.file("notes.txt"), prefix = "> " }
return up.lines
LUA
run_weft run p.lua
expect_rc 0 "a pipeline runs the installed plugin's op"
expect_out "shout = 3" "and gets its result"
run_weft run p.lua
eq "$(rec .counts.cached)" 1 "the plugin op's result is cached on rerun"
SO="$XDG_DATA_HOME/weft/plugins/demo/demo.so"
printf 'x' >> "$SO"   # a rebuild: other bytes, the same op version
run_weft run p.lua
eq "$(rec .counts.executed)" 1 "a changed plugin .so reruns its op, though the op's version is the same"
sed -i 's/WEFT_OP_DESC("upper", "1", run_upper, WEFT_OP_DETERMINISTIC,/WEFT_OP_DESC("upper", "1", run_upper, WEFT_OP_DETERMINISTIC | WEFT_OP_KEY_BY_VERSION,/' "$T/demo/src/demo.c"
check "the op opts out with WEFT_OP_KEY_BY_VERSION" grep -q KEY_BY_VERSION "$T/demo/src/demo.c"
cmake --build "$T/demo/build" >"$T/build.log" 2>&1 || cat "$T/build.log"
cp "$T/demo/build/demo.so" "$SO"
run_weft run p.lua
printf 'x' >> "$SO"
run_weft run p.lua
eq "$(rec .counts.cached)" 1 "then a rebuilt .so keeps its op's cache entries"

# --- 3b. a plugin developed inside the pipeline's repository is found in
# plugins/NAME/build without installing or WEFT_PLUGIN_PATH
mkdir -p "$T/repo/.git" "$T/repo/plugins/demo/build" "$T/repo/pipes"
cp "$T/demo/build/demo.so" "$T/repo/plugins/demo/build/"
cp "$T/pipe/notes.txt" "$T/pipe/p.lua" "$T/repo/pipes/"
cd "$T/repo/pipes"
# A plugin that came with a clone is native code: not loaded, not even to
# read its descriptor, until `weft plugin trust` records it.
XDG_DATA_HOME="$T/no-xdg" run_weft plugins
check "a repository's untrusted plugin is not loaded" sh -c "! grep -q 'demo.so' '$T/out'"
expect_err "is not trusted yet; \`weft plugin trust $T/repo/plugins/demo/build/demo.so\`" "and weft says how to trust it"
XDG_DATA_HOME="$T/no-xdg" run_weft plugin trust "$T/repo/plugins/demo/build"
expect_rc 0 "weft plugin trust DIR"
expect_out "trusted $T/repo/plugins/demo/build/demo.so" "records each library of the directory"
XDG_DATA_HOME="$T/no-xdg" run_weft plugins
expect_out "$T/repo/plugins/demo/build/demo.so" "the trusted build of plugins/*/build is on the search path"
XDG_DATA_HOME="$T/no-xdg" run_weft run p.lua
expect_out "shout = 3" "and a pipeline in the repository uses it"
printf 'x' >> "$T/repo/plugins/demo/build/demo.so"
XDG_DATA_HOME="$T/no-xdg" run_weft plugins
check "a changed library must be trusted again" sh -c "! grep -q 'demo.so' '$T/out'"
XDG_DATA_HOME="$T/no-xdg" run_weft plugin trust --list
expect_out "$T/repo/plugins/demo/build/demo.so" "--list shows what is trusted"
XDG_DATA_HOME="$T/no-xdg" run_weft plugin trust --remove "$T/repo/plugins/demo/build/demo.so"
XDG_DATA_HOME="$T/no-xdg" run_weft plugin trust --list
check "--remove forgets it" sh -c "! grep -q 'demo.so' '$T/out'"

# --- 4. examples/plugin-hello: the hand-written example, same path
cd "$T/pipe"
cp -r "$WEFT_SRC/examples/plugin-hello" "$T/hello"
rm -rf "$T/hello/build"
check "plugin-hello configures" cmake -S "$T/hello" -B "$T/hello/build" "${cmake_flags[@]}" -Wno-dev >"$T/cmake.log" 2>&1 \
  || cat "$T/cmake.log"
check "plugin-hello builds" cmake --build "$T/hello/build" >"$T/build.log" 2>&1 || cat "$T/build.log"
check "plugin-hello's tests pass" ctest --test-dir "$T/hello/build" --output-on-failure >"$T/ctest.log" 2>&1 \
  || cat "$T/ctest.log"
run_weft plugin pack "$T/hello"
expect_out "packed hello 1.0.0 (2 ops" "plugin-hello packs"
run_weft plugin install "$T/pipe/hello-1.0.0.tar.zst"
expect_rc 0 "plugin-hello installs"
check "its docs are installed" test -f "$XDG_DATA_HOME/weft/plugins/hello/docs/ops.md"
cd "$T/hello"
run_weft run pipeline.lua
expect_rc 0 "plugin-hello's pipeline runs"
expect_out '"greeting":"Hello, it!"' "the dynamic node greets the most frequent word"
expect_out '"top":"it"' "the most frequent word (ties in word order) is 'it'"
# WEFT_OP_ISOLATED keeps wordfreq in a worker even when policy says in-process.
printf 'workers:\n  isolate: none\n' >weft.yaml
run_weft run --force pipeline.lua
expect_rc 0 "the pipeline runs with workers.isolate: none"
check "an op flagged WEFT_OP_ISOLATED still runs in a worker" test "$(rec '.nodes[] | select(.name == "freq") | .worker')" -gt 1
eq "$(rec '.nodes[] | select(.name == "greeting") | .worker')" null "other third-party ops run in-process under isolate: none"

# --- 5. refusals
cd "$T/pipe"
WEFT_PLUGIN_PATH="$T/demo/build" run_weft ops
expect_rc 2 "two plugins of the same name (so exporting the same ops) are refused"
expect_err "uses the name 'demo'" "the error names the plugin name"
expect_err "$T/demo/build/demo.so" "and the first file"
expect_err "$XDG_DATA_HOME/weft/plugins/demo/demo.so" "and the second file"

mkdir -p "$T/abi"
for v in "2 0" "1 99"; do
  set -- $v
  cat >"$T/abi/abi.c" <<C
#include <weft/plugin.h>
static const weft_op_desc *const ops[] = {0};
static const weft_plugin_desc d = {sizeof d, $1, $2, "future", "1", "MIT", "", ops, 0};
WEFT_PLUGIN_EXPORT const weft_plugin_desc *weft_plugin_entry(const weft_host_api *api) { (void)api; return &d; }
C
  check "a plugin claiming ABI $1.$2 compiles" cc -shared -fPIC -I"$P/include" -o "$T/abi/future.so" "$T/abi/abi.c"
  WEFT_PLUGIN_PATH="$T/abi" run_weft ops
  expect_rc 2 "a plugin built for ABI $1.$2 is refused"
  expect_err "was built for weft ABI $1.$2 but this weft has ABI $ABI" "the error names both ABI versions"
done
expect_err "upgrade weft" "a newer minor asks for a newer weft"

printf 'not a package' >"$T/bad.tar.zst"
run_weft plugin install "$T/bad.tar.zst"
expect_rc 2 "installing a corrupt package fails"
expect_err "corrupt or not a weft package" "with a clear message"
mkdir -p "$T/empty"
run_weft plugin pack "$T/empty"
expect_err "no plugin library (*.so)" "packing a directory without a build says so"
# A plugin may not take the name of weft's own: `core` is reserved, and a
# package that would clash is refused at install time, not at every start.
mkdir -p "$T/fakecore/build"
cat >"$T/fakecore/core.c" <<C
#include <weft/plugin.h>
static int run(weft_op_ctx *c, const weft_host_api *a) { (void)c; (void)a; return 0; }
static const weft_op_desc shell = {sizeof shell, "shell", "9", "takes over core.shell", 0, 0, 0, 0, 0, 0, 1, 1, 0, run};
static const weft_op_desc *const ops[] = {&shell};
static const weft_plugin_desc d = {sizeof d, WEFT_ABI_MAJOR, WEFT_ABI_MINOR, "core", "9", "MIT", "", ops, 1};
WEFT_PLUGIN_EXPORT const weft_plugin_desc *weft_plugin_entry(const weft_host_api *api) { (void)api; return &d; }
C
check "a plugin named core compiles" cc -shared -fPIC -I"$P/include" -o "$T/fakecore/build/core.so" "$T/fakecore/core.c"
WEFT_PLUGIN_PATH="$T/fakecore/build" run_weft ops
expect_rc 2 "a second plugin named core on the path is refused"
expect_err "plugin built into weft: the name is reserved" "and the error says the name is reserved"
printf '# fake core\n' >"$T/fakecore/README.md"
run_weft plugin pack "$T/fakecore" -o "$T/fakecore.tar.zst"
expect_rc 0 "it can be packed"
run_weft plugin install "$T/fakecore.tar.zst"
expect_rc 2 "but installing it is refused"
expect_err "uses the name 'core'" "saying why"
expect_err "was not installed" "and that nothing was installed"
check "nothing of it stays installed" test ! -e "$XDG_DATA_HOME/weft/plugins/core"
run_weft ops
expect_rc 0 "and every command still works afterwards"
# A package whose name another plugin on the path already has: refused at
# install, nothing left behind, every command still works.
XDG_DATA_HOME="$T/xdg2" WEFT_PLUGIN_PATH="$T/demo/build" run_weft plugin install "$T/demo.tar.zst"
expect_rc 2 "installing a package whose name is taken is refused"
expect_err "uses the name 'demo'" "saying which plugin has it"
expect_err "was not installed" "and that nothing was installed"
check "nothing of it stays installed" test ! -e "$T/xdg2/weft/plugins/demo"
XDG_DATA_HOME="$T/xdg2" WEFT_PLUGIN_PATH="$T/demo/build" run_weft ops
expect_rc 0 "and every command still works afterwards"
# --- 9. a pipeline states the plugins it needs; a plugin is uninstalled
cd "$T/pipe"
VER=$(grep -o '^version: "[^"]*"' "$XDG_DATA_HOME/weft/plugins/demo/manifest.yaml" | cut -d'"' -f2)
printf 'local v = weft.require_plugin("demo", ">=%s")\nreturn ops.core.value { value = v }\n' "$VER" > need.lua
run_weft run -q need.lua
expect_rc 0 "weft.require_plugin passes when the installed version is enough"
expect_out "\"$VER\"" "and gives the installed version"
printf 'weft.require_plugin("demo", ">=99.0")\nreturn 1\n' > need.lua
run_weft run -q need.lua
expect_rc 2 "it stops the script when the version is too old"
expect_err "need.lua:1: this pipeline needs plugin demo >=99.0, but demo $VER is installed" "naming both versions and the line"
printf 'weft.require_plugin("sha", "1.2")\nreturn 1\n' > need.lua
run_weft run -q need.lua
expect_err "needs plugin sha 1.2, which is not installed" "and when the plugin is missing"
run_weft plugin uninstall demo
expect_rc 0 "weft plugin uninstall"
expect_out "removed demo $VER from $XDG_DATA_HOME/weft/plugins" "says what it removed"
check "the plugin's directory is gone" test ! -e "$XDG_DATA_HOME/weft/plugins/demo"
run_weft plugins
check "weft plugins no longer lists it" sh -c "! grep -q demo.so '$T/out'"
run_weft plugin uninstall demo
expect_rc 2 "uninstalling it again is refused"
expect_err "no plugin 'demo' is installed" "saying it is not there"
finish
