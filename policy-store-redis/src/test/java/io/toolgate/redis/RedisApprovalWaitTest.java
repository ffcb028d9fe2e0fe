package io.toolgate.redis;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.PendingApproval;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Waiting calls on the Redis approval queue, on a real redis-server: two engines (A and B) share
 * one queue; a call held in A with {@code wait: 2m} is answered through B. No sleeps: each test
 * learns that a call waits from B's listener.
 */
@Timeout(120)
class RedisApprovalWaitTest {
  private static final String POLICY = """
      version: '1'
      tools:
        deploy: { action: require_approval, wait: 2m, reason: a person checks deploys }
      """;
  private static final ToolCall DEPLOY = ToolCall.of("deploy", Map.of("env", "prod"));
  private static final CallContext AGENT = CallContext.of("agent-1");

  private final Clock clock = Clock.systemUTC();
  private final String prefix = "ap-wait-" + UUID.randomUUID() + ":";
  private final RedisClient clientA = RedisServer.sharedClient();
  private final RedisClient clientB = RedisServer.sharedClient();
  private final RedisApprovalQueue queueA = RedisApprovalQueue.builder(clientA, clock).keyPrefix(prefix).build();
  private final RedisApprovalQueue queueB = RedisApprovalQueue.builder(clientB, clock).keyPrefix(prefix).build();
  private final PolicyEngine engineA = PolicyEngine.builder(Policy.parse(POLICY)).approvals(queueA).build();
  private final BlockingQueue<String> heardInB = new LinkedBlockingQueue<>();
  private final AtomicInteger runs = new AtomicInteger();

  RedisApprovalWaitTest() {
    queueB.subscribe(new ApprovalQueue.Listener() {
      @Override
      public void pending(PendingApproval request) {
        heardInB.add(request.id());
      }
    });
  }

  @AfterEach
  void close() {
    queueA.close();
    queueB.close();
    clientA.shutdown();
    clientB.shutdown();
  }

  private String nextPending() throws InterruptedException {
    String id = heardInB.poll(30, SECONDS);
    assertThat(id).as("B hears of a pending request").isNotNull();
    return id;
  }

  private CompletableFuture<String> deployInA() {
    return engineA.callAsync(DEPLOY, AGENT, () -> {
      runs.incrementAndGet();
      return CompletableFuture.completedFuture("deployed");
    }).toCompletableFuture();
  }

  private ApprovalRequest request() {
    return new ApprovalRequest(DEPLOY, AGENT, "/tools/deploy", "a person checks deploys", clock.instant());
  }

  @Test
  void approvedThroughBTheWaitingCallInARunsOnceInTheSameCall() throws Exception {
    CompletableFuture<String> call = deployInA();
    String id = nextPending();
    assertThat(call).isNotDone();
    assertThat(queueA.waiting()).as("A waits for the answer").isEqualTo(1);

    assertThat(queueB.approve(id, "alice")).isTrue();

    assertThat(call.get(30, SECONDS)).isEqualTo("deployed");
    assertThat(runs).hasValue(1);
    assertThat(queueB.pending()).isEmpty();
    assertThat(queueA.waiting()).as("no waiter left").isZero();
    assertThat(queueB.check(request())).as("the approval was used once: a new request")
        .isInstanceOfSatisfying(ApprovalStatus.Pending.class, p -> assertThat(p.approvalId()).isNotEqualTo(id));
  }

  @Test
  void rejectedThroughBTheWaitingCallInAIsDenied() throws Exception {
    CompletableFuture<Decision> call = engineA.evaluateAsync(DEPLOY, AGENT).toCompletableFuture();
    String id = nextPending();
    assertThat(queueB.reject(id, "bob", "not on a Friday")).isTrue();
    Decision decision = call.get(30, SECONDS);
    assertThat(decision.kind()).isEqualTo(Decision.Kind.DENY);
    assertThat(decision.reason()).contains("not on a Friday");
    assertThat(queueA.waiting()).isZero();
  }

  @Test
  void cancellingTheWaitingCallInAWithdrawsTheRequestForB() throws Exception {
    CompletableFuture<String> call = deployInA();
    String id = nextPending();
    assertThat(queueB.pending()).extracting(PendingApproval::id).containsExactly(id);

    assertThat(call.cancel(true)).isTrue();

    assertThat(queueB.pending()).as("withdrawn").isEmpty();
    assertThat(queueB.pendingCount()).isZero();
    assertThat(queueB.approve(id, "alice")).as("nothing left to approve").isFalse();
    assertThat(queueA.waiting()).as("the waiter is forgotten").isZero();
    assertThat(runs).hasValue(0);
    assertThat(queueA.check(request())).as("the principal's allowance is free: a new request")
        .isInstanceOfSatisfying(ApprovalStatus.Pending.class, p -> assertThat(p.approvalId()).isNotEqualTo(id));
  }

  @Test
  void aWithdrawnRequestStaysPendingWhileAnotherCallInThisProcessWaits() throws Exception {
    CompletableFuture<Decision> first = engineA.evaluateAsync(DEPLOY, AGENT).toCompletableFuture();
    String id = nextPending();
    CompletableFuture<Decision> second = engineA.evaluateAsync(DEPLOY, AGENT).toCompletableFuture();
    assertThat(second).isNotDone();
    first.cancel(true);
    assertThat(queueB.pending()).extracting(PendingApproval::id).containsExactly(id);
    assertThat(queueB.approve(id, "alice")).isTrue();
    assertThat(second.get(30, SECONDS).isAllowed()).isTrue();
  }

  @Test
  void anAnswerGivenBeforeTheWaiterRegistersIsNotMissed() {
    String id = ((ApprovalStatus.Pending) queueA.check(request())).approvalId();
    assertThat(queueB.approve(id, "alice")).isTrue();
    assertThat(queueA.whenAnswered(request(), id).toCompletableFuture()).as("found answered").isDone();
    assertThat(queueA.waiting()).isZero();
  }

  @Test
  void aCancelledWaiterIsForgotten() {
    String id = ((ApprovalStatus.Pending) queueA.check(request())).approvalId();
    CompletableFuture<Void> waiter = queueA.whenAnswered(request(), id).toCompletableFuture();
    assertThat(waiter).isNotDone();
    assertThat(queueA.waiting()).isEqualTo(1);
    waiter.cancel(false);
    assertThat(queueA.waiting()).isZero();
    assertThat(queueB.pending()).as("cancelling alone withdraws nothing").extracting(PendingApproval::id).containsExactly(id);
  }

  @Test
  void hostileIdsWaitForNothingAndWithdrawNothing() {
    String id = ((ApprovalStatus.Pending) queueA.check(request())).approvalId();
    for (String hostile : new String[] {"", "*", "../" + id, id + "x", "}:ap:pending", "e:" + id, "\u0000"}) {
      assertThat(queueA.whenAnswered(request(), hostile).toCompletableFuture()).as(hostile).isDone();
      queueA.withdraw(request(), hostile);
    }
    assertThat(queueA.waiting()).isZero();
    assertThat(queueB.pending()).extracting(PendingApproval::id).containsExactly(id);
  }

  @Test
  void whenRedisFailsTheWaiterCompletesAndTheCallIsRefused() throws Exception {
    try (RedisServer server = RedisServer.start()) {
      RedisClient client = RedisClient.create(server.uri());
      client.setOptions(RedisCounterStore.recommendedClientOptions());
      // Time enough for the commands before the kill; after it they fail at once (not connected).
      try (RedisApprovalQueue queue = RedisApprovalQueue.builder(client, clock).keyPrefix(prefix)
          .commandTimeout(Duration.ofSeconds(5)).build()) {
        String id = ((ApprovalStatus.Pending) queue.check(request())).approvalId();
        server.kill();
        assertThat(queue.whenAnswered(request(), id).toCompletableFuture().get(30, SECONDS)).isNull();
        assertThat(queue.waiting()).isZero();
        PolicyEngine engine = PolicyEngine.builder(Policy.parse(POLICY)).approvals(queue).build();
        Decision refused = engine.evaluateAsync(DEPLOY, AGENT).toCompletableFuture().get(30, SECONDS);
        assertThat(refused.isAllowed()).isFalse();
        assertThat(refused.reason()).contains("approval queue is unavailable");
      } finally {
        client.shutdown();
      }
    }
  }
}
