-- iterate: loops whose length is known only at run time.
--
--   local iterate = require("iterate")
--   local best = iterate.loop {
--     name = "hpo",                 -- prefix of the nodes the loop adds
--     init = { lr = 0.1 },          -- state handed to round 1
--     max_rounds = 10,              -- stop here even if `done` never says so
--     step = function(round, state) -- builds one round; returns a node (or value)
--       return ops.core.shell { ... }.stdout
--     end,
--     done = function(result, round) -- sees the round's value at run time
--       return tonumber(result) >= 0.9
--     end,
--     next_state = function(result, round) return result end, -- optional
--   }
--
-- `best` is a node whose value is { rounds = n, result = last value,
-- converged = true|false }. Each round's check is a dynamic node named
-- NAME_check_R, so reruns hit the cache round by round and a killed run
-- resumes at the round that was in flight. The check's cache key includes
-- the source of step/done/next_state, so editing them reruns the loop.
local M = {}

function M.loop(spec)
  if type(spec) ~= "table" then error("iterate.loop{...}: expected a table", 2) end
  local name, step, done = spec.name, spec.step, spec.done
  if type(name) ~= "string" or name == "" then error("iterate.loop: name must be a non-empty string", 2) end
  if type(step) ~= "function" then error("iterate.loop: step must be a function(round, state)", 2) end
  if type(done) ~= "function" then error("iterate.loop: done must be a function(result, round)", 2) end
  local max_rounds = spec.max_rounds or 10
  if math.type(max_rounds) ~= "integer" or max_rounds < 1 then
    error("iterate.loop: max_rounds must be a positive integer", 2)
  end
  local next_state = spec.next_state or function(result) return result end

  local function round(r, state)
    local out = step(r, state)
    return weft.fn {
      name = name .. "_check_" .. r,
      inputs = { result = out },
      function(inp)
        local ok = done(inp.result, r) and true or false
        if ok or r >= max_rounds then
          return { rounds = r, result = inp.result, converged = ok }
        end
        return round(r + 1, next_state(inp.result, r))
      end,
    }
  end
  return round(1, spec.init)
end

return M
