#!/bin/bash
# weft report: one run as a self-contained HTML file, rendered by a real
# browser (headless Chromium from Debian), its DOM asserted on and a
# screenshot taken.
. "$(dirname "$0")/lib.sh"
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
  echo "Chromium is not installed here (scripts/deps.sh installs it)"
  [ -n "${WEFT_REQUIRE_BROWSER:-}" ] && exit 1
  exit 77
fi
cd "$T"
cat > p.lua <<'LUA'
local n = weft.param("n", 3, "how many")
local a = ops.core.shell { name = "a", cmd = "seq 1 " .. n .. " > $out", outs = { "t" } }
local b = ops.core.shell { name = "b", x = a.out, cmd = "sleep 0.2; wc -l < $x > $out", outs = { "t" } }
local bad = ops.core.shell { name = "bad", x = a.out, cmd = "echo 'no & <good>' >&2; exit 4" }
local d = weft.fn { name = "fan", inputs = { x = b.out }, function(inp)
  return { ops.core.shell { name = "child", y = inp.x, cmd = "cat $y > $out", outs = { "t" } }.out }
end }
return ops.core.concat { name = "all", items = { d }, sep = "" }
LUA
run_weft run -q -k p.lua
expect_rc 1 "a run with a failed node"
RUN=$(rec .id)
run_weft report -o "$T/r.html"
expect_rc 0 "weft report writes the run"
expect_err "wrote $T/r.html (run $RUN, 6 nodes)" "saying where"
check "the report fetches nothing: no src= or href= to anywhere" sh -c "! grep -qE '(src|href)=\"(https?:)?//' '$T/r.html'"
check "and has no script" sh -c "! grep -qi '<script' '$T/r.html'"
timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --dump-dom "file://$T/r.html" >"$T/dom.html" 2>"$T/chrome.err"
check "Chromium renders it" [ -s "$T/dom.html" ]
eq "$(grep -o '<g class="node"' "$T/dom.html" | wc -l)" "6" "the graph draws every node, the dynamic node's child included"
check "a failed node is coloured as failed in the graph" grep -q 'data-name="bad" data-status="failed"' "$T/dom.html"
eq "$(grep -o '<tr data-name=' "$T/dom.html" | wc -l)" "6" "the table has a row per node"
check "the failed node's error is in its row" grep -q "command exited with status 4" "$T/dom.html"
check "with what it printed, escaped" grep -q "no &amp; &lt;good&gt;" "$T/dom.html"
check "the dynamic node is expanded in the graph" grep -q 'data-name="fan" data-status="expanded"' "$T/dom.html"
check "the timeline shows what ran" grep -q '<g class="run" data-name="b"' "$T/dom.html"
check "the params are listed" grep -q '<th>n</th><td>3</td>' "$T/dom.html"
check "the run's status is stated" grep -q '<td id="status">failed</td>' "$T/dom.html"
timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --window-size=1400,1000 --screenshot="$T/shot.png" \
  "file://$T/r.html" >/dev/null 2>>"$T/chrome.err"
check "a screenshot of it is a real picture ($(stat -c %s "$T/shot.png" 2>/dev/null) bytes)" \
  sh -c "[ \$(stat -c %s '$T/shot.png') -gt 20000 ] && head -c 8 '$T/shot.png' | od -An -c | grep -q 'P   N   G'"
[ -n "${REPORT_SHOT:-}" ] && cp "$T/shot.png" "$REPORT_SHOT"
run_weft report "$RUN"
check "the default file is weft-report-RUN.html here" [ -f "$T/weft-report-$RUN.html" ]
run_weft report nope-run
expect_rc 2 "an unknown run is refused"
finish
