/**
 * The whole rate-limit check as one Redis script, so a check is atomic across every gateway
 * sharing the instance: read the windows, decide, and spend only when every window has room.
 * Mirrors `pickReported` and `windowBounds` in ./rate-limit-store.ts.
 *
 * KEYS[1]: the key's hash. ARGV[1]: now in ms, or "" for the Redis server clock (one clock for
 * every gateway). ARGV[2]: cost. ARGV[3..]: pairs of window size (ms, or "month") and limit.
 * Returns { allowed (1|0), limit, remaining, resetMs, retryAfterMs }.
 */
export const CONSUME_SCRIPT = `
local function civil(z)
  z = z + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local m = mp < 10 and mp + 3 or mp - 9
  if m <= 2 then y = y + 1 end
  return y, m
end
local function days(y, m)
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local mp = m > 2 and m - 3 or m + 9
  local doy = math.floor((153 * mp + 2) / 5)
  return era * 146097 + yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy - 719468
end
local function bounds(size, now)
  if size == 'month' then
    local y, m = civil(math.floor(now / 86400000))
    local ny, nm = y, m + 1
    if nm > 12 then ny, nm = y + 1, 1 end
    return days(y, m) * 86400000, days(ny, nm) * 86400000
  end
  local ms = tonumber(size)
  local start = math.floor(now / ms) * ms
  return start, start + ms
end

local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local cost = tonumber(ARGV[2])
local n = (#ARGV - 2) / 2
local fields = {}
for i = 1, n do
  fields[2 * i - 1] = 's' .. ARGV[1 + 2 * i]
  fields[2 * i] = 'c' .. ARGV[1 + 2 * i]
end
local stored = redis.call('HMGET', KEYS[1], unpack(fields))
local limits, used, starts, resets = {}, {}, {}, {}
local allowed, retry, longest = true, 0, 0
for i = 1, n do
  local start, stop = bounds(ARGV[1 + 2 * i], now)
  limits[i] = tonumber(ARGV[2 + 2 * i])
  starts[i] = start
  resets[i] = stop - now
  used[i] = 0
  if tonumber(stored[2 * i - 1]) == start then used[i] = tonumber(stored[2 * i]) end
  if used[i] + cost > limits[i] then
    allowed = false
    if resets[i] > retry then retry = resets[i] end
  end
  if resets[i] > longest then longest = resets[i] end
end
local best, bestLeft = 0, 0
for i = 1, n do
  local refusing = used[i] + cost > limits[i]
  if allowed or (refusing and resets[i] == retry) then
    local left
    if allowed then left = limits[i] - used[i] - cost else left = math.max(0, limits[i] - used[i]) end
    if best == 0 or left < bestLeft then best, bestLeft = i, left end
  end
end
if best == 0 then return { 1, 0, 0, 0, 0 } end
if allowed then
  local args = {}
  for i = 1, n do
    args[#args + 1] = fields[2 * i - 1]
    args[#args + 1] = string.format('%d', starts[i])
    args[#args + 1] = fields[2 * i]
    args[#args + 1] = string.format('%d', used[i] + cost)
  end
  redis.call('HSET', KEYS[1], unpack(args))
  redis.call('PEXPIRE', KEYS[1], longest)
end
return { allowed and 1 or 0, limits[best], bestLeft, resets[best], retry }
`;
