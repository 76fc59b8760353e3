-- Word counts of every text file, one node per file (named after it), and
-- one table of them.
--   weft run examples/wordcount/wordcount.lua -o /tmp/wc    # writes /tmp/wc/counts.tsv
-- A new or edited file recounts only itself; the others come from the cache.
local counts = weft.map(weft.glob("texts/*.txt"), function(f)
  return ops.core.shell { name = f.name, doc = f.file, file = f.name, capture_stdout = true,
                          cmd = 'printf "%s\\t%s" "$file" "$(wc -w < "$doc")"' }.stdout
end, { name = "counts" })
local lines = ops.core.concat { name = "lines", items = counts, sep = "\n" }
local tsv = ops.core.shell { name = "counts.tsv", s = lines.out, outs = { "tsv" }, cmd = 'printf "%s\\n" "$s" > $out' }
return ops.core.export { name = "export", artifact = tsv.out, path = "counts.tsv" }
