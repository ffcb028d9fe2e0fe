package io.toolgate.engine.store;

import com.github.benmanes.caffeine.cache.Ticker;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterStore;
import io.toolgate.api.ReserveResult;
import io.toolgate.engine.internal.store.Counter;
import io.toolgate.engine.internal.store.CounterFamily;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters in this JVM's memory, on Caffeine caches: exact under any concurrency, bounded in
 * keys, and rid of a count once it holds nothing that could refuse a call, two seconds later: a
 * fixed-window count when its window has ended and no call started the next one (so between two
 * seconds and one window after its end), a sliding log once idle for its window.
 *
 * <p>Each counter (a name with its window, algorithm and scope kind) keeps its counts in a cache
 * of its own, keyed by the scope value: the principal id, session id or argument text.
 *
 * <p>Expiry runs on the decisions' own clock (the latest {@code nowMillis} the store has seen),
 * so a test clock that jumps a day expires what a day would.
 *
 * <p>The key bound is a memory bound, not a policy: when one counter has more scope values live
 * than it allows, its cache evicts the ones least likely to be used again, and an evicted value
 * starts over at zero. Size it above the number of principals (or sessions, or argument values)
 * live within one window.
 *
 * <p>A reservation across several counters locks them in one global order, so it is all or none
 * and cannot deadlock with another. The counters of one call are distinct, as the {@link
 * CounterStore} contract promises (the engine merges limits that name one counter).
 */
public final class InMemoryCounterStore implements CounterStore {
  /** The default {@linkplain Builder#maximumKeys key bound}. */
  public static final long DEFAULT_MAXIMUM_KEYS = 1_000_000;

  /** Locks several counters in one global order, so two reservations cannot deadlock. */
  private static final Comparator<Counter> LOCK_ORDER = Comparator.comparingInt(System::identityHashCode);
  private static final Object TIE_LOCK = new Object();
  private static final CounterFamily[] NO_FAMILIES = {};

  private final long maximumKeys;
  private final AtomicLong latestMillis = new AtomicLong(Long.MIN_VALUE);
  private final Ticker decisionTime = () -> TimeUnit.MILLISECONDS.toNanos(Math.max(0, latestMillis.get()));
  /** Per counter name, its families (usually one): few, and created once each. */
  private final ConcurrentHashMap<String, CounterFamily[]> families = new ConcurrentHashMap<>();

  private InMemoryCounterStore(Builder builder) {
    this.maximumKeys = builder.maximumKeys;
  }

  /** A store with the default key bound. */
  public static InMemoryCounterStore create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** {@link Blocking#NONE}: counts are in memory, so the engine calls this store directly. */
  @Override
  public Blocking blocking() {
    return Blocking.NONE;
  }

  /** False: a reservation counts when it is granted, so there is nothing to confirm. */
  @Override
  public boolean confirmsReservations() {
    return false;
  }

  @Override
  public ReserveResult reserve(List<CounterRequest> requests, long nowMillis) {
    advanceTo(nowMillis);
    int n = requests.size();
    if (n == 0) {
      return ReserveResult.granted();
    }
    if (n > 1) {
      return reserveAll(requests, nowMillis);
    }
    CounterRequest request = requests.get(0);
    CounterFamily family = familyFor(request);
    long window = request.windowMillis();
    Counter counter = family.counter(request, nowMillis);
    while (true) {
      synchronized (counter) {
        if (counter.isCurrent(nowMillis, window)) {
          long wait = counter.waitFor(request.costMillionths(), request.maxMillionths(), nowMillis, window);
          if (wait != 0) {
            return ReserveResult.rejected(0, wait);
          }
          counter.take(request.costMillionths(), nowMillis, window);
          return ReserveResult.granted();
        }
      }
      // Once per window and key: start the next window, outside the counter's lock.
      counter = family.advance(request, nowMillis);
    }
  }

  private ReserveResult reserveAll(List<CounterRequest> requests, long nowMillis) {
    int n = requests.size();
    CounterFamily[] families = new CounterFamily[n];
    Counter[] counters = new Counter[n];
    for (int i = 0; i < n; i++) {
      families[i] = familyFor(requests.get(i));
      counters[i] = families[i].counter(requests.get(i), nowMillis);
    }
    boolean[] stale = new boolean[n];
    while (true) {
      ReserveResult result = reserveAll(requests, counters, stale, nowMillis);
      if (result != null) {
        return result;
      }
      for (int i = 0; i < n; i++) {
        if (stale[i]) {
          counters[i] = families[i].advance(requests.get(i), nowMillis);
          stale[i] = false;
        }
      }
    }
  }

  /**
   * Reserves on {@code counters} (one per request, all distinct, as the engine promises), all
   * locked; or marks in {@code stale} the requests whose counter must start a new window first and
   * returns {@code null}.
   */
  private static ReserveResult reserveAll(
      List<CounterRequest> requests, Counter[] counters, boolean[] stale, long nowMillis) {
    Counter[] order = counters.clone();
    Arrays.sort(order, LOCK_ORDER);
    Locked locked = new Locked(requests, counters, stale, nowMillis);
    for (int i = 1; i < order.length; i++) {
      if (System.identityHashCode(order[i - 1]) == System.identityHashCode(order[i])) {
        // Two counters the order cannot tell apart: whoever holds the tie lock goes first.
        synchronized (TIE_LOCK) {
          return locked.reserve(order, 0);
        }
      }
    }
    return locked.reserve(order, 0);
  }

  /** One reservation of several counters, run with every counter's lock held. */
  private record Locked(List<CounterRequest> requests, Counter[] counters, boolean[] stale, long nowMillis) {

    /** Locks {@code order[from..]} one inside the other, then reserves with every lock held. */
    ReserveResult reserve(Counter[] order, int from) {
      if (from < order.length) {
        synchronized (order[from]) {
          return reserve(order, from + 1);
        }
      }
      boolean anyStale = false;
      for (int i = 0; i < counters.length; i++) {
        stale[i] = !counters[i].isCurrent(nowMillis, requests.get(i).windowMillis());
        anyStale |= stale[i];
      }
      if (anyStale) {
        return null;
      }
      int worst = -1;
      long longestWait = 0;
      for (int i = 0; i < counters.length; i++) {
        CounterRequest request = requests.get(i);
        long wait = counters[i].waitFor(request.costMillionths(), request.maxMillionths(), nowMillis, request.windowMillis());
        if (wait > longestWait) {
          longestWait = wait;
          worst = i;
        }
      }
      if (worst >= 0) {
        return ReserveResult.rejected(worst, longestWait);
      }
      for (int i = 0; i < counters.length; i++) {
        CounterRequest request = requests.get(i);
        counters[i].take(request.costMillionths(), nowMillis, request.windowMillis());
      }
      return ReserveResult.granted();
    }
  }

  @Override
  public void refund(List<CounterRequest> requests, long reservedAtMillis) {
    for (CounterRequest request : requests) {
      CounterFamily family = existingFamily(request);
      Counter counter = family == null ? null : family.existing(request);
      if (counter != null) {
        synchronized (counter) {
          counter.give(request.costMillionths(), reservedAtMillis, request.windowMillis());
        }
      }
    }
  }

  /** The number of counts held now, all counters together (after pending expiries), for metrics and tests. */
  public long keyCount() {
    long count = 0;
    for (CounterFamily[] named : families.values()) {
      for (CounterFamily family : named) {
        count += family.size();
      }
    }
    return count;
  }

  private CounterFamily familyFor(CounterRequest request) {
    CounterFamily family = existingFamily(request);
    return family != null ? family : newFamily(request);
  }

  private CounterFamily existingFamily(CounterRequest request) {
    CounterFamily[] named = families.get(request.counter());
    if (named != null) {
      for (CounterFamily family : named) {
        if (family.matches(request)) {
          return family;
        }
      }
    }
    return null;
  }

  private CounterFamily newFamily(CounterRequest request) {
    CounterFamily[] named =
        families.compute(
            request.counter(),
            (name, old) -> {
              CounterFamily[] known = old == null ? NO_FAMILIES : old;
              for (CounterFamily family : known) {
                if (family.matches(request)) {
                  return known;
                }
              }
              CounterFamily[] grown = Arrays.copyOf(known, known.length + 1);
              grown[known.length] = new CounterFamily(request, maximumKeys, decisionTime);
              return grown;
            });
    for (CounterFamily family : named) {
      if (family.matches(request)) {
        return family;
      }
    }
    throw new AssertionError("the family was just added");
  }

  private void advanceTo(long nowMillis) {
    long seen = latestMillis.get();
    while (nowMillis > seen && !latestMillis.compareAndSet(seen, nowMillis)) {
      seen = latestMillis.get();
    }
  }

  /** Configures an {@link InMemoryCounterStore}. */
  public static final class Builder {
    private long maximumKeys = DEFAULT_MAXIMUM_KEYS;

    private Builder() {}

    /**
     * The most scope values each counter holds at once (a counter is a name with its window,
     * algorithm and scope kind); default {@value InMemoryCounterStore#DEFAULT_MAXIMUM_KEYS}. A
     * fixed-window key costs about 120 bytes besides its scope value's string (a sliding window
     * more, with its log).
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
