package io.toolgate.engine.internal.store;

/**
 * A count that starts again at every multiple of the window since the epoch (so minute, hour and
 * day windows start on UTC calendar boundaries). Only a call past the stored window divides, to
 * find its own window's start.
 */
final class FixedWindowCounter extends Counter {
  private long windowStart = Long.MIN_VALUE;
  private double count;

  @Override
  public long waitFor(double cost, double max, long now, long windowMillis) {
    if (cost > max) {
      return Long.MAX_VALUE;
    }
    long windowEnd = windowStart + windowMillis;
    if (now >= windowEnd) {
      return 0; // a new window: the count starts again
    }
    // The stored window, or a later one than this call's time (a call that read the clock just
    // before another that reached the store first): both count against the stored window.
    return count + cost <= max ? 0 : windowEnd - now;
  }

  @Override
  public void take(double cost, long now, long windowMillis) {
    if (now >= windowStart + windowMillis) {
      windowStart = Math.floorDiv(now, windowMillis) * windowMillis;
      count = cost;
    } else {
      count += cost;
    }
  }

  @Override
  public void give(double cost, long takenAt, long windowMillis) {
    if (takenAt >= windowStart && takenAt < windowStart + windowMillis) {
      count = Math.max(0, count - cost);
    }
  }
}
