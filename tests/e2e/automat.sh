#!/bin/bash
# The automat plugin end to end: pipelines/automat.lua on a simulated image
# (template line, scored against the truth), on image files the user hands
# over (PNG, TIFF, raw float32), the template-free line, a cached rerun,
# and the verdicts for images that must not become structures.
. "$(dirname "$0")/lib.sh"
cd "$T"
P="$WEFT_SRC/pipelines/automat.lua"
LIB="$WEFT_SRC/plugins/automat/templates"
jqt() { jq -e "$@" >/dev/null; }

run_weft run "$P" -p out="$T/o" -p material=2H-MoS2
expect_rc 0 "pipelines/automat.lua runs on a simulated MoS2 image"
for f in structure.cif relaxed.cif report.json quality_raw.json columns.csv; do check "it writes $f" test -s "o/$f"; done
eq "$(head -1 o/columns.csv)" "x_px,y_px,intensity,class,element,site" "the columns carry a class, an element and the averaged site they tile"
check "the brighter class is Mo, the dimmer S" bash -c 'grep -q ",1,Mo,[0-9]*$" o/columns.csv && grep -q ",0,S,[0-9]*$" o/columns.csv && ! grep -q ",0,Mo,[0-9]*$" o/columns.csv'
check "the CIF has the cell and the atom loop" grep -q "_atom_site_fract_x" o/structure.cif
eq "$(grep -c ' Mo \| S ' o/structure.cif)" 3 "with one Mo and two S"
check "the template line took 2H-MoS2" jqt '.reconstruct.line == "template" and .match.template == "2H-MoS2"' o/report.json
check "the structure matches the simulated truth within 2% on the lattice" \
  jqt '.compare.match and (.compare.error_a | fabs) < 0.02 and (.compare.error_b | fabs) < 0.02' o/report.json
check "the relaxation converged with an energy per atom" \
  jqt '.relax.converged and (.relax.energy_per_atom | type == "number")' o/report.json
check "the report keeps the gate's numbers" jqt '.quality.pass and .quality.periodicity > 0.35' o/report.json
expect_out '"line":"template"' "the run returns its line"
check "writes a summary a person reads, saying the result is plausible" grep -q '^\*\*Status: plausible\*\*' o/summary.md
check "naming the template and the species' counts" bash -c 'grep -q "template structure from 2H-MoS2" o/summary.md && grep -Eq "[0-9]+ Mo \(red\)" o/summary.md'
check "and draws the columns on the image as a PNG" bash -c 'file o/overlay.png | grep -q "PNG image data, 1024 x 1024, 8-bit/color RGB"'
expect_out '"plausible":true' "the run returns plausible = true"
run_weft run "$P" -p out="$T/o" -p material=2H-MoS2
expect_rc 0 "a rerun"
check "recomputes no stage (only the exports run again)" \
  bash -c '! grep -Eq "done +(simulate|load_image|quality|denoise|lattice|columns|match_template|reconstruct|relax|compare|report) " "$1"' _ "$T/err"
expect_err "cached   relax" "and takes them from the cache"
cp o/structure.cif first.cif && cp o/relaxed.cif first-relaxed.cif
run_weft run "$P" -p out="$T/o" -p material=2H-MoS2 --force
expect_rc 0 "a forced rerun"
check "writes the same structure byte for byte" cmp -s first.cif o/structure.cif
check "and the same relaxed one" cmp -s first-relaxed.cif o/relaxed.cif

# An image file from elsewhere, with the elements given: 1T-TiS2, noisier.
cat >sim.lua <<LUA
local s = ops.automat.simulate { name = "sim", structure = weft.file("$LIB/1T-TiS2.cif"), size = 768,
                                 dose = 800, seed = 9, rotation = 71 }
ops.core.export { name = "img", artifact = s.image, path = weft.path("tis2.png") }
return ops.core.export { name = "truth", artifact = s.truth, path = weft.path("tis2.cif") }
LUA
run_weft run sim.lua
expect_rc 0 "a simulated image written as a PNG"
run_weft run "$P" -p image="$T/tis2.png" -p elements=Ti,S -p truth="$T/tis2.cif" -p out="$T/t"
expect_rc 0 "the pipeline on a PNG file with -p elements=Ti,S"
check "finds 1T-TiS2 and matches the truth" jqt '.match.template == "1T-TiS2" and .compare.match' t/report.json

# A wrong pixel size: nothing matches, and the template-free line gets a
# cell 30% too small. The summary says so, weft prints the warnings, and
# --strict also fails the run, after writing every file, and again from the
# cache. (The flat template-free cell is not judged by its relaxation: see
# docs/plugins/automat.md.)
run_weft run "$P" -p out="$T/bad" -p material=2H-MoS2 -p pixel_size=0.07
expect_rc 0 "an implausible result is still a finished run by default"
expect_out '"plausible":false' "but it returns plausible = false"
expect_err "weft: warning: summary: no template resembles the image" "and weft prints the summary's warnings"
check "and its summary gives the count of warnings" grep -q "^\*\*Status: [0-9]* warnings\*\*" bad/summary.md
check "and that no template resembles the image" grep -q "no template resembles the image" bad/summary.md
rm -rf bad
run_weft run "$P" -p out="$T/bad" -p material=2H-MoS2 -p pixel_size=0.07 --strict
expect_rc 1 "with --strict the run fails"
expect_err "weft: --strict: 1 node warned about its result" "saying why"
check "after writing the structure, the report and the summary" \
  bash -c 'test -s bad/structure.cif && test -s bad/report.json && test -s bad/summary.md && test -s bad/overlay.png'
check "a rerun from the cache fails the same way" \
  bash -c '"$WEFT" run "$1" -p out="$2/bad" -p material=2H-MoS2 -p pixel_size=0.07 --strict >/dev/null 2>"$2/err2"; test $? = 1 && grep -q "cached   relax" "$2/err2" && grep -q "weft: --strict" "$2/err2"' _ "$P" "$T"
run_weft run "$P" -p out="$T/o" -p material=2H-MoS2 --strict
expect_rc 0 "a plausible result passes --strict"

# denoise level 0 picks the level from the measured noise.
cat >auto.lua <<LUA
local img = ops.automat.load_image { name = "load", file = weft.file("$T/tis2.png") }
local d = ops.automat.denoise { name = "denoise", image = img.out }
return { level = d.level, method = d.method }
LUA
run_weft run auto.lua
expect_rc 0 "denoise with level 0"
expect_out '"level":2' "chooses median + Gaussian for a dose of 800"
expect_out '"method":"median+gaussian"' "and says which"

# The same image as a float TIFF and as raw float32 (size and pixel size given).
"$AUTOMAT_EVAL" convert tis2.png tis2.tiff && "$AUTOMAT_EVAL" convert tis2.png tis2.raw
run_weft run "$P" -p image="$T/tis2.tiff" -p elements=Ti,S -p truth="$T/tis2.cif" -p out="$T/tt"
expect_rc 0 "a 32-bit float TIFF"
check "gives the same template" jqt '.match.template == "1T-TiS2" and .compare.match' tt/report.json
run_weft run "$P" -p image="$T/tis2.raw" -p width=768 -p height=768 -p pixel_size=0.1 -p elements=Ti,S \
  -p truth="$T/tis2.cif" -p out="$T/tr"
expect_rc 0 "a raw float32 array with its size"
check "gives the same template" jqt '.match.template == "1T-TiS2" and .compare.match' tr/report.json
run_weft run "$P" -p image="$T/tis2.raw" -p width=700 -p height=768 -p pixel_size=0.1 -p elements=Ti,S -p out="$T/bad"
expect_rc 1 "a raw array of the wrong size fails"
expect_err "the image has 2359296 bytes, but a 700 x 768 float32 array needs 2150400; check width and height" \
  "naming both sizes"

# The template-free line, forced by a score no template can reach.
run_weft run "$P" -p material=2H-MoS2 -p min_score=2 -p out="$T/f"
expect_rc 0 "the template-free line"
check "reconstructs MoS2's cell from the columns, matching the truth" \
  jqt '.reconstruct.line == "template-free" and .compare.match and (.reconstruct.sites | length) == 2' f/report.json
check "with Mo on the brightest site" jqt '.reconstruct.sites[0].element == "Mo"' f/report.json

# The optional LLM step, against a stand-in OpenAI-compatible server: the
# model's choice is taken when it is valid, and the rule otherwise.
start_llm_stub reply.txt
printf 'Looking at the ranking: {"line": "template-free", "reason": "the stub prefers the columns"}' >reply.txt
OPENAI_API_KEY=sk-test run_weft run "$P" -p material=2H-MoS2 -p llm_url="$url" -p out="$T/l"
expect_rc 0 "the pipeline with an LLM choosing the line"
check "takes the model's line over the rule's" \
  jqt '.choice.decided_by == "llm" and .choice.line == "template-free" and .choice.rule_template and .reconstruct.line == "template-free"' l/report.json
check "and keeps its reason" jqt '.choice.reason == "the stub prefers the columns"' l/report.json
check "the request carried the quality report and the ranked templates" \
  jqt -s '.[0].body.messages[1].content | fromjson | (.quality.format == "automat-quality/1") and (.ranked_templates[0].template == "2H-MoS2")' llm.log
check "and the key from OPENAI_API_KEY" jqt -s '.[0].auth == "Bearer sk-test"' llm.log
printf '{"line": "template", "template": "graphene"}' >reply.txt
run_weft run "$P" -p material=2H-MoS2 -p llm_url="$url" -p out="$T/l"
expect_rc 0 "a rerun while the server would now answer otherwise"
check "keeps the decision it made (cached, not asked again)" \
  jqt '.choice.decided_by == "llm" and .choice.line == "template-free"' l/report.json
eq "$(wc -l <llm.log | tr -d ' ')" 1 "the server was asked once"
run_weft run "$P" -p material=2H-MoS2 -p llm_url="$url" -p llm_model=m2 -p out="$T/l2"
expect_rc 0 "an LLM naming a template of other elements"
check "is overruled: the rule decides, and the report says why" \
  jqt '.choice.decided_by == "rule" and .choice.line == "template" and (.choice.llm_fallback | test("graphene"))' l2/report.json
printf 'HTTP 500' >reply.txt
run_weft run "$P" -p material=2H-MoS2 -p llm_url="$url" -p llm_model=other -p out="$T/l3"
expect_rc 0 "a failing LLM server"
check "falls back on the rule with the server's error" \
  jqt '.choice.decided_by == "rule" and (.choice.llm_fallback | test("HTTP 500: the stub was told to fail"))' l3/report.json
kill $stub 2>/dev/null
run_weft run "$P" -p material=2H-MoS2 -p llm_url="$url" -p llm_model=gone -p out="$T/l4"
expect_rc 0 "no server at all"
check "falls back on the rule too" jqt '.choice.decided_by == "rule" and (.choice.llm_fallback | test("LLM endpoint"))' l4/report.json

# Images from the independent simulator (scripts/automat-sim.py: a tailed
# probe, Z^1.6-2.0, Poisson noise, drift and artefacts the analysis does
# not model), run as bench/automat-unseen.sh runs them. GaAs at tier 3:
# the Ga/As superstructure shows at its first orders only, and is probed
# from the fitted basis; KTaO3 at tier 2 and LaAlO3 at tier 3: the O
# columns beside Ta and La are found in the smoothed residual. Graphene at
# tier 3 of seed 3: two low-frequency peaks made a basis that indexed its
# spots by chance (a cell 2.6 x 9.7 too long), scored now beyond chance.
# Rutile at tier 1 of seed 2: a site fitted to nothing on Ti's flank kept
# the fourth O from being found, and is dropped now. KTaO3 at tier 3 of
# seed 2: of its two O columns, twins under the square lattice's 90-degree
# turn, one passed and the other fell just short; the twin of a column
# that passed needs less. CeO2 and KTaO3 at tier 2 of seed 3: no site
# stood for O (CeO2's at the centre of the Ce square, under the 7% bar for
# empty centres; KTaO3's two at 2.6-2.9 standard errors), and a site of
# the amplitude Z-contrast gives O is taken when O has no column. Each
# was wrong before its change.
if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  /usr/bin/python3 "$WEFT_SRC/scripts/automat-sim.py" "$T/sim" --set dev --seeds 1-1 --tiers 2,3 \
    --only GaAs-001,KTaO3-001,LaAlO3-001 >/dev/null
  /usr/bin/python3 "$WEFT_SRC/scripts/automat-sim.py" "$T/sim3" --set dev --seeds 3-3 --tiers 3 --only graphene >/dev/null
  /usr/bin/python3 "$WEFT_SRC/scripts/automat-sim.py" "$T/sim3b" --set dev --seeds 3-3 --tiers 2 \
    --only CeO2-001,KTaO3-001 >/dev/null
  /usr/bin/python3 "$WEFT_SRC/scripts/automat-sim.py" "$T/sim2" --set dev --seeds 2-2 --tiers 1,3 \
    --only TiO2-rutile-001,KTaO3-001 >/dev/null
  cp "$T/sim3/graphene-t3-s3.png" "$T/sim3/graphene.cif" "$T/sim2/TiO2-rutile-001-t1-s2.png" \
    "$T/sim2/TiO2-rutile-001.cif" "$T/sim2/KTaO3-001-t3-s2.png" "$T/sim3b/CeO2-001-t2-s3.png" \
    "$T/sim3b/CeO2-001.cif" "$T/sim3b/KTaO3-001-t2-s3.png" "$T/sim/"
  tail -n +2 "$T/sim3/manifest.tsv" >>"$T/sim/manifest.tsv"
  tail -n +2 "$T/sim2/manifest.tsv" >>"$T/sim/manifest.tsv"
  tail -n +2 "$T/sim3b/manifest.tsv" >>"$T/sim/manifest.tsv"
  for img in GaAs-001-t3-s1 KTaO3-001-t2-s1 LaAlO3-001-t3-s1 graphene-t3-s3 TiO2-rutile-001-t1-s2 KTaO3-001-t3-s2 \
    CeO2-001-t2-s3 KTaO3-001-t2-s3; do
    row=$(grep "^$img.png" "$T/sim/manifest.tsv")
    mat=$(cut -f2 <<<"$row")
    run_weft run "$P" -p image="$T/sim/$img.png" -p elements="$(cut -f5 <<<"$row")" \
      -p pixel_size="$(cut -f6 <<<"$row")" -p truth="$T/sim/$mat.cif" -p out="$T/sim-$img"
    expect_rc 0 "$img (independent simulator) runs"
    check "and its structure matches the simulated truth" jqt '.compare.match == true' "$T/sim-$img/report.json"
  done
else
  echo "ok - # SKIP python3-numpy missing: the independent simulator's images are not checked"
fi

# Refusals: nothing is fabricated from these.
head -c 30000 tis2.png >trunc.png
run_weft run "$P" -p image="$T/trunc.png" -p elements=Ti,S -p out="$T/x"
expect_rc 1 "a truncated PNG fails"
expect_err "the image is truncated or corrupt" "and says so"
"$AUTOMAT_EVAL" noise noise.png 512
run_weft run "$P" -p image="$T/noise.png" -p elements=Mo,S -p out="$T/x"
expect_rc 1 "a non-periodic image fails"
expect_err "not periodic enough: periodicity 0." "with the periodicity against its threshold"
expect_err "< 0.35" "(the threshold)"
"$AUTOMAT_EVAL" flat flat.png 256
run_weft run "$P" -p image="$T/flat.png" -p elements=Mo,S -p out="$T/x"
expect_rc 1 "an empty image fails"
expect_err "empty image: every pixel is" "as empty"
check "and none of them wrote a structure" test ! -e x/structure.cif
printf 'not an image' >junk.png
run_weft run "$P" -p image="$T/junk.png" -p elements=Mo,S -p out="$T/x"
expect_rc 1 "a file that is no image fails"
expect_err "neither PNG nor TIFF" "naming what it expected"
run_weft run "$P" -p material=2H-MoS2 -p elements=Mo,Xx -p out="$T/x"
expect_rc 1 "an unknown element fails"
expect_err "'Xx' is not an element symbol" "naming it"
finish
