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
 */
public final class CounterFamily {
  /**
   * How long past its window an idle count is kept. Once idle for a whole window a count holds
   * nothing that could refuse a call; the margin lets a caller that fetched it just before it
   * expired still count in the count others see.
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
    this.counters =
        Caffeine.newBuilder()
            .maximumSize(maximumKeys)
            .ticker(ticker)
            .expireAfterAccess(Duration.ofMillis(windowMillis).plus(IDLE_MARGIN))
            .executor(Runnable::run)
            .build();
    this.create = algorithm == Algorithm.FIXED ? v -> new FixedWindowCounter() : v -> new SlidingLogCounter();
  }

  /** Whether {@code request} counts in this family (its counter name is the caller's to match). */
  public boolean matches(CounterRequest request) {
    return windowMillis == request.windowMillis()
        && algorithm == request.algorithm()
        && scopeKind.equals(request.scopeKind());
  }

  /** The count for {@code request}'s scope value, created empty if there is none. */
  public Counter counter(CounterRequest request) {
    String value = key(request);
    // Caffeine's get(key, function) on an expiring cache costs several times getIfPresent.
    Counter counter = counters.getIfPresent(value);
    return counter != null ? counter : counters.get(value, create);
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
