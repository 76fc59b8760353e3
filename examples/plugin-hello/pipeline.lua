-- Uses the hello plugin once it is installed (`weft plugin install`) or is on
-- WEFT_PLUGIN_PATH: counts the words of a text, then greets the most common
-- one. The greeting depends on a value known only at run time, so it is built
-- by a dynamic node.
local text = weft.param("text", "words.txt", "the text file to read")
local freq = ops.hello.wordfreq { name = "freq", text = weft.file(text), k = 3 }
local hi = weft.fn {
  name = "greet_top",
  inputs = { top = freq.top },
  function(inp)
    return ops.hello.greet { name = "greeting", who = inp.top or "nobody" }
  end,
}
return { top = freq.top, words = freq.out, greeting = hi }
