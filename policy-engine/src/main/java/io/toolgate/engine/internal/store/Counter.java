package io.toolgate.engine.internal.store;

/**
 * One count over one window, guarded by its own monitor: callers hold {@code synchronized
 * (counter)} around every method. Times are epoch milliseconds; the window's length is passed in
 * (it is part of the counter's key), so a counter holds nothing but its count.
 */
public abstract class Counter {

  Counter() {}

  /**
   * How long, from {@code now}, before taking {@code cost} keeps the count within {@code max}: 0
   * when it does now, {@link Long#MAX_VALUE} when it never could.
   */
  public abstract long waitFor(double cost, double max, long now, long windowMillis);

  /** Takes {@code cost} at {@code now}; call only after {@link #waitFor} answered 0. */
  public abstract void take(double cost, long now, long windowMillis);

  /** Gives back {@code cost} taken at {@code takenAt}, if that still counts; never below zero. */
  public abstract void give(double cost, long takenAt, long windowMillis);
}
