package io.toolgate.engine.internal.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterRequest.Algorithm;
import java.time.Duration;
import java.util.function.Function;

/**
 * The counts of one counter (name, window, algorithm and scope kind), one per scope value, in a
 * Caffeine cache keyed by the value itself: a principal id, a session id or an argument's text.
 * Keying by the caller's own string, not a composite key, costs no allocation per lookup and
 * compares by identity when the caller passes the same string again.
 *
 * <p>When a count is dropped:
 *
 * <ul>
 *   <li>A fixed-window count matters until its window ends. Its entry expires one window plus a
 *       margin after it was written, and it is written when created and whenever a call starts
 *       its next window ({@link #advance}, through the cache's {@code compute}, so the new window
 *       and the new expiry are one step that expiry cannot interleave). Reads write nothing,
 *       which keeps the hot path free of stores to shared memory.
 *   <li>A sliding log matters until its latest entry is a window old, so its entry expires once
 *       idle (unread) for one window plus the margin.
 * </ul>
 */
public final class CounterFamily {
  /**
   * How long past the moment a count stops mattering its entry is kept: a decision that read its
   * clock just before another can reach the store up to this much later and still find the count
   * the others see.
   */
  public static final Duration IDLE_MARGIN = Duration.ofSeconds(2);

  /** The cache key of {@code global}, whose requests have no scope value. */
  private static final String NO_VALUE = "";

  private final long windowMillis;
  private final Algorithm algorithm;
  private final String scopeKind;
  private final Cache<String, Counter> counters;
  private final Function<String, Counter> create;

  public CounterFamily(CounterRequest request, long maximumKeys, Ticker ticker) {
    this.windowMillis = request.windowMillis();
    this.algorithm = request.algorithm();
    this.scopeKind = request.scopeKind();
    Duration keep = Duration.ofMillis(windowMillis).plus(IDLE_MARGIN);
    Caffeine<Object, Object> builder =
        Caffeine.newBuilder().maximumSize(maximumKeys).ticker(ticker).executor(Runnable::run);
    if (algorithm == Algorithm.FIXED) {
      this.counters = builder.expireAfterWrite(keep).build();
      this.create = value -> new FixedWindowCounter();
    } else {
      this.counters = builder.expireAfterAccess(keep).build();
      this.create = value -> new SlidingLogCounter();
    }
  }

  /** Whether {@code request} counts in this family (its counter name is the caller's to match). */
  public boolean matches(CounterRequest request) {
    return windowMillis == request.windowMillis()
        && algorithm == request.algorithm()
        && scopeKind.equals(request.scopeKind());
  }

  /**
   * The count for {@code request}'s scope value; a new one, its window started at {@code now},
   * if there is none. The caller checks {@link Counter#isCurrent} under the counter's lock and
   * calls {@link #advance} when it is not.
   */
  public Counter counter(CounterRequest request, long now) {
    String value = key(request);
    // Caffeine's get(key, function) on an expiring cache costs several times getIfPresent.
    Counter counter = counters.getIfPresent(value);
    if (counter != null) {
      return counter;
    }
    return algorithm == Algorithm.FIXED ? advance(request, now) : counters.get(value, create);
  }

  /**
   * Starts the window that holds {@code now} in {@code request}'s count (creating the count if it
   * is missing or expired) and restarts the entry's expiry, atomically with respect to expiry.
   * Takes the cache's lock, then the counter's: never call it holding a counter's lock.
   */
  public Counter advance(CounterRequest request, long now) {
    return counters.asMap().compute(key(request), (value, current) -> {
      Counter counter = current != null ? current : create.apply(value);
      synchronized (counter) {
        counter.advance(now, windowMillis);
      }
      return counter;
    });
  }

  /** The count for {@code request}'s scope value, or {@code null} if there is none. */
  public Counter existing(CounterRequest request) {
    return counters.getIfPresent(key(request));
  }

  /** The number of counts held, after pending expiries and evictions. */
  public long size() {
    counters.cleanUp();
    return counters.estimatedSize();
  }

  private static String key(CounterRequest request) {
    String value = request.scopeValue();
    return value == null ? NO_VALUE : value;
  }
}
