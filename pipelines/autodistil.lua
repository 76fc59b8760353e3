-- AutoDistil (docs/plugins/autodistil.md): few-shot, task-agnostic
-- architecture search that distils a transformer into a family of
-- students, on Debian's package descriptions.
--
--   weft run pipelines/autodistil.lua                  -- the CI configuration, about 3 minutes
--   weft run pipelines/autodistil.lua -p config=bench  -- the benchmark configuration
--   ... -p ablation=true                               -- also K = 1, one supernet, same budget
--
-- The teacher is pretrained by masked language modelling; the student
-- space is split into K = 3 sub-spaces (AutoDistil's base, small, tiny,
-- as multipliers of the teacher); one SuperLM per sub-space is trained by
-- self-attention distillation, a student at random each step; every
-- student of every sub-space is scored by its held-out distillation loss
-- (weft.search, grid, with the functional-equivalence cache: students
-- that compute the same function are scored once); the best student under
-- each FLOPs budget is fine-tuned on two tasks and compared with the
-- teacher.
local config = weft.param("config", "ci", "ci (about 3 minutes on 2 cores) or bench (the benchmark)")
local ablation = weft.param("ablation", false, "also train one supernet over the whole space (K = 1)")
local gpu = weft.param("gpu", 0, "GPUs per training node (supernets train at once on a multi-GPU machine)")
local seed = weft.param("seed", 0, "seed of every draw")

local presets = {
  ci = {
    corpus = { limit = 16000, seq_len = 32, words = 3000, buckets = 256, eval_n = 32, probe_n = 2 },
    teacher = { layers = 4, hidden = 64, heads = 4, head_size = 16, ffn_ratio = 4, steps = 1000, batch = 32,
                lr = 0.002 },
    supernet = { steps = 150, batch = 32, lr = 0.001 },
    finetune = { steps = 400, batch = 32, lr = 0.002 },
  },
  bench = {
    corpus = { limit = 0, seq_len = 48, words = 8000, buckets = 1024, eval_n = 128, probe_n = 4 },
    teacher = { layers = 6, hidden = 128, heads = 8, head_size = 16, ffn_ratio = 4, steps = 1500, batch = 64,
                lr = 0.001 },
    supernet = { steps = 500, batch = 32, lr = 0.0005 },
    finetune = { steps = 800, batch = 32, lr = 0.001 },
  },
}
local P = presets[config]
if not P then error("config must be ci or bench, not " .. tostring(config)) end
-- Training steps over the preset's (0: the preset's).
for _, o in ipairs({ { "teacher_steps", P.teacher }, { "supernet_steps", P.supernet }, { "finetune_steps", P.finetune } }) do
  local v = weft.param(o[1], 0, "override the configuration's " .. o[1]:gsub("_", " "))
  if math.type(v) ~= "integer" or v < 0 then error(o[1] .. " must be a whole number >= 0") end
  if v > 0 then o[2].steps = v end
end

-- AutoDistil's three sub-spaces (its KD_*_256Subs configs), as fractions
-- of the teacher: layers, attention heads, hidden size, and the MLP ratio.
local function frac(lo, hi, den)
  local t = {}
  for k = lo, hi do t[#t + 1] = k / den end
  return t
end
local subspaces = {
  { name = "base", depth = frac(9, 12, 12), heads = frac(9, 12, 12), hidden = frac(17, 20, 24),
    ratio = { 2.5, 3.0, 3.5, 4.0 } },
  { name = "small", depth = frac(9, 12, 12), heads = frac(7, 10, 12), hidden = frac(8, 11, 24),
    ratio = { 2.5, 3.0, 3.5, 4.0 } },
  { name = "tiny", depth = frac(4, 7, 12), heads = frac(7, 10, 12), hidden = frac(4, 7, 24),
    ratio = { 2.0, 2.5, 3.0, 3.5 } },
}
-- The FLOPs budgets (fractions of the teacher's) the students are picked
-- for: one inside each sub-space's range.
local budgets = { { name = "base", flops = 0.55 }, { name = "small", flops = 0.2 }, { name = "tiny", flops = 0.05 } }

local corpus = ops.autodistil.corpus {
  name = "corpus", seed = seed, limit = P.corpus.limit, seq_len = P.corpus.seq_len, words = P.corpus.words,
  buckets = P.corpus.buckets, eval_n = P.corpus.eval_n, probe_n = P.corpus.probe_n,
}
local T = P.teacher
local teacher = ops.autodistil.pretrain {
  name = "teacher", corpus = corpus.out, data = corpus.data, layers = T.layers, hidden = T.hidden, heads = T.heads,
  head_size = T.head_size, ffn_ratio = T.ffn_ratio, steps = T.steps, batch = T.batch, lr = T.lr, seed = seed,
  gpu = gpu > 0 and gpu or nil, retries = 1,
  cpus = 2, -- nothing else can run while the teacher trains
}

local spaces = {}
for _, s in ipairs(subspaces) do
  spaces[s.name] = ops.autodistil.space { name = "space_" .. s.name, teacher = teacher.out, subspace = s.name,
                                          depth = s.depth, heads = s.heads, hidden = s.hidden, ratio = s.ratio }
end

local function supernet(name, students, steps)
  return ops.autodistil.supernet {
    name = "supernet_" .. name, teacher = teacher.weights, data = corpus.data, students = students, subspace = name,
    steps = steps, batch = P.supernet.batch, lr = P.supernet.lr, seed = seed, gpu = gpu > 0 and gpu or nil,
    retries = 1,
  }
end

-- Every student of one sub-space, scored against `weights` (its SuperLM).
local function search(tag, s, weights)
  return weft.search {
    name = "search_" .. tag .. "_" .. s.name, algorithm = "grid", budget = 256, parallel = 256, seed = seed,
    maximize = false,
    space = { depth = weft.oneof(s.depth), heads = weft.oneof(s.heads), hidden = weft.oneof(s.hidden),
              ratio = weft.oneof(s.ratio) },
    probe = function(c)
      return ops.autodistil.probe { weights = weights, probe = corpus.probe, student = c }
    end,
    functional = { bits = 24, probe_id = "autodistil-" .. tag .. "-" .. s.name },
    objective = function(c)
      return ops.autodistil.score { weights = weights, teacher = teacher.weights, distill = corpus.distill,
                                    student = c }.out
    end,
  }
end

-- K = 3: a SuperLM per sub-space. K = 1: one over the union, trained for
-- as many steps as the three together.
local configs = { { tag = "k3" } }
if ablation then configs[2] = { tag = "k1" } end
local results = {}
for _, k in ipairs(configs) do
  local nets, searches, supers = {}, {}, {}
  if k.tag == "k3" then
    for _, s in ipairs(subspaces) do
      nets[s.name] = supernet(s.name, spaces[s.name].out, P.supernet.steps)
      supers[#supers + 1] = nets[s.name].out
    end
  else
    local all = weft.fn {
      name = "space_all", inputs = { a = spaces.base.out, b = spaces.small.out, c = spaces.tiny.out },
      function(i)
        local t = {}
        for _, l in ipairs({ i.a, i.b, i.c }) do for _, x in ipairs(l) do t[#t + 1] = x end end
        return t
      end,
    }
    local one = supernet("all", all, P.supernet.steps * #subspaces)
    for _, s in ipairs(subspaces) do nets[s.name] = one end
    supers[1] = one.out
  end
  for _, s in ipairs(subspaces) do searches[#searches + 1] = search(k.tag, s, nets[s.name].weights) end
  local pick = ops.autodistil.pick { name = "pick_" .. k.tag, teacher = teacher.out, searches = searches,
                                     budgets = budgets }
  local w = {}
  for j, s in ipairs(subspaces) do w[j] = nets[s.name].weights end
  results[k.tag] = { pick = pick, searches = searches, supernets = supers, weights = w }
end

local FT = P.finetune
local function finetune(label, weights, task, student)
  return ops.autodistil.finetune {
    name = "ft_" .. label .. "_" .. task, weights = weights, data = corpus.data, corpus = corpus.out, task = task,
    student = student, steps = FT.steps, batch = FT.batch, lr = FT.lr, seed = seed, label = label,
    gpu = gpu > 0 and gpu or nil, retries = 1,
  }
end

local tasks = { "section", "tags" }
local finetuned = {}
for _, task in ipairs(tasks) do finetuned[#finetuned + 1] = finetune("teacher", teacher.weights, task).out end

-- The picks are known once the searches have run: fine-tune them then,
-- each sliced out of the SuperLM it was searched in.
local per_config = {}
for _, k in ipairs(configs) do
  local r = results[k.tag]
  per_config[k.tag] = weft.fn {
    name = "finetune_" .. k.tag,
    inputs = { picks = r.pick.out, weights = r.weights },
    function(i)
      local outs = {}
      for _, p in ipairs(i.picks) do
        for _, task in ipairs(tasks) do
          outs[#outs + 1] = finetune(k.tag .. "_" .. p.budget, i.weights[p.search + 1], task, p).out
        end
      end
      return outs
    end,
  }
end

local report_inputs = { corpus = corpus.out, teacher = teacher.out, finetuned_teacher = finetuned,
                        spaces = { spaces.base.summary, spaces.small.summary, spaces.tiny.summary } }
for _, k in ipairs(configs) do
  report_inputs[k.tag] = { picks = results[k.tag].pick.out, searches = results[k.tag].searches,
                           supernets = results[k.tag].supernets, finetuned = per_config[k.tag] }
end
local report = ops.autodistil.report { name = "report", inputs = report_inputs }
return { report = report.out, summary = report.summary, picks = results.k3.pick.out }
