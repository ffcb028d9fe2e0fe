package io.toolgate.engine.internal.store;

/**
 * A count that starts again at every multiple of the window since the epoch (so minute, hour and
 * day windows start on UTC calendar boundaries). Only a call past the stored window divides, to
 * find its own window's start, and it does so through the cache (see {@link CounterFamily}).
 */
final class FixedWindowCounter extends Counter {
  private long windowStart = Long.MIN_VALUE;
  private long count;

  @Override
  public boolean isCurrent(long now, long windowMillis) {
    // Also true for a time before the stored window: a call that read the clock just before
    // another one that reached the store first counts against the stored window.
    return now < windowStart + windowMillis;
  }

  @Override
  public long waitFor(long cost, long max, long now, long windowMillis) {
    if (cost > max) {
      return Long.MAX_VALUE;
    }
    return count <= max - cost ? 0 : windowStart + windowMillis - now;
  }

  @Override
  public void take(long cost, long now, long windowMillis) {
    count += cost;
  }

  @Override
  public void give(long cost, long takenAt, long windowMillis) {
    if (takenAt >= windowStart && takenAt < windowStart + windowMillis) {
      count = Math.max(0, count - cost);
    }
  }

  @Override
  void advance(long now, long windowMillis) {
    if (now >= windowStart + windowMillis) {
      windowStart = Math.floorDiv(now, windowMillis) * windowMillis;
      count = 0;
    }
  }
}
