-- search: loops that propose candidates, evaluate each as a node, and learn
-- from the results (weft.search is this module's run).
--
--   local best = weft.search {
--     name = "hpo",                          -- prefix of the nodes it adds
--     space = { lr = weft.floatv(1e-4, 1e-1, "log"),
--               opt = weft.oneof { "sgd", "adam" },
--               depth = weft.intv(2, 8) },
--     algorithm = "tpe",                     -- grid, random, evolution, tpe, llm
--     budget = 40, parallel = 4, seed = 1,
--     maximize = true,                       -- false: minimise the objective
--     target = 0.95,                         -- optional: stop once reached
--     time_budget = 3600,                    -- optional: wall-clock seconds of trials
--     options = { population = 20 },         -- the algorithm's (weft/search.h)
--     objective = function(c, trial)         -- one trial: a node (or its output)
--       return ops.x.train { lr = c.lr, opt = c.opt, depth = c.depth }.score
--     end,
--   }
--
-- The objective's value is a number, a string holding one, or a map
-- {objective = n, cost = n}. Each round proposes `parallel` candidates
-- (weft.search_propose: a pure function of space, seed and the trials so
-- far), adds a trial node for each, and waits for them in a dynamic node
-- NAME_round_R, which proposes the next round. Trials are nodes: cached,
-- resumable after kill -9, and scheduled with their resources, so
-- `gpu = 1` trials spread over the GPUs. A rerun finds every trial and
-- every round in the cache; a killed run resumes at the round in flight
-- and proposes exactly what an uninterrupted run would have.
--
-- With algorithm = "llm" each round asks the run's LLM (weft.yaml `llm:`)
-- for candidates given the space, the trials so far and options.task, as
-- AutoMMLab's hyperparameter dialogue does; without an endpoint, or when
-- it fails, TPE proposes instead, and each trial says which path
-- proposed it (proposed_by).
--
-- `best` is a node whose value is { best = candidate, objective = n,
-- trial = i, trials = artifact (CSV: trial, round, each dimension,
-- objective, cost, status, proposed_by, functional, seconds), history =
-- list, stopped = "budget" | "target" | "time" | "exhausted" }. A trial's
-- seconds are its compute time (its cache entry's on a rerun); the search's
-- wall-clock time is each round's longest trial, summed over the rounds, so
-- a stop by time_budget replays exactly from the cache.
local M = {}

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  return keys
end

local function csv_field(v)
  if v == nil then return "" end
  local s = tostring(v)
  if math.type(v) == "float" then s = string.format("%.17g", v) end
  if s:find('[,"\n]') then s = '"' .. s:gsub('"', '""') .. '"' end
  return s
end

local function trials_csv(history, dims)
  local rows = { "trial,round," .. table.concat(dims, ",") .. ",objective,cost,status,proposed_by,functional,seconds" }
  for _, h in ipairs(history) do
    local f = { csv_field(h.trial), csv_field(h.round) }
    for _, d in ipairs(dims) do f[#f + 1] = csv_field(h.candidate[d]) end
    f[#f + 1] = csv_field(h.objective)
    f[#f + 1] = csv_field(h.cost)
    f[#f + 1] = h.objective ~= nil and "ok" or "failed"
    f[#f + 1] = csv_field(h.proposed_by)
    f[#f + 1] = csv_field(h.functional)
    f[#f + 1] = csv_field(h.seconds)
    rows[#rows + 1] = table.concat(f, ",")
  end
  return table.concat(rows, "\n") .. "\n"
end

local function value_of(v)
  if type(v) == "table" then
    local o = v.objective
    if type(o) == "string" then o = tonumber(o) end
    return o, v.cost
  end
  if type(v) == "string" then return tonumber(v), nil end
  if type(v) == "number" then return v, nil end
  return nil, nil
end

function M.run(spec)
  if type(spec) ~= "table" then error("weft.search{...}: expected a table", 3) end
  local name = spec.name or "search"
  local space, objective = spec.space, spec.objective
  local algorithm = spec.algorithm or "tpe"
  local budget, parallel, seed = spec.budget or 20, spec.parallel or 1, spec.seed or 1
  local maximize = spec.maximize ~= false
  local target = spec.target
  local time_budget = spec.time_budget
  if time_budget ~= nil and (type(time_budget) ~= "number" or time_budget <= 0) then
    error("weft.search: time_budget must be a number of seconds > 0", 3)
  end
  if type(name) ~= "string" or name == "" then error("weft.search: name must be a non-empty string", 3) end
  if type(space) ~= "table" then error("weft.search: space must be a table of name = weft.floatv/intv/oneof", 3) end
  if type(objective) ~= "function" then error("weft.search: objective must be a function(candidate, trial)", 3) end
  for k, v in pairs({ budget = budget, parallel = parallel, seed = seed }) do
    if math.type(v) ~= "integer" or (k ~= "seed" and v < 1) then
      error("weft.search: " .. k .. " must be a " .. (k == "seed" and "whole number" or "positive whole number"), 3)
    end
  end
  local options = {}
  for k, v in pairs(spec.options or {}) do options[k] = v end
  options.maximize = maximize
  -- Checks the space and the algorithm now, reported at the script's line
  -- (level 3: past weft.search to its caller).
  local ok, err = pcall(weft.search_propose, space, algorithm, options, seed, {}, 0)
  if not ok then error("weft.search: " .. tostring(err), 3) end
  local dims = sorted_keys(space)

  -- Functional-equivalence caching: a probe's outputs, quantised and
  -- hashed, tell candidates that compute the same function apart.
  local probe, fc = spec.probe, spec.functional or {}
  if probe ~= nil and type(probe) ~= "function" then
    error("weft.search: probe must be a function(candidate, trial) returning a node", 3)
  end
  local bits, max_evals, evict = fc.bits or 24, fc.max_evals or 1, fc.evict or 0
  local ns = (fc.probe_id or name) .. "/bits=" .. tostring(bits)
  if math.type(bits) ~= "integer" or bits < 1 or bits > 52 then error("weft.search: functional.bits must be 1..52", 3) end
  if math.type(max_evals) ~= "integer" or max_evals < 1 then error("weft.search: functional.max_evals must be >= 1", 3) end

  -- The search's wall-clock time: its rounds run one after another and
  -- their trials side by side, so each round takes its longest trial.
  local function wall(history)
    local longest, total = {}, 0
    for _, e in ipairs(history) do
      if (longest[e.round] or 0) < e.seconds then longest[e.round] = e.seconds end
    end
    for _, t in pairs(longest) do total = total + t end
    return total
  end

  local function better(a, b)
    if a == nil then return false end
    if b == nil then return true end
    if maximize then return a > b end
    return a < b
  end

  local function finish(history, stopped)
    local best
    for _, h in ipairs(history) do
      if h.objective ~= nil and (best == nil or better(h.objective, best.objective)) then best = h end
    end
    local counts = nil
    if probe then
      counts = { misses = 0, partial_hits = 0, full_hits = 0 }
      for _, h in ipairs(history) do
        local key = h.functional == "full" and "full_hits" or h.functional == "partial" and "partial_hits" or "misses"
        counts[key] = counts[key] + 1
      end
      counts.evaluations = counts.misses + counts.partial_hits
    end
    return {
      functional = counts,
      best = best and best.candidate or nil,
      objective = best and best.objective or nil,
      trial = best and best.trial or nil,
      trials = weft.text(trials_csv(history, dims)),
      history = history,
      stopped = stopped,
    }
  end

  local function numbers(v)
    if type(v) == "number" then return { v } end
    if type(v) == "string" then
      local out = {}
      for w in v:gmatch("[^%s,]+") do out[#out + 1] = tonumber(w) or (0 / 0) end
      return out
    end
    if type(v) == "table" then return v.values or v end
    return {}
  end

  -- The mean of the evaluations of functional hash `h` so far, and their number.
  local function evaluations(history, h)
    local sum, n = 0, 0
    for _, e in ipairs(history) do
      if e.fhash == h and e.evaluated ~= nil then sum, n = sum + e.evaluated, n + 1 end
    end
    return n > 0 and sum / n or nil, n
  end

  -- A deterministic coin per trial, for eviction.
  local function coin(trial)
    return tonumber(weft.search_fhash({ seed, trial }, 52, "evict"):sub(1, 8), 16) / 4294967296
  end

  local round

  -- Waits for the round's trials and proposes the next round.
  local function collect(r, history, cands, by, results, fh, outcome)
    return weft.fn {
      name = name .. "_round_" .. r,
      inputs = { results = results },
      function(inp)
        local h = {}
        for i = 1, #history do h[i] = history[i] end
        local reached = false
        for i, c in ipairs(cands) do
          local o, cost = value_of(inp.results[i])
          -- The trial's compute time: measured now, or its cache entry's on
          -- a rerun, so the history (and a stop by time) replays exactly.
          -- A full hit paid only its probe: no objective seconds of its own.
          local secs = (outcome == nil or outcome[i] ~= "full") and weft.is_node(results[i])
                       and weft.elapsed(results[i]) or 0
          local e = { candidate = c, objective = o, cost = cost, trial = #history + i, round = r, proposed_by = by,
                      fhash = fh and fh[i] or nil, functional = outcome and outcome[i] or nil, seconds = secs }
          if outcome and outcome[i] ~= "full" then
            -- An evaluation: the hash's objective is the mean of them all.
            e.evaluated = o
            h[#h + 1] = e
            if o ~= nil then e.objective = evaluations(h, fh[i]) end
          else
            h[#h + 1] = e
          end
          if e.objective ~= nil and target ~= nil and (e.objective == target or better(e.objective, target)) then
            reached = true
          end
        end
        if reached then return finish(h, "target") end
        if #h >= budget then return finish(h, "budget") end
        if time_budget ~= nil and wall(h) >= time_budget then return finish(h, "time") end
        return round(r + 1, h)
      end,
    }
  end

  round = function(r, history)
    local k = math.min(parallel, budget - #history)
    local cands, by = weft.search_propose(space, algorithm, options, seed, history, k)
    if #cands == 0 then
      return weft.fn { name = name .. "_done", inputs = {}, function() return finish(history, "exhausted") end }
    end
    if not probe then
      local results = {}
      for i, c in ipairs(cands) do results[i] = objective(c, #history + i) end
      return collect(r, history, cands, by, results)
    end
    local probes = {}
    for i, c in ipairs(cands) do probes[i] = probe(c, #history + i) end
    return weft.fn {
      name = name .. "_probe_" .. r,
      inputs = { probes = probes },
      function(inp)
        local results, fh, outcome = {}, {}, {}
        local seen, first = {}, {}
        for i, c in ipairs(cands) do
          fh[i] = weft.search_fhash(numbers(inp.probes[i]), bits, ns)
          local mean, n = evaluations(history, fh[i])
          n = n + (seen[fh[i]] or 0)
          local evicted = evict > 0 and coin(#history + i) < evict
          if n >= max_evals and mean ~= nil and not evicted then
            outcome[i], results[i] = "full", mean -- the result is reused; only the probe was paid
          elseif max_evals == 1 and first[fh[i]] and not evicted then
            -- The same function as an earlier candidate of this round: its
            -- one evaluation (the same node) serves both.
            outcome[i], results[i] = "full", results[first[fh[i]]]
          else
            first[fh[i]] = first[fh[i]] or i
            outcome[i] = n > 0 and "partial" or "miss"
            results[i] = objective(c, #history + i)
            seen[fh[i]] = (seen[fh[i]] or 0) + 1
          end
        end
        return collect(r, history, cands, by, results, fh, outcome)
      end,
    }
  end
  if algorithm == "llm" then
    -- The LLM is asked while the run goes on (it needs the run's endpoint
    -- and cache), so even the first round is proposed by a dynamic node.
    return weft.fn { name = name .. "_start", inputs = {}, function() return round(1, {}) end }
  end
  return round(1, {})
end

return M
