package io.toolgate.engine.internal.store;

/**
 * One count over one window, guarded by its own monitor: callers hold {@code synchronized
 * (counter)} around every method. Times are epoch milliseconds; the window's length is passed in
 * (it is part of the counter's key), so a counter holds nothing but its count. Amounts are
 * millionths (see {@link io.toolgate.api.CounterRequest}), added as integers: exact.
 */
public abstract class Counter {

  Counter() {}

  /**
   * Whether a reservation at {@code now} counts in the window this counter holds. When not, the
   * caller {@linkplain CounterFamily#advance starts the next window} first, through the cache.
   */
  public abstract boolean isCurrent(long now, long windowMillis);

  /**
   * How long, from {@code now}, before taking {@code cost} keeps the count within {@code max}: 0
   * when it does now, {@link Long#MAX_VALUE} when it never could. Call only when {@link
   * #isCurrent}.
   */
  public abstract long waitFor(long cost, long max, long now, long windowMillis);

  /** Takes {@code cost} at {@code now}; call only after {@link #waitFor} answered 0. */
  public abstract void take(long cost, long now, long windowMillis);

  /** Gives back {@code cost} taken at {@code takenAt}, if that still counts; never below zero. */
  public abstract void give(long cost, long takenAt, long windowMillis);

  /** Starts the window that holds {@code now}, if the one held has ended; else does nothing. */
  abstract void advance(long now, long windowMillis);
}
