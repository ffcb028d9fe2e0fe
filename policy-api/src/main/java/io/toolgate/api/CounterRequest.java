package io.toolgate.api;

import java.util.Objects;

/**
 * One counter a decision wants to take from: which counter, keyed how, over which window, and
 * how much. Two requests address the same stored count exactly when their {@link #counter()},
 * {@link #scopeKind()}, {@link #scopeValue()}, {@link #windowMillis()} and {@link #algorithm()}
 * are equal; {@link #maxMillionths()} is read afresh on every request, so a policy that raises or
 * lowers it applies the new maximum to the count already taken.
 *
 * <p>Amounts are exact decimals in fixed point: a max or cost of {@code 0.1} is {@code 100_000}
 * millionths ({@link #MILLIONTHS_PER_UNIT} to one unit). Stores add them as integers, so three
 * costs of {@code 0.1} reach a max of {@code 0.3} exactly. Every amount is at most {@link
 * #MAX_MILLIONTHS}, which keeps a count and a cost added to it exact even in a double (below
 * 2<sup>53</sup>), as a Lua script in Redis holds them.
 *
 * <p>The scope comes in two parts, so that a store can key its counts by the caller's own value
 * (a principal id, say) without building a string per call; {@link #scope()} joins them.
 *
 * @param counter the counter's name in the policy
 * @param scopeKind the scope as the policy spells it: {@code global}, {@code grant}, {@code
 *     session} or {@code args.<path>}
 * @param scopeValue the value the count is kept for: the principal id, the session id or the
 *     argument's text; {@code null} for {@code global}
 * @param windowMillis the window's length in milliseconds, at least 1
 * @param algorithm how the window moves
 * @param maxMillionths the most the counter may hold in one window, in millionths: between 0 and
 *     {@link #MAX_MILLIONTHS}
 * @param costMillionths what this call adds, in millionths: between 0 and {@code maxMillionths}
 */
public record CounterRequest(
    String counter,
    String scopeKind,
    String scopeValue,
    long windowMillis,
    Algorithm algorithm,
    long maxMillionths,
    long costMillionths) {

  /** Millionths in one unit of count: the fixed-point scale of every amount. */
  public static final long MILLIONTHS_PER_UNIT = 1_000_000L;

  /** The largest amount, in millionths: a max of one billion (10<sup>15</sup> millionths). */
  public static final long MAX_MILLIONTHS = 1_000_000_000L * MILLIONTHS_PER_UNIT;

  /** How a window moves. */
  public enum Algorithm {
    /**
     * Windows aligned on multiples of their length since the epoch (so minute, hour and day
     * windows start on UTC calendar boundaries); the count starts again at each.
     */
    FIXED,
    /**
     * An exact log of reservations: a call is admitted when, its cost counted, no half-open
     * interval {@code [t, t + window)} holds more than the max.
     */
    SLIDING
  }

  public CounterRequest {
    Objects.requireNonNull(counter, "counter");
    Objects.requireNonNull(scopeKind, "scopeKind");
    Objects.requireNonNull(algorithm, "algorithm");
    if (windowMillis < 1) {
      throw new IllegalArgumentException("windowMillis must be at least 1, was " + windowMillis);
    }
    if (maxMillionths < 0 || maxMillionths > MAX_MILLIONTHS) {
      throw new IllegalArgumentException(
          "maxMillionths must be between 0 and " + MAX_MILLIONTHS + ", was " + maxMillionths);
    }
    if (costMillionths < 0 || costMillionths > maxMillionths) {
      throw new IllegalArgumentException(
          "costMillionths must be between 0 and maxMillionths (" + maxMillionths + "), was " + costMillionths);
    }
  }

  /**
   * The scope as one text, the kind qualifying the value: for example {@code grant:agent-1},
   * {@code session:s1}, {@code args.projectId:7} or {@code global}. Safe to use in a key only
   * after the store escapes or hashes it. Built on each call.
   */
  public String scope() {
    return scopeValue == null ? scopeKind : scopeKind + ":" + scopeValue;
  }

  /** Whether {@code other} addresses the same stored count as this request. */
  public boolean sameCounter(CounterRequest other) {
    return windowMillis == other.windowMillis
        && algorithm == other.algorithm
        && counter.equals(other.counter)
        && scopeKind.equals(other.scopeKind)
        && Objects.equals(scopeValue, other.scopeValue);
  }
}
