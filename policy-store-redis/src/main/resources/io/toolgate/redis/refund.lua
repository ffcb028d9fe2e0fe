-- Toolgate: give back what one granted reservation took, once.
-- The same arithmetic as policy-engine's FixedWindowCounter.give and SlidingLogCounter.give.
--
-- KEYS[1]: this refund's token: a refund whose token is already set has been applied (a retry
-- after a reply was lost) and does nothing. For a release (ARGV[1] = ""), the reservation's own
-- token (see reserve.lua): it holds the reservation's time if it was granted, and is then marked
-- released, so a release applies once and a reservation that runs after it takes nothing.
-- KEYS[2..]: three per request, as in reserve.lua: its state hash, its log and its cost index.
-- ARGV[1]: the reservation's time, epoch milliseconds (on the clock the reservation used); or ""
-- to release a reservation whose client timed out, at the time its token holds.
-- ARGV[2]: how much earlier a sliding entry may have been logged than ARGV[1] says (0 on the
-- caller's clock; the clock offset's uncertainty on the server's).
-- ARGV[3]: the token's time to live, milliseconds.
-- ARGV[4..]: three per request: algorithm ("F" or "S"), window ms, cost (integer millionths).
-- Returns 1 when applied, 0 when the token showed it had been.

local taken_at
if ARGV[1] == '' then
  local reserved = redis.call('GET', KEYS[1])
  redis.call('SET', KEYS[1], 'released', 'PX', ARGV[3])
  if not reserved or reserved == 'released' then
    return 0 -- refused, never run (it now never will), or released already
  end
  taken_at = tonumber(reserved)
else
  if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[3]) then
    return 0
  end
  taken_at = tonumber(ARGV[1])
end
local tolerance = tonumber(ARGV[2])

-- Times and counts are integers (counts in millionths, at most 2^53 in sum): exact in Lua's
-- doubles, and written as integers, never in an exponent form.
local function num(x)
  return string.format('%d', x)
end

local function window_start(t, window)
  local r = math.fmod(t, window)
  if r < 0 then
    r = r + window
  end
  return t - r
end

local function lowbit(i)
  local b = 1
  while i % (2 * b) == 0 do
    b = b * 2
  end
  return b
end

local n = (#KEYS - 1) / 3
for i = 1, n do
  local state, log, costs = KEYS[3 * i - 1], KEYS[3 * i], KEYS[3 * i + 1]
  local a = 3 + (i - 1) * 3
  local window, cost = tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  if ARGV[a + 1] == 'F' then
    -- Only while the reservation's window is the stored one.
    local stored = redis.call('HMGET', state, 's', 'c')
    if stored[1] and window_start(taken_at, window) == tonumber(stored[1]) then
      redis.call('HSET', state, 'c', num(math.max(0, tonumber(stored[2]) - cost)))
    end
  elseif cost > 0 then
    -- The earliest entry of this cost still counted and logged at or after the reservation's
    -- time is the one it made (later only if it was logged at a later entry's time). The log
    -- and cost index are those of reserve.lua; both lookups are O(log n).
    local f = redis.call('HMGET', state, 'a', 'n')
    local first = redis.call('ZRANGEBYSCORE', log, num(taken_at - tolerance), '+inf', 'LIMIT', 0, 1)
    if f[1] and first[1] then
      local from = math.max(tonumber(f[1]), tonumber(string.sub(first[1], 1, 16)))
      local key = string.format('%016d', cost)
      local found = redis.call('ZRANGEBYLEX', costs, '[' .. key .. string.format('%016d', from),
          '[' .. key .. '9999999999999999', 'LIMIT', 0, 1)
      if found[1] then
        local seq = tonumber(string.sub(found[1], 17))
        redis.call('ZREM', costs, found[1])
        redis.call('ZREM', log, string.format('%016d:%d', seq, cost))
        local cap = tonumber(f[2])
        while seq <= cap do
          redis.call('HINCRBY', state, 'f' .. num(seq), num(-cost))
          seq = seq + lowbit(seq)
        end
      end
    end
  end
end
return 1
