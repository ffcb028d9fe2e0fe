package io.toolgate.engine.internal.store;

import io.toolgate.api.CounterRequest.Algorithm;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One count over one window, guarded by its own monitor: callers hold {@code synchronized
 * (counter)} around every method. Times are epoch milliseconds.
 */
public abstract class Counter {
  private static final AtomicLong SEQUENCE = new AtomicLong();

  /** A total order over live counters, for locking several without deadlock. */
  public static final Comparator<Counter> LOCK_ORDER = Comparator.comparingLong(c -> c.lockOrder);

  private final long lockOrder = SEQUENCE.getAndIncrement();
  final long windowMillis;

  Counter(long windowMillis) {
    this.windowMillis = windowMillis;
  }

  /** A new, empty counter for {@code key}'s window and algorithm. */
  public static Counter create(CounterKey key) {
    return key.algorithm() == Algorithm.FIXED
        ? new FixedWindowCounter(key.windowMillis())
        : new SlidingLogCounter(key.windowMillis());
  }

  /**
   * How long, from {@code now}, before taking {@code cost} keeps the count within {@code max}: 0
   * when it does now, {@link Long#MAX_VALUE} when it never could.
   */
  public abstract long waitFor(double cost, double max, long now);

  /** Takes {@code cost} at {@code now}; call only after {@link #waitFor} answered 0. */
  public abstract void take(double cost, long now);

  /** Gives back {@code cost} taken at {@code takenAt}, if that still counts; never below zero. */
  public abstract void give(double cost, long takenAt);
}
