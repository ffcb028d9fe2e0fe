package io.toolgate.engine;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.api.CallContext;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterStore;
import io.toolgate.api.Decision;
import io.toolgate.api.Decision.Kind;
import io.toolgate.api.ReserveResult;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.store.InMemoryCounterStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** DESIGN.md "Hostile input": an approval is used only by a call that was admitted. */
class ApprovalAdmissionTest {
  /** The engine's store timeout: the default 2 s could pass while the test holds the first call. */
  private static final Duration HANG_GUARD = Duration.ofMinutes(1);
  private static final String POLICY = "version: '1'\ntools:\n  deploy:\n    action: require_approval\n"
      + "    limits: [{max: 1, window: minute, scope: global}]\n";
  private static final ToolCall DEPLOY = ToolCall.of("deploy", Map.of("env", "prod"));
  private static final CallContext AGENT = CallContext.of("agent");

  private final MutableClock clock = new MutableClock("2026-01-01T10:00:00Z");
  private final InMemoryApprovalQueue queue = InMemoryApprovalQueue.builder(clock).build();

  /** A store of unknown kind is waited for up to the store timeout: here one a loaded machine never reaches. */
  private PolicyEngine engine(CounterStore store) {
    return PolicyEngine.builder(Policy.parse(POLICY)).clock(clock).approvals(queue).counterStore(store)
        .storeTimeout(HANG_GUARD).build();
  }

  private String approvedRequest(PolicyEngine engine, ToolCall call) {
    Decision held = engine.evaluate(call, AGENT);
    assertThat(held.kind()).isEqualTo(Kind.APPROVAL_REQUIRED);
    String id = ((Decision.ApprovalRequired) held).approvalId();
    assertThat(queue.approve(id, "alice")).isTrue();
    return id;
  }

  @Test
  void aRateLimitedCallLeavesItsApprovalForTheSameCallLater() {
    PolicyEngine engine = engine(InMemoryCounterStore.create());
    ToolCall other = ToolCall.of("deploy", Map.of("env", "staging"));
    approvedRequest(engine, other);
    assertThat(engine.evaluate(other, AGENT).isAllowed()).isTrue(); // takes the one call a minute

    String id = approvedRequest(engine, DEPLOY);
    assertThat(engine.evaluate(DEPLOY, AGENT).kind()).isEqualTo(Kind.RATE_LIMITED);
    assertThat(engine.evaluate(DEPLOY, AGENT).kind()).as("still approved, still limited").isEqualTo(Kind.RATE_LIMITED);
    clock.advance(Duration.ofMinutes(1));
    assertThat(engine.evaluate(DEPLOY, AGENT).isAllowed()).as("the same approval, once the limit allows it").isTrue();
    assertThat(queue.pending()).isEmpty();

    clock.advance(Duration.ofMinutes(1));
    Decision again = engine.evaluate(DEPLOY, AGENT);
    assertThat(again.kind()).as("the approval was used by the admitted call").isEqualTo(Kind.APPROVAL_REQUIRED);
    assertThat(((Decision.ApprovalRequired) again).approvalId()).isNotEqualTo(id);
  }

  @Test
  void theAsyncPathReleasesAndConfirmsToo() throws Exception {
    PolicyEngine engine = engine(InMemoryCounterStore.create());
    ToolCall other = ToolCall.of("deploy", Map.of("env", "staging"));
    approvedRequest(engine, other);
    assertThat(engine.evaluateAsync(other, AGENT).toCompletableFuture().get(30, SECONDS).isAllowed()).isTrue();

    approvedRequest(engine, DEPLOY);
    assertThat(engine.evaluateAsync(DEPLOY, AGENT).toCompletableFuture().get(30, SECONDS).kind()).isEqualTo(Kind.RATE_LIMITED);
    clock.advance(Duration.ofMinutes(1));
    assertThat(engine.evaluateAsync(DEPLOY, AGENT).toCompletableFuture().get(30, SECONDS).isAllowed()).isTrue();
    clock.advance(Duration.ofMinutes(1));
    assertThat(engine.evaluateAsync(DEPLOY, AGENT).toCompletableFuture().get(30, SECONDS).kind())
        .isEqualTo(Kind.APPROVAL_REQUIRED);
  }

  @Test
  void aFailedStoreLeavesTheApproval() throws Exception {
    AtomicBoolean failing = new AtomicBoolean(true);
    InMemoryCounterStore memory = InMemoryCounterStore.create();
    CounterStore flaky = new CounterStore() {
      @Override
      public ReserveResult reserve(List<CounterRequest> requests, long nowMillis) {
        if (failing.get()) {
          throw new IllegalStateException("store down");
        }
        return memory.reserve(requests, nowMillis);
      }

      @Override
      public void refund(List<CounterRequest> requests, long reservedAtMillis) {
        memory.refund(requests, reservedAtMillis);
      }
    };
    PolicyEngine engine = engine(flaky);
    approvedRequest(engine, DEPLOY);
    assertThat(engine.evaluate(DEPLOY, AGENT).reason()).contains("policy state unavailable");
    assertThat(engine.evaluateAsync(DEPLOY, AGENT).toCompletableFuture().get(30, SECONDS).reason())
        .contains("policy state unavailable");
    failing.set(false);
    assertThat(engine.evaluate(DEPLOY, AGENT).isAllowed()).isTrue();
  }

  @Test
  void twoIdenticalConcurrentCallsCoveredByOneApprovalDoNotBothRun() throws Exception {
    CountDownLatch firstIsReserving = new CountDownLatch(1);
    CountDownLatch letFirstFinish = new CountDownLatch(1);
    InMemoryCounterStore memory = InMemoryCounterStore.create();
    AtomicBoolean first = new AtomicBoolean(true);
    CounterStore gated = new CounterStore() {
      @Override
      public ReserveResult reserve(List<CounterRequest> requests, long nowMillis) {
        if (first.getAndSet(false)) {
          firstIsReserving.countDown();
          try {
            assertThat(letFirstFinish.await(30, SECONDS)).as("hang guard").isTrue();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
        }
        return memory.reserve(requests, nowMillis);
      }

      @Override
      public void refund(List<CounterRequest> requests, long reservedAtMillis) {
        memory.refund(requests, reservedAtMillis);
      }
    };
    PolicyEngine engine = PolicyEngine.builder(Policy.parse(
            "version: '1'\ntools:\n  deploy:\n    action: require_approval\n    limits: [{max: 100, window: minute}]\n"))
        .clock(clock).approvals(queue).counterStore(gated).storeTimeout(HANG_GUARD).build(); // the first call waits for the test
    first.set(false);
    String id = approvedRequest(engine, DEPLOY);
    first.set(true);

    CompletableFuture<Decision> firstCall = CompletableFuture.supplyAsync(() -> engine.evaluate(DEPLOY, AGENT));
    assertThat(firstIsReserving.await(30, SECONDS)).as("hang guard").isTrue();
    // the first call holds the approval while its limits are taken: the second does not run
    Decision second = engine.evaluate(DEPLOY, AGENT);
    assertThat(second.kind()).isEqualTo(Kind.APPROVAL_REQUIRED);
    assertThat(((Decision.ApprovalRequired) second).approvalId()).isEqualTo(id);
    letFirstFinish.countDown();
    assertThat(firstCall.get(30, SECONDS).isAllowed()).isTrue();

    Decision third = engine.evaluate(DEPLOY, AGENT);
    assertThat(third.kind()).isEqualTo(Kind.APPROVAL_REQUIRED);
    assertThat(((Decision.ApprovalRequired) third).approvalId()).isNotEqualTo(id);
  }

  @Test
  void aServiceIsToldOnceWhetherItsApprovalWasUsed() {
    List<String> told = new CopyOnWriteArrayList<>();
    ApprovalService service = new ApprovalService() {
      @Override
      public ApprovalStatus check(ApprovalRequest request) {
        return new ApprovalStatus.Approved("ap-1", "alice");
      }

      @Override
      public void confirm(ApprovalRequest request, ApprovalStatus.Approved approved) {
        told.add("confirm " + approved.approvalId() + " " + request.rule());
      }

      @Override
      public void release(ApprovalRequest request, ApprovalStatus.Approved approved) {
        told.add("release " + approved.approvalId() + " " + request.rule());
      }
    };
    PolicyEngine engine = PolicyEngine.builder(Policy.parse(POLICY)).clock(clock).approvals(service).build();
    assertThat(engine.evaluate(DEPLOY, AGENT).isAllowed()).isTrue();
    assertThat(engine.evaluate(DEPLOY, AGENT).kind()).isEqualTo(Kind.RATE_LIMITED);
    assertThat(engine.explain(DEPLOY, AGENT).decision().kind()).isEqualTo(Kind.RATE_LIMITED);
    assertThat(told).containsExactly("confirm ap-1 /tools/deploy", "release ap-1 /tools/deploy", "release ap-1 /tools/deploy");
  }

  @Test
  void aServiceThatFailsToSettleDoesNotChangeTheDecision() {
    ApprovalService service = new ApprovalService() {
      @Override
      public ApprovalStatus check(ApprovalRequest request) {
        return new ApprovalStatus.Approved("ap-1", "alice");
      }

      @Override
      public void confirm(ApprovalRequest request, ApprovalStatus.Approved approved) {
        throw new IllegalStateException("boom");
      }

      @Override
      public void release(ApprovalRequest request, ApprovalStatus.Approved approved) {
        throw new IllegalStateException("boom");
      }
    };
    PolicyEngine engine = PolicyEngine.builder(Policy.parse(POLICY)).clock(clock).approvals(service).build();
    assertThat(engine.evaluate(DEPLOY, AGENT).isAllowed()).isTrue();
    assertThat(engine.evaluate(DEPLOY, AGENT).kind()).isEqualTo(Kind.RATE_LIMITED);
  }
}
