package io.toolgate.engine;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.api.AuditEvent;
import io.toolgate.api.CallContext;
import io.toolgate.api.CallObservation;
import io.toolgate.api.CallObserver;
import io.toolgate.api.CallEnvelope;
import io.toolgate.api.Decision;
import io.toolgate.api.Decision.Kind;
import io.toolgate.api.PolicyViolationException;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.approval.PendingApproval;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md section 5: a require_approval entry with {@code wait} holds the call until it is
 * answered or the wait ends. Each test learns that a call waits from the queue's listener (the
 * request is pending) and answers through the queue; no sleeps.
 */
class ApprovalWaitTest {
  private static final ToolCall DEPLOY = ToolCall.of("deploy", Map.of("env", "prod"));
  private static final CallContext AGENT = CallContext.of("agent");

  private final MutableClock clock = new MutableClock("2026-01-01T10:00:00Z");
  private final InMemoryApprovalQueue queue = InMemoryApprovalQueue.builder(clock).build();
  private final BlockingQueue<String> pending = new LinkedBlockingQueue<>();
  private final List<AuditEvent> audited = new CopyOnWriteArrayList<>();
  private final AtomicInteger runs = new AtomicInteger();
  private final ExecutorService callers = Executors.newCachedThreadPool();

  ApprovalWaitTest() {
    queue.subscribe(new ApprovalQueue.Listener() {
      @Override
      public void pending(PendingApproval request) {
        pending.add(request.id());
      }
    });
  }

  @AfterEach
  void stop() {
    callers.shutdownNow();
  }

  private PolicyEngine engine(String wait) {
    String policy = "version: '1'\ntools:\n  deploy: {action: require_approval, wait: " + wait + ", reason: production}\n";
    return PolicyEngine.builder(Policy.parse(policy)).clock(clock).approvals(queue).audit(audited::add).build();
  }

  private String deploy() {
    runs.incrementAndGet();
    return "deployed";
  }

  private String nextPending() throws InterruptedException {
    String id = pending.poll(30, SECONDS);
    assertThat(id).as("a request became pending").isNotNull();
    return id;
  }

  @Test
  void approvedInTimeRunsOnceAndReturnsTheToolsResultInTheSameCall() throws Exception {
    PolicyEngine engine = engine("10m");
    Future<String> call = callers.submit(() -> engine.call(DEPLOY, AGENT, this::deploy));
    assertThat(queue.approve(nextPending(), "alice")).isTrue();
    assertThat(call.get(30, SECONDS)).isEqualTo("deployed");
    assertThat(runs).hasValue(1);
    assertThat(queue.pending()).isEmpty();
    assertThat(audited).as("one decision").singleElement()
        .satisfies(e -> assertThat(e.decision().isAllowed()).isTrue());
  }

  @Test
  void rejectedInTimeIsDenied() throws Exception {
    PolicyEngine engine = engine("10m");
    Future<Decision> call = callers.submit(() -> engine.evaluate(DEPLOY, AGENT));
    assertThat(queue.reject(nextPending(), "alice", "not on a Friday")).isTrue();
    Decision decision = call.get(30, SECONDS);
    assertThat(decision.kind()).isEqualTo(Kind.DENY);
    assertThat(decision.reason()).contains("not on a Friday");
  }

  @Test
  void whenTheWaitEndsTheCallIsApprovalRequiredWithItsId() throws Exception {
    PolicyEngine engine = engine("1s");
    assertThatThrownBy(() -> engine.call(DEPLOY, AGENT, this::deploy))
        .isInstanceOfSatisfying(PolicyViolationException.class, e -> {
          assertThat(e.decision().kind()).isEqualTo(Kind.APPROVAL_REQUIRED);
          assertThat(((Decision.ApprovalRequired) e.decision()).approvalId()).isEqualTo(pending.peek());
        });
    assertThat(runs).hasValue(0);
    assertThat(queue.pending()).as("still pending: the agent may re-send once approved").hasSize(1);
    assertThat(audited).hasSize(1);
  }

  @Test
  void theAsyncPathBlocksNoThreadWhileItWaits() throws Exception {
    PolicyEngine engine = engine("10m");
    ExecutorService single = Executors.newSingleThreadExecutor();
    try {
      CompletableFuture<CompletionStage<String>> started = CompletableFuture.supplyAsync(
          () -> engine.callAsync(DEPLOY, AGENT, () -> CompletableFuture.completedFuture(deploy())), single);
      CompletionStage<String> result = started.get(30, SECONDS);
      String id = nextPending();
      CountDownLatch free = new CountDownLatch(1);
      single.execute(free::countDown);
      assertThat(free.await(30, SECONDS)).as("the only thread is free while the call waits").isTrue();
      assertThat(result.toCompletableFuture()).isNotDone();
      assertThat(queue.approve(id, "alice")).isTrue();
      assertThat(result.toCompletableFuture().get(30, SECONDS)).isEqualTo("deployed");
      assertThat(runs).hasValue(1);
      assertThat(audited).hasSize(1);
    } finally {
      single.shutdownNow();
    }
  }

  @Test
  void theAsyncWaitEndsAsApprovalRequired() throws Exception {
    PolicyEngine engine = engine("1s");
    Decision decision = engine.evaluateAsync(DEPLOY, AGENT).toCompletableFuture().get(30, SECONDS);
    assertThat(decision.kind()).isEqualTo(Kind.APPROVAL_REQUIRED);
    assertThat(((Decision.ApprovalRequired) decision).approvalId()).isEqualTo(nextPending());
  }

  @Test
  void cancellingTheAsyncCallWithdrawsTheRequest() throws Exception {
    PolicyEngine engine = engine("10m");
    CompletableFuture<String> result =
        engine.callAsync(DEPLOY, AGENT, () -> CompletableFuture.completedFuture(deploy())).toCompletableFuture();
    String id = nextPending();
    assertThat(queue.pending()).extracting(PendingApproval::id).containsExactly(id);
    assertThat(result.cancel(true)).isTrue();
    assertThat(queue.pending()).as("withdrawn").isEmpty();
    assertThat(queue.pendingCount()).isZero();
    assertThat(queue.approve(id, "alice")).as("nothing left to approve").isFalse();
    assertThat(runs).hasValue(0);
  }

  @Test
  void aWithdrawnRequestStaysPendingWhileAnIdenticalCallStillWaits() throws Exception {
    PolicyEngine engine = engine("10m");
    CompletableFuture<Decision> first = engine.evaluateAsync(DEPLOY, AGENT).toCompletableFuture();
    String id = nextPending();
    CompletableFuture<Decision> second = engine.evaluateAsync(DEPLOY, AGENT).toCompletableFuture();
    first.cancel(true);
    assertThat(queue.pending()).extracting(PendingApproval::id).containsExactly(id);
    assertThat(queue.approve(id, "alice")).isTrue();
    assertThat(second.get(30, SECONDS).isAllowed()).isTrue();
  }

  @Test
  void anInterruptedCallerWithdrawsAndGetsApprovalRequired() throws Exception {
    PolicyEngine engine = engine("10m");
    CompletableFuture<Thread> caller = new CompletableFuture<>();
    Future<Decision> call = callers.submit(() -> {
      caller.complete(Thread.currentThread());
      return engine.evaluate(DEPLOY, AGENT);
    });
    nextPending();
    caller.get(30, SECONDS).interrupt();
    Decision decision = call.get(30, SECONDS);
    assertThat(decision.kind()).isEqualTo(Kind.APPROVAL_REQUIRED);
    assertThat(queue.pending()).isEmpty();
  }

  @Test
  void aServiceThatCannotWaitOrFailsToIsAskedOnceMoreAndTheCallStaysHeld() throws Exception {
    String policy = "version: '1'\ntools:\n  deploy: {action: require_approval, wait: 15m}\n";
    AtomicInteger asked = new AtomicInteger();
    ApprovalService cannotWait = request -> {
      asked.incrementAndGet();
      return new ApprovalStatus.Pending("p-1");
    };
    ApprovalService fails = new ApprovalService() {
      @Override
      public ApprovalStatus check(ApprovalRequest request) {
        return cannotWait.check(request);
      }

      @Override
      public CompletionStage<Void> whenAnswered(ApprovalRequest request, String approvalId) {
        throw new IllegalStateException("boom");
      }
    };
    for (ApprovalService service : List.of(cannotWait, fails)) {
      asked.set(0);
      PolicyEngine engine = PolicyEngine.builder(Policy.parse(policy)).clock(clock).approvals(service).build();
      assertThat(engine.evaluate(DEPLOY, AGENT).kind()).isEqualTo(Kind.APPROVAL_REQUIRED);
      assertThat(asked).hasValue(2);
      assertThat(engine.evaluateAsync(DEPLOY, AGENT).toCompletableFuture().get(30, SECONDS).kind())
          .isEqualTo(Kind.APPROVAL_REQUIRED);
    }
  }

  @Test
  void theQueueAnswersAtOnceForARequestThatIsNotPending() {
    assertThat(queue.whenAnswered(null, "no-such-id").toCompletableFuture()).isDone();
    assertThat(queue.whenAnswered(null, null).toCompletableFuture()).isDone();
    queue.withdraw(null, "no-such-id"); // nothing to withdraw, nothing thrown
  }

  @Test
  void explainNeverWaits() {
    PolicyEngine engine = engine("10m");
    assertThat(engine.explain(DEPLOY, AGENT).decision().kind()).isEqualTo(Kind.APPROVAL_REQUIRED);
  }

  @Test
  void theCallsEnvelopeHearsOnceThatItIsHeldWithTheRequestIdAndTheEndOfTheWait() throws Exception {
    PolicyEngine engine = engine("2m");
    BlockingQueue<String> held = new LinkedBlockingQueue<>();
    CallEnvelope envelope = new CallEnvelope() {
      @Override
      public void held(String approvalId, Instant until) {
        held.add(approvalId + " until " + until);
      }
    };
    ToolCall call = DEPLOY.withEnvelope(envelope);
    Future<String> sync = callers.submit(() -> engine.call(call, AGENT, this::deploy));
    String first = nextPending();
    assertThat(held.poll(30, SECONDS)).isEqualTo(first + " until 2026-01-01T10:02:00Z");
    queue.approve(first, "alice");
    assertThat(sync.get(30, SECONDS)).isEqualTo("deployed");

    CompletionStage<Decision> async = engine.evaluateAsync(call, AGENT);
    String second = nextPending();
    assertThat(held.poll(30, SECONDS)).isEqualTo(second + " until 2026-01-01T10:02:00Z");
    queue.approve(second, "alice");
    assertThat(async.toCompletableFuture().get(30, SECONDS).isAllowed()).isTrue();
    assertThat(held).as("told once per held call").isEmpty();
  }

  @Test
  void anEnvelopeThatThrowsWhenToldItIsHeldDoesNotChangeTheDecision() throws Exception {
    PolicyEngine engine = engine("10m");
    ToolCall call = DEPLOY.withEnvelope(new CallEnvelope() {
      @Override
      public void held(String approvalId, Instant until) {
        throw new IllegalStateException("boom");
      }
    });
    Future<String> sync = callers.submit(() -> engine.call(call, AGENT, this::deploy));
    queue.approve(nextPending(), "alice");
    assertThat(sync.get(30, SECONDS)).isEqualTo("deployed");
  }

  @Test
  void aHeldCallCancelledWhileItWaitsIsAuditedAsItStoodAndNotRun() throws Exception {
    BlockingQueue<AuditEvent> events = new LinkedBlockingQueue<>();
    BlockingQueue<String> finished = new LinkedBlockingQueue<>();
    CallObserver observer = (call, context) -> new CallObservation() {
      @Override
      public void finished(AuditEvent.Outcome outcome, long runNanos, Throwable failure) {
        finished.add(outcome.name());
      }
    };
    String policy = "version: '1'\ntools:\n  deploy: {action: require_approval, wait: 10m, reason: production}\n";
    PolicyEngine engine = PolicyEngine.builder(Policy.parse(policy)).clock(clock).approvals(queue)
        .audit(events::add).observe(observer).build();
    CompletableFuture<String> call = engine.callAsync(DEPLOY, AGENT,
        () -> CompletableFuture.completedFuture(deploy())).toCompletableFuture();
    String id = nextPending();
    assertThat(call.cancel(false)).isTrue();

    AuditEvent event = events.poll(30, SECONDS);
    assertThat(event).as("the cancelled call is audited").isNotNull();
    assertThat(event.decision().kind()).isEqualTo(Kind.APPROVAL_REQUIRED);
    assertThat(((Decision.ApprovalRequired) event.decision()).approvalId()).isEqualTo(id);
    assertThat(event.outcome()).isEqualTo(AuditEvent.Outcome.NOT_RUN);
    assertThat(finished.poll(30, SECONDS)).as("its observation ends").isEqualTo("NOT_RUN");
    assertThat(queue.pending()).as("withdrawn").isEmpty();
    assertThat(runs).hasValue(0);
    assertThat(events).as("audited once").isEmpty();
  }
}
