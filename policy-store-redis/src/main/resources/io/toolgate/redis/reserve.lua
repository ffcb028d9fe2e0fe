-- Toolgate: reserve every counter of one decision, all or none.
-- The same arithmetic as policy-engine's FixedWindowCounter and SlidingLogCounter, step for step,
-- so both stores agree call for call.
--
-- KEYS: three per distinct counter: KEYS[3i-2] its state (a hash: for a fixed window s = window
-- start, c = count), KEYS[3i-1] and KEYS[3i] its log and cost index (sliding windows only, see
-- below); then, last, this reservation's token: set (SET NX, once granted, before anything is
-- taken) to the reservation's time, so that a client that timed out waiting can give it back
-- (refund.lua); a token already set means it was given back before it ran, and it takes nothing.
-- Decisions whose every counter is a fixed window run reserve-fixed.lua instead: the same
-- answers on the same keys, with less work.
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

local function window_start(t, window)
  local r = math.fmod(t, window)
  if r < 0 then
    r = r + window
  end
  return t - r
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

-- The key's TTL is set when its window starts: the window's end (plus the grace) is fixed then.
local function fixed_take(state, window, cost)
  local start = window_start(now, window)
  local s = redis.call('HGET', state, 's')
  if not s or start > tonumber(s) then
    redis.call('HSET', state, 's', num(start), 'c', num(cost))
    redis.call('PEXPIRE', state, num(math.max(start + window - now, 1) + grace))
  else
    redis.call('HINCRBY', state, 'c', num(cost))
  end
end

-- sliding windows ----------------------------------------------------------------------------
-- An exact log of reservations, indexed so that no decision reads more than O(log n) of it
-- however many entries an agent logs (the same design as policy-engine's SlidingLogCounter):
-- entries are numbered 1, 2, ... (their seq) in the order logged, which is also time order;
-- the state hash holds a Fenwick tree of their costs (field f<i>), so any range sum and the
-- search for how much must leave take O(log n) fields; the log (a sorted set, score = time,
-- member = "<seq, 16 digits>:<cost>") finds the first entry in the window; the cost index (a
-- sorted set of "<cost, 16 digits><seq, 16 digits>", compared as text) finds the entry a refund
-- removes. Other state fields: a = the first entry still counted, t = the last seq, l = the
-- latest time logged (refunded entries too), n = the tree's capacity (a power of two), g = how
-- far the tree's unused nodes have been deleted. Entries before `a` are deleted, and subtracted
-- from the tree, eight per decision, at least eight times as fast as entries are added.

local GC_PER_CALL = 8

local function lowbit(i)
  local b = 1
  while i % (2 * b) == 0 do
    b = b * 2
  end
  return b
end

-- The sum of the costs of entries 1..i.
local function prefix(state, i)
  if i <= 0 then
    return 0
  end
  local fields = {}
  while i > 0 do
    fields[#fields + 1] = 'f' .. num(i)
    i = i - lowbit(i)
  end
  local sum = 0
  for _, v in ipairs(redis.call('HMGET', state, unpack(fields))) do
    if v then
      sum = sum + tonumber(v)
    end
  end
  return sum
end

local function fen_add(state, cap, i, delta)
  while i <= cap do
    redis.call('HINCRBY', state, 'f' .. num(i), num(delta))
    i = i + lowbit(i)
  end
end

-- The smallest i with prefix(i) >= target (target > 0, at most prefix(cap)).
local function search(state, cap, target)
  local pos, step = 0, cap
  while step >= 1 do
    local v = tonumber(redis.call('HGET', state, 'f' .. num(pos + step)) or '0')
    if v < target then
      pos = pos + step
      target = target - v
    end
    step = step / 2
  end
  return pos + 1
end

local function member(seq, cost)
  return string.format('%016d:%d', seq, cost)
end

local function seq_of(m)
  return tonumber(string.sub(m, 1, 16))
end

-- The log as a decision at `now` sees it: {at, a, t, n, sum}, where `at` is the time a
-- reservation is logged at (now, or, while the log counts anything, the latest time logged if
-- later, which keeps the log in time order), and the entries from `a` to `t` are those counted at
-- `at`, summing to `sum`. Drops what has left the window (and, when `collect`, deletes a few of
-- those entries: once per decision); an empty log is deleted, so numbering starts again.
local function view(state, log, costs, window, collect)
  local f = redis.call('HMGET', state, 'a', 't', 'n', 'g', 'l')
  local a, t, n, g = tonumber(f[1] or '1'), tonumber(f[2] or '0'), tonumber(f[3] or '0'), tonumber(f[4] or '0')
  local at = now
  local last = redis.call('ZRANGE', log, -1, -1)
  if last[1] and seq_of(last[1]) >= a then
    at = math.max(now, tonumber(f[5]))
  end
  local first = redis.call('ZRANGEBYSCORE', log, '(' .. num(at - window), '+inf', 'LIMIT', 0, 1)
  local old_a = a
  a = first[1] and math.max(a, seq_of(first[1])) or t + 1
  local sum = a <= t and prefix(state, t) - prefix(state, a - 1) or 0
  if sum == 0 then
    if t > 0 then
      redis.call('UNLINK', state, log, costs)
    end
    return {at, 1, 0, 0, 0}
  end
  if a > old_a then
    redis.call('HSET', state, 'a', num(a))
  end
  if not collect then
    return {at, a, t, n, sum}
  end
  -- A few entries that have left the window are deleted and subtracted from the tree, so that its
  -- sums stay those of the log (exact in a double, never the whole history's); then tree nodes
  -- that only covered deleted entries (they hold 0) are deleted too.
  local dropped = redis.call('ZRANGE', log, 0, GC_PER_CALL - 1)
  local settled = a
  for j, m in ipairs(dropped) do
    local seq = seq_of(m)
    if seq >= a then
      break
    end
    local cost = tonumber(string.sub(m, 18))
    redis.call('ZREM', log, m)
    redis.call('ZREM', costs, string.format('%016d%016d', cost, seq))
    fen_add(state, n, seq, -cost)
    if j == GC_PER_CALL then
      settled = seq + 1 -- there may be more before a: nodes are settled up to here
    end
  end
  local swept = 0
  while swept < GC_PER_CALL and g + 1 < settled do
    g = g + 1
    redis.call('HDEL', state, 'f' .. num(g))
    swept = swept + 1
  end
  if swept > 0 then
    redis.call('HSET', state, 'g', num(g))
  end
  return {at, a, t, n, sum}
end

local function sliding_wait(state, log, costs, window, max, cost)
  if cost > max then
    return math.huge
  end
  local v = view(state, log, costs, window, true)
  if v[5] + cost <= max then
    return 0
  end
  -- Entries leave the window oldest first; the call fits once enough of them have: the first
  -- entry i after which what stays, plus the cost, is within max.
  local total = prefix(state, v[3])
  local i = search(state, v[4], total + cost - max)
  local c = prefix(state, i) - prefix(state, i - 1)
  local t = tonumber(redis.call('ZSCORE', log, member(i, c)))
  return t + window - now
end

local function sliding_take(state, log, costs, window, cost)
  local v = view(state, log, costs, window, false)
  if cost > 0 then
    local at, a, seq, cap = v[1], v[2], v[3] + 1, v[4]
    if seq > cap then
      -- A tree twice as large: its new root covers the old one's entries and nothing else yet.
      local root = cap > 0 and redis.call('HGET', state, 'f' .. num(cap)) or '0'
      cap = math.max(1, 2 * cap)
      redis.call('HSET', state, 'f' .. num(cap), root or '0')
    end
    fen_add(state, cap, seq, cost)
    redis.call('HSET', state, 'a', num(a), 't', num(seq), 'n', num(cap), 'l', num(at))
    redis.call('ZADD', log, num(at), member(seq, cost))
    redis.call('ZADD', costs, 0, string.format('%016d%016d', cost, seq))
    local ttl = num(math.max(at + window - now, 1) + grace)
    redis.call('PEXPIRE', state, ttl)
    redis.call('PEXPIRE', log, ttl)
    redis.call('PEXPIRE', costs, ttl)
  end
end

-- the reservation ----------------------------------------------------------------------------

local n = (#KEYS - 1) / 3
local worst, longest = 0, 0
for i = 1, n do
  local a = 3 + (i - 1) * 4
  local window, max, cost = tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
  local wait
  if ARGV[a + 1] == 'F' then
    wait = fixed_wait(KEYS[3 * i - 2], window, max, cost)
  else
    wait = sliding_wait(KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i], window, max, cost)
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
if not redis.call('SET', KEYS[#KEYS], num(now), 'NX', 'PX', ARGV[3]) then
  return {0, -2, now}
end
for i = 1, n do
  local a = 3 + (i - 1) * 4
  local window, cost = tonumber(ARGV[a + 2]), tonumber(ARGV[a + 4])
  if ARGV[a + 1] == 'F' then
    fixed_take(KEYS[3 * i - 2], window, cost)
  else
    sliding_take(KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i], window, cost)
  end
end
return {0, 0, now}
