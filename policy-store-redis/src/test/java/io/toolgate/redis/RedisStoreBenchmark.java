package io.toolgate.redis;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.bucket4j.redis.lettuce.cas.LettuceBasedProxyManager;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import java.nio.charset.StandardCharsets;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.redisson.Redisson;
import org.redisson.api.RRateLimiter;
import org.redisson.api.RateType;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Time per decision through an engine on the Redis store, over loopback, beside the peers doing
 * the same work on the same kind of server in the same run. It starts its own redis-server per
 * trial unless {@code -Dtoolgate.redis.uri=redis://host:port} names one. Run it with {@code
 * policy-store-redis/bench.sh} (not part of {@code mvn verify}); the method names follow the
 * benchmark report's convention ({@code impl} or {@code impl_variant}), so {@code
 * policy-benchmarks/run.sh} can add these rows to its table ({@code REDIS_JMH_JSON}).
 *
 * <p>Rows {@code RedisStore} (1 thread) and {@code RedisStore/4threads}: one rate limit per
 * principal, fixed window of a minute, every call admitted, each client thread its own principal,
 * one call at a time (sync):
 *
 * <ul>
 *   <li>{@code toolgate}: {@code PolicyEngine.evaluate} on a {@link RedisCounterStore} (default
 *       settings, recommended client options);
 *   <li>{@code lettuce}: raw Lettuce sync {@code EVALSHA} of a minimal fixed-window script
 *       ({@code INCR}, {@code PEXPIRE} on the first call of a window, compare): the least any
 *       exact fixed-window limiter on Redis can do per decision;
 *   <li>{@code bucket4jLettuce}: Bucket4j's Lettuce integration ({@code casBasedBuilder}, the one it
 *       offers), one bucket proxy per principal, no optimization (an optimization trades
 *       exactness for round trips), expiry after the time to refill;
 *   <li>{@code redisson}: Redisson's {@link RRateLimiter}, {@code OVERALL} rate per principal,
 *       {@code tryAcquire()}.
 * </ul>
 *
 * <p>Row {@code RedisStore/async[completion=...]}: Toolgate alone, a policy of two counters (per
 * principal and global), each client thread keeping {@value #IN_FLIGHT} decisions in flight
 * ({@code evaluateAsync}) as an event-loop server would; {@code completion} says where the store
 * completes its stages: Lettuce's event loop (the default), or the common pool.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 2)
public class RedisStoreBenchmark {
  static final int IN_FLIGHT = 16;
  static final long MAX = 1_000_000_000L;
  static final Duration WINDOW = Duration.ofMinutes(1);
  private static final String ONE_LIMIT = """
      {"version": "1", "default": "deny", "tools": {"search": {"limits": [
        {"counter": "per_agent", "max": 1000000000, "window": "minute"}]}}}
      """;
  private static final String TWO_LIMITS = """
      {"version": "1", "default": "deny", "tools": {"search": {"limits": [
        {"counter": "per_agent", "max": 1000000000, "window": "minute"},
        {"counter": "everyone", "max": 1000000000, "window": "hour", "scope": "global"}]}}}
      """;

  /**
   * A minimal exact fixed window: KEYS[1] the principal's counter, ARGV[1] the limit, ARGV[2] the
   * window in milliseconds. Returns 1 when admitted.
   */
  static final String FIXED_WINDOW_SCRIPT = """
      local n = redis.call('INCR', KEYS[1])
      if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
      if n > tonumber(ARGV[1]) then
        redis.call('DECR', KEYS[1])
        return 0
      end
      return 1
      """;

  /** A redis-server (started here unless named) and a Lettuce client on it. */
  abstract static class Server {
    RedisServer server;
    RedisClient client;
    final String prefix = "bench-" + System.nanoTime() + ":";
    final AtomicInteger threads = new AtomicInteger();

    void connect() {
      String uri = System.getProperty("toolgate.redis.uri");
      if (uri == null) {
        server = RedisServer.start();
        uri = server.uri();
      }
      client = RedisClient.create(uri);
      client.setOptions(RedisCounterStore.recommendedClientOptions());
    }

    String uri() {
      return server != null ? server.uri() : System.getProperty("toolgate.redis.uri");
    }

    void disconnect() {
      client.shutdown();
      if (server != null) {
        server.close();
      }
    }
  }

  /** Toolgate and its peers on one limit per principal. */
  @State(Scope.Benchmark)
  public static class Limiters extends Server {
    RedisCounterStore store;
    PolicyEngine engine;
    StatefulRedisConnection<String, String> raw;
    RedisCommands<String, String> commands;
    String sha;
    LettuceBasedProxyManager<byte[]> bucket4j;
    RedissonClient redisson;

    @Setup(Level.Trial)
    public void start() {
      connect();
      store = RedisCounterStore.builder(client).keyPrefix(prefix).commandTimeout(Duration.ofSeconds(2)).build();
      engine = PolicyEngine.builder(Policy.parse(ONE_LIMIT)).counterStore(store).build();
      raw = client.connect();
      commands = raw.sync();
      sha = commands.scriptLoad(FIXED_WINDOW_SCRIPT);
      bucket4j = Bucket4jLettuce.casBasedBuilder(client)
          .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
          .build();
      Config config = new Config();
      config.useSingleServer().setAddress(uri());
      redisson = Redisson.create(config);
    }

    @TearDown(Level.Trial)
    public void stop() {
      redisson.shutdown();
      raw.close();
      store.close();
      disconnect();
    }
  }

  /** One client thread of the peer rows: its own principal and, for the peers, its limiter. */
  @State(Scope.Thread)
  public static class Caller {
    final ToolCall call = ToolCall.of("search");
    CallContext context;
    String[] rawKey;
    String rawMax;
    String rawWindow;
    BucketProxy bucket;
    RRateLimiter rateLimiter;

    @Setup(Level.Trial)
    public void name(Limiters shared) {
      String principal = "agent-" + shared.threads.incrementAndGet();
      context = CallContext.of(principal);
      rawKey = new String[] {shared.prefix + "raw:" + principal};
      rawMax = Long.toString(MAX);
      rawWindow = Long.toString(WINDOW.toMillis());
      BucketConfiguration configuration = BucketConfiguration.builder()
          .addLimit(Bandwidth.builder().capacity(MAX).refillIntervally(MAX, WINDOW).build())
          .build();
      bucket = shared.bucket4j.builder()
          .build((shared.prefix + "bucket4j:" + principal).getBytes(StandardCharsets.UTF_8), () -> configuration);
      rateLimiter = shared.redisson.getRateLimiter(shared.prefix + "redisson:" + principal);
      rateLimiter.trySetRate(RateType.OVERALL, MAX, WINDOW);
    }
  }

  @Benchmark
  public Decision toolgate(Limiters shared, Caller caller) {
    return check(shared.engine.evaluate(caller.call, caller.context));
  }

  @Benchmark
  public boolean lettuce(Limiters shared, Caller caller) {
    Long admitted = shared.commands.evalsha(
        shared.sha, ScriptOutputType.INTEGER, caller.rawKey, caller.rawMax, caller.rawWindow);
    return check(admitted == 1L);
  }

  @Benchmark
  public boolean bucket4jLettuce(Caller caller) {
    return check(caller.bucket.tryConsume(1));
  }

  @Benchmark
  public boolean redisson(Caller caller) {
    return check(caller.rateLimiter.tryAcquire());
  }

  @Benchmark
  @Threads(4)
  public Decision toolgate_4threads(Limiters shared, Caller caller) {
    return toolgate(shared, caller);
  }

  @Benchmark
  @Threads(4)
  public boolean lettuce_4threads(Limiters shared, Caller caller) {
    return lettuce(shared, caller);
  }

  @Benchmark
  @Threads(4)
  public boolean bucket4jLettuce_4threads(Caller caller) {
    return bucket4jLettuce(caller);
  }

  @Benchmark
  @Threads(4)
  public boolean redisson_4threads(Caller caller) {
    return redisson(caller);
  }

  /** Toolgate alone, two counters per decision, decisions kept in flight. */
  @State(Scope.Benchmark)
  public static class Pipelined extends Server {
    RedisCounterStore store;
    PolicyEngine engine;

    /**
     * Where the store completes async stages: Lettuce's event loop (the default), or the common
     * pool ({@code callbackExecutor(ForkJoinPool.commonPool())}).
     */
    @Param({"eventLoop", "commonPool"})
    public String completion;

    @Setup(Level.Trial)
    public void start() {
      connect();
      RedisCounterStore.Builder builder =
          RedisCounterStore.builder(client).keyPrefix(prefix).commandTimeout(Duration.ofSeconds(2));
      if (completion.equals("commonPool")) {
        builder.callbackExecutor(ForkJoinPool.commonPool());
      }
      store = builder.build();
      engine = PolicyEngine.builder(Policy.parse(TWO_LIMITS)).counterStore(store).build();
    }

    @TearDown(Level.Trial)
    public void stop() {
      store.close();
      disconnect();
    }
  }

  /** One client thread of the async row: its own principal. */
  @State(Scope.Thread)
  public static class AsyncCaller {
    final ToolCall call = ToolCall.of("search");
    CallContext context;

    @Setup(Level.Trial)
    public void name(Pipelined shared) {
      context = CallContext.of("agent-" + shared.threads.incrementAndGet());
    }
  }

  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public Decision toolgate_async(Pipelined shared, AsyncCaller caller) {
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

  private static boolean check(boolean admitted) {
    if (!admitted) {
      throw new IllegalStateException("the benchmark measures admitted calls, got a refusal");
    }
    return true;
  }
}
