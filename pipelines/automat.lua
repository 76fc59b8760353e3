-- AutoMat: a STEM image to a crystal structure (CIF), then relaxed.
--
--   weft run pipelines/automat.lua -p image=FILE -p elements=Mo,S [-p pixel_size=0.1]
--        [-p width=W -p height=H (raw float32)] [-p truth=TRUE.cif] [-p out=DIR]
--   weft run pipelines/automat.lua -p material=2H-MoS2 [-p dose=500]   (a simulated image)
--
-- Writes structure.cif, relaxed.cif, columns.csv (the atom columns with
-- their species), report.json, and for people summary.md (the result, the
-- figures, and warnings when it is physically implausible) and
-- overlay.png (the columns on the image) under `out`, itself under the
-- run's output directory (-o). The summary node's `warnings` output says
-- when the result is physically implausible: weft prints them, and
-- `weft run --strict` then exits 1 (after everything is written).
--
-- The agent loop is the graph itself, decided at run time by dynamic nodes:
--   1. the raw image's quality sets the first denoising level;
--   2. gate_L: if the image denoised at level L fails the quality gate, the
--      gate's rule (automat.quality's `next`) picks a harder level, or stops
--      with the verdict -- an image that is not periodic gets no structure;
--   3. choose_line: if a template matches (automat.choose_line: the rule, or
--      with -p llm_url=... an OpenAI-compatible model reading the reports),
--      the template line fits it to the measured lattice; if none does, the
--      template-free line reconstructs the minimal cell from the columns;
--   4. relax, and one JSON report of every stage.
local image = weft.param("image", "", "the STEM image (PNG, TIFF or raw float32); empty: simulate `material`")
local elements = weft.param("elements", "", "the sample's elements, e.g. Mo,S (with a simulated image: its own)")
local pixel_size = weft.param("pixel_size", 0.0, "Angstrom per pixel (0: the one stored in the image)")
local width = weft.param("width", 0, "raw float32 images: pixels per row")
local height = weft.param("height", 0, "raw float32 images: rows")
local library = weft.param("library", "../plugins/automat/templates", "directory of template CIFs")
local min_score = weft.param("min_score", 0.5, "template-match score below which the template-free line runs")
local llm_url = weft.param("llm_url", "", "an OpenAI-compatible server to choose the line (empty: the rule)")
local llm_model = weft.param("llm_model", "gpt-4o-mini", "the model asked for, with llm_url")
local truth = weft.param("truth", "", "a CIF to score the result against (automat.compare)")
local material = weft.param("material", "2H-MoS2", "without `image`: the library structure to simulate")
local dose = weft.param("dose", 2000, "without `image`: electrons per square Angstrom")
local seed = weft.param("seed", 1, "without `image`: the simulation's seed")
local out = weft.param("out", "automat-out", "directory for structure.cif, relaxed.cif, report.json, summary.md")

local lib = weft.dir(library)
local src, truth_cif
if image ~= "" then
  src = weft.file(image)
  if truth ~= "" then truth_cif = weft.file(truth) end
else
  local sim = ops.automat.simulate { name = "simulate", structure = weft.file(library .. "/" .. material .. ".cif"),
                                     dose = dose, seed = seed, drift = 0.001, jitter = 0.2 }
  src, truth_cif = sim.image, sim.truth
  if elements == "" then
    -- the simulated structure's own elements, read from its CIF's atom loop
    local seen, list = {}, {}
    for el in weft.read(weft.file(library .. "/" .. material .. ".cif")):gmatch("\n%S+%s+(%u%l?)%s+[%d.-]+%s+[%d.-]+%s+[%d.-]+") do
      if not seen[el] then seen[el] = true; list[#list + 1] = el end
    end
    elements = table.concat(list, ",")
  end
end

local img = ops.automat.load_image { name = "load_image", file = src, pixel_size = pixel_size,
                                     width = width, height = height }
local raw = ops.automat.quality { name = "quality_raw", image = img.out }
ops.core.export { name = "export_quality_raw", artifact = raw.report, path = out .. "/quality_raw.json" }

local function analyse(den, q)
  local lat = ops.automat.lattice { name = "lattice", image = den }
  local cols = ops.automat.columns { name = "columns", image = den, lattice = lat.out, elements = elements }
  ops.core.export { name = "export_columns", artifact = cols.out, path = out .. "/columns.csv" }
  local m = ops.automat.match_template { name = "match_template", columns = cols.out, lattice = lat.out,
                                         library = lib, elements = elements, min_score = min_score }
  -- The LLM, when -p llm_url is given; otherwise weft.yaml's `llm:`, if any.
  local llm = llm_url ~= "" and { url = llm_url, model = llm_model, api_key_env = "OPENAI_API_KEY" } or nil
  local choice = ops.automat.choose_line { name = "choose", match = m.report, quality = q.report, llm = llm }
  return weft.fn {
    name = "choose_line",
    inputs = { matched = choice.matched, template = choice.template },
    function(inp)
      local line = inp.matched and "template" or "template-free"
      local recon = ops.automat.reconstruct { name = "reconstruct", columns = cols.out, lattice = lat.out,
                                              library = lib, elements = elements,
                                              template = inp.matched and inp.template or "" }
      local relaxed = ops.automat.relax { name = "relax", structure = recon.out }
      local parts = { name = "report", quality = q.report, lattice = lat.out, match = m.report,
                      choice = choice.report, reconstruct = recon.report, relax = relaxed.report }
      if truth_cif then
        parts.compare = ops.automat.compare { name = "compare", a = truth_cif, b = recon.out }.report
      end
      local report = ops.automat.report(parts)
      local summary = ops.automat.summary { name = "summary", report = report, image = den, columns = cols.out }
      ops.core.export { name = "export_structure", artifact = recon.out, path = out .. "/structure.cif" }
      ops.core.export { name = "export_relaxed", artifact = relaxed.out, path = out .. "/relaxed.cif" }
      ops.core.export { name = "export_report", artifact = report, path = out .. "/report.json" }
      ops.core.export { name = "export_summary", artifact = summary.md, path = out .. "/summary.md" }
      ops.core.export { name = "export_overlay", artifact = summary.png, path = out .. "/overlay.png" }
      return { line = line, template = inp.template, a = lat.a, b = lat.b, gamma = lat.gamma,
               energy_per_atom = relaxed.energy, plausible = summary.plausible }
    end,
  }
end

local function attempt(level)
  local den = ops.automat.denoise { name = "denoise_" .. level, image = img.out, level = level }
  local q = ops.automat.quality { name = "quality_" .. level, image = den.out, level = level }
  return weft.fn {
    name = "gate_" .. level,
    inputs = { pass = q.pass, verdict = q.verdict, next = q.next },
    function(inp)
      if inp.pass then return analyse(den.out, q) end
      if inp.next < 0 then
        error("image rejected after denoising at level " .. level .. ": " .. inp.verdict, 0)
      end
      return attempt(inp.next)
    end,
  }
end

return weft.fn {
  name = "start",
  inputs = { level = raw.level, verdict = raw.verdict },
  function(inp)
    if inp.verdict:find("^empty image") then error(inp.verdict, 0) end
    return attempt(inp.level)
  end,
}
