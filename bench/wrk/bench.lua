-- Load script for the Junction benchmark (wrk 4.x, LuaJIT).
-- Environment: BENCH_METHOD (GET|POST), BENCH_PATH, BENCH_BODY_FILE (optional),
-- BENCH_CONTENT_TYPE (optional), BENCH_MARKER (a substring every good body contains),
-- BENCH_STATUS (the status every good response has; default 200),
-- BENCH_TOKENS_FILE (optional: one bearer token a line, sent in turn instead of the unique
-- header), BENCH_TOKENS_STATE (optional: a file holding the next token's position, so that
-- consecutive runs against one process continue through the list instead of starting over),
-- BENCH_RUN_ID (a string unique to this wrk run).
-- Every request carries a unique authorization header (or the next token of the list) so nothing
-- can be deduplicated; a body containing @@UNIQUE@@ gets a unique string there per request;
-- every response is checked: another status or a body without the marker is an error.

local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/"
local marker = os.getenv("BENCH_MARKER") or ""
local expected_status = tonumber(os.getenv("BENCH_STATUS") or "") or 200
local content_type = os.getenv("BENCH_CONTENT_TYPE")
local body = nil
local body_head, body_tail = nil, nil
local body_file = os.getenv("BENCH_BODY_FILE")
if body_file and body_file ~= "" then
  local f = assert(io.open(body_file, "rb"))
  body = f:read("*a")
  f:close()
  local s, e = string.find(body, "@@UNIQUE@@", 1, true)
  if s then
    body_head = string.sub(body, 1, s - 1)
    body_tail = string.sub(body, e + 1)
  end
end

local tokens = nil
local tokens_file = os.getenv("BENCH_TOKENS_FILE")
if tokens_file and tokens_file ~= "" then
  tokens = {}
  for line in io.lines(tokens_file) do
    if line ~= "" then tokens[#tokens + 1] = "Bearer " .. line end
  end
  assert(#tokens > 0, "no tokens in " .. tokens_file)
end
local state_file = os.getenv("BENCH_TOKENS_STATE")
local start = 0
if state_file and state_file ~= "" then
  local f = io.open(state_file, "r")
  if f then
    start = tonumber(f:read("*l") or "") or 0
    f:close()
  end
end

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  bad_status = 0
  bad_body = 0
  checked = 0
  counter = 0
  first_bad = ""
  -- LuaJIT's math.random is not seeded: BENCH_RUN_ID (random per wrk run) keeps runs apart.
  prefix = "bench-" .. (os.getenv("BENCH_RUN_ID") or tostring(math.random(1, 1000000000))) .. "-" .. tostring(id) .. "-"
end

local headers = {}
if content_type then headers["content-type"] = content_type end

function request()
  counter = counter + 1
  if tokens then
    headers["authorization"] = tokens[((start + counter - 1) % #tokens) + 1]
  else
    headers["authorization"] = "Bearer " .. prefix .. counter
  end
  if body_tail then
    return wrk.format(method, path, headers, body_head .. prefix .. counter .. body_tail)
  end
  return wrk.format(method, path, headers, body)
end

function response(status, resp_headers, resp_body)
  checked = checked + 1
  if status ~= expected_status then
    bad_status = bad_status + 1
    if first_bad == "" then first_bad = tostring(status) .. " " .. string.sub(resp_body or "", 1, 200) end
  elseif marker ~= "" and (resp_body == nil or not string.find(resp_body, marker, 1, true)) then
    bad_body = bad_body + 1
    if first_bad == "" then first_bad = tostring(status) .. " " .. string.sub(resp_body or "", 1, 200) end
  end
end

local function esc(s)
  return (string.gsub(s, '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end))
end

function done(summary, latency, requests)
  local bs, bb, ck, fb, sent = 0, 0, 0, "", 0
  for _, t in ipairs(threads) do
    bs = bs + t:get("bad_status")
    bb = bb + t:get("bad_body")
    ck = ck + t:get("checked")
    sent = sent + t:get("counter")
    if fb == "" then fb = t:get("first_bad") end
  end
  if tokens and state_file and state_file ~= "" then
    local f = assert(io.open(state_file, "w"))
    f:write(tostring((start + sent) % #tokens), "\n")
    f:close()
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"durationUs":%d,"bytes":%d,"checked":%d,"badStatus":%d,"badBody":%d,' ..
    '"socketErrors":%d,"timeouts":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,"meanUs":%.1f,"firstBad":"%s"}\n',
    summary.requests, summary.duration, summary.bytes, ck, bs, bb,
    e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, esc(fb)))
end
