package io.toolgate.engine.internal.store;

/**
 * An exact log of reservations: a call is admitted when, its cost counted, no half-open interval
 * {@code [t, t + window)} holds more than the max. The log is ordered by time; a reservation that
 * reaches the counter with an earlier time than its latest entry (a caller that read the clock
 * just before another) is logged at that latest time, never earlier, which keeps the order and
 * only ever counts it longer.
 */
final class SlidingLogCounter extends Counter {
  private static final int INITIAL_CAPACITY = 4;

  private long[] times = new long[INITIAL_CAPACITY];
  private long[] costs = new long[INITIAL_CAPACITY];
  private int head;
  private int size;
  private long sum;

  @Override
  public boolean isCurrent(long now, long windowMillis) {
    return true; // the log moves with every call: there is no window to start
  }

  @Override
  void advance(long now, long windowMillis) {}

  @Override
  public long waitFor(long cost, long max, long now, long windowMillis) {
    if (cost > max) {
      return Long.MAX_VALUE;
    }
    expire(effectiveTime(now), windowMillis);
    if (sum + cost <= max) {
      return 0;
    }
    // Entries leave the window oldest first; the call fits once enough of them have.
    long remaining = sum;
    for (int i = 0; i < size; i++) {
      int at = slot(i);
      remaining -= costs[at];
      if (remaining + cost <= max || i == size - 1) {
        return times[at] + windowMillis - now;
      }
    }
    throw new AssertionError("unreachable: an empty log admits any cost <= max");
  }

  @Override
  public void take(long cost, long now, long windowMillis) {
    long at = effectiveTime(now);
    expire(at, windowMillis);
    if (cost > 0) {
      if (size == times.length) {
        resize(times.length * 2);
      }
      int tail = slot(size);
      times[tail] = at;
      costs[tail] = cost;
      size++;
      sum += cost;
    }
  }

  @Override
  public void give(long cost, long takenAt, long windowMillis) {
    // The earliest entry of this cost logged at or after the reservation's time is the one it
    // made (later only if it was logged at a later entry's time).
    for (int i = 0; i < size; i++) {
      int at = slot(i);
      if (times[at] >= takenAt && costs[at] == cost) {
        removeAt(i);
        return;
      }
    }
  }

  private long effectiveTime(long now) {
    return size == 0 ? now : Math.max(now, times[slot(size - 1)]);
  }

  /** Drops entries that no interval containing {@code now} can hold. */
  private void expire(long now, long windowMillis) {
    while (size > 0 && times[head] + windowMillis <= now) {
      sum -= costs[head];
      head = (head + 1) % times.length;
      size--;
    }
    if (size == 0) {
      sum = 0;
      head = 0;
    }
    if (times.length > 4 * INITIAL_CAPACITY && size < times.length / 4) {
      resize(times.length / 2);
    }
  }

  private void removeAt(int index) {
    int at = slot(index);
    sum -= costs[at];
    for (int i = index; i < size - 1; i++) {
      int to = slot(i);
      int from = slot(i + 1);
      times[to] = times[from];
      costs[to] = costs[from];
    }
    size--;
    if (size == 0) {
      sum = 0;
      head = 0;
    }
  }

  private void resize(int capacity) {
    long[] newTimes = new long[capacity];
    long[] newCosts = new long[capacity];
    for (int i = 0; i < size; i++) {
      newTimes[i] = times[slot(i)];
      newCosts[i] = costs[slot(i)];
    }
    times = newTimes;
    costs = newCosts;
    head = 0;
  }

  private int slot(int index) {
    return (head + index) % times.length;
  }
}
