package io.toolgate.benchmarks;

import com.google.common.util.concurrent.RateLimiter;
import io.github.bucket4j.Bucket;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.PolicyEngine;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * One in-memory rate limit on one key: Toolgate deciding the seed policy for one principal (its
 * in-memory store, default settings) beside each peer, with 1 thread and with 2 threads on the
 * same key. A per-grant limit finds the principal's counter on every call, so the peers that do
 * the same work look their limiter up per call too: {@code xMap} in a {@link
 * java.util.concurrent.ConcurrentHashMap}, {@code xCaffeine} in a Caffeine cache bounded like
 * Toolgate's store. Goal: Toolgate at most 1.0 x the fastest of those. The bare peers (one
 * limiter held in a field, no lookup) stay as information. Peer settings: {@link Peers}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RateLimitOneKeyBenchmark {
  private PolicyEngine engine;
  private final ToolCall call = ToolCall.of("create_compile");
  private final CallContext context = CallContext.of("agent-1");
  private Bucket bucket;
  private RateLimiter guava;
  private io.github.resilience4j.ratelimiter.RateLimiter resilience4j;
  private final String key = context.principal();
  private Peers.Lookup<Bucket> bucketMap;
  private Peers.Lookup<RateLimiter> guavaMap;
  private Peers.Lookup<io.github.resilience4j.ratelimiter.RateLimiter> resilience4jMap;
  private Peers.Lookup<Bucket> bucketCaffeine;
  private Peers.Lookup<RateLimiter> guavaCaffeine;
  private Peers.Lookup<io.github.resilience4j.ratelimiter.RateLimiter> resilience4jCaffeine;

  @Setup
  public void setUp() {
    engine = PolicyEngine.of(Policies.parse(Policies.SEED));
    Checks.allowed(engine.evaluate(call, context));
    bucket = Peers.bucket4j();
    guava = Peers.guava();
    resilience4j = Peers.resilience4j("one-key");
    Checks.isTrue(bucket.tryConsume(1) && guava.tryAcquire() && resilience4j.acquirePermission(), "peers admit");
    bucketMap = Peers.map(1, k -> Peers.bucket4j());
    guavaMap = Peers.map(1, k -> Peers.guava());
    resilience4jMap = Peers.map(1, Peers::resilience4j);
    bucketCaffeine = Peers.caffeine(k -> Peers.bucket4j());
    guavaCaffeine = Peers.caffeine(k -> Peers.guava());
    resilience4jCaffeine = Peers.caffeine(Peers::resilience4j);
    Checks.isTrue(bucket4jMap() && guavaMap() && resilience4jMap(), "map peers admit");
    Checks.isTrue(bucket4jCaffeine() && guavaCaffeine() && resilience4jCaffeine(), "Caffeine peers admit");
  }

  @Benchmark
  public Decision toolgate() {
    return engine.evaluate(call, context);
  }

  @Benchmark
  public boolean bucket4j() {
    return bucket.tryConsume(1);
  }

  @Benchmark
  public boolean guava() {
    return guava.tryAcquire();
  }

  @Benchmark
  public boolean resilience4j() {
    return resilience4j.acquirePermission();
  }

  @Benchmark
  @Threads(2)
  public Decision toolgate_2threads() {
    return engine.evaluate(call, context);
  }

  @Benchmark
  @Threads(2)
  public boolean bucket4j_2threads() {
    return bucket.tryConsume(1);
  }

  @Benchmark
  @Threads(2)
  public boolean guava_2threads() {
    return guava.tryAcquire();
  }

  @Benchmark
  @Threads(2)
  public boolean resilience4j_2threads() {
    return resilience4j.acquirePermission();
  }

  @Benchmark
  public boolean bucket4jMap() {
    return bucketMap.get(key).tryConsume(1);
  }

  @Benchmark
  public boolean bucket4jCaffeine() {
    return bucketCaffeine.get(key).tryConsume(1);
  }

  @Benchmark
  public boolean guavaMap() {
    return guavaMap.get(key).tryAcquire();
  }

  @Benchmark
  public boolean guavaCaffeine() {
    return guavaCaffeine.get(key).tryAcquire();
  }

  @Benchmark
  public boolean resilience4jMap() {
    return resilience4jMap.get(key).acquirePermission();
  }

  @Benchmark
  public boolean resilience4jCaffeine() {
    return resilience4jCaffeine.get(key).acquirePermission();
  }

  @Benchmark
  @Threads(2)
  public boolean bucket4jMap_2threads() {
    return bucket4jMap();
  }

  @Benchmark
  @Threads(2)
  public boolean bucket4jCaffeine_2threads() {
    return bucket4jCaffeine();
  }

  @Benchmark
  @Threads(2)
  public boolean guavaMap_2threads() {
    return guavaMap();
  }

  @Benchmark
  @Threads(2)
  public boolean guavaCaffeine_2threads() {
    return guavaCaffeine();
  }

  @Benchmark
  @Threads(2)
  public boolean resilience4jMap_2threads() {
    return resilience4jMap();
  }

  @Benchmark
  @Threads(2)
  public boolean resilience4jCaffeine_2threads() {
    return resilience4jCaffeine();
  }
}
