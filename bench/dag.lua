-- The benchmark DAG as a weft pipeline: LAYERS x WIDTH nodes; node (l, i)
-- depends on (l-1, i) and (l-1, (7i+1) mod WIDTH). kind=shell runs the same
-- tiny command that bench/run.sh writes into build.ninja, the Makefile and the
-- Snakefile; kind=noop uses core.noop to measure the engine's own overhead.
local layers = weft.param("layers", 100, "number of layers")
local width = weft.param("width", 100, "nodes per layer")
local kind = weft.param("kind", "shell", "shell | noop")

local prev = {}
for l = 0, layers - 1 do
  local cur = {}
  for i = 0, width - 1 do
    local id = l .. "_" .. i
    local node
    if kind == "noop" then
      if l == 0 then
        node = ops.core.noop { name = "n" .. id, seed = l * width + i }
      else
        node = ops.core.noop { name = "n" .. id, seed = l * width + i, a = prev[i], b = prev[(7 * i + 1) % width] }
      end
    elseif l == 0 then
      node = ops.core.shell { name = "n" .. id, cmd = "echo " .. id .. " > $out", outs = { "n" } }.out
    else
      node = ops.core.shell {
        name = "n" .. id,
        a = prev[i],
        b = prev[(7 * i + 1) % width],
        cmd = "(echo " .. id .. "; cat $a $b) | cksum > $out",
        outs = { "n" },
      }.out
    end
    cur[i] = node
  end
  prev = cur
end
