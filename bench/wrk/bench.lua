-- Load script for the Junction benchmark (wrk 4.x, LuaJIT).
-- Environment: BENCH_METHOD (GET|POST), BENCH_PATH, BENCH_BODY_FILE (optional),
-- BENCH_CONTENT_TYPE (optional), BENCH_MARKER (a substring every good body contains).
-- Every request carries a unique authorization header so nothing can be deduplicated;
-- every response is checked: a status other than 200 or a body without the marker is an error.

local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/"
local marker = os.getenv("BENCH_MARKER") or ""
local content_type = os.getenv("BENCH_CONTENT_TYPE")
local body = nil
local body_file = os.getenv("BENCH_BODY_FILE")
if body_file and body_file ~= "" then
  local f = assert(io.open(body_file, "rb"))
  body = f:read("*a")
  f:close()
end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  bad_status = 0
  bad_body = 0
  checked = 0
  first_bad = ""
  prefix = "Bearer bench-" .. tostring(id) .. "-" .. tostring(math.random(1, 1000000000)) .. "-"
end

local headers = {}
if content_type then headers["content-type"] = content_type end

function request()
  counter = counter + 1
  headers["authorization"] = prefix .. counter
  return wrk.format(method, path, headers, body)
end

function response(status, resp_headers, resp_body)
  checked = checked + 1
  if status ~= 200 then
    bad_status = bad_status + 1
    if first_bad == "" then first_bad = tostring(status) .. " " .. string.sub(resp_body or "", 1, 200) end
  elseif marker ~= "" and (resp_body == nil or not string.find(resp_body, marker, 1, true)) then
    bad_body = bad_body + 1
    if first_bad == "" then first_bad = "200 " .. string.sub(resp_body or "", 1, 200) end
  end
end

local function esc(s)
  return (string.gsub(s, '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end))
end

function done(summary, latency, requests)
  local bs, bb, ck, fb = 0, 0, 0, ""
  for _, t in ipairs(threads) do
    bs = bs + t:get("bad_status")
    bb = bb + t:get("bad_body")
    ck = ck + t:get("checked")
    if fb == "" then fb = t:get("first_bad") end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"durationUs":%d,"bytes":%d,"checked":%d,"badStatus":%d,"badBody":%d,' ..
    '"socketErrors":%d,"timeouts":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,"meanUs":%.1f,"firstBad":"%s"}\n',
    summary.requests, summary.duration, summary.bytes, ck, bs, bb,
    e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, esc(fb)))
end
