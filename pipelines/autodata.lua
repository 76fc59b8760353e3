-- AutoData (Ma et al., 2025): from an instruction and the fields wanted to a
-- dataset collected from a web site, by two squads of agents under a
-- manager (docs/plugins/autodata.md).
--
--   weft run pipelines/autodata.lua -p start=http://127.0.0.1:8000/academic/v0/ \
--     -p instruction="Collect every paper with title, authors, abstract and PDF link" \
--     -p fields=title,authors,abstract,pdf
--
-- Research squad: plan, browse, tools, blueprint. Development squad:
-- engineer, test, validate. Every agent is a node; its output is a message
-- {type, from, body, refs} whose refs are artifacts of the store (pages,
-- API answers, programs, records), passed by reference. Who receives whose
-- message is the oriented message hypergraph ROUTES below; routing=broadcast
-- sends every message to every later agent instead (the ablation). The
-- manager is the dynamic node of each turn: it stops when the validator is
-- satisfied, when the validator has nothing left to reject, or after
-- max_turns, and otherwise starts the next turn with the verdict routed
-- back to the engineer.
weft.require_plugin("autodata", ">=0.1")

local instruction = weft.param("instruction", "Collect every record with the fields below",
  "what to collect, in plain language")
local fields = weft.param("fields", "title", "the fields wanted, comma-separated (name or name:type)")
local start = weft.param("start", "http://127.0.0.1:8000/", "the URL the crawl starts at")
local scope = weft.param("scope", "", "the URL prefix the crawl stays in (default: the start's directory)")
local max_pages = weft.param("max_pages", 400, "pages fetched at most")
local rate = weft.param("rate", 10, "requests per second per host")
local max_turns = weft.param("max_turns", 3, "engineer-test-validate turns at most")
local routing = weft.param("routing", "hypergraph", "hypergraph, or broadcast (every message to every agent)")
local artifact_cache = weft.param("artifact_cache", true,
  "pass pages by reference (OHCache); false: every agent that reads the pages crawls them itself, with no HTTP cache")
local robots = weft.param("robots", true, "obey robots.txt (turn off only for sites you own)")
local max_age = weft.param("max_age", 86400, "seconds a page in the HTTP cache is used without asking the site again")

-- The message hypergraph: each agent's output goes only to these agents.
local ROUTES = {
  plan = { "browse", "blueprint" },
  browse = { "tools", "blueprint" },
  tools = { "blueprint" },
  blueprint = { "engineer" },
  engineer = { "test" },
  test = { "validate" },
  validate = { "engineer", "export" },
}

-- "title,pdf:url" -> { "title", { name = "pdf", type = "url" } }
local wanted = {}
for item in string.gmatch(fields, "[^,]+") do
  local name, ty = item:match("^%s*([^:%s]+)%s*:%s*(%a+)%s*$")
  if name then
    wanted[#wanted + 1] = { name = name, type = ty }
  else
    wanted[#wanted + 1] = item:match("^%s*(.-)%s*$")
  end
end

local function routed(from, to)
  for _, t in ipairs(ROUTES[from] or {}) do
    if t == to then return true end
  end
  return false
end

-- The messages `to` receives out of the log {from, msg}: those routed to it,
-- or, broadcasting, all of them.
local function inbox(log, to)
  local box = {}
  for _, e in ipairs(log) do
    if routing == "broadcast" or routed(e.from, to) then box[#box + 1] = e.msg end
  end
  return box
end

local function append(log, from, msg)
  local out = {}
  for i, e in ipairs(log) do out[i] = e end
  out[#out + 1] = { from = from, msg = msg }
  return out
end


local fetch = { rate = rate, robots = robots, max_age = max_age }

local plan = ops.autodata.plan { name = "plan", instruction = instruction, fields = wanted, start = start,
                                 scope = scope }
local log = append({}, "plan", plan.message)

-- Without the artifact cache an agent cannot receive pages by reference:
-- each agent that reads the pages crawls them itself (a browse and a tools
-- of its own, without the HTTP cache either), and gets those two messages
-- besides its inbox.
local function crawl(tag, lg)
  local b = ops.autodata.browse { name = "browse" .. tag, inbox = inbox(lg, "browse"), max_pages = max_pages,
                                  rate = fetch.rate, robots = fetch.robots, http_cache = artifact_cache,
                                  max_age = fetch.max_age, agent = tag }
  local lg2 = append(lg, "browse", b.message)
  local t = ops.autodata.tools { name = "tools" .. tag, inbox = inbox(lg2, "tools"), rate = fetch.rate,
                                 robots = fetch.robots, http_cache = artifact_cache, max_age = fetch.max_age,
                                 agent = tag }
  return append(lg2, "tools", t.message), { b.message, t.message }
end

-- The inbox of `agent`, with its own crawl when there is no artifact cache.
local function own_inbox(lg, agent, tag)
  local box = inbox(lg, agent)
  if artifact_cache then return box, lg end
  local _, own = crawl("_" .. tag, lg)
  for _, m in ipairs(own) do box[#box + 1] = m end
  for _, m in ipairs(own) do lg = append(lg, "browse", m) end
  return box, lg
end

log = crawl("", log)
local bbox
bbox, log = own_inbox(log, "blueprint", "blueprint")
local bp = ops.autodata.blueprint { name = "blueprint", inbox = bbox }
log = append(log, "blueprint", bp.message)
local messages = 0
for _, to in ipairs({ "browse", "tools", "blueprint" }) do
  messages = messages + #inbox(log, to)
end

local function turn(t, lg, sent)
  local ebox
  ebox, lg = own_inbox(lg, "engineer", "engineer_" .. t)
  local eng = ops.autodata.engineer { name = "engineer_" .. t, inbox = ebox }
  sent = sent + #ebox
  lg = append(lg, "engineer", eng.message)
  local tbox
  tbox, lg = own_inbox(lg, "test", "test_" .. t)
  local tst = ops.autodata.test { name = "test_" .. t, inbox = tbox }
  sent = sent + #tbox
  lg = append(lg, "test", tst.message)
  local val = ops.autodata.validate { name = "validate_" .. t, inbox = inbox(lg, "validate") }
  sent = sent + #inbox(lg, "validate")
  lg = append(lg, "validate", val.message)
  return weft.fn {
    name = "manager_" .. t,
    inputs = { verdict = val.message },
    function(i)
      local v = i.verdict.body
      if v.ok or t >= max_turns or #v.reject == 0 then
        local ex = ops.autodata.export { name = "export", inbox = inbox(lg, "export") }
        local all = {}
        for _, e in ipairs(lg) do all[#all + 1] = e.msg end
        local rep = ops.autodata.report {
          name = "report", inbox = all,
          figures = { turns = t, routing = routing, artifact_cache = artifact_cache,
                      messages_delivered = sent + #inbox(lg, "export"), agents = #lg },
        }
        return { dataset = ex.out, records = ex.records, report = rep.out, summary = rep.summary, turns = t,
                 ok = v.ok }
      end
      return turn(t + 1, lg, sent)
    end,
  }
end

return turn(1, log, messages)
