package io.toolgate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.toolgate.api.AuditEvent;
import io.toolgate.api.CallContext;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterRequest.Algorithm;
import io.toolgate.api.Decision;
import io.toolgate.api.ReserveResult;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.redis.internal.Keys;
import io.toolgate.scenarios.TestClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Redis failing under a running engine: on a server of this class's own, which the tests kill,
 * restart on the same port, pause and flush. A test that needs Redis slow pauses its writes (every
 * script) until the test itself resumes them ({@link #pauseWrites}, {@link #resume}), never for a
 * fixed time that a stalled test thread could outlast.
 */
@Timeout(60)
class FaultTest {
  /**
   * The stores' command timeout: short, as commands that must time out do (Redis is killed or its
   * writes paused), yet long enough that a loaded machine answers the commands that must succeed
   * (at 100 ms, a Redis or test thread stalled that long would fail one).
   */
  private static final Duration TIMEOUT = Duration.ofSeconds(1);
  /** How long a decision may take while Redis is down: the timeout, and room for a busy machine. */
  private static final long BOUND_NANOS = TimeUnit.MILLISECONDS.toNanos(TIMEOUT.toMillis() + 5_000);
  private static final String POLICY = """
      {"version": "1", "default": "deny", "tools": {
        "compile": {"limits": [{"counter": "compiles", "max": 1000, "window": "minute"}]},
        "deploy": {"limits": [{"counter": "deploys", "max": 3, "window": "minute"}]}}}
      """;

  private static RedisServer server;
  private final TestClock clock = TestClock.at("2026-01-01T10:00:00Z");
  private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startServer() {
    server = RedisServer.start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @AfterEach
  void closeAll() throws Exception {
    resume(); // a failed test may have left the writes paused
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    if (!"+PONG".equals(ping())) {
      server.restart();
    }
  }

  @ParameterizedTest(name = "{0} client options")
  @ValueSource(strings = {"recommended", "default"})
  void decisionsDenyWhileRedisIsDownAndResumeWhenItIsBack(String options) {
    ClientOptions clientOptions =
        options.equals("recommended") ? RedisCounterStore.recommendedClientOptions() : ClientOptions.create();
    PolicyEngine engine = engine(store(clientOptions), false, AuditEvent -> {});
    assertThat(engine.evaluate(ToolCall.of("compile"), CallContext.of("a")).kind()).isEqualTo(Decision.Kind.ALLOW);

    server.kill();
    for (int i = 0; i < 5; i++) {
      boolean async = i % 2 == 1;
      long start = System.nanoTime();
      Decision d = async
          ? engine.evaluateAsync(ToolCall.of("compile"), CallContext.of("a")).toCompletableFuture().join()
          : engine.evaluate(ToolCall.of("compile"), CallContext.of("a"));
      long took = System.nanoTime() - start;
      assertThat(d.kind()).isEqualTo(Decision.Kind.DENY);
      assertThat(d.reason()).contains("policy state unavailable").contains("counter store failed");
      assertThat(took).as("a decision without Redis returns within the timeout").isLessThan(BOUND_NANOS);
    }

    server.restart();
    assertThat(eventually(() -> engine.evaluate(ToolCall.of("compile"), CallContext.of("a")).isAllowed()))
        .as("the same engine decides again once Redis is back")
        .isTrue();
    assertThat(engine.evaluateAsync(ToolCall.of("compile"), CallContext.of("a")).toCompletableFuture().join().isAllowed())
        .isTrue();
  }

  @Test
  void aTimeoutIsReportedAsSuch() {
    PolicyEngine engine = engine(store(RedisCounterStore.recommendedClientOptions()), false, e -> {});
    assertThat(engine.evaluate(ToolCall.of("compile"), CallContext.of("a")).isAllowed()).isTrue();
    pauseWrites();
    long start = System.nanoTime();
    Decision d = engine.evaluate(ToolCall.of("compile"), CallContext.of("a"));
    assertThat(System.nanoTime() - start).isLessThan(BOUND_NANOS);
    resume();
    assertThat(d.kind()).isEqualTo(Decision.Kind.DENY);
    assertThat(d.reason()).contains("policy state unavailable").contains("did not answer reserve within 1000 ms");
  }

  @Test
  void scriptFlushIsSurvived() {
    RedisCounterStore store = store(RedisCounterStore.recommendedClientOptions());
    PolicyEngine engine = engine(store, false, e -> {});
    CallContext who = CallContext.of("flush");
    assertThat(engine.evaluate(ToolCall.of("deploy"), who).isAllowed()).isTrue();
    assertThat(engine.evaluate(ToolCall.of("deploy"), who).isAllowed()).isTrue();
    assertThat(server.command("SCRIPT", "FLUSH")).isEqualTo("+OK");
    assertThat(engine.evaluate(ToolCall.of("deploy"), who).isAllowed()).as("counts kept, script reloaded").isTrue();
    assertThat(engine.evaluate(ToolCall.of("deploy"), who).kind()).isEqualTo(Decision.Kind.RATE_LIMITED);

    CounterRequest r = new CounterRequest("flushed-refund", "global", null, 60_000, Algorithm.SLIDING, 1_000_000, 1_000_000);
    long t = clock.millis();
    assertThat(store.reserve(List.of(r), t).isGranted()).isTrue();
    assertThat(server.command("SCRIPT", "FLUSH")).isEqualTo("+OK");
    store.refund(List.of(r), t);
    assertThat(store.pendingRefunds()).isZero();
    assertThat(store.reserve(List.of(r), t).isGranted()).as("the refund ran after the flush").isTrue();
  }

  @Test
  void failOpenAdmitsAndAuditsTheFailOpenRule() {
    List<AuditEvent> audit = new CopyOnWriteArrayList<>();
    PolicyEngine engine = engine(store(RedisCounterStore.recommendedClientOptions()), true, audit::add);
    server.kill();
    Decision d = engine.evaluate(ToolCall.of("deploy"), CallContext.of("a"));
    assertThat(d.kind()).isEqualTo(Decision.Kind.ALLOW);
    assertThat(d.rule()).isEqualTo("fail-open");
    assertThat(audit).hasSize(1);
    Decision audited = audit.get(0).decision();
    assertThat(audited.rule()).isEqualTo("fail-open");
    assertThat(audited.reason()).contains("policy state unavailable").contains("fail-open is configured");
  }

  @Test
  void aRefundThatTimesOutIsRetriedAndAppliedExactlyOnce() {
    RedisCounterStore store = store(RedisCounterStore.recommendedClientOptions());
    CounterRequest fixed = new CounterRequest("retried-fixed", "global", null, 60_000, Algorithm.FIXED, 2_000_000, 1_000_000);
    CounterRequest sliding = new CounterRequest("retried-sliding", "global", null, 60_000, Algorithm.SLIDING, 2_000_000, 1_000_000);
    long t = clock.millis();
    for (int i = 0; i < 2; i++) {
      assertThat(store.reserve(List.of(fixed, sliding), t).isGranted()).isTrue();
    }
    // Redis holds the refund past the timeout, then runs it: the reply is lost, the refund not.
    pauseWrites();
    store.refund(List.of(fixed, sliding), t);
    assertThat(store.pendingRefunds()).isEqualTo(1);
    resume();
    assertThat(eventually(() -> store.pendingRefunds() == 0)).isTrue();
    assertThat(store.lostRefunds()).isZero();
    assertThat(store.reserve(List.of(fixed, sliding), t).isGranted()).as("one refund applied").isTrue();
    assertThat(store.reserve(List.of(fixed), t).isGranted()).as("and only one").isFalse();
    assertThat(store.reserve(List.of(sliding), t).isGranted()).as("and only one").isFalse();
  }

  /**
   * A paused Redis runs the reservations it holds once it resumes, after their clients timed out
   * and denied the calls: each is given back by its token through the background queue, so the
   * counts end where they started (the pause test kept 116 of 116).
   */
  @Test
  void reservationsThatTimedOutAreGivenBackWhenRedisRunsThemLate() throws Exception {
    String prefix = "released-" + System.nanoTime() + ":";
    RedisCounterStore store = RedisCounterStore.builder(client(RedisCounterStore.recommendedClientOptions()))
        .keyPrefix(prefix)
        .commandTimeout(TIMEOUT)
        .build();
    open.add(store);
    CounterRequest fixed = new CounterRequest("released-fixed", "global", null, 60_000, Algorithm.FIXED, 1_000_000_000, 1_000_000);
    CounterRequest sliding = new CounterRequest("released-sliding", "global", null, 60_000, Algorithm.SLIDING, 1_000_000_000, 100_000);
    long t = clock.millis();
    assertThat(store.reserve(List.of(fixed, sliding), t).isGranted()).isTrue();

    pauseWrites();
    List<CompletableFuture<ReserveResult>> late = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      late.add(store.reserveAsync(List.of(fixed, sliding), t).toCompletableFuture());
    }
    int granted = 0;
    for (CompletableFuture<ReserveResult> f : late) {
      try {
        granted += f.get(30, TimeUnit.SECONDS).isGranted() ? 1 : 0;
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(RedisStoreException.class).hasMessageContaining("did not answer reserve");
      }
    }
    for (int i = 0; i < 3; i++) {
      try {
        granted += store.reserve(List.of(fixed, sliding), t).isGranted() ? 1 : 0;
      } catch (RedisStoreException e) {
        assertThat(e).hasMessageContaining("did not answer reserve");
      }
    }
    resume();
    assertThat(granted).as("Redis was paused: the reservations timed out").isLessThan(23);

    assertThat(store.awaitQueueEmpty(Duration.ofSeconds(30))).as("the queue drains once Redis resumes").isTrue();
    assertThat(store.lostRefunds()).isZero();
    Keys keys = new Keys(prefix, RedisCounterStore.DEFAULT_HASH_TAG);
    assertThat(server.command("HGET", keys.state(fixed), "c")).as("fixed count").isEqualTo(Long.toString((1 + granted) * 1_000_000L));
    long slidingLeft = sliding.maxMillionths() - (1 + granted) * sliding.costMillionths();
    CounterRequest rest = new CounterRequest(sliding.counter(), "global", null, 60_000, Algorithm.SLIDING, sliding.maxMillionths(), slidingLeft);
    CounterRequest oneMore = new CounterRequest(sliding.counter(), "global", null, 60_000, Algorithm.SLIDING, sliding.maxMillionths(), 1);
    assertThat(store.reserve(List.of(rest), t).isGranted()).as("the sliding log holds only what was granted").isTrue();
    assertThat(store.reserve(List.of(oneMore), t).isGranted()).isFalse();
  }

  /**
   * The decisions of the common case (every counter a fixed window) run the smaller script, with
   * the same token: a reservation that timed out is given back when Redis runs it late.
   */
  @Test
  void fixedWindowReservationsThatTimedOutAreGivenBackWhenRedisRunsThemLate() throws Exception {
    String prefix = "released-fixed-" + System.nanoTime() + ":";
    RedisCounterStore store = RedisCounterStore.builder(client(RedisCounterStore.recommendedClientOptions()))
        .keyPrefix(prefix)
        .commandTimeout(TIMEOUT)
        .build();
    open.add(store);
    CounterRequest fixed = new CounterRequest("released-fixed", "global", null, 60_000, Algorithm.FIXED, 1_000_000_000, 1_000_000);
    long t = clock.millis();
    assertThat(store.reserve(List.of(fixed), t).isGranted()).isTrue();

    pauseWrites();
    List<CompletableFuture<ReserveResult>> late = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      late.add(store.reserveAsync(List.of(fixed), t).toCompletableFuture());
    }
    int granted = 0;
    for (CompletableFuture<ReserveResult> f : late) {
      try {
        granted += f.get(30, TimeUnit.SECONDS).isGranted() ? 1 : 0;
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(RedisStoreException.class).hasMessageContaining("did not answer reserve");
      }
    }
    resume();
    assertThat(granted).as("Redis was paused: the reservations timed out").isLessThan(20);

    assertThat(store.awaitQueueEmpty(Duration.ofSeconds(30))).as("the queue drains once Redis resumes").isTrue();
    assertThat(store.lostRefunds()).isZero();
    Keys keys = new Keys(prefix, RedisCounterStore.DEFAULT_HASH_TAG);
    assertThat(server.command("HGET", keys.state(fixed), "c")).as("fixed count").isEqualTo(Long.toString((1 + granted) * 1_000_000L));
  }

  /**
   * What metrics read: a refund that cannot reach Redis is pending, retried, and lost once its
   * window has ended (it could no longer change a count, and the count it should have given back
   * stayed taken). The window's 10 s are the test's margin against a stalled machine.
   */
  @Test
  void aRefundThatNeverReachesRedisIsPendingThenLostWhenItsWindowEnds() throws Exception {
    RedisCounterStore store = RedisCounterStore.builder(client(RedisCounterStore.recommendedClientOptions()))
        .keyPrefix("lost-" + System.nanoTime() + ":")
        .commandTimeout(TIMEOUT)
        .idleGrace(Duration.ZERO)
        .build();
    open.add(store);
    CounterRequest r = new CounterRequest("lost", "global", null, 10_000, Algorithm.FIXED, 2_000_000, 1_000_000);
    long t = clock.millis();
    assertThat(store.reserve(List.of(r), t).isGranted()).isTrue();
    server.kill();
    store.refund(List.of(r), t);
    assertThat(store.pendingRefunds()).as("queued for a retry").isEqualTo(1);
    assertThat(store.lostRefunds()).isZero();
    assertThat(store.awaitQueueEmpty(Duration.ofSeconds(30))).as("given up once its window has ended").isTrue();
    assertThat(store.pendingRefunds()).isZero();
    assertThat(store.lostRefunds()).isEqualTo(1);
  }

  @Test
  void aRefundThatCannotBeQueuedIsReported() {
    RedisClient client = client(RedisCounterStore.recommendedClientOptions());
    RedisCounterStore store = RedisCounterStore.builder(client).commandTimeout(TIMEOUT).maxPendingRefunds(0).build();
    open.add(store);
    CounterRequest r = new CounterRequest("unqueued", "global", null, 60_000, Algorithm.FIXED, 2_000_000, 1_000_000);
    server.kill();
    assertThatThrownBy(() -> store.refund(List.of(r), clock.millis()))
        .isInstanceOf(RedisStoreException.class)
        .hasMessageContaining("Redis failed to refund");
    assertThat(store.lostRefunds()).isEqualTo(1);
    assertThatThrownBy(() -> store.refundAsync(List.of(r), clock.millis()).toCompletableFuture().join())
        .hasCauseInstanceOf(RedisStoreException.class);
    assertThat(store.lostRefunds()).isEqualTo(2);
  }

  private RedisCounterStore store(ClientOptions options) {
    RedisCounterStore store = RedisCounterStore.builder(client(options))
        .keyPrefix("fault-" + System.nanoTime() + ":")
        .commandTimeout(TIMEOUT)
        .build();
    open.add(store);
    return store;
  }

  private RedisClient client(ClientOptions options) {
    RedisClient client = RedisClient.create(server.uri());
    client.setOptions(options);
    open.add(client::shutdown);
    return client;
  }

  private PolicyEngine engine(RedisCounterStore store, boolean failOpen, io.toolgate.api.AuditSink audit) {
    return PolicyEngine.builder(Policy.parse(POLICY))
        .counterStore(store)
        .storeTimeout(Duration.ofSeconds(30)) // the store's own timeout decides, never the engine's
        .clock(clock)
        .failOpen(failOpen)
        .audit(audit)
        .build();
  }

  /**
   * Holds every write (so every script the store runs) until {@link #resume}; reads, {@code PING}
   * and {@code CLIENT UNPAUSE} still run. A pause of all commands could only end by its own
   * timer, which a stalled test thread may outlast before it sends what must find Redis paused.
   */
  private static void pauseWrites() {
    assertThat(server.command("CLIENT", "PAUSE", "60000", "WRITE")).isEqualTo("+OK");
  }

  /** Ends {@link #pauseWrites}: Redis runs the scripts it held, late. */
  private static void resume() {
    try {
      server.command("CLIENT", "UNPAUSE");
    } catch (RuntimeException serverDown) {
      // killed by the test: nothing is paused
    }
  }

  private static String ping() {
    try {
      return server.command("PING");
    } catch (RuntimeException e) {
      return e.toString();
    }
  }

  private static boolean eventually(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      RedisServer.sleep(50);
    }
    return false;
  }
}
