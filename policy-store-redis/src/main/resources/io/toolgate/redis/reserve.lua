-- Toolgate: reserve every counter of one decision, all or none.
-- The same arithmetic as policy-engine's FixedWindowCounter and SlidingLogCounter, step for step,
-- so both stores agree call for call.
--
-- KEYS: two per distinct counter: KEYS[2i-1] its state (a hash: s = window start, c = count or
-- sum), KEYS[2i] its log (a list of "time cost" entries, oldest first; sliding windows only);
-- then, last, this reservation's token: set to the reservation's time when it is granted, so
-- that a client that timed out waiting can give it back (refund.lua); a token already set means
-- it was given back before it ran, and it takes nothing.
-- ARGV[1]: the decision's time in epoch milliseconds, or "" to read the server's TIME.
-- ARGV[2]: idle grace in milliseconds, added to each key's useful life for its TTL.
-- ARGV[3]: the token's time to live, milliseconds.
-- ARGV[4..]: four per counter: algorithm ("F" or "S"), window ms, max, summed cost (both integer
-- millionths).
-- Returns {0, 0, now} when granted, or {i, wait, now} for the 1-based counter i that must wait
-- longest; wait -1 means it never could; {0, -2, now} when it was given back before it ran.

-- Times and counts are integers (counts in millionths, at most 2^53 in sum): exact in Lua's
-- doubles, and written as integers, never in an exponent form.
local function num(x)
  return string.format('%d', x)
end

local now
if ARGV[1] == '' then
  if redis.replicate_commands then
    redis.replicate_commands()
  end
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
else
  now = tonumber(ARGV[1])
end
local grace = tonumber(ARGV[2])
local token = KEYS[#KEYS]
if redis.call('EXISTS', token) == 1 then
  return {0, -2, now}
end

local function window_start(t, window)
  local r = math.fmod(t, window)
  if r < 0 then
    r = r + window
  end
  return t - r
end

local function entry(e)
  local sp = string.find(e, ' ', 1, true)
  return tonumber(string.sub(e, 1, sp - 1)), tonumber(string.sub(e, sp + 1))
end

-- fixed windows ------------------------------------------------------------------------------

local function fixed_wait(state, window, max, cost)
  if cost > max then
    return math.huge
  end
  local stored = redis.call('HMGET', state, 's', 'c')
  if not stored[1] then
    return 0
  end
  local s = tonumber(stored[1])
  if window_start(now, window) > s then
    return 0
  end
  if tonumber(stored[2]) + cost <= max then
    return 0
  end
  return s + window - now
end

local function fixed_take(state, window, cost)
  local start = window_start(now, window)
  local stored = redis.call('HMGET', state, 's', 'c')
  local s, c
  if not stored[1] or start > tonumber(stored[1]) then
    s, c = start, cost
  else
    s, c = tonumber(stored[1]), tonumber(stored[2]) + cost
  end
  redis.call('HSET', state, 's', num(s), 'c', num(c))
  redis.call('PEXPIRE', state, num(math.max(s + window - now, 1) + grace))
end

-- sliding windows ----------------------------------------------------------------------------

local function effective_time(log)
  local last = redis.call('LINDEX', log, -1)
  if not last then
    return now
  end
  local t = entry(last)
  return math.max(now, t)
end

-- Drops the entries no interval containing `at` can hold; returns the sum that is left.
local function expire(state, log, window, at)
  local sum = tonumber(redis.call('HGET', state, 'c') or '0')
  local dropped = false
  while true do
    local head = redis.call('LINDEX', log, 0)
    if not head then
      break
    end
    local t, c = entry(head)
    if t + window > at then
      break
    end
    redis.call('LPOP', log)
    sum = sum - c
    dropped = true
  end
  if dropped then
    if redis.call('LLEN', log) == 0 then
      redis.call('DEL', state)
      return 0
    end
    redis.call('HSET', state, 'c', num(sum))
  end
  return sum
end

local function sliding_wait(state, log, window, max, cost)
  if cost > max then
    return math.huge
  end
  local sum = expire(state, log, window, effective_time(log))
  if sum + cost <= max then
    return 0
  end
  -- Entries leave the window oldest first; the call fits once enough of them have.
  local entries = redis.call('LRANGE', log, 0, -1)
  local remaining = sum
  for i = 1, #entries do
    local t, c = entry(entries[i])
    remaining = remaining - c
    if remaining + cost <= max or i == #entries then
      return t + window - now
    end
  end
  return redis.error_reply('toolgate: an empty log refused a cost within its max')
end

local function sliding_take(state, log, window, cost)
  local at = effective_time(log)
  local sum = expire(state, log, window, at)
  if cost > 0 then
    redis.call('RPUSH', log, num(at) .. ' ' .. num(cost))
    redis.call('HSET', state, 'c', num(sum + cost))
    local ttl = num(math.max(at + window - now, 1) + grace)
    redis.call('PEXPIRE', state, ttl)
    redis.call('PEXPIRE', log, ttl)
  end
end

-- the reservation ----------------------------------------------------------------------------

local n = (#KEYS - 1) / 2
local worst, longest = 0, 0
for i = 1, n do
  local a = 3 + (i - 1) * 4
  local window, max, cost = tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
  local wait
  if ARGV[a + 1] == 'F' then
    wait = fixed_wait(KEYS[2 * i - 1], window, max, cost)
  else
    wait = sliding_wait(KEYS[2 * i - 1], KEYS[2 * i], window, max, cost)
  end
  if wait > longest then
    worst, longest = i, wait
  end
end
if worst > 0 then
  if longest == math.huge then
    return {worst, -1, now}
  end
  return {worst, longest, now}
end
for i = 1, n do
  local a = 3 + (i - 1) * 4
  local window, cost = tonumber(ARGV[a + 2]), tonumber(ARGV[a + 4])
  if ARGV[a + 1] == 'F' then
    fixed_take(KEYS[2 * i - 1], window, cost)
  else
    sliding_take(KEYS[2 * i - 1], KEYS[2 * i], window, cost)
  end
end
redis.call('SET', token, num(now), 'PX', ARGV[3])
return {0, 0, now}
