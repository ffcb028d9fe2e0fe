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
 * in-memory store, default settings) beside one peer limiter, with 1 thread and with 2 threads on
 * the same key. Goal: Toolgate / Bucket4j at most 1.0 in both. Peer settings: {@link Peers}.
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

  @Setup
  public void setUp() {
    engine = PolicyEngine.of(Policies.parse(Policies.SEED));
    Checks.allowed(engine.evaluate(call, context));
    bucket = Peers.bucket4j();
    guava = Peers.guava();
    resilience4j = Peers.resilience4j("one-key");
    Checks.isTrue(bucket.tryConsume(1) && guava.tryAcquire() && resilience4j.acquirePermission(), "peers admit");
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
}
