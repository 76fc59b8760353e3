-- AutoWS: labeling functions generated from a few labels (Snuba), label
-- models that turn their votes into probabilistic labels, and an end model
-- trained on them -- compared with the same model trained on the labels
-- alone, which is the question AutoWS-Bench-101 asks.
--
--   weft run pipelines/autows.lua [-p data=FILE.csv | -p npy=DIR] [-p n_labels=100]
--        [-p test_share=0.2] [-p seed=N] [-p split=COLUMN]
--        [-p 'label_models=[majority, dawid_skene, triplet, metal]'] [-p gold_weight=W] [-p out=DIR]
--
-- Without `data` it runs on a generated 4-class dataset. Each label model
-- is its own branch (label_model -> end_model -> evaluate), so they run in
-- parallel and a rerun with one more model computes only that branch.
local data = weft.param("data", "", "CSV with a label column (relative to this file); empty: generated data")
local npy = weft.param("npy", "", "instead of data: a directory holding X.npy and y.npy")
local label = weft.param("label", "label", "the label column")
local n_labels = weft.param("n_labels", 100, "labeled rows; the other gold labels are hidden")
local test_share = weft.param("test_share", 0.2, "share of the gold-labeled rows held out as the test set")
local seed = weft.param("seed", -1, "split seed (-1: derived from the data's content)")
local split = weft.param("split", "",
  "a given split: the CSV column (or NAME.npy in the npy directory) saying labeled, unlabeled or test per row")
local families = weft.param("families", "stump,tree,logistic,knn", "LF families")
local end_model = weft.param("end_model", "auto",
  "the end model: auto (5-fold CV on the labels; the candidates' mean, each weighed by its CV score), logistic, "
    .. "smoothed, graph, selftrained, lf_graph, gold_logistic, gold_spreading or gold_selftrained")
local cv_repeats = weft.param("cv_repeats", 1, "auto: partitions of the labels its 5-fold CV is run over (1..10)")
local max_lfs = weft.param("max_lfs", 25, "LFs at most")
local lf_scoring = weft.param("lf_scoring", "in_sample",
  "stump/tree/logistic thresholds chosen in_sample or out_of_fold (held-out statistics are reported either way)")
local models = weft.param("label_models", { "majority", "dawid_skene", "triplet", "metal" }, "label models to compare")
local pca = weft.param("pca", 0, "principal components (0: standardise only)")
local gold_weight = weft.param("gold_weight", 0,
  "end model: weight of a labeled row (0: the labeled rows together weigh as much as the weak ones)")
local out = weft.param("out", "autows-out", "directory for the labels, LFs, models, reports and summary.md")

local file
if npy ~= "" then
  file = weft.dir(npy)
elseif data ~= "" then
  file = weft.file(data)
else
  file = ops.autows.synth { name = "synth" }
end
local loaded = ops.autows.load { name = "load", file = file, label = label, n_labels = n_labels,
                                 test_share = test_share, seed = seed, split = split }
local ds = ops.autows.featurize { name = "featurize", data = loaded, pca = pca }
local lfs = ops.autows.generate_lfs { name = "generate_lfs", data = ds, families = families, max_lfs = max_lfs,
                                     scoring = lf_scoring }
local matrix = ops.autows.apply_lfs { name = "apply_lfs", data = ds, lfs = lfs }
local baseline = ops.autows.supervised_baseline { name = "supervised_baseline", data = ds }
local ssl = ops.autows.ssl_baselines { name = "ssl_baselines", data = ds }

ops.core.export { name = "export_lfs", artifact = lfs, path = out .. "/lfs.json" }
ops.core.export { name = "export_matrix", artifact = matrix, path = out .. "/labels.npy" }
ops.core.export { name = "export_baseline", artifact = baseline, path = out .. "/baseline.json" }
ops.core.export { name = "export_ssl", artifact = ssl, path = out .. "/ssl_baselines.json" }

local results, reports = {}, {}
for _, m in ipairs(models) do
  local probs = ops.autows.label_model { name = "label_model_" .. m, data = ds, matrix = matrix, model = m }
  -- with the LFs and the label model's name, the end model's CV fits them
  -- again in each fold, so that no fold is scored on labels its weak labels saw
  local model = ops.autows.end_model { name = "end_model_" .. m, data = ds, probs = probs, lfs = lfs,
                                       label_model = m, gold_weight = gold_weight, kind = end_model,
                                       cv_repeats = cv_repeats }
  local report = ops.autows.evaluate { name = "evaluate_" .. m, data = ds, matrix = matrix, probs = probs,
                                       model = model, predictions = model.predictions, baseline = baseline,
                                       ssl = ssl }
  ops.core.export { name = "export_probs_" .. m, artifact = probs, path = out .. "/" .. m .. "/probs.csv" }
  ops.core.export { name = "export_model_" .. m, artifact = model, path = out .. "/" .. m .. "/model.json" }
  ops.core.export { name = "export_predictions_" .. m, artifact = model.predictions,
                    path = out .. "/" .. m .. "/predictions.csv" }
  ops.core.export { name = "export_report_" .. m, artifact = report, path = out .. "/" .. m .. "/report.json" }
  results[m] = report.summary
  reports[m] = report.out
end
local summary = ops.autows.summary { name = "summary", reports = reports, lfs = lfs }
ops.core.export { name = "export_summary", artifact = summary, path = out .. "/summary.md" }
return { lfs = lfs.count, results = results }
