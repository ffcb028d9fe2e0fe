package io.toolgate.redis.internal;

/**
 * The Lua scripts of the Redis approval queue; each state change is one script, so replicas never
 * see half of one. Every key carries the queue's hash tag. An entry is a hash {@code <prefix>e:<id>}
 * with the fields {@code state} (P pending, A approved, C claimed, R rejected), {@code exp} (epoch
 * ms by the queue's clock), {@code req} (the request as JSON), {@code principal}, {@code digest},
 * {@code at} (requested, epoch ms), {@code by}, {@code why}, {@code kkey} (the call's identity key)
 * and {@code pkey} (its principal's pending index). Expiry is decided by {@code exp} against the
 * caller's clock; PEXPIRE only collects the garbage.
 */
public final class ApprovalScripts {
  private ApprovalScripts() {}

  /** Forgets entries that expired from the three indexes (all, pending, this principal's pending). */
  private static final String PURGE = """
      local function purge(now)
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
        redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
        redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
      end
      """;

  /**
   * KEYS: identity, all, pending, principal's pending. ARGV: now, expiresAt, new id, request
   * JSON, principal ('' with ARGV[12]=0 for none), digest, max entries, max pending per principal,
   * ttl ms, entry prefix, requested at, has principal, channel. Returns {code, id, approver, reason}: N new
   * pending, P pending, A approved (claimed now), R rejected, F full, X principal over its cap.
   */
  public static final String CHECK = PURGE + """
      local now = tonumber(ARGV[1])
      purge(now)
      local id = redis.call('GET', KEYS[1])
      if id then
        local e = ARGV[10] .. id
        local f = redis.call('HMGET', e, 'state', 'exp', 'by', 'why')
        if f[1] and tonumber(f[2]) > now then
          if f[1] == 'P' or f[1] == 'C' then return {'P', id} end
          if f[1] == 'A' then
            redis.call('HSET', e, 'state', 'C')
            return {'A', id, f[3] or ''}
          end
          return {'R', id, f[3] or '', f[4] or false}
        end
        redis.call('DEL', e, KEYS[1])
        redis.call('ZREM', KEYS[2], id)
        redis.call('ZREM', KEYS[3], id)
        redis.call('ZREM', KEYS[4], id)
      end
      if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[7]) then return {'F'} end
      if redis.call('ZCARD', KEYS[4]) >= tonumber(ARGV[8]) then return {'X'} end
      id = ARGV[3]
      local e = ARGV[10] .. id
      local exp = tonumber(ARGV[2])
      redis.call('HSET', e, 'state', 'P', 'exp', ARGV[2], 'req', ARGV[4], 'principal', ARGV[5],
          'hasprincipal', ARGV[12], 'digest', ARGV[6], 'at', ARGV[11], 'kkey', KEYS[1], 'pkey', KEYS[4])
      redis.call('PEXPIRE', e, ARGV[9])
      redis.call('SET', KEYS[1], id, 'PX', ARGV[9])
      redis.call('ZADD', KEYS[2], exp, id)
      redis.call('ZADD', KEYS[3], exp, id)
      redis.call('ZADD', KEYS[4], exp, id)
      redis.call('PUBLISH', ARGV[13], 'P' .. cjson.encode({id = id, req = ARGV[4], at = ARGV[11], exp = ARGV[2]}))
      return {'N', id}
      """;

  /**
   * KEYS: entry, all, pending, history. ARGV: now, verdict (A or R), approver, comment ('' with
   * ARGV[9]=0 for none), expiresAt, ttl ms, own call (1 if the approver is the call's principal
   * and four eyes hold), max history, has comment, channel, id. Returns U unknown, D already answered,
   * O own call, or {'K', history JSON}.
   */
  public static final String ANSWER = """
      local now = tonumber(ARGV[1])
      local f = redis.call('HMGET', KEYS[1], 'state', 'exp', 'req', 'digest', 'at', 'kkey', 'pkey')
      if not f[1] or tonumber(f[2]) <= now then return {'U'} end
      if f[1] ~= 'P' then return {'D'} end
      if ARGV[2] == 'A' and ARGV[7] == '1' then return {'O'} end
      local id = ARGV[11]
      redis.call('HSET', KEYS[1], 'state', ARGV[2], 'exp', ARGV[5], 'by', ARGV[3])
      if ARGV[9] == '1' then redis.call('HSET', KEYS[1], 'why', ARGV[4]) end
      redis.call('PEXPIRE', KEYS[1], ARGV[6])
      redis.call('PEXPIRE', f[6], ARGV[6])
      redis.call('ZADD', KEYS[2], tonumber(ARGV[5]), id)
      redis.call('ZREM', KEYS[3], id)
      redis.call('ZREM', f[7], id)
      local h = {id = id, req = f[3], verdict = ARGV[2], by = ARGV[3], digest = f[4], at = f[5], answeredAt = ARGV[1]}
      if ARGV[9] == '1' then h.why = ARGV[4] end
      local json = cjson.encode(h)
      redis.call('LPUSH', KEYS[4], json)
      redis.call('LTRIM', KEYS[4], 0, tonumber(ARGV[8]) - 1)
      redis.call('PUBLISH', ARGV[10], 'A' .. json)
      return {'K', json}
      """;

  /** KEYS: entry, all; ARGV: id. Uses up a claimed approval: 1 if it was claimed, else 0. */
  public static final String CONFIRM = """
      if redis.call('HGET', KEYS[1], 'state') ~= 'C' then return 0 end
      local kkey = redis.call('HGET', KEYS[1], 'kkey')
      local id = ARGV[1]
      if redis.call('GET', kkey) == id then redis.call('DEL', kkey) end
      redis.call('DEL', KEYS[1])
      redis.call('ZREM', KEYS[2], id)
      return 1
      """;

  /** KEYS: entry. Gives a claimed approval back: 1 if it was claimed, else 0. */
  public static final String RELEASE = """
      if redis.call('HGET', KEYS[1], 'state') ~= 'C' then return 0 end
      redis.call('HSET', KEYS[1], 'state', 'A')
      return 1
      """;

  /**
   * KEYS: entry, all, pending. ARGV: id. Removes the request if it is still pending (its identity,
   * the indexes, its principal's pending index): 1 if it was removed, else 0.
   */
  public static final String WITHDRAW = """
      local f = redis.call('HMGET', KEYS[1], 'state', 'kkey', 'pkey')
      if f[1] ~= 'P' then return 0 end
      local id = ARGV[1]
      if redis.call('GET', f[2]) == id then redis.call('DEL', f[2]) end
      redis.call('DEL', KEYS[1])
      redis.call('ZREM', KEYS[2], id)
      redis.call('ZREM', KEYS[3], id)
      redis.call('ZREM', f[3], id)
      return 1
      """;

  /**
   * KEYS: pending. ARGV: now, entry prefix, id or '' for all. The live pending entries: a flat
   * list of id, request JSON, requested at, expires at.
   */
  public static final String PENDING = """
      local now = tonumber(ARGV[1])
      local ids
      if ARGV[3] ~= '' then ids = {ARGV[3]} else
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        ids = redis.call('ZRANGE', KEYS[1], 0, -1)
      end
      local out = {}
      for _, id in ipairs(ids) do
        local f = redis.call('HMGET', ARGV[2] .. id, 'state', 'exp', 'req', 'at')
        if f[1] == 'P' and tonumber(f[2]) > now then
          table.insert(out, id); table.insert(out, f[3]); table.insert(out, f[4]); table.insert(out, f[2])
        end
      end
      return out
      """;
}
