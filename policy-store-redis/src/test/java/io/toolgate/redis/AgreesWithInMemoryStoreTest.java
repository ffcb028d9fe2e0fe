package io.toolgate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.lettuce.core.RedisClient;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterRequest.Algorithm;
import io.toolgate.api.CounterStore;
import io.toolgate.api.ReserveResult;
import io.toolgate.engine.store.InMemoryCounterStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Both stores agree call for call: random runs of reservations (one to three requests, fixed and
 * sliding windows, fractional and zero costs, distinct counters as the engine asks for them, a max
 * that changes between calls) and refunds of earlier grants, on a clock that moves forward, get the same answer (granted, or
 * the same rejected index and retry-after) from the Redis store as from the in-memory store.
 */
@Timeout(120)
class AgreesWithInMemoryStoreTest {
  private static final long T0 = 1_767_261_600_000L; // 2026-01-01T10:00:00Z
  private static final double[] COSTS = {0, 0.5, 1, 1, 1, 1.5, 2, 3, 0.1};
  private static final int STEPS = 40;

  private static RedisClient client;
  private static RedisCounterStore redis;

  @BeforeAll
  static void connect() {
    client = RedisServer.sharedClient();
    redis = RedisCounterStore.builder(client)
        .keyPrefix("agree-" + System.nanoTime() + ":")
        .commandTimeout(Duration.ofSeconds(5))
        .build();
  }

  @AfterAll
  static void disconnect() {
    redis.close();
    client.shutdown();
  }

  @Test
  void bothStoresGiveTheSameAnswerToEveryCall() {
    AtomicLong run = new AtomicLong();
    qt().withExamples(60)
        .withShrinkCycles(0) // a failure prints its whole trace; shrinking a seed would not help
        .forAll(longs().all())
        .checkAssert(seed -> compare(seed, "run" + run.incrementAndGet()));
  }

  @Test
  void callersWhoseClocksLagAreCountedAlikeByBoth() {
    // A reservation that reaches the store with an earlier time than the latest one is logged at
    // the latest time (sliding) or counted in the latest window (fixed).
    CounterStore memory = InMemoryCounterStore.create();
    String run = "late-" + System.nanoTime();
    CounterRequest sliding = new CounterRequest(run + "-s", "global", null, 10_000, Algorithm.SLIDING, 2_000_000, 1_000_000);
    CounterRequest fixed = new CounterRequest(run + "-f", "global", null, 10_000, Algorithm.FIXED, 2_000_000, 1_000_000);
    long t = T0 + 2_000;
    long[] times = {t + 9_000, t, t + 9_500, t + 18_999, t + 19_000, t + 19_000, t + 8_500, t + 21_000};
    List<String> trace = new ArrayList<>();
    for (long now : times) {
      for (List<CounterRequest> requests : List.of(List.of(sliding), List.of(fixed), List.of(sliding, fixed))) {
        ReserveResult expected = memory.reserve(requests, now);
        trace.add("reserve at " + now + " " + requests + " -> " + expected);
        assertThat(redis.reserve(requests, now).toString()).as(String.join("\n", trace)).isEqualTo(expected.toString());
      }
    }
    assertThat(trace).anyMatch(line -> line.contains("rejected"));
  }

  /**
   * Long runs on one sliding counter, crowded enough that the script's log moves, drops entries a
   * few at a time, grows its tree and starts again when empty, with refunds and callers whose
   * clocks lag (logged at the latest time, a refunded entry's included).
   */
  @Test
  void slidingLogsAgreeOverLongRunsWithRefundsAndLaggingClocks() {
    for (long seed = 1; seed <= 4; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      long window = 500 + random.nextLong(3_000);
      long max = 20 + random.nextLong(200);
      long[] costs = {0, 1, 1, 1, 2, 3, max};
      String name = "long-run-" + System.nanoTime();
      CounterStore memory = InMemoryCounterStore.create();
      List<long[]> granted = new ArrayList<>();
      List<String> trace = new ArrayList<>();
      long now = T0;
      for (int step = 0; step < 1_500; step++) {
        now += random.nextInt(4) == 0 ? 0 : random.nextLong(window / 100 + 2);
        long at = random.nextInt(20) == 0 ? now - random.nextLong(window) : now;
        if (!granted.isEmpty() && random.nextInt(4) == 0) {
          long[] g = granted.remove(random.nextInt(granted.size()));
          List<CounterRequest> refund = List.of(sliding(name, window, max, g[1]));
          trace.add("refund " + g[1] + " taken at " + g[0]);
          memory.refund(refund, g[0]);
          redis.refund(refund, g[0]);
          continue;
        }
        long cost = costs[random.nextInt(costs.length)];
        List<CounterRequest> requests = List.of(sliding(name, window, max, cost));
        ReserveResult expected = memory.reserve(requests, at);
        trace.add("reserve " + cost + " at " + at + " -> " + expected);
        assertThat(redis.reserve(requests, at).toString())
            .as("seed %s, window %s, max %s, last steps:%n%s", seed, window, max,
                String.join("\n", trace.subList(Math.max(0, trace.size() - 12), trace.size())))
            .isEqualTo(expected.toString());
        if (expected.isGranted()) {
          granted.add(new long[] {at, cost});
        }
      }
    }
  }

  private static CounterRequest sliding(String name, long window, long max, long cost) {
    return new CounterRequest(name, "global", null, window, Algorithm.SLIDING, max, cost);
  }

  private record Counter(String name, Algorithm algorithm, long windowMillis, double[] maxes) {}

  private record Granted(List<CounterRequest> requests, long at) {}

  private static void compare(long seed, String run) {
    SplittableRandom random = new SplittableRandom(seed);
    Counter[] counters = {
      new Counter(run + "-a", Algorithm.FIXED, 7_000, new double[] {1, 2.5, 3}),
      new Counter(run + "-b", Algorithm.SLIDING, 5_000, new double[] {2, 3.5}),
      new Counter(run + "-c", Algorithm.FIXED, 60_000, new double[] {10, 12}),
      new Counter(run + "-d", Algorithm.SLIDING, 10_000, new double[] {4, 1.5}),
    };
    CounterStore memory = InMemoryCounterStore.create();
    List<Granted> granted = new ArrayList<>();
    List<String> trace = new ArrayList<>();
    trace.add("seed " + seed);
    long now = T0 + random.nextLong(60_000);
    for (int step = 0; step < STEPS; step++) {
      now += random.nextInt(3) == 0 ? 0 : random.nextLong(2_500);
      if (!granted.isEmpty() && random.nextInt(5) == 0) {
        Granted g = granted.remove(random.nextInt(granted.size()));
        List<CounterRequest> some = new ArrayList<>();
        for (CounterRequest r : g.requests()) {
          if (random.nextInt(4) != 0) {
            some.add(r);
          }
        }
        trace.add("refund " + some + " taken at " + g.at());
        memory.refund(some, g.at());
        redis.refund(some, g.at());
        continue;
      }
      List<CounterRequest> requests = new ArrayList<>();
      for (int i = 1 + random.nextInt(3); i > 0; i--) {
        Counter c = counters[random.nextInt(counters.length)];
        double max = c.maxes()[random.nextInt(c.maxes().length)];
        double cost = Math.min(COSTS[random.nextInt(COSTS.length)], max);
        boolean global = random.nextInt(3) == 0;
        CounterRequest request = new CounterRequest(c.name(), global ? "global" : "grant", global ? null : "agent-1", c.windowMillis(), c.algorithm(), Math.round(max * 1e6), Math.round(cost * 1e6));
        if (requests.stream().noneMatch(request::sameCounter)) { // the engine asks for distinct counters
          requests.add(request);
        }
      }
      ReserveResult expected = memory.reserve(requests, now);
      ReserveResult actual = random.nextBoolean()
          ? redis.reserve(requests, now)
          : redis.reserveAsync(requests, now).toCompletableFuture().join();
      trace.add("reserve at " + now + " " + requests + " -> " + expected);
      assertThat(actual.toString()).as(String.join("\n", trace)).isEqualTo(expected.toString());
      if (expected.isGranted()) {
        granted.add(new Granted(requests, now));
      }
    }
    assertThat(redis.pendingRefunds()).isZero();
  }
}
