package io.toolgate.benchmarks;

import com.google.common.util.concurrent.RateLimiter;
import io.github.bucket4j.Bucket;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.PolicyEngine;
import java.util.concurrent.ConcurrentHashMap;
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
 * per request (its in-memory store keeps one counter per principal), beside each peer
 * keeping one limiter per principal in a {@link ConcurrentHashMap} (pre-sized; {@code get} first,
 * {@code computeIfAbsent} only on a miss, the fastest way to use such a map). Goal: Toolgate at
 * most 0.5 x the best peer.
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
  private ConcurrentHashMap<String, Bucket> buckets;
  private ConcurrentHashMap<String, RateLimiter> guavas;
  private ConcurrentHashMap<String, io.github.resilience4j.ratelimiter.RateLimiter> resilience4js;

  /** Each thread walks the shared call order from its own place. */
  @State(Scope.Thread)
  public static class Cursor {
    private static final java.util.concurrent.atomic.AtomicInteger STARTS = new java.util.concurrent.atomic.AtomicInteger();
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
    buckets = new ConcurrentHashMap<>(2 * PRINCIPALS);
    guavas = new ConcurrentHashMap<>(2 * PRINCIPALS);
    resilience4js = new ConcurrentHashMap<>(2 * PRINCIPALS);
    // Every key exists before measuring, for Toolgate and the peers alike.
    for (int i = 0; i < PRINCIPALS; i++) {
      Checks.allowed(engine.evaluate(call, CallContext.of(principals[i])));
      Checks.isTrue(bucket(principals[i]).tryConsume(1), "bucket4j admits");
      Checks.isTrue(guava(principals[i]).tryAcquire(), "guava admits");
      Checks.isTrue(resilience4j(principals[i]).acquirePermission(), "resilience4j admits");
    }
  }

  @Benchmark
  public Decision toolgate(Cursor cursor) {
    // A server builds the context of each request from the caller's principal id, as the peers
    // look their limiter up by it.
    return engine.evaluate(call, CallContext.of(principals[order[cursor.advance()]]));
  }

  @Benchmark
  public boolean bucket4j(Cursor cursor) {
    return bucket(principals[order[cursor.advance()]]).tryConsume(1);
  }

  @Benchmark
  public boolean guava(Cursor cursor) {
    return guava(principals[order[cursor.advance()]]).tryAcquire();
  }

  @Benchmark
  public boolean resilience4j(Cursor cursor) {
    return resilience4j(principals[order[cursor.advance()]]).acquirePermission();
  }

  @Benchmark
  @Threads(2)
  public Decision toolgate_2threads(Cursor cursor) {
    return toolgate(cursor);
  }

  @Benchmark
  @Threads(2)
  public boolean bucket4j_2threads(Cursor cursor) {
    return bucket4j(cursor);
  }

  @Benchmark
  @Threads(2)
  public boolean guava_2threads(Cursor cursor) {
    return guava(cursor);
  }

  @Benchmark
  @Threads(2)
  public boolean resilience4j_2threads(Cursor cursor) {
    return resilience4j(cursor);
  }

  private Bucket bucket(String principal) {
    Bucket b = buckets.get(principal);
    return b != null ? b : buckets.computeIfAbsent(principal, k -> Peers.bucket4j());
  }

  private RateLimiter guava(String principal) {
    RateLimiter r = guavas.get(principal);
    return r != null ? r : guavas.computeIfAbsent(principal, k -> Peers.guava());
  }

  private io.github.resilience4j.ratelimiter.RateLimiter resilience4j(String principal) {
    io.github.resilience4j.ratelimiter.RateLimiter r = resilience4js.get(principal);
    return r != null ? r : resilience4js.computeIfAbsent(principal, Peers::resilience4j);
  }
}
