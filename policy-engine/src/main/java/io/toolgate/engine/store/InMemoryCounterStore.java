package io.toolgate.engine.store;

import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterStore;
import io.toolgate.api.ReserveResult;
import io.toolgate.engine.internal.store.Counter;
import io.toolgate.engine.internal.store.CounterFamily;
import io.toolgate.engine.internal.store.Counters;
import io.toolgate.engine.internal.store.Counters.Slot;
import java.util.Arrays;
import java.util.List;

/**
 * Counters in this JVM's memory: exact under any concurrency, bounded in keys, and rid of a
 * counter once it holds nothing that could refuse a call (its window is over).
 *
 * <p>Idle time is measured on the decisions' own clock (the latest {@code nowMillis} the store
 * has seen), so a test clock that jumps a day expires what a day would. Idle counters are
 * dropped by a sweep of their counter's keys once per window, when new keys arrive, and by
 * {@link #keyCount()}.
 *
 * <p>The key bound is a memory bound, not a policy: when more distinct keys are live than it
 * allows, the store drops idle keys, then keys not used since its last pass (a second chance for
 * busy ones), until a tenth of the bound is free; an evicted key starts over at zero. Size it
 * above the number of keys (counter x scope value) live within one window. A fixed-window key
 * costs about 100 bytes plus its scope text (JOL, compressed pointers): the map entry, the scope
 * string and a 32-byte counter.
 *
 * <p>A reservation across several counters locks them in one global order, so it is all or none
 * and cannot deadlock with another.
 */
public final class InMemoryCounterStore implements CounterStore {
  /** The default {@linkplain Builder#maximumKeys key bound}. */
  public static final long DEFAULT_MAXIMUM_KEYS = 1_000_000;

  private final Counters counters;

  private InMemoryCounterStore(Builder builder) {
    this.counters = new Counters(builder.maximumKeys);
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
    counters.advanceTo(nowMillis);
    int n = requests.size();
    if (n == 0) {
      return ReserveResult.granted();
    }
    if (n == 1) {
      return reserveOne(requests.get(0), nowMillis);
    }
    return reserveAll(requests, nowMillis);
  }

  private ReserveResult reserveOne(CounterRequest request, long nowMillis) {
    CounterFamily family = counters.family(request);
    while (true) {
      Counter counter = counters.counter(family, request.scope());
      synchronized (counter) {
        if (!Counters.claim(counter)) {
          continue;
        }
        long at = Counters.countedAt(family, nowMillis);
        long wait = counter.waitFor(request.cost(), request.max(), request.windowMillis(), at);
        if (wait != 0) {
          return ReserveResult.rejected(0, wait == Long.MAX_VALUE ? wait : wait + (at - nowMillis));
        }
        counter.take(request.cost(), request.windowMillis(), at);
        return ReserveResult.granted();
      }
    }
  }

  private ReserveResult reserveAll(List<CounterRequest> requests, long nowMillis) {
    Slot[] distinct = new Slot[requests.size()];
    int size = 0;
    for (int i = 0; i < requests.size(); i++) {
      CounterRequest request = requests.get(i);
      CounterFamily family = counters.family(request);
      Slot slot = null;
      for (int s = 0; s < size; s++) {
        if (distinct[s].family == family && distinct[s].scope.equals(request.scope())) {
          slot = distinct[s];
          break;
        }
      }
      if (slot == null) {
        slot = new Slot(family, request.scope(), i);
        distinct[size++] = slot;
      }
      slot.cost += request.cost();
    }
    Slot[] order = Arrays.copyOf(distinct, size);
    Arrays.sort(order, Counters.LOCK_ORDER);
    while (true) {
      for (Slot slot : order) {
        slot.counter = counters.counter(slot.family, slot.scope);
      }
      ReserveResult result = lockedReserve(order, 0, requests, nowMillis);
      if (result != null) {
        return result;
      }
    }
  }

  /**
   * Locks {@code order[from..]} one inside the other, then reserves with every lock held; {@code
   * null} when a counter was dropped meanwhile (look them up again).
   */
  private static ReserveResult lockedReserve(Slot[] order, int from, List<CounterRequest> requests, long nowMillis) {
    if (from < order.length) {
      synchronized (order[from].counter) {
        return lockedReserve(order, from + 1, requests, nowMillis);
      }
    }
    for (Slot slot : order) {
      if (!Counters.claim(slot.counter)) {
        return null;
      }
    }
    int worst = -1;
    long longestWait = 0;
    for (Slot slot : order) {
      CounterRequest first = requests.get(slot.firstIndex);
      long at = Counters.countedAt(slot.family, nowMillis);
      long wait = slot.counter.waitFor(slot.cost, first.max(), first.windowMillis(), at);
      if (wait != 0 && wait != Long.MAX_VALUE) {
        wait += at - nowMillis;
      }
      if (wait > longestWait || (wait == longestWait && wait > 0 && slot.firstIndex < worst)) {
        longestWait = wait;
        worst = slot.firstIndex;
      }
    }
    if (worst >= 0) {
      return ReserveResult.rejected(worst, longestWait);
    }
    for (Slot slot : order) {
      slot.counter.take(
          slot.cost, requests.get(slot.firstIndex).windowMillis(), Counters.countedAt(slot.family, nowMillis));
    }
    return ReserveResult.granted();
  }

  @Override
  public void refund(List<CounterRequest> requests, long reservedAtMillis) {
    for (CounterRequest request : requests) {
      Counter counter = Counters.existing(counters.family(request), request.scope());
      if (counter != null) {
        synchronized (counter) {
          if (!Counters.isRemoved(counter)) {
            counter.give(request.cost(), request.windowMillis(), reservedAtMillis);
          }
        }
      }
    }
  }

  /** The number of counter keys held now (idle ones dropped first), for metrics and tests. */
  public long keyCount() {
    return counters.keyCount();
  }

  /** Configures an {@link InMemoryCounterStore}. */
  public static final class Builder {
    private long maximumKeys = DEFAULT_MAXIMUM_KEYS;

    private Builder() {}

    /**
     * The most counter keys held at once; default {@value InMemoryCounterStore#DEFAULT_MAXIMUM_KEYS}. A
     * fixed-window key costs about 100 bytes plus its scope text (a sliding window more, with its
     * log).
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
