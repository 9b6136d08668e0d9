-- wrk script of `make reliability`: mixed requests (search, lists, named queries, cheap and
-- runaway SPARQL, malformed inputs), weighted; counts the answers by status and error code.
local runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
local cross = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
local function enc(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
local sq = {["content-type"] = "application/sparql-query"}
local mix = {
  {15, "GET", "/api/search?q=chatellerault"},
  {8, "GET", "/api/territories?limit=100"},
  {8, "GET", "/api/queries/events-by-year"},
  {4, "GET", "/api/network?format=png"},
  {6, "GET", "/sparql?query=" .. enc("ASK { ?s ?p ?o }")},
  {3, "GET", "/sparql?query=" .. enc(runaway)},
  {1, "POST", "/sparql", cross},
  {3, "GET", "/sparql?query=" .. enc("SELECT ?s WHERE { ?s ?p")},
  {2, "GET", "/api/territories?offset=18446744073709551616"},
  {2, "GET", "/api/signatures?since=2019-13-45"},
  {1, "POST", "/sparql", string.rep("{", 10000)},
  {1, "GET", "/sparql?query=" .. enc("SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")},
  {1, "GET", "/api/entities/" .. string.rep("x", 300) .. "%00"},
}
local bag = {}
for _, m in ipairs(mix) do
  for _ = 1, m[1] do bag[#bag + 1] = m end
end
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) counts = {} math.randomseed(os.time() + math.random(1000)) end
function request()
  local m = bag[math.random(#bag)]
  if m[2] == "POST" then return wrk.format("POST", m[3], sq, m[4]) end
  return wrk.format("GET", m[3])
end
function response(status, headers, body)
  local key = tostring(status)
  if status >= 400 then key = key .. " " .. (body:match('"code":"([%w_]+)"') or "?") end
  counts[key] = (counts[key] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("counts")) do total[k] = (total[k] or 0) + v end
  end
  io.write("COUNTS")
  for k, v in pairs(total) do io.write(string.format("\t%s=%d", k, v)) end
  io.write(string.format("\nERRORS\tconnect=%d\tread=%d\twrite=%d\ttimeout=%d\tstatus=%d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status))
end
