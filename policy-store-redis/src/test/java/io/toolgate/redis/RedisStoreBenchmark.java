package io.toolgate.redis;

import io.lettuce.core.RedisClient;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decisions per second through an engine on the Redis store, over loopback: one tool with a
 * per-principal and a global limit (two counters, one script, one round trip per decision). Run
 * it with {@code policy-store-redis/bench.sh} (not part of {@code mvn verify}); it starts its own
 * redis-server unless {@code -Dtoolgate.redis.uri=redis://host:port} names one.
 *
 * <ul>
 *   <li>{@code sync}: each client thread decides one call at a time ({@code evaluate}).
 *   <li>{@code async}: each client thread keeps {@value #IN_FLIGHT} decisions in flight
 *       ({@code evaluateAsync}), the way an event-loop server would.
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 2)
public class RedisStoreBenchmark {
  static final int IN_FLIGHT = 16;
  private static final String POLICY = """
      {"version": "1", "default": "deny", "tools": {"search": {"limits": [
        {"counter": "per_agent", "max": 1000000000, "window": "minute"},
        {"counter": "everyone", "max": 1000000000, "window": "hour", "scope": "global"}]}}}
      """;

  /** The server, client, store and engine every thread shares. */
  @State(Scope.Benchmark)
  public static class Shared {
    RedisServer server;
    RedisClient client;
    RedisCounterStore store;
    PolicyEngine engine;
    final AtomicInteger threads = new AtomicInteger();

    /**
     * Where the store completes async stages: Lettuce's event loop (the default), or the common
     * pool ({@code callbackExecutor(ForkJoinPool.commonPool())}). The sync path does not use it.
     */
    @Param({"eventLoop", "commonPool"})
    public String completion;

    @Setup(Level.Trial)
    public void start() {
      String uri = System.getProperty("toolgate.redis.uri");
      if (uri == null) {
        server = RedisServer.start();
        uri = server.uri();
      }
      client = RedisClient.create(uri);
      client.setOptions(RedisCounterStore.recommendedClientOptions());
      RedisCounterStore.Builder builder = RedisCounterStore.builder(client)
          .keyPrefix("bench-" + System.nanoTime() + ":")
          .commandTimeout(Duration.ofSeconds(2));
      if (completion.equals("commonPool")) {
        builder.callbackExecutor(ForkJoinPool.commonPool());
      }
      store = builder.build();
      engine = PolicyEngine.builder(Policy.parse(POLICY)).counterStore(store).build();
    }

    @TearDown(Level.Trial)
    public void stop() {
      store.close();
      client.shutdown();
      if (server != null) {
        server.close();
      }
    }
  }

  /** One client thread: its own principal. */
  @State(Scope.Thread)
  public static class Caller {
    final ToolCall call = ToolCall.of("search");
    CallContext context;

    @Setup(Level.Trial)
    public void name(Shared shared) {
      context = CallContext.of("agent-" + shared.threads.incrementAndGet());
    }
  }

  @Benchmark
  public Decision sync(Shared shared, Caller caller) {
    return check(shared.engine.evaluate(caller.call, caller.context));
  }

  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public Decision async(Shared shared, Caller caller) {
    @SuppressWarnings("unchecked")
    CompletableFuture<Decision>[] inFlight = new CompletableFuture[IN_FLIGHT];
    for (int i = 0; i < IN_FLIGHT; i++) {
      inFlight[i] = shared.engine.evaluateAsync(caller.call, caller.context).toCompletableFuture();
    }
    Decision last = null;
    for (CompletableFuture<Decision> decision : inFlight) {
      last = check(decision.join());
    }
    return last;
  }

  private static Decision check(Decision decision) {
    if (!decision.isAllowed()) {
      throw new IllegalStateException("the benchmark measures allowed decisions, got " + decision);
    }
    return decision;
  }
}
