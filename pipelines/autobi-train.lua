-- Trains Auto-BI's join classifier on generated schemas and writes the
-- weights, by default to joins.json in the run's output directory (-o);
-- to refresh the file the plugin ships, say so:
--
--   weft run pipelines/autobi-train.lua [-p schemas=40] [-p first_seed=1000]
--   weft run pipelines/autobi-train.lua -p out=$PWD/plugins/autobi/model/joins.json
--
-- Training seeds start at 1000; the evaluation harness (tests/autobi)
-- scores seeds from 1, so the model is never scored on schemas it saw.
local schemas = weft.param("schemas", 40, "schemas per shape")
local first = weft.param("first_seed", 1000, "the first generator seed")
local rows = weft.param("rows", 2000, "rows per fact table")
local out = weft.param("out", "joins.json", "where the weights go (relative: under the output directory)")

local examples = {}
for _, shape in ipairs({ "star", "snowflake", "constellation" }) do
  for seed = first, first + schemas - 1 do
    local id = shape .. "_" .. seed
    local schema = ops.autobi.synth { name = "synth_" .. id, shape = shape, seed = seed, rows = rows }
    local tables = ops.autobi.tables { name = "tables_" .. id, data = schema.tables }
    local profiles = weft.map(tables, function(t)
      return ops.autobi.profile { name = "profile_" .. id .. "_" .. t.name, table = t.file, table_name = t.name }
    end, { name = "profiles_" .. id })
    local candidates = ops.autobi.candidates { name = "candidates_" .. id, profiles = profiles }
    examples[#examples + 1] = { candidates = candidates, truth = schema.truth }
  end
end

local weights = ops.autobi.train { name = "train", examples = examples }
return ops.core.export { name = "export", artifact = weights, path = out }
