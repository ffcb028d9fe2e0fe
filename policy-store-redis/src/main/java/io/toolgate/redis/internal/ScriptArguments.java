package io.toolgate.redis.internal;

import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterRequest.Algorithm;
import io.toolgate.api.ReserveResult;
import io.toolgate.redis.RedisStoreException;
import io.toolgate.redis.TimeSource;
import java.util.ArrayList;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The keys and arguments of the store's two scripts ({@code reserve.lua}, {@code refund.lua}) for
 * one call, and the reading of a reservation's reply. Holds the one piece of state the arguments
 * depend on: on {@link TimeSource#SERVER the server's clock}, the offset between it and the
 * caller's that the last reservation measured.
 */
public final class ScriptArguments {
  /** Reserves every counter of a decision, all or none. */
  public static final Script RESERVE = Script.load("reserve.lua");
  /** {@link #RESERVE} for a decision whose every counter is a fixed window, with less work. */
  public static final Script RESERVE_FIXED = Script.load("reserve-fixed.lua");
  /** Gives back a refund, or releases a reservation by its token; once per token. */
  public static final Script REFUND = Script.load("refund.lua");
  /** The longest a granted reservation's token lives. */
  private static final long TOKEN_MILLIS = 60_000;

  private final Keys keys;
  private final TimeSource timeSource;
  private final long graceMillis;
  private final long timeoutMillis;
  /**
   * Tokens are this store's random prefix and a sequence number: unique across stores and
   * restarts, and cheaper than a random UUID per call (a lock on the shared SecureRandom).
   */
  private final String tokenPrefix;
  private final AtomicLong tokens = new AtomicLong();
  private volatile long serverOffsetMillis;

  /**
   * @param keys the store's key names
   * @param timeSource which clock places reservations in their windows
   * @param graceMillis how long a key outlives the last moment it could refuse a call
   * @param timeoutMillis the command timeout: how well a server-clock refund knows its time
   */
  public ScriptArguments(Keys keys, TimeSource timeSource, long graceMillis, long timeoutMillis) {
    this.keys = keys;
    this.timeSource = timeSource;
    this.graceMillis = graceMillis;
    this.timeoutMillis = timeoutMillis;
    byte[] random = new byte[16];
    new SecureRandom().nextBytes(random);
    this.tokenPrefix = HexFormat.of().formatHex(random) + '-';
  }

  private String nextToken() {
    return tokenPrefix + Long.toString(tokens.incrementAndGet(), 36);
  }

  /** The reserve script and its arguments for {@code requests} at {@code nowMillis}. */
  public Reserve reserve(List<CounterRequest> requests, long nowMillis) {
    return new Reserve(requests, nowMillis);
  }

  /** The arguments of {@link #REFUND} giving back {@code requests} reserved at {@code reservedAtMillis}. */
  public Refund refund(List<CounterRequest> requests, long reservedAtMillis) {
    return new Refund("refund", requests, keys.refundToken(nextToken()), reservedAtMillis);
  }

  /**
   * The keys and arguments of reserve.lua for one decision, or of reserve-fixed.lua when every
   * counter is a fixed window; requests for one counter summed.
   */
  public final class Reserve {
    private final Script script;
    private final String[] keys;
    private final String[] args;
    private final int[] firstIndex;
    private final long nowMillis;
    private final CounterRequest[] distinct;
    private final long[] costs;
    private final int size;

    private Reserve(List<CounterRequest> requests, long nowMillis) {
      this.nowMillis = nowMillis;
      int n = requests.size();
      CounterRequest[] distinct = new CounterRequest[n];
      long[] costs = new long[n];
      int[] first = new int[n];
      int size = 0;
      for (int i = 0; i < n; i++) {
        CounterRequest request = requests.get(i);
        int slot = 0;
        while (slot < size && !distinct[slot].sameCounter(request)) {
          slot++;
        }
        if (slot == size) {
          distinct[size] = request;
          first[size] = i;
          size++;
        }
        // Capped past any max: a sum that large never fits, and the cap keeps it exact in Lua.
        costs[slot] = Math.min(costs[slot] + request.costMillionths(), CounterRequest.MAX_MILLIONTHS + 1);
      }
      this.firstIndex = first;
      this.distinct = distinct;
      this.costs = costs;
      this.size = size;
      boolean allFixed = true;
      for (int slot = 0; slot < size; slot++) {
        allFixed &= distinct[slot].algorithm() == Algorithm.FIXED;
      }
      this.script = allFixed ? RESERVE_FIXED : RESERVE;
      int keysPer = allFixed ? 1 : 3;
      int argsPer = allFixed ? 3 : 4;
      this.keys = new String[keysPer * size + 1];
      this.args = new String[3 + argsPer * size];
      args[0] = timeSource == TimeSource.CALLER ? Long.toString(nowMillis) : "";
      args[1] = Long.toString(graceMillis);
      long longestWindow = 0;
      for (int slot = 0; slot < size; slot++) {
        CounterRequest request = distinct[slot];
        String state = ScriptArguments.this.keys.state(request);
        int k = keysPer * slot;
        int a = 3 + argsPer * slot;
        keys[k] = state;
        if (!allFixed) {
          keys[k + 1] = ScriptArguments.this.keys.log(state);
          keys[k + 2] = ScriptArguments.this.keys.costIndex(state);
          args[a++] = request.algorithm() == Algorithm.FIXED ? "F" : "S";
        }
        args[a] = Long.toString(request.windowMillis());
        args[a + 1] = Long.toString(request.maxMillionths());
        args[a + 2] = Long.toString(costs[slot]);
        longestWindow = Math.max(longestWindow, request.windowMillis());
      }
      keys[keys.length - 1] = ScriptArguments.this.keys.reservationToken(nextToken());
      // reserve-fixed.lua shortens it to the windows' remaining time, which it alone knows.
      args[2] = Long.toString(Math.min(longestWindow + graceMillis, TOKEN_MILLIS));
    }

    /** {@link #RESERVE_FIXED} when every counter is a fixed window, else {@link #RESERVE}. */
    public Script script() {
      return script;
    }

    /**
     * The script's keys: per distinct counter its state (and, for {@link #RESERVE}, its log and
     * cost index), then the reservation's token.
     */
    public String[] keys() {
      return keys;
    }

    /** The script's arguments. */
    public String[] args() {
      return args;
    }

    /**
     * The release of this reservation, by its token, of what it would have taken (each counter's
     * summed cost); {@code null} if it could never have been granted.
     */
    public Refund release() {
      List<CounterRequest> taken = new ArrayList<>(size);
      for (int slot = 0; slot < size; slot++) {
        CounterRequest r = distinct[slot];
        if (costs[slot] > r.maxMillionths()) {
          return null;
        }
        taken.add(new CounterRequest(r.counter(), r.scopeKind(), r.scopeValue(), r.windowMillis(), r.algorithm(),
            r.maxMillionths(), costs[slot]));
      }
      return new Refund("release", taken, keys[keys.length - 1], null);
    }

    /**
     * Reads the script's reply: granted, or rejected naming the first request of the counter that
     * is over, with its retry-after.
     *
     * @throws RedisStoreException if the reservation was released (after a timeout) before it ran
     */
    public ReserveResult result(List<Object> reply) {
      long slot = (Long) reply.get(0);
      long wait = (Long) reply.get(1);
      if (timeSource == TimeSource.SERVER) {
        serverOffsetMillis = (Long) reply.get(2) - nowMillis;
      }
      if (slot == 0) {
        if (wait == -2) {
          throw new RedisStoreException("reservation was released before Redis ran it", null);
        }
        return ReserveResult.granted();
      }
      return ReserveResult.rejected(firstIndex[(int) slot - 1], wait < 0 ? Long.MAX_VALUE : wait);
    }
  }

  /** The keys and arguments of refund.lua for one refund, with the token that makes it once. */
  public final class Refund {
    private final String operation;
    private final List<CounterRequest> requests;
    private final String[] keys;
    private final String[] args;
    private final long deadlineNanos;

    /**
     * @param reservedAtMillis the reservation's time, or {@code null} for a release, which reads
     *     it from the reservation's token
     */
    private Refund(String operation, List<CounterRequest> requests, String token, Long reservedAtMillis) {
      this.operation = operation;
      this.requests = List.copyOf(requests);
      int n = requests.size();
      long longestWindow = 0;
      this.keys = new String[1 + 3 * n];
      this.args = new String[3 + 3 * n];
      keys[0] = token;
      boolean server = timeSource == TimeSource.SERVER;
      if (reservedAtMillis == null) {
        args[0] = "";
        args[1] = "0";
      } else {
        // On the server's clock the reservation's time is known through the clock offset the last
        // reservation measured, to within a command timeout.
        args[0] = Long.toString(server ? reservedAtMillis + serverOffsetMillis : reservedAtMillis);
        args[1] = Long.toString(server ? timeoutMillis : 0);
      }
      for (int i = 0; i < n; i++) {
        CounterRequest request = requests.get(i);
        String state = ScriptArguments.this.keys.state(request);
        keys[1 + 3 * i] = state;
        keys[2 + 3 * i] = ScriptArguments.this.keys.log(state);
        keys[3 + 3 * i] = ScriptArguments.this.keys.costIndex(state);
        args[3 + 3 * i] = request.algorithm() == Algorithm.FIXED ? "F" : "S";
        args[4 + 3 * i] = Long.toString(request.windowMillis());
        args[5 + 3 * i] = Long.toString(request.costMillionths());
        longestWindow = Math.max(longestWindow, request.windowMillis());
      }
      long lifetime = longestWindow + graceMillis;
      args[2] = Long.toString(lifetime);
      this.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(lifetime);
    }

    /** {@code refund}, or {@code release} of a reservation that timed out: for messages. */
    public String operation() {
      return operation;
    }

    /** What is given back. */
    public List<CounterRequest> requests() {
      return requests;
    }

    /** The script's keys: the token, then three per counter. */
    public String[] keys() {
      return keys;
    }

    /** The script's arguments. */
    public String[] args() {
      return args;
    }

    /** The {@link System#nanoTime} after which it could no longer change a count. */
    public long deadlineNanos() {
      return deadlineNanos;
    }
  }
}
