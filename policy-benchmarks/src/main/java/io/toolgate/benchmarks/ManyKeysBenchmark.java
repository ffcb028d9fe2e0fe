package io.toolgate.benchmarks;

import com.google.common.util.concurrent.RateLimiter;
import io.github.bucket4j.Bucket;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.PolicyEngine;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * 100,000 distinct principals, each with its own counter, called in a Zipf (s = 1) order: Toolgate
 * deciding the seed policy for a context built per call from the principal id, as a server does
 * per request (its in-memory store keeps one counter per principal, bounded), beside each peer
 * keeping one limiter per principal: {@code xMap} in a {@link ConcurrentHashMap} (pre-sized,
 * unbounded; {@code get} first, {@code computeIfAbsent} only on a miss, the fastest way to use
 * such a map), {@code xCaffeine} in a Caffeine cache bounded like Toolgate's store. Goals:
 * Toolgate at most 0.8 x the best bounded (Caffeine) peer and at most 1.1 x the best bare-map
 * peer. Peer settings: {@link Peers}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ManyKeysBenchmark {
  static final int PRINCIPALS = 100_000;
  private static final int CALLS = 1 << 20;

  private final ToolCall call = ToolCall.of("create_compile");
  private final String[] principals = new String[PRINCIPALS];
  private int[] order;
  private PolicyEngine engine;
  private Peers.Lookup<Bucket> bucketMap;
  private Peers.Lookup<RateLimiter> guavaMap;
  private Peers.Lookup<io.github.resilience4j.ratelimiter.RateLimiter> resilience4jMap;
  private Peers.Lookup<Bucket> bucketCaffeine;
  private Peers.Lookup<RateLimiter> guavaCaffeine;
  private Peers.Lookup<io.github.resilience4j.ratelimiter.RateLimiter> resilience4jCaffeine;

  /** Each thread walks the shared call order from its own place. */
  @State(Scope.Thread)
  public static class Cursor {
    private static final AtomicInteger STARTS = new AtomicInteger();
    int next;

    @Setup(Level.Trial)
    public void setUp() {
      next = STARTS.getAndIncrement() * (CALLS / 2);
    }

    int advance() {
      return next++ & (CALLS - 1);
    }
  }

  @Setup
  public void setUp() {
    for (int i = 0; i < PRINCIPALS; i++) {
      principals[i] = String.format("agent-%05d", i);
    }
    order = Zipf.sequence(PRINCIPALS, 1.0, CALLS, 42);
    engine = PolicyEngine.of(Policies.parse(Policies.SEED));
    bucketMap = Peers.map(PRINCIPALS, k -> Peers.bucket4j());
    guavaMap = Peers.map(PRINCIPALS, k -> Peers.guava());
    resilience4jMap = Peers.map(PRINCIPALS, Peers::resilience4j);
    bucketCaffeine = Peers.caffeine(k -> Peers.bucket4j());
    guavaCaffeine = Peers.caffeine(k -> Peers.guava());
    resilience4jCaffeine = Peers.caffeine(Peers::resilience4j);
    // Every key exists before measuring, for Toolgate and the peers alike.
    for (int i = 0; i < PRINCIPALS; i++) {
      String p = principals[i];
      Checks.allowed(engine.evaluate(call, CallContext.of(p)));
      Checks.isTrue(bucketMap.get(p).tryConsume(1) && bucketCaffeine.get(p).tryConsume(1), "bucket4j admits");
      Checks.isTrue(guavaMap.get(p).tryAcquire() && guavaCaffeine.get(p).tryAcquire(), "guava admits");
      Checks.isTrue(
          resilience4jMap.get(p).acquirePermission() && resilience4jCaffeine.get(p).acquirePermission(),
          "resilience4j admits");
    }
  }

  @Benchmark
  public Decision toolgate(Cursor cursor) {
    // A server builds the context of each request from the caller's principal id, as the peers
    // look their limiter up by it.
    return engine.evaluate(call, CallContext.of(principals[order[cursor.advance()]]));
  }

  @Benchmark
  @Threads(2)
  public Decision toolgate_2threads(Cursor cursor) {
    return toolgate(cursor);
  }

  @Benchmark
  public boolean bucket4jMap(Cursor cursor) {
    return bucketMap.get(principals[order[cursor.advance()]]).tryConsume(1);
  }

  @Benchmark
  public boolean bucket4jCaffeine(Cursor cursor) {
    return bucketCaffeine.get(principals[order[cursor.advance()]]).tryConsume(1);
  }

  @Benchmark
  public boolean guavaMap(Cursor cursor) {
    return guavaMap.get(principals[order[cursor.advance()]]).tryAcquire();
  }

  @Benchmark
  public boolean guavaCaffeine(Cursor cursor) {
    return guavaCaffeine.get(principals[order[cursor.advance()]]).tryAcquire();
  }

  @Benchmark
  public boolean resilience4jMap(Cursor cursor) {
    return resilience4jMap.get(principals[order[cursor.advance()]]).acquirePermission();
  }

  @Benchmark
  public boolean resilience4jCaffeine(Cursor cursor) {
    return resilience4jCaffeine.get(principals[order[cursor.advance()]]).acquirePermission();
  }

  @Benchmark
  @Threads(2)
  public boolean bucket4jMap_2threads(Cursor cursor) {
    return bucket4jMap(cursor);
  }

  @Benchmark
  @Threads(2)
  public boolean bucket4jCaffeine_2threads(Cursor cursor) {
    return bucket4jCaffeine(cursor);
  }

  @Benchmark
  @Threads(2)
  public boolean guavaMap_2threads(Cursor cursor) {
    return guavaMap(cursor);
  }

  @Benchmark
  @Threads(2)
  public boolean guavaCaffeine_2threads(Cursor cursor) {
    return guavaCaffeine(cursor);
  }

  @Benchmark
  @Threads(2)
  public boolean resilience4jMap_2threads(Cursor cursor) {
    return resilience4jMap(cursor);
  }

  @Benchmark
  @Threads(2)
  public boolean resilience4jCaffeine_2threads(Cursor cursor) {
    return resilience4jCaffeine(cursor);
  }
}
