package io.toolgate.engine.internal.store;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * An exact log of reservations: a call is admitted when, its cost counted, no half-open interval
 * {@code [t, t + window)} holds more than the max. The log is ordered by time; a reservation that
 * reaches the counter with an earlier time than its latest entry, refunded or not (a caller that
 * read the clock just before another), is logged at that latest time, never earlier, which keeps
 * the order and only ever counts it longer.
 *
 * <p>No decision reads more than O(log n) of a log of n entries, however many tiny costs an agent
 * logs (the same design as the Redis store's script, so both answer alike): entries are numbered
 * in the order logged, which is also time order; a Fenwick tree over their costs gives any range
 * sum, and finds how much must leave before a cost fits, in O(log n); the first entry in the
 * window is found by binary search on the times; and an index by cost finds the entry a refund
 * removes. Entries that have left the window are dropped together once they are half the log (a
 * copy, amortised over the entries that filled it).
 */
final class SlidingLogCounter extends Counter {
  private static final int INITIAL_CAPACITY = 4;

  /** The sequence number of the entry at index 0: entries keep their number when the log moves. */
  private long base;
  private long[] times = new long[INITIAL_CAPACITY];
  /** Each entry's cost, 0 once refunded. */
  private long[] costs = new long[INITIAL_CAPACITY];
  /** A Fenwick tree over {@link #costs}: tree[i] sums the costs at indices (i - lowbit(i), i] - 1. */
  private long[] tree = new long[INITIAL_CAPACITY + 1];
  private int size;
  /** The index of the first entry still counted: those before it have left the window. */
  private int first;
  /** The latest time an entry was logged at (refunded or not), since the log was last empty. */
  private long latest;
  /** Per cost, the sequence numbers of its entries not refunded (nor dropped), for refunds. */
  private final Map<Long, TreeSet<Long>> byCost = new HashMap<>();
  /** Steps of the tree and binary searches taken so far: what tests bound per decision. */
  long steps;

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
    view(now, windowMillis);
    long total = prefix(size);
    if (total - prefix(first) + cost <= max) {
      return 0;
    }
    // Entries leave the window oldest first; the call fits once enough of them have: the first
    // entry after which what stays, plus the cost, is within max.
    int leaving = search(total + cost - max);
    return times[leaving] + windowMillis - now;
  }

  @Override
  public void take(long cost, long now, long windowMillis) {
    long at = view(now, windowMillis);
    if (cost > 0) {
      if (size == times.length) {
        grow();
      }
      times[size] = at;
      costs[size] = cost;
      add(size, cost);
      byCost.computeIfAbsent(cost, c -> new TreeSet<>()).add(base + size);
      latest = at;
      size++;
    }
  }

  @Override
  public void give(long cost, long takenAt, long windowMillis) {
    if (cost <= 0 || size == 0) {
      return;
    }
    // The earliest entry of this cost still counted and logged at or after the reservation's
    // time is the one it made (later only if it was logged at a later entry's time).
    TreeSet<Long> entries = byCost.get(cost);
    Long seq = entries == null ? null : entries.ceiling(base + Math.max(first, firstAtOrAfter(takenAt)));
    if (seq == null) {
      return;
    }
    entries.remove(seq);
    if (entries.isEmpty()) {
      byCost.remove(cost);
    }
    int index = (int) (seq - base);
    costs[index] = 0;
    add(index, -cost);
  }

  /**
   * Drops what has left the window for a reservation at {@code now}; returns the time it is
   * logged at: {@code now}, or, while the log counts anything, the latest time logged if later
   * (a refunded entry's too, which keeps the log in time order).
   */
  private long view(long now, long windowMillis) {
    long at = prefix(size) - prefix(first) > 0 ? Math.max(now, latest) : now;
    first = Math.max(first, firstAfter(at - windowMillis));
    if (prefix(size) - prefix(first) == 0) {
      clear();
      return at;
    }
    if (first >= 64 && first > size / 2) {
      compact();
    }
    return at;
  }

  /** The index of the first entry logged after {@code time}, or {@link #size}. */
  private int firstAfter(long time) {
    int low = first;
    int high = size;
    while (low < high) {
      steps++;
      int mid = (low + high) >>> 1;
      if (times[mid] > time) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    return low;
  }

  /** The index of the first entry logged at or after {@code time}, or {@link #size}. */
  private int firstAtOrAfter(long time) {
    return time == Long.MIN_VALUE ? 0 : firstAfter(time - 1);
  }

  /** The sum of the costs at indices below {@code end}. */
  private long prefix(int end) {
    long sum = 0;
    for (int i = end; i > 0; i -= i & -i) {
      steps++;
      sum += tree[i];
    }
    return sum;
  }

  private void add(int index, long delta) {
    for (int i = index + 1; i < tree.length; i += i & -i) {
      steps++;
      tree[i] += delta;
    }
  }

  /** The smallest index whose prefix, itself included, reaches {@code target} (> 0). */
  private int search(long target) {
    int pos = 0;
    for (int step = Integer.highestOneBit(tree.length - 1); step > 0; step >>= 1) {
      steps++;
      if (pos + step < tree.length && tree[pos + step] < target) {
        pos += step;
        target -= tree[pos];
      }
    }
    return pos;
  }

  private void grow() {
    int capacity = times.length * 2;
    times = Arrays.copyOf(times, capacity);
    costs = Arrays.copyOf(costs, capacity);
    long[] grown = Arrays.copyOf(tree, capacity + 1);
    // The new root covers the old one's entries and nothing else yet.
    grown[capacity] = tree[times.length / 2];
    tree = grown;
  }

  /** Moves the entries still counted to the front, forgetting those before them. */
  private void compact() {
    for (int i = 0; i < first; i++) {
      if (costs[i] > 0) {
        TreeSet<Long> entries = byCost.get(costs[i]);
        entries.remove(base + i);
        if (entries.isEmpty()) {
          byCost.remove(costs[i]);
        }
      }
    }
    steps += size;
    int kept = size - first;
    System.arraycopy(times, first, times, 0, kept);
    System.arraycopy(costs, first, costs, 0, kept);
    base += first;
    size = kept;
    first = 0;
    Arrays.fill(tree, 0);
    for (int i = 1; i < tree.length; i++) { // the linear-time construction
      if (i - 1 < size) {
        tree[i] += costs[i - 1];
      }
      int parent = i + (i & -i);
      if (parent < tree.length) {
        tree[parent] += tree[i];
      }
    }
  }

  private void clear() {
    base += size;
    size = 0;
    first = 0;
    Arrays.fill(tree, 0);
    byCost.clear();
    if (times.length > 4 * INITIAL_CAPACITY) {
      times = new long[INITIAL_CAPACITY];
      costs = new long[INITIAL_CAPACITY];
      tree = new long[INITIAL_CAPACITY + 1];
    }
  }
}
