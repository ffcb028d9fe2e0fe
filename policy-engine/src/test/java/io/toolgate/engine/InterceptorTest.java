package io.toolgate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.toolgate.api.AuditEvent;
import io.toolgate.api.AuditEvent.Outcome;
import io.toolgate.api.CallContext;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterStore;
import io.toolgate.api.Decision;
import io.toolgate.api.Decision.Kind;
import io.toolgate.api.PolicyViolationException;
import io.toolgate.api.Reservation;
import io.toolgate.api.ReserveResult;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.store.InMemoryCounterStore;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The one-call interceptor: evaluate, run only if allowed, commit or refund, audit. */
class InterceptorTest {
  private static final String POLICY = String.join("\n",
      "version: '1'",
      "tools:",
      "  compile:",
      "    limits: [{counter: compiles, max: 2, window: hour, refund_on_error: true}]",
      "  deploy:",
      "    limits: [{counter: deploys, max: 1, window: hour}]",
      "  delete: {action: deny, reason: never}",
      "");
  private final MutableClock clock = new MutableClock("2026-01-01T00:00:00Z");
  private final List<AuditEvent> events = new CopyOnWriteArrayList<>();
  private final AtomicInteger runs = new AtomicInteger();

  private PolicyEngine engine() {
    return PolicyEngine.builder(Policy.parse(POLICY)).clock(clock).audit(events::add).build();
  }

  private static final CallContext AGENT = CallContext.of("agent-1").withSession("s1");

  private String run() {
    runs.incrementAndGet();
    return "ok";
  }

  @Test
  void allowedCallRunsTheToolAndIsAuditedAsSucceeded() {
    PolicyEngine e = engine();
    assertThat(e.call(ToolCall.of("compile"), AGENT, this::run)).isEqualTo("ok");
    assertThat(runs).hasValue(1);
    assertThat(events).singleElement().satisfies(ev -> {
      assertThat(ev.outcome()).isEqualTo(Outcome.SUCCEEDED);
      assertThat(ev.decision().kind()).isEqualTo(Kind.ALLOW);
      assertThat(ev.context().sessionId()).isEqualTo("s1");
      assertThat(ev.time()).isEqualTo(clock.instant());
      assertThat(ev.latencyNanos()).isPositive();
    });
  }

  @Test
  void refusedCallNeverRunsAndThrowsOrMapsAsTheCallerChose() {
    PolicyEngine e = engine();
    assertThatThrownBy(() -> e.call(ToolCall.of("delete"), AGENT, this::run))
        .isInstanceOf(PolicyViolationException.class)
        .hasMessage("Policy denied delete: never.")
        .satisfies(t -> assertThat(((PolicyViolationException) t).decision().rule()).isEqualTo("/tools/delete"));
    String mapped = e.call(ToolCall.of("delete"), AGENT, this::run, d -> "refused: " + d.kind());
    assertThat(mapped).isEqualTo("refused: DENY");
    assertThat(runs).hasValue(0);
    assertThat(events).extracting(AuditEvent::outcome).containsExactly(Outcome.NOT_RUN, Outcome.NOT_RUN);
  }

  @Test
  void toolFailureRefundsOnlyLimitsThatAskForIt() {
    PolicyEngine e = engine();
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(() -> e.call(ToolCall.of("compile"), AGENT, () -> {
        throw new IOException("compiler crashed");
      })).isInstanceOf(ToolInvocationException.class).hasCauseInstanceOf(IOException.class);
    }
    // five failures refunded: both compiles of the hour are still there
    assertThat(e.call(ToolCall.of("compile"), AGENT, this::run)).isEqualTo("ok");
    assertThat(e.call(ToolCall.of("compile"), AGENT, this::run)).isEqualTo("ok");
    assertThat(e.evaluate(ToolCall.of("compile"), AGENT).kind()).isEqualTo(Kind.RATE_LIMITED);

    assertThatThrownBy(() -> e.call(ToolCall.of("deploy"), AGENT, () -> {
      throw new IllegalStateException("boom");
    })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
    // deploys does not refund on error: the failed call used the hour's only deploy
    assertThat(e.evaluate(ToolCall.of("deploy"), AGENT).kind()).isEqualTo(Kind.RATE_LIMITED);
    assertThat(events).extracting(AuditEvent::outcome).contains(Outcome.FAILED);
  }

  @Test
  void resultsThePredicateCallsFailedCountAsFailures() {
    PolicyEngine e = engine();
    for (int i = 0; i < 3; i++) {
      String out = e.call(ToolCall.of("compile"), AGENT, () -> "isError", d -> "refused", "isError"::equals);
      assertThat(out).isEqualTo("isError");
    }
    assertThat(e.evaluate(ToolCall.of("compile"), AGENT).isAllowed()).isTrue();
    assertThat(events.get(0).outcome()).isEqualTo(Outcome.FAILED);
  }

  @Test
  void asyncFormsAgreeWithSync() {
    PolicyEngine e = engine();
    assertThat(e.callAsync(ToolCall.of("deploy"), AGENT, () -> CompletableFuture.completedFuture("ok"))
        .toCompletableFuture().join()).isEqualTo("ok");
    CompletableFuture<String> refused = e.callAsync(ToolCall.of("deploy"), AGENT,
        () -> CompletableFuture.completedFuture("ran")).toCompletableFuture();
    assertThatThrownBy(refused::join).isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(PolicyViolationException.class);
    String mapped = e.callAsync(ToolCall.of("deploy"), AGENT, () -> CompletableFuture.completedFuture("ran"),
        d -> d.kind().name()).toCompletableFuture().join();
    assertThat(mapped).isEqualTo("RATE_LIMITED");

    CompletableFuture<String> failing = e.callAsync(ToolCall.of("compile"), AGENT,
        () -> CompletableFuture.<String>failedFuture(new IOException("x"))).toCompletableFuture();
    assertThatThrownBy(failing::join).hasCauseInstanceOf(IOException.class);
    // refunded: two compiles left
    assertThat(e.evaluateAsync(ToolCall.of("compile"), AGENT).toCompletableFuture().join().isAllowed()).isTrue();
    assertThat(e.evaluateAsync(ToolCall.of("compile"), AGENT).toCompletableFuture().join().isAllowed()).isTrue();
    assertThat(e.evaluateAsync(ToolCall.of("compile"), AGENT).toCompletableFuture().join().kind()).isEqualTo(Kind.RATE_LIMITED);
  }

  @Test
  void aThrowingAuditSinkNeverChangesADecision() {
    PolicyEngine e = PolicyEngine.builder(Policy.parse(POLICY)).audit(ev -> {
      throw new IllegalStateException("disk full");
    }).audit(events::add).build();
    assertThat(e.call(ToolCall.of("compile"), AGENT, this::run)).isEqualTo("ok");
    assertThat(e.evaluate(ToolCall.of("delete"), AGENT).kind()).isEqualTo(Kind.DENY);
    assertThat(events).hasSize(2);
  }

  @Test
  void shadowModeRunsRefusedCallsAndAuditsTheRealDecision() {
    PolicyEngine e = PolicyEngine.builder(Policy.parse(POLICY)).shadowMode(true).audit(events::add).build();
    assertThat(e.call(ToolCall.of("delete"), AGENT, this::run)).isEqualTo("ok");
    assertThat(runs).hasValue(1);
    assertThat(events).singleElement().satisfies(ev -> {
      assertThat(ev.decision().kind()).isEqualTo(Kind.DENY);
      assertThat(ev.outcome()).isEqualTo(Outcome.SUCCEEDED);
    });
    assertThat(e.evaluate(ToolCall.of("delete"), AGENT).kind()).isEqualTo(Kind.DENY);
  }

  /** The in-memory store, recording what is committed. */
  private static final class CommittingStore implements CounterStore {
    final CounterStore counts = InMemoryCounterStore.create();
    final List<List<CounterRequest>> committed = new CopyOnWriteArrayList<>();

    @Override
    public Blocking blocking() {
      return Blocking.NONE; // in memory: no store timeout, so a loaded machine cannot deny
    }

    @Override
    public ReserveResult reserve(List<CounterRequest> requests, long nowMillis) {
      return counts.reserve(requests, nowMillis);
    }

    @Override
    public void commit(List<CounterRequest> requests, long reservedAtMillis) {
      committed.add(requests);
    }

    @Override
    public void refund(List<CounterRequest> requests, long reservedAtMillis) {
      counts.refund(requests, reservedAtMillis);
    }
  }

  @Test
  void aStoreThatCommitsIsToldOnceWhenTheToolReturns() {
    CommittingStore store = new CommittingStore();
    PolicyEngine e = PolicyEngine.builder(Policy.parse(POLICY)).counterStore(store).build();
    assertThat(e.call(ToolCall.of("deploy"), AGENT, this::run)).isEqualTo("ok");
    assertThat(store.committed).singleElement()
        .satisfies(requests -> assertThat(requests).extracting(CounterRequest::counter).containsExactly("deploys"));
    CommittingStore other = new CommittingStore();
    Decision.Allow held = (Decision.Allow) PolicyEngine.builder(Policy.parse(POLICY)).counterStore(other)
        .build().evaluate(ToolCall.of("deploy"), AGENT);
    held.reservation().commit();
    held.reservation().commit();
    held.reservation().rollback();
    assertThat(other.committed).as("settled by the first call only").hasSize(1);
  }

  @Test
  void anAllowanceWithNothingToSettleHoldsNoReservation() {
    // deploy's limit does not refund and the in-memory store confirms nothing on commit.
    Decision.Allow deploy = (Decision.Allow) engine().evaluate(ToolCall.of("deploy"), AGENT);
    assertThat(deploy.reservation()).isSameAs(Reservation.NONE);
    Decision.Allow compile = (Decision.Allow) engine().evaluate(ToolCall.of("compile"), AGENT);
    assertThat(compile.reservation()).as("compile refunds on error").isNotSameAs(Reservation.NONE);
  }

  /** A store that fails, for fail-closed and fail-open. */
  private static final class BrokenStore implements CounterStore {
    @Override
    public Blocking blocking() {
      return Blocking.NONE; // fails at once: the test is about failure, not the store timeout
    }

    @Override
    public ReserveResult reserve(List<CounterRequest> requests, long nowMillis) {
      throw new IllegalStateException("connection refused");
    }

    @Override
    public void refund(List<CounterRequest> requests, long reservedAtMillis) {
      throw new IllegalStateException("connection refused");
    }
  }

  @Test
  void aFailingStoreDeniesUnlessFailOpenIsConfigured() {
    PolicyEngine closed = PolicyEngine.builder(Policy.parse(POLICY)).counterStore(new BrokenStore()).build();
    Decision d = closed.evaluate(ToolCall.of("compile"), AGENT);
    assertThat(d.kind()).isEqualTo(Kind.DENY);
    assertThat(d.rule()).isEqualTo("store");
    assertThat(d.reason()).contains("policy state unavailable").contains("connection refused");
    assertThat(closed.evaluateAsync(ToolCall.of("compile"), AGENT).toCompletableFuture().join().reason())
        .contains("policy state unavailable");

    PolicyEngine open = PolicyEngine.builder(Policy.parse(POLICY)).counterStore(new BrokenStore())
        .failOpen(true).audit(events::add).build();
    assertThat(open.call(ToolCall.of("compile"), AGENT, this::run)).isEqualTo("ok");
    assertThat(events).singleElement().satisfies(ev -> {
      assertThat(ev.decision().rule()).isEqualTo("fail-open");
      assertThat(ev.decision().reason()).contains("fail-open");
    });
  }
}
