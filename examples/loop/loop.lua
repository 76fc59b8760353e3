-- A loop whose length is known only at run time: each round "trains" (a
-- shell step that improves a score), then a dynamic node checks the score
-- and either stops or adds the next round. Rerunning is fully cached; a
-- kill -9 mid-loop resumes at the round that was running.
local target = weft.param("target", 0.9, "stop once the score reaches this")
local max_rounds = weft.param("max_rounds", 12, "give up after this many rounds")
local rate = weft.param("rate", 0.3, "fraction of the remaining gap closed per round")
local delay = weft.param("delay", 0.0, "seconds each round sleeps (for interrupt tests)")

local function round(r, score)
  local trained = ops.core.shell {
    name = "train_" .. r,
    score = score,
    cmd = string.format("sleep %s; echo train_%d >> \"${WEFT_COUNTER:-/dev/null}\"; "
      .. "awk -v s=\"$score\" 'BEGIN { printf \"%%.6f\", s + (1 - s) * %s }'", delay, r, rate),
    capture_stdout = true,
  }
  return weft.fn {
    name = "check_" .. r,
    inputs = { score = trained.stdout },
    function(inp)
      local s = tonumber(inp.score)
      if s >= target or r >= max_rounds then
        return { rounds = r, score = s, reached = s >= target }
      end
      return round(r + 1, inp.score)
    end,
  }
end

return round(1, "0.0")
