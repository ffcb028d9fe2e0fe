package io.toolgate.engine.internal.store;

/**
 * One count over one window, guarded by its own monitor: callers hold {@code synchronized
 * (counter)} around every method and every field access. Times are epoch milliseconds. The
 * window's length is passed in rather than kept, since every counter of a {@link CounterFamily}
 * shares it: a live key costs only what it must.
 */
public abstract class Counter {
  /** Set, under the lock, when the store dropped this counter: a holder must look it up again. */
  boolean removed;

  /** Set on every use, cleared by the evictor: a second chance for counters in use (CLOCK). */
  boolean used = true;

  Counter() {}

  /**
   * How long, from {@code now}, before taking {@code cost} keeps the count within {@code max}: 0
   * when it does now, {@link Long#MAX_VALUE} when it never could.
   */
  public abstract long waitFor(double cost, double max, long windowMillis, long now);

  /** Takes {@code cost} at {@code now}; call only after {@link #waitFor} answered 0. */
  public abstract void take(double cost, long windowMillis, long now);

  /** Gives back {@code cost} taken at {@code takenAt}, if that still counts; never below zero. */
  public abstract void give(double cost, long windowMillis, long takenAt);

  /** Whether, at {@code now}, this counter holds nothing that could refuse a call. */
  abstract boolean isIdle(long windowMillis, long now);
}
