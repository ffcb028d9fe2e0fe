package io.toolgate.engine.internal.store;

import io.toolgate.api.CounterRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-memory store's state: counter families by name, and around them key counting, idle
 * sweeps and eviction. Every counter is read and changed only under its own monitor; a counter
 * the store drops is marked {@link Counter#removed} under that monitor, so a caller that still
 * holds it looks it up again instead of counting into a counter no one will see.
 */
public final class Counters {
  private final ConcurrentHashMap<String, CounterFamily[]> families = new ConcurrentHashMap<>();
  private final AtomicLong familyOrder = new AtomicLong();
  private final AtomicLong keys = new AtomicLong();
  private final AtomicLong latestMillis = new AtomicLong(Long.MIN_VALUE);
  private final ReentrantLock maintaining = new ReentrantLock();
  private final long maximumKeys;

  public Counters(long maximumKeys) {
    this.maximumKeys = maximumKeys;
  }

  /** Notes a decision time: idle time is measured on the decisions' clock. */
  public void advanceTo(long nowMillis) {
    long seen = latestMillis.get();
    while (nowMillis > seen && !latestMillis.compareAndSet(seen, nowMillis)) {
      seen = latestMillis.get();
    }
  }

  /** The family serving {@code request}, created on first use. */
  public CounterFamily family(CounterRequest request) {
    CounterFamily[] known = families.get(request.counter());
    if (known != null) {
      for (CounterFamily f : known) {
        if (f.serves(request)) {
          return f;
        }
      }
    }
    CounterFamily[] now =
        families.compute(
            request.counter(),
            (name, old) -> {
              if (old != null) {
                for (CounterFamily f : old) {
                  if (f.serves(request)) {
                    return old;
                  }
                }
              }
              CounterFamily created =
                  new CounterFamily(name, request.windowMillis(), request.algorithm(), familyOrder.getAndIncrement());
              CounterFamily[] grown = old == null ? new CounterFamily[1] : Arrays.copyOf(old, old.length + 1);
              grown[grown.length - 1] = created;
              return grown;
            });
    for (CounterFamily f : now) {
      if (f.serves(request)) {
        return f;
      }
    }
    throw new AssertionError("the family was just added");
  }

  /** The live counter of {@code scope} in {@code family}, created when there is none. */
  public Counter counter(CounterFamily family, String scope) {
    Counter c = family.counters.get(scope);
    if (c != null) {
      return c;
    }
    // Make room before adding: a counter added after the sweep is not swept before its first use.
    long now = latestMillis.get();
    boolean full = keys.get() >= maximumKeys;
    if (full || now >= family.nextSweepAt) {
      maintain(family, now, full);
    }
    Counter created = family.newCounter();
    c = family.counters.putIfAbsent(scope, created);
    if (c != null) {
      return c;
    }
    keys.incrementAndGet();
    return created;
  }

  /** The live counter of {@code scope} in {@code family}, or {@code null}. */
  public static Counter existing(CounterFamily family, String scope) {
    return family.counters.get(scope);
  }

  /**
   * The time a call decided at {@code nowMillis} counts at in {@code family}: never before the
   * latest sweep, which may have dropped what an earlier time would have counted against.
   */
  public static long countedAt(CounterFamily family, long nowMillis) {
    return Math.max(nowMillis, family.sweptAt);
  }

  /**
   * Marks {@code counter} used and answers whether it is still live (else look it up again).
   * Call holding its monitor.
   */
  public static boolean claim(Counter counter) {
    if (counter.removed) {
      return false;
    }
    counter.used = true;
    return true;
  }

  /** Whether the store dropped {@code counter}. Call holding its monitor. */
  public static boolean isRemoved(Counter counter) {
    return counter.removed;
  }

  /** The number of live keys after dropping idle ones. */
  public long keyCount() {
    maintaining.lock();
    try {
      sweep(latestMillis.get());
    } finally {
      maintaining.unlock();
    }
    return keys.get();
  }

  /** A total order over live counters, for locking several without deadlock. */
  public static final Comparator<Slot> LOCK_ORDER =
      Comparator.comparingLong((Slot s) -> s.family.order).thenComparing(s -> s.scope);

  /** One distinct counter of a reservation, with the requests that address it. */
  public static final class Slot {
    public final CounterFamily family;
    public final String scope;
    public final int firstIndex;
    public double cost;
    public Counter counter;

    public Slot(CounterFamily family, String scope, int firstIndex) {
      this.family = family;
      this.scope = scope;
      this.firstIndex = firstIndex;
    }
  }

  /**
   * Drops {@code family}'s idle counters when its sweep is due (once a window of decision time),
   * or every family's when {@code evict}; then,
   * when {@code evict}, counters in use until a tenth of the key bound is free (at least one key):
   * first those not used since the evictor last passed (CLOCK), then any.
   */
  private void maintain(CounterFamily due, long now, boolean evict) {
    if (!maintaining.tryLock()) {
      return;
    }
    try {
      if (evict) {
        sweep(now);
      } else if (now >= due.nextSweepAt) {
        due.nextSweepAt = now + due.windowMillis;
        sweep(due, now);
      }
      if (evict && keys.get() >= maximumKeys) {
        long target = Math.min(maximumKeys - 1, maximumKeys - maximumKeys / 10);
        for (int pass = 0; pass < 2 && keys.get() > target; pass++) {
          for (CounterFamily family : allFamilies()) {
            for (Map.Entry<String, Counter> e : family.counters.entrySet()) {
              if (keys.get() <= target) {
                return;
              }
              Counter c = e.getValue();
              synchronized (c) {
                if (pass == 0 && c.used) {
                  c.used = false;
                } else {
                  remove(family, e.getKey(), c, now);
                }
              }
            }
          }
        }
      }
    } finally {
      maintaining.unlock();
    }
  }

  private void sweep(long now) {
    for (CounterFamily family : allFamilies()) {
      family.nextSweepAt = now + family.windowMillis;
      sweep(family, now);
    }
  }

  private void sweep(CounterFamily family, long now) {
    for (Map.Entry<String, Counter> e : family.counters.entrySet()) {
      Counter c = e.getValue();
      synchronized (c) {
        if (!c.removed && c.isIdle(family.windowMillis, now)) {
          remove(family, e.getKey(), c, now);
        }
      }
    }
  }

  /** Call holding {@code c}'s monitor. */
  private void remove(CounterFamily family, String scope, Counter c, long now) {
    if (family.sweptAt < now) {
      family.sweptAt = now; // before the removal becomes visible: see countedAt
    }
    c.removed = true;
    if (family.counters.remove(scope, c)) {
      keys.decrementAndGet();
    }
  }

  private List<CounterFamily> allFamilies() {
    List<CounterFamily> all = new ArrayList<>();
    for (CounterFamily[] f : families.values()) {
      all.addAll(Arrays.asList(f));
    }
    return all;
  }
}
