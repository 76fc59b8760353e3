-- Quickstart: load a CSV, summarise it with shell tools, and merge the
-- results. Run it twice: the second run executes nothing.
local min_units = weft.param("min_units", 5, "drop rows with fewer units")

local sales = ops.core.csv { name = "load", file = weft.file("sales.csv") }

-- Filter rows with awk; the table artifact arrives as a read-only path in $table.
local big = ops.core.shell {
  name = "filter",
  table = sales.table,
  cmd = "awk -F, -v min=" .. min_units .. " 'NR == 1 || $3 >= min' \"$table\" > $out",
  outs = { "big.csv" },
}

-- One count per region, fanned out over a literal list.
local counts = weft.map({ "north", "south", "east" }, function(region)
  return ops.core.shell {
    name = "count_" .. region,
    rows = big.out,
    cmd = "grep -c '^" .. region .. ",' \"$rows\" || true",
    capture_stdout = true,
  }.stdout
end)

local report = ops.core.concat { name = "report", items = counts, sep = " " }

-- The value the script returns is printed after the run.
return report
