package io.toolgate.engine;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.toolgate.api.CallContext;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterStore;
import io.toolgate.api.Decision;
import io.toolgate.api.Decision.Kind;
import io.toolgate.api.Reservation;
import io.toolgate.api.ReserveResult;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.internal.store.TimedCounterStore;
import io.toolgate.engine.store.InMemoryCounterStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md "No caller can stall another": the engine applies its store timeout to any counter
 * store, and a reservation that the store grants after the engine gave up is given back.
 */
class StoreTimeoutTest {
  private static final String POLICY = String.join("\n",
      "version: '1'",
      "tools:",
      "  compile:",
      "    limits: [{counter: compiles, max: 1, window: hour}]",
      "");
  private static final CallContext AGENT = CallContext.of("agent-1");
  private static final ToolCall COMPILE = ToolCall.of("compile");
  /** The engine's own timer in these tests; no assertion depends on how long it really took. */
  private static final Duration SHORT = Duration.ofMillis(50);

  private final MutableClock clock = new MutableClock("2026-01-01T00:00:00Z");
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger runs = new AtomicInteger();

  @AfterEach
  void releaseHungStores() {
    release.countDown();
  }

  private PolicyEngine engine(CounterStore store, boolean failOpen) {
    return PolicyEngine.builder(Policy.parse(POLICY)).clock(clock).counterStore(store)
        .storeTimeout(SHORT).failOpen(failOpen).build();
  }

  /** Runs {@code action} on another thread and waits for it, failing only on a real hang. */
  private static <T> T withinHangGuard(Supplier<T> action) throws Exception {
    return CompletableFuture.supplyAsync(action).get(30, SECONDS);
  }

  private String run() {
    runs.incrementAndGet();
    return "ok";
  }

  /** A store that implements only the synchronous forms and hangs in them until released. */
  private class HangingStore implements CounterStore {
    final InMemoryCounterStore counts = InMemoryCounterStore.create();
    final CompletableFuture<List<CounterRequest>> refunded = new CompletableFuture<>();

    @Override
    public ReserveResult reserve(List<CounterRequest> requests, long nowMillis) {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return counts.reserve(requests, nowMillis);
    }

    @Override
    public void refund(List<CounterRequest> requests, long reservedAtMillis) {
      counts.refund(requests, reservedAtMillis);
      refunded.complete(requests);
    }
  }

  /**
   * A store on a non-blocking client whose answers the test gives: each reservation waits until
   * {@link #answerAll()} takes the counts from an in-memory store.
   */
  private static final class RemoteStore implements CounterStore {
    final InMemoryCounterStore counts = InMemoryCounterStore.create();
    final List<Runnable> unanswered = new CopyOnWriteArrayList<>();
    final CompletableFuture<List<CounterRequest>> refunded = new CompletableFuture<>();

    @Override
    public Blocking blocking() {
      return Blocking.SYNC_FORMS;
    }

    @Override
    public ReserveResult reserve(List<CounterRequest> requests, long nowMillis) {
      throw new AssertionError("the engine waits on reserveAsync, never on the blocking reserve");
    }

    @Override
    public CompletionStage<ReserveResult> reserveAsync(List<CounterRequest> requests, long nowMillis) {
      CompletableFuture<ReserveResult> answer = new CompletableFuture<>();
      unanswered.add(() -> answer.complete(counts.reserve(requests, nowMillis)));
      return answer;
    }

    void answerAll() {
      unanswered.forEach(Runnable::run);
      unanswered.clear();
    }

    @Override
    public void refund(List<CounterRequest> requests, long reservedAtMillis) {
      throw new AssertionError("the engine refunds through refundAsync, never the blocking refund");
    }

    @Override
    public CompletionStage<Void> refundAsync(List<CounterRequest> requests, long reservedAtMillis) {
      counts.refund(requests, reservedAtMillis);
      refunded.complete(requests);
      return CompletableFuture.completedFuture(null);
    }
  }

  private static void assertStateUnavailable(Decision d) {
    assertThat(d.kind()).isEqualTo(Kind.DENY);
    assertThat(d.rule()).isEqualTo("store");
    assertThat(d.reason()).contains("policy state unavailable").contains("within 50ms");
  }

  @Test
  void aStoreThatHangsInItsSynchronousFormsIsDeniedAtTheTimeoutOnEveryPath() throws Exception {
    PolicyEngine e = engine(new HangingStore(), false);
    assertStateUnavailable(withinHangGuard(() -> e.evaluate(COMPILE, AGENT)));
    assertStateUnavailable(withinHangGuard(() -> e.evaluateAsync(COMPILE, AGENT).toCompletableFuture().join()));
    assertThat(withinHangGuard(() -> e.call(COMPILE, AGENT, this::run, Decision::reason)))
        .contains("policy state unavailable");
    assertThat(withinHangGuard(() -> e.callAsync(COMPILE, AGENT, () -> CompletableFuture.completedFuture(run()),
        Decision::reason).toCompletableFuture().join())).contains("policy state unavailable");
    assertThat(runs).as("a refused call never runs").hasValue(0);
  }

  @Test
  void aStoreWhoseAsynchronousAnswerNeverComesIsDeniedAtTheTimeout() throws Exception {
    RemoteStore store = new RemoteStore();
    PolicyEngine e = engine(store, false);
    assertStateUnavailable(withinHangGuard(() -> e.evaluateAsync(COMPILE, AGENT).toCompletableFuture().join()));
    assertStateUnavailable(withinHangGuard(() -> e.evaluate(COMPILE, AGENT)));
    assertThat(withinHangGuard(() -> e.callAsync(COMPILE, AGENT, () -> CompletableFuture.completedFuture(run()),
        Decision::reason).toCompletableFuture().join())).contains("policy state unavailable");
    assertThat(runs).hasValue(0);
  }

  @Test
  void aTimeoutFailsOpenWhereFailOpenIsConfigured() throws Exception {
    PolicyEngine e = engine(new RemoteStore(), true);
    Decision d = withinHangGuard(() -> e.evaluateAsync(COMPILE, AGENT).toCompletableFuture().join());
    assertThat(d.kind()).isEqualTo(Kind.ALLOW);
    assertThat(d.rule()).isEqualTo("fail-open");
    assertThat(withinHangGuard(() -> e.call(COMPILE, AGENT, this::run))).isEqualTo("ok");
  }

  @Test
  void aReservationGrantedAfterTheEngineGaveUpIsGivenBack() throws Exception {
    RemoteStore store = new RemoteStore();
    PolicyEngine e = engine(store, false);
    assertStateUnavailable(withinHangGuard(() -> e.evaluateAsync(COMPILE, AGENT).toCompletableFuture().join()));

    store.answerAll(); // the store answers late: it took the only compile of the hour
    List<CounterRequest> given = store.refunded.get(30, SECONDS);
    assertThat(given).extracting(CounterRequest::counter).containsExactly("compiles");
    assertThat(store.counts.reserve(given, clock.millis()).isGranted())
        .as("the denied call took no count: the hour's one compile is still there").isTrue();
  }

  @Test
  void aBlockingReservationGrantedAfterTheEngineGaveUpIsGivenBack() throws Exception {
    HangingStore store = new HangingStore();
    PolicyEngine e = engine(store, false);
    assertStateUnavailable(withinHangGuard(() -> e.evaluate(COMPILE, AGENT)));

    release.countDown(); // the store's thread goes on and takes the hour's only compile
    List<CounterRequest> given = store.refunded.get(30, SECONDS);
    assertThat(given).extracting(CounterRequest::counter).containsExactly("compiles");
    assertThat(store.counts.reserve(given, clock.millis()).isGranted()).isTrue();
  }

  @Test
  void aStoreThatAnswersInTimeDecidesAsUsual() throws Exception {
    HangingStore store = new HangingStore();
    release.countDown();
    PolicyEngine e = PolicyEngine.builder(Policy.parse(POLICY)).clock(clock).counterStore(store)
        .storeTimeout(Duration.ofHours(1)).build();
    assertThat(withinHangGuard(() -> e.evaluate(COMPILE, AGENT)).kind()).isEqualTo(Kind.ALLOW);
    assertThat(withinHangGuard(() -> e.evaluateAsync(COMPILE, AGENT).toCompletableFuture().join()).kind())
        .isEqualTo(Kind.RATE_LIMITED);
  }

  @Test
  void aStoreThatCommitsIsToldThroughTheTimeoutAndOneThatDoesNotHoldsNothing() throws Exception {
    List<List<CounterRequest>> committed = new CopyOnWriteArrayList<>();
    HangingStore committing = new HangingStore() {
      @Override
      public void commit(List<CounterRequest> requests, long reservedAtMillis) {
        committed.add(requests);
      }
    };
    release.countDown();
    PolicyEngine e = PolicyEngine.builder(Policy.parse(POLICY)).clock(clock).counterStore(committing)
        .storeTimeout(Duration.ofHours(1)).build();
    assertThat(withinHangGuard(() -> e.call(COMPILE, AGENT, this::run))).isEqualTo("ok");
    assertThat(committed).singleElement().satisfies(requests ->
        assertThat(requests).extracting(CounterRequest::counter).containsExactly("compiles"));

    HangingStore confirmsNothing = new HangingStore() {
      @Override
      public boolean confirmsReservations() {
        return false;
      }
    };
    PolicyEngine plain = PolicyEngine.builder(Policy.parse(POLICY)).clock(clock).counterStore(confirmsNothing)
        .storeTimeout(Duration.ofHours(1)).build();
    Decision.Allow allowed = (Decision.Allow) withinHangGuard(() -> plain.evaluate(COMPILE, AGENT));
    assertThat(allowed.reservation()).as("nothing to settle: the wrapper adds no commit").isSameAs(Reservation.NONE);
  }

  @Test
  void aStoreThatFailsIsDeniedWithItsOwnMessageThroughTheTimeout() throws Exception {
    CounterStore broken = new CounterStore() {
      @Override
      public ReserveResult reserve(List<CounterRequest> requests, long nowMillis) {
        throw new IllegalStateException("connection refused");
      }

      @Override
      public void refund(List<CounterRequest> requests, long reservedAtMillis) {}
    };
    // Through the timed wrapper, with a wait no loaded machine reaches: at 50 ms the wrapper's thread
    // could time out before it ran the store, and the reason would be the timeout's.
    PolicyEngine e = PolicyEngine.builder(Policy.parse(POLICY)).clock(clock).counterStore(broken)
        .storeTimeout(Duration.ofHours(1)).build();
    assertThat(withinHangGuard(() -> e.evaluate(COMPILE, AGENT)).reason()).contains("connection refused");
    assertThat(withinHangGuard(() -> e.evaluateAsync(COMPILE, AGENT).toCompletableFuture().join()).reason())
        .contains("connection refused");
  }

  @Test
  void theInMemoryStoreIsCalledDirectlyWithNoWrapper() {
    InMemoryCounterStore store = InMemoryCounterStore.create();
    assertThat(store.blocking()).isEqualTo(CounterStore.Blocking.NONE);
    assertThat(TimedCounterStore.around(store, SHORT)).isSameAs(store);
    assertThat(TimedCounterStore.around(new HangingStore(), SHORT)).isNotSameAs(store)
        .isInstanceOf(TimedCounterStore.class);
  }

  @Test
  void theTimeoutMustBePositive() {
    PolicyEngine.Builder b = PolicyEngine.builder(Policy.parse(POLICY));
    assertThatThrownBy(() -> b.storeTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.storeTimeout(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    assertThat(PolicyEngine.Builder.DEFAULT_STORE_TIMEOUT).isEqualTo(Duration.ofSeconds(2));
  }
}
