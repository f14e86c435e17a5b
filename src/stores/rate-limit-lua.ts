/**
 * The whole rate-limit check of a request as one Redis script, so a check is atomic across every
 * gateway sharing the instance: read every window of every budget, decide, and spend only when
 * all of them have room (then in all of them). Mirrors `pickReported` and `windowBounds` in
 * ./rate-limit-store.ts.
 *
 * KEYS: one hash per budget. ARGV[1]: now in ms, or "" for the Redis server clock (one clock for
 * every gateway). Then, per key in order: its cost, its number of windows, and that many pairs of
 * window size (ms, or "month") and limit.
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

-- Check pass: windows numbered 1..n across keys, in order; fields[k] are key k's hash fields.
local limits, used, costs, starts, resets, fields, longest = {}, {}, {}, {}, {}, {}, {}
local allowed, retry, n, at = true, 0, 0, 2
for k = 1, #KEYS do
  local cost, count = tonumber(ARGV[at]), tonumber(ARGV[at + 1])
  local names = {}
  for j = 1, count do
    local size = ARGV[at + 2 * j]
    names[2 * j - 1] = 's' .. size
    names[2 * j] = 'c' .. size
  end
  fields[k] = names
  longest[k] = 0
  local stored = count > 0 and redis.call('HMGET', KEYS[k], unpack(names)) or {}
  for j = 1, count do
    n = n + 1
    local start, stop = bounds(ARGV[at + 2 * j], now)
    limits[n] = tonumber(ARGV[at + 2 * j + 1])
    costs[n] = cost
    starts[n] = start
    resets[n] = stop - now
    used[n] = 0
    if tonumber(stored[2 * j - 1]) == start then used[n] = tonumber(stored[2 * j]) end
    if used[n] + cost > limits[n] then
      allowed = false
      if resets[n] > retry then retry = resets[n] end
    end
    if resets[n] > longest[k] then longest[k] = resets[n] end
  end
  at = at + 2 + 2 * count
end

local best, bestLeft = 0, 0
for i = 1, n do
  local refusing = used[i] + costs[i] > limits[i]
  if allowed or (refusing and resets[i] == retry) then
    local left
    if allowed then left = limits[i] - used[i] - costs[i] else left = math.max(0, limits[i] - used[i]) end
    if best == 0 or left < bestLeft then best, bestLeft = i, left end
  end
end
if best == 0 then return { 1, 0, 0, 0, 0 } end

-- Spend pass, only when every window of every key has room.
if allowed then
  local i = 0
  for k = 1, #KEYS do
    local names, args = fields[k], {}
    for j = 1, #names / 2 do
      i = i + 1
      args[4 * j - 3] = names[2 * j - 1]
      args[4 * j - 2] = string.format('%d', starts[i])
      args[4 * j - 1] = names[2 * j]
      args[4 * j] = string.format('%d', used[i] + costs[i])
    end
    if #args > 0 then
      redis.call('HSET', KEYS[k], unpack(args))
      redis.call('PEXPIRE', KEYS[k], longest[k])
    end
  end
end
return { allowed and 1 or 0, limits[best], bestLeft, resets[best], retry }
`;
