-- AutoSDT (Li et al., 2025): research code repositories mined for verified,
-- self-contained data-driven discovery tasks (docs/plugins/autosdt.md).
--
--   weft run pipelines/autosdt.lua -p repos=/data/repos/a,/data/repos/b
--   weft run pipelines/autosdt.lua -p corpus=/data/repos      # every repository in it
--
-- One chain of nodes per repository: crawl -> prefilter -> judge -> locate
-- -> envcheck -> adapt, with JSONL artifacts between them, then one verify
-- node per task (a worker, a sandbox, a time limit), up to three self-debug
-- rounds (fix -> verify) when an LLM is configured, and instruct. The
-- dataset node gathers every repository's tasks. search runs every time and
-- reads each repository's current commit; everything else is keyed by it,
-- so a rerun is fully cached and a new commit reruns only its repository.
weft.require_plugin("autosdt", ">=1")

local repos_param = weft.param("repos", "", "repository paths or file:// URLs, comma-separated")
local corpus = weft.param("corpus", "", "a directory whose subdirectories are git repositories (all are read)")
local only = weft.param("only", "", "with corpus: only these repositories, comma-separated")
local rev = weft.param("rev", "", "the revision to read in every repository (default HEAD)")
local time_limit = weft.param("time_limit", 120, "seconds a task's program may run")
local max_output = weft.param("max_output", 64 * 1024 * 1024, "bytes a task's program may write")
local max_debug = weft.param("max_debug", 3, "self-debug rounds at most (LLM only)")
local use_llm = weft.param("use_llm", true, "ask the LLM when one is configured")
local python = weft.param("python", "", "the tasks' interpreter (default $WEFT_PYTHON, else python3)")
local readme_filter = weft.param("readme_filter", true, "filter repositories by their README")

local repos = {}
for item in string.gmatch(repos_param, "[^,]+") do
  repos[#repos + 1] = item:match("^%s*(.-)%s*$")
end
local names = {}
for item in string.gmatch(only, "[^,]+") do names[#names + 1] = item:match("^%s*(.-)%s*$") end
if #repos == 0 and corpus == "" then
  error("no repositories: give -p repos=PATH[,PATH...] or -p corpus=DIR")
end

-- search lists the corpus itself (at run time), so a repository added to it
-- is found by the next run
local found = ops.autosdt.search {
  name = "search", repos = repos, corpus = corpus, only = names, rev = rev, readme_filter = readme_filter,
  use_llm = use_llm,
}

-- One task: verify, and while it fails and rounds are left, fix -> verify.
local function attempt(slug, task, tree, round, first, llm)
  local v = ops.autosdt.verify {
    name = "verify_" .. slug .. (round > 0 and ("_r" .. round) or ""),
    task = task, tree = tree, time_limit = time_limit, max_output = max_output, python = python,
    -- the op stops its program at time_limit; the node's own timeout is the
    -- backstop for a program SIGKILL cannot reach (uninterruptible I/O)
    timeout = time_limit + 60,
  }
  return weft.fn {
    name = "check_" .. slug .. (round > 0 and ("_r" .. round) or ""),
    inputs = { res = v.out },
    function(inp)
      local ok = inp.res.verified
      if first == nil then first = ok end
      if ok or round >= max_debug or not llm then
        return { task = task, result = inp.res, rounds = round, first_verified = first }
      end
      local f = ops.autosdt.fix { name = "fix_" .. slug .. "_r" .. (round + 1), task = task, result = inp.res,
                                  round = round + 1 }
      return weft.fn {
        name = "refix_" .. slug .. "_r" .. (round + 1),
        inputs = { fixed = f.out },
        function(x)
          if x.fixed == nil then
            return { task = task, result = inp.res, rounds = round, first_verified = first }
          end
          return attempt(slug, x.fixed, tree, round + 1, first, llm)
        end,
      }
    end,
  }
end

local per_repo = weft.map(found, function(r)
  local s = weft.slug(r.name)
  local c = ops.autosdt.crawl { name = "crawl_" .. s, repo = r }
  local pf = ops.autosdt.prefilter { name = "prefilter_" .. s, files = c.out }
  local j = ops.autosdt.judge { name = "judge_" .. s, files = pf.out, python = python, use_llm = use_llm }
  local l = ops.autosdt.locate { name = "locate_" .. s, files = j.out, tree = c.tree, python = python }
  local e = ops.autosdt.envcheck { name = "envcheck_" .. s, files = l.out, python = python }
  local a = ops.autosdt.adapt { name = "adapt_" .. s, files = e.out, tree = c.tree, repo = r, python = python,
                                use_llm = use_llm }
  local results = weft.map(a.out, function(t, k)
    return attempt(s .. "_" .. k .. "_" .. weft.slug(t.name), t, c.tree, 0, nil, r.llm)
  end, { name = "tasks_" .. s })
  return ops.autosdt.instruct {
    name = "instruct_" .. s, repo = r, results = results, use_llm = use_llm,
    stages = { c.stats, pf.stats, j.stats, l.stats, e.stats, a.stats },
  }
end, { name = "repos" })

local ds = ops.autosdt.dataset { name = "dataset", repos = per_repo }
return { dataset = ds.out, stats = ds.stats, report = ds.report, search = found.report }
