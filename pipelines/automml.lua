-- AutoMMLab (docs/plugins/automml.md): a request in plain language to a
-- trained, exported model, in five stages -- request understanding, data
-- selection, model selection, training with hyperparameter search, and
-- deployment -- and a one-page report.
--
--   weft run pipelines/automml.lua -p request="classify handwritten digits, 95% accuracy, under 100K params"
--
-- The search is AutoMMLab's: the LLM proposes the six hyperparameters
-- round by round, told every earlier trial's validation score (weft.yaml
-- `llm:`); without an endpoint TPE proposes. Every trial is a training
-- node (cached, checkpointed, on a GPU when the node asks for one).
local request = weft.param("request", "classify handwritten digits with 95% accuracy and under 100K parameters",
                           "what the model is for")
local algorithm = weft.param("algorithm", "llm", "llm (TPE without an endpoint), tpe or random")
local rounds = weft.param("rounds", 3, "search rounds (AutoMMLab: at most 3)")
local per_round = weft.param("per_round", 2, "trials per round")
local seed = weft.param("seed", 0, "seed of the data, the search and the training")
local size = weft.param("size", 0, "synthetic images per dataset (0: the zoo's default)")
local max_iters = weft.param("max_iters", 400, "upper end of the iterations range")
local gpu = weft.param("gpu", 0, "GPUs per training node")

local parse = ops.automml.parse { name = "parse", request = request }
local data = ops.automml.data { name = "data", parse = parse.out, seed = seed, size = size }
local prof = ops.automml.profile { name = "profile", data = data.out }
local sel = ops.automml.select { name = "select", parse = parse.out, data = data.out, candidates = prof.out }

-- AutoMMLab's six hyperparameters, at a CPU scale of iterations.
local space = {
  iters = weft.intv(100, max_iters),
  batch_size = weft.intv(8, 64),
  optimizer = weft.oneof { "SGD", "Adam", "AdamW", "RMSprop" },
  lr = weft.floatv(1e-4, 0.3, "log"),
  weight_decay = weft.floatv(1e-6, 1e-2, "log"),
  lr_schedule = weft.oneof { "MultiStepLR", "CosineAnnealingLR", "StepLR", "PolyLR" },
}

local function train(name, c)
  return ops.automml.train { name = name, model = sel.out, data = data.out, dataset = data.dataset,
                             iters = c.iters, batch_size = c.batch_size, optimizer = c.optimizer, lr = c.lr,
                             weight_decay = c.weight_decay, lr_schedule = c.lr_schedule, seed = seed,
                             gpu = gpu > 0 and gpu or nil, retries = 1 }
end

-- The task's own metric, as the request names it: the search stops once
-- the validation score reaches its target.
local task_metric = { classification = { "accuracy", "top-1 accuracy" }, detection = { "map", "ap", "ap50" },
                      segmentation = { "miou", "iou", "mean iou" }, keypoint = { "pck", "pck@0.2" } }

-- The recipe at the top of the iterations range, as a candidate of `space`.
local function recipe(r)
  if r == nil then return nil end
  return { iters = max_iters, batch_size = r.batch_size, optimizer = r.optimizer, lr = r.lr,
           weight_decay = r.weight_decay, lr_schedule = r.lr_schedule }
end

return weft.fn {
  name = "automml",
  inputs = { parse = parse.out, data = data.out, selection = sel.selection },
  function(i)
    local target
    for _, m in ipairs(i.parse.model.metrics or {}) do
      for _, n in ipairs(task_metric[i.parse.model.task] or {}) do
        if m.name:lower() == n then target = m.value end
      end
    end
    local hpo = weft.search {
      name = "hpo", algorithm = algorithm, budget = rounds * per_round, parallel = per_round, seed = seed,
      target = target, space = space,
      -- TPE models the trials from the second round on (its default, 10
      -- random trials first, is more than AutoMMLab's whole budget)
      -- the model's default recipe: shown to the LLM, and tried first
      -- without one (as the LLM's opening proposal would be)
      options = { startup = per_round, prior = recipe(i.selection.chosen.recipe), task = string.format(
        "Train a %s model (%s, %d parameters) on %s (%d classes, %s images, %d training images); the objective is "
        .. "the validation %s (higher is better).", i.parse.model.task, i.selection.chosen.name,
        math.tointeger(i.selection.params), i.data.dataset, math.tointeger(i.data.classes),
        table.concat(i.data.input, "x"), math.tointeger(i.data.sizes.train),
        ({ classification = "accuracy", detection = "mAP@0.5", segmentation = "mIoU", keypoint = "PCK@0.2" })[i.parse.model.task]) },
      objective = function(c, t) return train("trial_" .. t, c).out end,
    }
    return weft.fn {
      name = "deploy",
      inputs = { r = hpo },
      function(h)
        -- the best trial's node again: the same key, so a cache hit
        local best = train("best", h.r.best)
        local ex = ops.automml.export { name = "export", model = sel.out, data = data.out, dataset = data.dataset,
                                        weights = best.weights, parse = parse.out, selection = sel.selection }
        local rep = ops.automml.report { name = "report", request = request, parsed_by = parse.parsed_by,
                                         parse = parse.out, data = data.out, selection = sel.selection, hpo = h.r,
                                         deploy = ex.out,
                                         final = { out = best.out, test = best.test, metric = best.metric } }
        return { report = rep.out, onnx = ex.onnx, torchscript = ex.torchscript, deploy = ex.out,
                 validation = best.out, test = best.test, model = sel.out }
      end,
    }
  end,
}
