package io.toolgate.engine.internal.store;

/**
 * A count that starts again at every multiple of the window since the epoch (so minute, hour and
 * day windows start on UTC calendar boundaries). Two fields, so a key costs 32 bytes here.
 */
final class FixedWindowCounter extends Counter {
  private long windowStart = Long.MIN_VALUE;
  private double count;

  @Override
  public long waitFor(double cost, double max, long windowMillis, long now) {
    if (cost > max) {
      return Long.MAX_VALUE;
    }
    long start = windowStartOf(now, windowMillis);
    if (start > windowStart) {
      return 0;
    }
    // The current window, or a later one than this call's time (a call that read the clock just
    // before another that reached the store first): both count against the stored window.
    return count + cost <= max ? 0 : windowStart + windowMillis - now;
  }

  @Override
  public void take(double cost, long windowMillis, long now) {
    long start = windowStartOf(now, windowMillis);
    if (start > windowStart) {
      windowStart = start;
      count = cost;
    } else {
      count += cost;
    }
  }

  @Override
  public void give(double cost, long windowMillis, long takenAt) {
    if (windowStartOf(takenAt, windowMillis) == windowStart) {
      count = Math.max(0, count - cost);
    }
  }

  @Override
  boolean isIdle(long windowMillis, long now) {
    return windowStart == Long.MIN_VALUE || windowStart + windowMillis <= now;
  }

  /** The start of {@code now}'s window: the stored one without a division when it holds {@code now}. */
  private long windowStartOf(long now, long windowMillis) {
    long stored = windowStart;
    if (stored != Long.MIN_VALUE && now >= stored && now - stored < windowMillis) {
      return stored;
    }
    return Math.floorDiv(now, windowMillis) * windowMillis;
  }
}
