package io.toolgate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.AuditEvent;
import io.toolgate.api.AuditEvent.Outcome;
import io.toolgate.api.CallContext;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterStore;
import io.toolgate.api.Decision;
import io.toolgate.api.Decision.Kind;
import io.toolgate.api.Reservation;
import io.toolgate.api.ReserveResult;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.store.InMemoryCounterStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * What the engine promises a {@link CounterStore}: distinct counters in one call (limits that name
 * one counter are merged, and a refusal names the limit that must wait longest), and a commit
 * exactly when the store {@linkplain CounterStore#confirmsReservations() confirms reservations},
 * whatever wraps it.
 */
class CounterStoreSpiTest {
  private static final String POLICY = String.join("\n",
      "version: '1'",
      "tools:",
      "  shared:",
      "    limits:",
      "      - {counter: pool, max: 3, window: minute, cost: 2, refund_on_error: true}",
      "      - {counter: pool, max: 3, window: minute, cost: 1}",
      "      - {counter: hourly, max: 1, window: hour}",
      "  greedy:",
      "    limits:",
      "      - {counter: tight, max: 3, window: minute, cost: 2}",
      "      - {counter: tight, max: 3, window: minute, cost: 2}",
      "  once:",
      "    limits: [{counter: once, max: 1, window: hour}]",
      "");
  private static final CallContext AGENT = CallContext.of("agent-1");
  private final MutableClock clock = new MutableClock("2026-01-01T00:00:30Z");

  /** Forwards every call to another store, as a metrics or tracing wrapper would. */
  private static class Forwarding implements CounterStore {
    final CounterStore inner;
    final List<List<CounterRequest>> reserved = new CopyOnWriteArrayList<>();

    Forwarding(CounterStore inner) {
      this.inner = inner;
    }

    @Override
    public ReserveResult reserve(List<CounterRequest> requests, long nowMillis) {
      reserved.add(requests);
      return inner.reserve(requests, nowMillis);
    }

    @Override
    public void commit(List<CounterRequest> requests, long reservedAtMillis) {
      inner.commit(requests, reservedAtMillis);
    }

    @Override
    public void refund(List<CounterRequest> requests, long reservedAtMillis) {
      inner.refund(requests, reservedAtMillis);
    }

    @Override
    public boolean confirmsReservations() {
      return inner.confirmsReservations();
    }

    @Override
    public Blocking blocking() {
      return Blocking.ANY_FORM; // through the engine's store timeout, as any store of unknown kind
    }
  }

  /** The in-memory store, recording what is committed. */
  private static final class Committing implements CounterStore {
    final CounterStore counts = InMemoryCounterStore.create();
    final List<List<CounterRequest>> committed = new CopyOnWriteArrayList<>();

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

  private PolicyEngine engine(CounterStore store) {
    return PolicyEngine.builder(Policy.parse(POLICY)).clock(clock).counterStore(store)
        .storeTimeout(Duration.ofHours(1)).build();
  }

  @Test
  void aWrappedStoreThatCommitsIsToldOnceThroughTheWrapperAndTheTimeout() {
    Committing committing = new Committing();
    PolicyEngine e = engine(new Forwarding(committing));
    assertThat(e.call(ToolCall.of("once"), AGENT, () -> "ok")).isEqualTo("ok");
    assertThat(committing.committed).singleElement().satisfies(requests ->
        assertThat(requests).extracting(CounterRequest::counter).containsExactly("once"));
  }

  @Test
  void aStoreThatSaysNothingOfCommitsIsToldByDefault() {
    List<List<CounterRequest>> committed = new CopyOnWriteArrayList<>();
    CounterStore counts = InMemoryCounterStore.create();
    CounterStore silent = new CounterStore() {
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
    };
    assertThat(silent.confirmsReservations()).as("the safe default").isTrue();
    engine(silent).call(ToolCall.of("once"), AGENT, () -> "ok");
    assertThat(committed).hasSize(1);
  }

  @Test
  void theInMemoryStoreWrappedOrNotHoldsNothingForAnAllowanceWithoutRefunds() {
    assertThat(InMemoryCounterStore.create().confirmsReservations()).isFalse();
    Decision.Allow direct = (Decision.Allow) PolicyEngine.builder(Policy.parse(POLICY)).clock(clock).build()
        .evaluate(ToolCall.of("once"), AGENT);
    assertThat(direct.reservation()).isSameAs(Reservation.NONE);
    Decision.Allow wrapped = (Decision.Allow) engine(new Forwarding(InMemoryCounterStore.create()))
        .evaluate(ToolCall.of("once"), AGENT);
    assertThat(wrapped.reservation()).as("through the wrapper and the timeout").isSameAs(Reservation.NONE);
  }

  @Test
  void limitsThatNameOneCounterAreOneRequestWithTheSummedCost() {
    Forwarding store = new Forwarding(InMemoryCounterStore.create());
    PolicyEngine e = engine(store);
    assertThat(e.evaluate(ToolCall.of("shared"), AGENT).kind()).isEqualTo(Kind.ALLOW);
    assertThat(store.reserved).singleElement().satisfies(requests -> {
      assertThat(requests).extracting(CounterRequest::counter).containsExactly("pool", "hourly");
      assertThat(requests.get(0).costMillionths()).as("2 + 1").isEqualTo(3 * CounterRequest.MILLIONTHS_PER_UNIT);
    });
  }

  @Test
  void aRefusalOfMergedLimitsNamesTheLimitThatMustWaitLongest() {
    PolicyEngine e = engine(new Forwarding(InMemoryCounterStore.create()));
    assertThat(e.evaluate(ToolCall.of("shared"), AGENT).kind()).isEqualTo(Kind.ALLOW);
    Decision second = e.evaluate(ToolCall.of("shared"), AGENT);
    assertThat(second.kind()).isEqualTo(Kind.RATE_LIMITED);
    // pool frees at the minute's end, hourly at the hour's: hourly is the third limit, the
    // second request the store saw.
    assertThat(second.rule()).isEqualTo("/tools/shared/limits/2");
    assertThat(((Decision.RateLimited) second).retryAfter()).isEqualTo(Duration.ofMinutes(59).plusSeconds(30));
  }

  @Test
  void limitsWhoseCostsTogetherExceedTheirCounterNeverPassAndTakeNothing() {
    Forwarding store = new Forwarding(InMemoryCounterStore.create());
    Decision d = engine(store).evaluate(ToolCall.of("greedy"), AGENT);
    assertThat(d.kind()).isEqualTo(Kind.DENY);
    assertThat(d.rule()).isEqualTo("/tools/greedy/limits/0");
    assertThat(d.reason()).contains("tight").contains("could never admit");
    assertThat(store.reserved).as("the store is not asked").isEmpty();
  }

  @Test
  void aRefundGivesBackOnlyWhatTheRefundingLimitsTook() {
    Forwarding store = new Forwarding(InMemoryCounterStore.create());
    List<AuditEvent> events = new CopyOnWriteArrayList<>();
    PolicyEngine e = PolicyEngine.builder(Policy.parse(POLICY)).clock(clock).counterStore(store)
        .storeTimeout(Duration.ofHours(1)).audit(events::add).build();
    Guarded<String> failed = e.guard(ToolCall.of("shared"), AGENT, () -> "error", result -> true);
    assertThat(failed.ran()).isTrue();
    assertThat(events).singleElement().extracting(AuditEvent::outcome).isEqualTo(Outcome.FAILED);
    // pool holds 1 of 3 after the refund of 2: a request costing 2 fits, one costing 3 does not.
    CounterRequest pool = store.reserved.get(0).get(0);
    CounterRequest two = new CounterRequest(pool.counter(), pool.scopeKind(), pool.scopeValue(),
        pool.windowMillis(), pool.algorithm(), pool.maxMillionths(), 2 * CounterRequest.MILLIONTHS_PER_UNIT);
    CounterRequest three = new CounterRequest(pool.counter(), pool.scopeKind(), pool.scopeValue(),
        pool.windowMillis(), pool.algorithm(), pool.maxMillionths(), 3 * CounterRequest.MILLIONTHS_PER_UNIT);
    assertThat(store.inner.reserve(List.of(three), clock.millis()).isGranted()).isFalse();
    assertThat(store.inner.reserve(List.of(two), clock.millis()).isGranted()).isTrue();
  }

  @Test
  void guardReturnsTheDecisionWithTheResultOrTheRefusal() {
    PolicyEngine e = engine(InMemoryCounterStore.create());
    Guarded<Map<String, Integer>> ran = e.guard(ToolCall.of("once"), AGENT, () -> Map.of("n", 1));
    assertThat(ran.ran()).isTrue();
    assertThat(ran.result()).containsEntry("n", 1);
    assertThat(ran.decision().kind()).isEqualTo(Kind.ALLOW);
    Guarded<Map<String, Integer>> refused = e.guard(ToolCall.of("once"), AGENT, () -> Map.of("n", 2));
    assertThat(refused.ran()).isFalse();
    assertThat(refused.result()).isNull();
    assertThat(refused.decision().kind()).isEqualTo(Kind.RATE_LIMITED);
  }

  @Test
  void onlyUnreadableArgumentsAreDeniedAsSuch() {
    String policy = String.join("\n",
        "version: '1'",
        "tools:",
        "  t:",
        "    conditions: [{path: args.n, op: lt, value: 5}]",
        "  u:",
        "    conditions: [{path: identity.attributes.team, op: eq, value: x}]",
        "");
    PolicyEngine e = PolicyEngine.builder(Policy.parse(policy)).clock(clock).build();
    Decision unreadable = e.evaluate(ToolCall.of("t", Map.of("n", new Object())), AGENT);
    assertThat(unreadable.rule()).isEqualTo("arguments");
    // Not the arguments: an attribute no JSON holds is an internal error, whatever it throws.
    Decision broken = e.evaluate(ToolCall.of("u"), AGENT.withAttributes(Map.of("team", new Object())));
    assertThat(broken.kind()).isEqualTo(Kind.DENY);
    assertThat(broken.rule()).isEqualTo("error");
  }
}
