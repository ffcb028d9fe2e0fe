package io.toolgate.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.common.util.concurrent.RateLimiter;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.toolgate.engine.store.InMemoryCounterStore;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The peer rate limiters, each in its best configuration for this work (an admitted call on an
 * in-memory limiter), with a capacity no run exhausts, as Toolgate's limit has:
 *
 * <ul>
 *   <li>Bucket4j: a local lock-free bucket with one greedy bandwidth and millisecond precision
 *       ({@code System.currentTimeMillis}, the clock Toolgate reads too; the default nanosecond
 *       precision is slower);
 *   <li>Guava: {@code RateLimiter.create} (SmoothBursty), {@code tryAcquire()} without timeout;
 *   <li>Resilience4j: the default {@code AtomicRateLimiter}, zero timeout, {@code
 *       acquirePermission()}.
 * </ul>
 *
 * <p>A per-grant limit finds the principal's limiter on every call, so each peer also runs looking
 * its limiter up per call ({@link Lookup}): in a pre-sized {@link ConcurrentHashMap} ({@code get}
 * first, {@code computeIfAbsent} on a miss), and in a Caffeine cache bounded like Toolgate's
 * in-memory store ({@link InMemoryCounterStore#DEFAULT_MAXIMUM_KEYS} keys, same-thread
 * maintenance, idle entries dropped), the way Bucket4j documents per-key local buckets
 * ({@code getIfPresent} first, {@code get(key, create)} on a miss).
 */
final class Peers {
  private Peers() {}

  static Bucket bucket4j() {
    return Bucket.builder()
        .addLimit(
            Bandwidth.builder()
                .capacity(Policies.NEVER_REACHED)
                .refillGreedy(Policies.NEVER_REACHED, Duration.ofMinutes(1))
                .build())
        .withMillisecondPrecision()
        .build();
  }

  static RateLimiter guava() {
    return RateLimiter.create(Policies.NEVER_REACHED / 60.0);
  }

  static io.github.resilience4j.ratelimiter.RateLimiter resilience4j(String name) {
    return io.github.resilience4j.ratelimiter.RateLimiter.of(name, RESILIENCE4J);
  }

  private static final RateLimiterConfig RESILIENCE4J =
      RateLimiterConfig.custom()
          .limitForPeriod(Integer.MAX_VALUE)
          .limitRefreshPeriod(Duration.ofSeconds(1))
          .timeoutDuration(Duration.ZERO)
          .build();

  /** Where a peer finds the limiter of a key, once per call. */
  interface Lookup<V> {
    V get(String key);
  }

  /** A pre-sized, unbounded {@link ConcurrentHashMap} of limiters. */
  static <V> Lookup<V> map(int expectedKeys, Function<String, V> create) {
    ConcurrentHashMap<String, V> map = new ConcurrentHashMap<>(2 * expectedKeys);
    return key -> {
      V v = map.get(key);
      return v != null ? v : map.computeIfAbsent(key, create);
    };
  }

  /** A Caffeine cache of limiters bounded like Toolgate's in-memory store. */
  static <V> Lookup<V> caffeine(Function<String, V> create) {
    Cache<String, V> cache =
        Caffeine.newBuilder()
            .maximumSize(InMemoryCounterStore.DEFAULT_MAXIMUM_KEYS)
            .expireAfterAccess(Duration.ofMinutes(2))
            .executor(Runnable::run)
            .build();
    return key -> {
      V v = cache.getIfPresent(key);
      return v != null ? v : cache.get(key, create);
    };
  }
}
