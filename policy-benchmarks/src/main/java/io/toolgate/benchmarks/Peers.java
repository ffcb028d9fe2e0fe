package io.toolgate.benchmarks;

import com.google.common.util.concurrent.RateLimiter;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;

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
}
