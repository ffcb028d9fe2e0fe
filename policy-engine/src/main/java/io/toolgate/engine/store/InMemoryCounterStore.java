package io.toolgate.engine.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterStore;
import io.toolgate.api.ReserveResult;
import io.toolgate.engine.internal.store.Counter;
import io.toolgate.engine.internal.store.CounterKey;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters in this JVM's memory, on a Caffeine cache: exact under any concurrency, bounded in
 * keys, and rid of a counter once it has been idle for its window and two seconds more (by then
 * it holds nothing that could refuse a call).
 *
 * <p>Idle time is measured on the decisions' own clock (the latest {@code nowMillis} the store
 * has seen), so a test clock that jumps a day expires what a day would.
 *
 * <p>The key bound is a memory bound, not a policy: when more distinct keys are live than it
 * allows, the cache evicts the ones least likely to be used again, and an evicted key starts over
 * at zero. Size it above the number of keys (counter x scope value) live within one window.
 *
 * <p>A reservation across several counters locks them in one global order, so it is all or none
 * and cannot deadlock with another.
 */
public final class InMemoryCounterStore implements CounterStore {
  /** The default {@linkplain Builder#maximumKeys key bound}. */
  public static final long DEFAULT_MAXIMUM_KEYS = 1_000_000;

  /** Locks several counters in one global order, so two reservations cannot deadlock. */
  private static final Comparator<Counter> LOCK_ORDER = Comparator.comparingInt(System::identityHashCode);
  private static final Object TIE_LOCK = new Object();

  private final AtomicLong latestMillis = new AtomicLong(Long.MIN_VALUE);
  private final Cache<CounterKey, Counter> counters;

  private InMemoryCounterStore(Builder builder) {
    Ticker decisionTime = () -> TimeUnit.MILLISECONDS.toNanos(Math.max(0, latestMillis.get()));
    this.counters =
        Caffeine.newBuilder()
            .maximumSize(builder.maximumKeys)
            .ticker(decisionTime)
            .expireAfter(new IdleForOneWindow())
            .executor(Runnable::run)
            .build();
  }

  /** A store with the default key bound. */
  public static InMemoryCounterStore create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public ReserveResult reserve(List<CounterRequest> requests, long nowMillis) {
    advanceTo(nowMillis);
    int n = requests.size();
    if (n == 0) {
      return ReserveResult.granted();
    }
    if (n == 1) {
      CounterRequest request = requests.get(0);
      Counter counter = counterFor(request);
      synchronized (counter) {
        long window = request.windowMillis();
        long wait = counter.waitFor(request.cost(), request.max(), nowMillis, window);
        if (wait != 0) {
          return ReserveResult.rejected(0, wait);
        }
        counter.take(request.cost(), nowMillis, window);
        return ReserveResult.granted();
      }
    }
    return reserveAll(requests, nowMillis);
  }

  private ReserveResult reserveAll(List<CounterRequest> requests, long nowMillis) {
    Counter[] distinct = new Counter[requests.size()];
    double[] costs = new double[requests.size()];
    int[] firstIndex = new int[requests.size()];
    int size = 0;
    for (int i = 0; i < requests.size(); i++) {
      Counter counter = counterFor(requests.get(i));
      int slot = indexOf(distinct, size, counter);
      if (slot < 0) {
        slot = size++;
        distinct[slot] = counter;
        firstIndex[slot] = i;
      }
      costs[slot] += requests.get(i).cost();
    }
    Counter[] order = Arrays.copyOf(distinct, size);
    Arrays.sort(order, LOCK_ORDER);
    for (int i = 1; i < size; i++) {
      if (System.identityHashCode(order[i - 1]) == System.identityHashCode(order[i])) {
        // Two counters the order cannot tell apart: whoever holds the tie lock goes first.
        synchronized (TIE_LOCK) {
          return lockedReserve(order, 0, requests, distinct, costs, firstIndex, size, nowMillis);
        }
      }
    }
    return lockedReserve(order, 0, requests, distinct, costs, firstIndex, size, nowMillis);
  }

  /** Locks {@code order[from..]} one inside the other, then reserves with every lock held. */
  private static ReserveResult lockedReserve(
      Counter[] order,
      int from,
      List<CounterRequest> requests,
      Counter[] distinct,
      double[] costs,
      int[] firstIndex,
      int size,
      long nowMillis) {
    if (from < order.length) {
      synchronized (order[from]) {
        return lockedReserve(order, from + 1, requests, distinct, costs, firstIndex, size, nowMillis);
      }
    }
    int worst = -1;
    long longestWait = 0;
    for (int slot = 0; slot < size; slot++) {
      CounterRequest first = requests.get(firstIndex[slot]);
      long wait = distinct[slot].waitFor(costs[slot], first.max(), nowMillis, first.windowMillis());
      if (wait > longestWait) {
        longestWait = wait;
        worst = firstIndex[slot];
      }
    }
    if (worst >= 0) {
      return ReserveResult.rejected(worst, longestWait);
    }
    for (int slot = 0; slot < size; slot++) {
      distinct[slot].take(costs[slot], nowMillis, requests.get(firstIndex[slot]).windowMillis());
    }
    return ReserveResult.granted();
  }

  @Override
  public void refund(List<CounterRequest> requests, long reservedAtMillis) {
    for (CounterRequest request : requests) {
      Counter counter = counters.getIfPresent(CounterKey.of(request));
      if (counter != null) {
        synchronized (counter) {
          counter.give(request.cost(), reservedAtMillis, request.windowMillis());
        }
      }
    }
  }

  /** The number of counter keys held now (after pending evictions), for metrics and tests. */
  public long keyCount() {
    counters.cleanUp();
    return counters.estimatedSize();
  }

  private Counter counterFor(CounterRequest request) {
    return counters.get(CounterKey.of(request), Counter::create);
  }

  private void advanceTo(long nowMillis) {
    long seen = latestMillis.get();
    while (nowMillis > seen && !latestMillis.compareAndSet(seen, nowMillis)) {
      seen = latestMillis.get();
    }
  }

  private static int indexOf(Counter[] counters, int size, Counter counter) {
    for (int i = 0; i < size; i++) {
      if (counters[i] == counter) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Forgets a counter once it has been idle for its window plus a margin. Caffeine ignores, on
   * read, an extension of an entry's expiry of up to one second (it saves work), so without the
   * margin a counter read just before its window ended and filled just after it could be dropped
   * up to a second before the count it holds stops mattering.
   */
  private static final class IdleForOneWindow implements Expiry<CounterKey, Counter> {
    /** More than Caffeine's expiry tolerance (one second). */
    static final long MARGIN_MILLIS = 2_000;

    private static long idle(CounterKey key) {
      return TimeUnit.MILLISECONDS.toNanos(key.windowMillis() + MARGIN_MILLIS);
    }

    @Override
    public long expireAfterCreate(CounterKey key, Counter value, long currentTime) {
      return idle(key);
    }

    @Override
    public long expireAfterUpdate(CounterKey key, Counter value, long currentTime, long currentDuration) {
      return idle(key);
    }

    @Override
    public long expireAfterRead(CounterKey key, Counter value, long currentTime, long currentDuration) {
      return idle(key);
    }
  }

  /** Configures an {@link InMemoryCounterStore}. */
  public static final class Builder {
    private long maximumKeys = DEFAULT_MAXIMUM_KEYS;

    private Builder() {}

    /**
     * The most counter keys held at once; default {@value InMemoryCounterStore#DEFAULT_MAXIMUM_KEYS}. A key costs
     * about 200 bytes (a sliding window more, with its log).
     *
     * @throws IllegalArgumentException if {@code maximumKeys} is less than 1
     */
    public Builder maximumKeys(long maximumKeys) {
      if (maximumKeys < 1) {
        throw new IllegalArgumentException("maximumKeys must be at least 1, was " + maximumKeys);
      }
      this.maximumKeys = maximumKeys;
      return this;
    }

    public InMemoryCounterStore build() {
      return new InMemoryCounterStore(this);
    }
  }
}
