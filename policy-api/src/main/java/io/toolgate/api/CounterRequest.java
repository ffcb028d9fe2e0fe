package io.toolgate.api;

import java.util.Objects;

/**
 * One counter a decision wants to take from: which counter, keyed how, over which window, and
 * how much. Two requests address the same stored count exactly when their {@link #counter()},
 * {@link #scopeKind()}, {@link #scopeValue()}, {@link #windowMillis()} and {@link #algorithm()}
 * are equal; {@link #max()} is read afresh on every request, so a policy that raises or lowers it
 * applies the new maximum to the count already taken.
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
 * @param max the most the counter may hold in one window, at least 0
 * @param cost what this call adds, between 0 and {@code max}
 */
public record CounterRequest(
    String counter,
    String scopeKind,
    String scopeValue,
    long windowMillis,
    Algorithm algorithm,
    double max,
    double cost) {

  /** How a window moves. */
  public enum Algorithm {
    /**
     * Windows aligned on multiples of their length since the epoch (so minute, hour and day
     * windows start on UTC calendar boundaries); the count starts again at each.
     */
    FIXED,
    /**
     * An exact log of reservations: a call is admitted when, its cost counted, no half-open
     * interval {@code [t, t + window)} holds more than {@code max}.
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
    if (!(max >= 0) || Double.isInfinite(max)) {
      throw new IllegalArgumentException("max must be a finite number >= 0, was " + max);
    }
    if (!(cost >= 0) || cost > max) {
      throw new IllegalArgumentException("cost must be between 0 and max (" + max + "), was " + cost);
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
