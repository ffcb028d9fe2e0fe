package io.toolgate.redis;

import io.lettuce.core.RedisClient;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.scenarios.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One replica for the exactness tests: an engine on its own Redis client and store, and threads
 * that fire calls at a fixed and a sliding limit of {@link #MAX} per {@link #WINDOW}.
 */
final class Firing implements AutoCloseable {
  static final int MAX = 25;
  static final Duration WINDOW = Duration.ofSeconds(10);
  static final Instant START = Instant.parse("2026-01-01T10:00:00Z");
  /** Both timeouts: a hang guard; a denial for a slow answer would break the count the tests check. */
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final String POLICY = """
      {"version": "1", "default": "deny", "tools": {
        "fixed_tool": {"limits": [{"counter": "fixed", "max": 25, "window": "10s", "scope": "global"}]},
        "sliding_tool": {"limits": [{"counter": "sliding", "max": 25, "window": "10s", "scope": "global",
                                     "algorithm": "sliding"}]}}}
      """;

  final TestClock clock = TestClock.at(START);
  private final RedisClient client;
  private final RedisCounterStore store;
  private final PolicyEngine engine;
  private final ExecutorService pool;
  private final int threads;

  Firing(String redisUri, String keyPrefix, int threads) {
    this.client = RedisClient.create(redisUri);
    client.setOptions(RedisCounterStore.recommendedClientOptions());
    this.store = RedisCounterStore.builder(client).keyPrefix(keyPrefix).commandTimeout(TIMEOUT).build();
    // The engine waits as long as the store's own command timeout, so a loaded machine cannot deny.
    this.engine = PolicyEngine.builder(Policy.parse(POLICY)).counterStore(store).clock(clock)
        .storeTimeout(TIMEOUT).build();
    this.pool = Executors.newFixedThreadPool(threads);
    this.threads = threads;
  }

  /** What one round of firing admitted. */
  record Admitted(int fixed, int sliding, int other) {
    Admitted plus(Admitted o) {
      return new Admitted(fixed + o.fixed, sliding + o.sliding, other + o.other);
    }
  }

  /**
   * Every thread fires {@code calls} calls at each tool (odd threads through the async path);
   * returns how many were allowed, and how many got anything but an allow or a rate limit.
   */
  Admitted fire(int calls) throws Exception {
    AtomicInteger fixed = new AtomicInteger();
    AtomicInteger sliding = new AtomicInteger();
    AtomicInteger other = new AtomicInteger();
    List<Callable<Void>> callers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      boolean async = t % 2 == 1;
      CallContext who = CallContext.of("agent-" + t);
      callers.add(() -> {
        for (int i = 0; i < calls; i++) {
          count(decide("fixed_tool", who, async), fixed, other);
          count(decide("sliding_tool", who, async), sliding, other);
        }
        return null;
      });
    }
    for (Future<Void> f : pool.invokeAll(callers)) {
      f.get();
    }
    return new Admitted(fixed.get(), sliding.get(), other.get());
  }

  private Decision decide(String tool, CallContext who, boolean async) {
    return async
        ? engine.evaluateAsync(ToolCall.of(tool), who).toCompletableFuture().join()
        : engine.evaluate(ToolCall.of(tool), who);
  }

  private static void count(Decision d, AtomicInteger allowed, AtomicInteger other) {
    if (d.kind() == Decision.Kind.ALLOW) {
      allowed.incrementAndGet();
    } else if (d.kind() != Decision.Kind.RATE_LIMITED) {
      other.incrementAndGet();
      System.err.println("unexpected decision: " + d);
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
    store.close();
    client.shutdown();
  }
}
