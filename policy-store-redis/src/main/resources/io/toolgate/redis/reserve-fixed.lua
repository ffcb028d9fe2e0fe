-- Toolgate: reserve every counter of one decision, all or none, when every counter is a fixed
-- window (the common case: the seed policy's one rate limit). The same answers as reserve.lua, on
-- the same keys, with less work: per counter one HMGET, then, when granted, one HINCRBY (HSET and
-- PEXPIRE only when a new window starts), and the reservation's token set once.
--
-- KEYS: one per distinct counter, its state (a hash: s = window start, c = count, as in
-- reserve.lua); then, last, this reservation's token (see reserve.lua): set to the reservation's
-- time when it is granted; a token already set means it was given back before it ran, and it
-- takes nothing.
-- ARGV[1]: the decision's time in epoch milliseconds, or "" to read the server's TIME.
-- ARGV[2]: idle grace in milliseconds, added to each key's useful life for its TTL.
-- ARGV[3]: the longest the token lives, milliseconds.
-- ARGV[4..]: three per counter: window ms, max, summed cost (both integer millionths).
-- Returns {0, 0, now} when granted, or {i, wait, now} for the 1-based counter i that must wait
-- longest; wait -1 means it never could; {0, -2, now} when it was given back before it ran.

-- Times and counts are integers (counts in millionths, at most 2^53 in sum): exact in Lua's
-- doubles. Redis writes a number passed to redis.call with 17 significant digits, so as the
-- integer it is, never in an exponent form; no string.format needed (it costs on every call).

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
local n = #KEYS - 1

-- The window each counter counts in: the stored one while `now` is not past it (a caller behind
-- the window counts in it too, as FixedWindowCounter does), else a new one starting now.
local starts, fresh = {}, {}
local worst, longest = 0, 0
local life = 0
for i = 1, n do
  local a = 3 * i + 1
  local window, max, cost = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local wait = 0
  if cost > max then
    wait = math.huge
  else
    local start = now - math.fmod(now, window)
    if start > now then
      start = start - window
    end
    local stored = redis.call('HMGET', KEYS[i], 's', 'c')
    local s = stored[1] and tonumber(stored[1])
    if s and start <= s then
      starts[i], fresh[i] = s, false
      if tonumber(stored[2]) + cost > max then
        wait = s + window - now
      end
    else
      starts[i], fresh[i] = start, true
    end
    life = math.max(life, starts[i] + window - now)
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

-- Granted. The token matters while a release could change a count: until the last window ends
-- (a release of an ended window changes nothing), plus the grace.
local ttl = math.min(math.max(life, 1) + grace, tonumber(ARGV[3]))
if not redis.call('SET', KEYS[n + 1], now, 'NX', 'PX', ttl) then
  return {0, -2, now}
end
for i = 1, n do
  local a = 3 * i + 1
  local window, cost = tonumber(ARGV[a]), ARGV[a + 2]
  if fresh[i] then
    redis.call('HSET', KEYS[i], 's', starts[i], 'c', cost)
    redis.call('PEXPIRE', KEYS[i], math.max(starts[i] + window - now, 1) + grace)
  else
    redis.call('HINCRBY', KEYS[i], 'c', cost)
  end
end
return {0, 0, now}
