-- Auto-BI: predict the BI model (facts, dimensions, joins) of a folder of
-- CSV tables, one table per file.
--
--   weft run pipelines/autobi.lua -p data=/path/to/csvs [-p out=DIR] [-p k=N]
--
-- Each table is profiled by its own node, so adding or editing one CSV
-- reprofiles only that table; the join search then reruns on all profiles.
local data = weft.param("data", nil, "directory of CSV files (absolute, or relative to this file)")
local out = weft.param("out", "autobi-out", "directory that receives model.json, model.dot and summary.md")
local k = weft.param("k", 0, "number of facts; 0 lets k-MCA choose")
local weights = weft.param("model", "../plugins/autobi/model/joins.json", "join classifier weights")
local extra = weft.param("extra_threshold", 0.5, "probability for the extra (constellation) joins")

local tables = ops.autobi.tables { name = "tables", data = weft.dir(data) }

local profiles = weft.map(tables, function(t)
  return ops.autobi.profile { name = "profile_" .. t.name, table = t.file, table_name = t.name }
end, { name = "profiles" })

local candidates = ops.autobi.candidates { name = "candidates", profiles = profiles }
local joins = ops.autobi.predict_joins { name = "predict_joins", candidates = candidates,
                                         model = weft.file(weights) }
local tree = ops.autobi.kmca { name = "kmca", joins = joins, k = k }
local model = ops.autobi.bi_model { name = "bi_model", joins = joins, tree = tree,
                                    extra_threshold = extra }

local json = ops.core.export { name = "export_model", artifact = model, path = out .. "/model.json" }
local dot = ops.core.export { name = "export_dot", artifact = model.dot, path = out .. "/model.dot" }
local summary = ops.autobi.summary { name = "summary", model = model }
local md = ops.core.export { name = "export_summary", artifact = summary, path = out .. "/summary.md" }

return { model = json, dot = dot, summary = md, facts = tree.k, joins = model.joins }
