package io.toolgate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.lettuce.core.RedisClient;
import io.toolgate.api.ApprovalAnswerEvent;
import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.api.AuditEvent;
import io.toolgate.api.AuditSink;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.approval.ApprovalAnswer;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.ArgumentsDigest;
import io.toolgate.engine.approval.PendingApproval;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Redis approval queue across restarts, replicas, failures and hostile input, on a real redis-server. */
@Timeout(120)
class RedisApprovalQueueTest {
  private static final String POLICY = """
      version: '1'
      tools:
        deploy: { action: require_approval, reason: a person checks deploys }
      """;
  private final Clock clock = Clock.systemUTC();
  private final String prefix = "ap-test-" + UUID.randomUUID() + ":";

  private RedisApprovalQueue queue(RedisClient client) {
    return RedisApprovalQueue.builder(client, clock).keyPrefix(prefix).build();
  }

  private static RedisClient client() {
    return RedisServer.sharedClient();
  }

  private ApprovalRequest request(String principal, Map<String, ?> args) {
    return new ApprovalRequest(ToolCall.of("deploy", args), CallContext.of(principal).withSession("s-1"),
        "/tools/deploy", "a person checks deploys", clock.instant());
  }

  @Test
  void aRestartOfTheApplicationLosesNothing() {
    ApprovalRequest pending = request("agent-1", Map.of("project", 1));
    ApprovalRequest approved = request("agent-1", Map.of("project", 2));
    ApprovalRequest rejected = request("agent-1", Map.of("project", 3));
    String pendingId;
    String approvedId;
    String rejectedId;
    RedisClient before = client();
    try (RedisApprovalQueue queue = queue(before)) {
      pendingId = ((ApprovalStatus.Pending) queue.check(pending)).approvalId();
      approvedId = ((ApprovalStatus.Pending) queue.check(approved)).approvalId();
      rejectedId = ((ApprovalStatus.Pending) queue.check(rejected)).approvalId();
      assertThat(queue.answer(approvedId, ApprovalQueue.Verdict.APPROVED, "alice", "go")).isEqualTo(ApprovalQueue.AnswerResult.ANSWERED);
      assertThat(queue.reject(rejectedId, "bob", "not today")).isTrue();
    } finally {
      before.shutdown();
    }

    RedisClient after = client();
    try (RedisApprovalQueue queue = queue(after)) {
      assertThat(queue.pending()).extracting(PendingApproval::id).containsExactly(pendingId);
      PendingApproval shown = queue.pending(pendingId).orElseThrow();
      assertThat(shown.request().call().arguments()).isEqualTo(pending.call().arguments());
      assertThat(shown.request().context().sessionId()).isEqualTo("s-1");
      assertThat(shown.request().requestedAt()).isEqualTo(pending.requestedAt());
      assertThat(queue.check(pending)).isEqualTo(new ApprovalStatus.Pending(pendingId));
      assertThat(queue.check(approved)).isEqualTo(new ApprovalStatus.Approved(approvedId, "alice"));
      assertThat(queue.check(rejected)).isEqualTo(new ApprovalStatus.Rejected(rejectedId, "bob", "not today"));
      assertThat(queue.history(10)).extracting(ApprovalAnswer::id).containsExactly(rejectedId, approvedId);
    } finally {
      after.shutdown();
    }
  }

  @Test
  void aCallHeldInOneEngineIsApprovedThroughAnotherQueueAndPassesOnceThere() throws Exception {
    RedisClient clientA = client();
    RedisClient clientB = client();
    try (RedisApprovalQueue queueA = queue(clientA); RedisApprovalQueue queueB = queue(clientB)) {
      CompletableFuture<ApprovalAnswerEvent> auditedInA = new CompletableFuture<>();
      AuditSink auditA = new AuditSink() {
        @Override
        public void record(AuditEvent event) {}

        @Override
        public void approvalAnswered(ApprovalAnswerEvent event) {
          auditedInA.complete(event);
        }
      };
      PolicyEngine engineA = PolicyEngine.builder(Policy.parse(POLICY)).approvals(queueA).audit(auditA).build();
      PolicyEngine engineB = PolicyEngine.builder(Policy.parse(POLICY)).approvals(queueB).build();
      CompletableFuture<PendingApproval> heardInB = new CompletableFuture<>();
      CompletableFuture<ApprovalAnswer> heardInA = new CompletableFuture<>();
      queueB.subscribe(new ApprovalQueue.Listener() {
        @Override
        public void pending(PendingApproval request) {
          heardInB.complete(request);
        }
      });
      queueA.subscribe(new ApprovalQueue.Listener() {
        @Override
        public void answered(ApprovalAnswer answer) {
          heardInA.complete(answer);
        }
      });
      ToolCall deploy = ToolCall.of("deploy", Map.of("project", 7));
      CallContext agent = CallContext.of("agent-1");

      Decision held = engineA.evaluate(deploy, agent);
      assertThat(held.kind()).isEqualTo(Decision.Kind.APPROVAL_REQUIRED);
      String id = ((Decision.ApprovalRequired) held).approvalId();
      assertThat(heardInB.get(30, TimeUnit.SECONDS).id()).as("B hears of A's request").isEqualTo(id);
      assertThat(engineB.evaluate(deploy, agent)).as("the same request in B")
          .isInstanceOfSatisfying(Decision.ApprovalRequired.class, d -> assertThat(d.approvalId()).isEqualTo(id));

      assertThat(queueB.approve(id, "alice")).isTrue();
      assertThat(heardInA.get(30, TimeUnit.SECONDS).approver()).as("A hears of B's answer").isEqualTo("alice");
      ApprovalAnswerEvent audited = auditedInA.get(30, TimeUnit.SECONDS);
      assertThat(audited.approvalId()).as("A's audit records B's answer").isEqualTo(id);
      assertThat(audited.approved()).isTrue();
      assertThat(audited.argsDigest()).isEqualTo(ArgumentsDigest.of(deploy.arguments()));

      assertThat(engineA.evaluate(deploy, agent).kind()).isEqualTo(Decision.Kind.ALLOW);
      Decision again = engineA.evaluate(deploy, agent);
      Decision inB = engineB.evaluate(deploy, agent);
      assertThat(again.kind()).as("used once").isEqualTo(Decision.Kind.APPROVAL_REQUIRED);
      assertThat(((Decision.ApprovalRequired) again).approvalId()).isNotEqualTo(id);
      assertThat(inB.kind()).as("and not again in B").isEqualTo(Decision.Kind.APPROVAL_REQUIRED);
    } finally {
      clientA.shutdown();
      clientB.shutdown();
    }
  }

  @Test
  void whenRedisIsDownAHeldCallIsRefusedWithAReasonAndNothingThrows() {
    try (RedisServer server = RedisServer.start()) {
      RedisClient client = RedisClient.create(server.uri());
      client.setOptions(RedisCounterStore.recommendedClientOptions());
      // Time enough for the commands before the kill; after it they fail at once (not connected).
      try (RedisApprovalQueue queue = RedisApprovalQueue.builder(client, clock).keyPrefix(prefix)
          .commandTimeout(Duration.ofSeconds(5)).build()) {
        PolicyEngine engine = PolicyEngine.builder(Policy.parse(POLICY)).approvals(queue).build();
        ToolCall deploy = ToolCall.of("deploy", Map.of("project", 9));
        assertThat(engine.evaluate(deploy, CallContext.of("agent-1")).kind()).isEqualTo(Decision.Kind.APPROVAL_REQUIRED);

        server.kill();

        assertThatCode(() -> engine.evaluate(deploy, CallContext.of("agent-1"))).doesNotThrowAnyException();
        Decision refused = engine.evaluate(deploy, CallContext.of("agent-1"));
        assertThat(refused.isAllowed()).isFalse();
        assertThat(refused.reason()).contains("approval queue is unavailable");
      } finally {
        client.shutdown();
      }
    }
  }

  @Test
  void hostilePrincipalsStayInTheirOwnEntries() {
    RedisClient client = client();
    try (RedisApprovalQueue queue = queue(client)) {
      String control = "agent\u0000\r\n\u001b[31m-1";
      String keyLike = prefix + "{toolgate}:ap:all";
      ApprovalRequest a = request(control, Map.of("project", 1));
      ApprovalRequest b = request(keyLike, Map.of("project", 1));
      ApprovalRequest c = request(null, Map.of("project", 1));
      String idA = ((ApprovalStatus.Pending) queue.check(a)).approvalId();
      String idB = ((ApprovalStatus.Pending) queue.check(b)).approvalId();
      String idC = ((ApprovalStatus.Pending) queue.check(c)).approvalId();

      assertThat(idA).isNotEqualTo(idB).isNotEqualTo(idC);
      assertThat(queue.pending(idA).orElseThrow().request().context().principal()).isEqualTo(control);
      assertThat(queue.pending(idB).orElseThrow().request().context().principal()).isEqualTo(keyLike);
      assertThat(queue.pending(idC).orElseThrow().request().context().principal()).isNull();
      assertThat(queue.pendingCount()).isEqualTo(3);
      assertThat(queue.answer(idA, ApprovalQueue.Verdict.APPROVED, control.toUpperCase(), null))
          .isEqualTo(ApprovalQueue.AnswerResult.OWN_CALL);
      assertThat(queue.answer(idC, ApprovalQueue.Verdict.APPROVED, "alice", null))
          .as("a call without a principal may be approved").isEqualTo(ApprovalQueue.AnswerResult.ANSWERED);
    } finally {
      client.shutdown();
    }
  }

  @Test
  void megabyteArgumentsAreRefusedNotStored() {
    RedisClient client = client();
    try (RedisApprovalQueue queue = queue(client)) {
      ApprovalStatus status = queue.check(request("agent-1", Map.of("blob", "x".repeat(1 << 20))));

      assertThat(status).isInstanceOfSatisfying(ApprovalStatus.Rejected.class, r -> {
        assertThat(r.approvalId()).isNull();
        assertThat(r.reason()).contains("too large");
      });
      assertThat(queue.pendingCount()).isZero();
      assertThat(queue.check(request("agent-1", Map.of("blob", "x".repeat(1000)))))
          .isInstanceOf(ApprovalStatus.Pending.class);
    } finally {
      client.shutdown();
    }
  }

  @Test
  void expiryReadsTheQueuesClock() {
    RedisClient client = client();
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    try (RedisApprovalQueue queue = RedisApprovalQueue.builder(client, Clock.fixed(t0, java.time.ZoneOffset.UTC))
        .keyPrefix(prefix).expireAfter(Duration.ofMinutes(5)).build()) {
      String id = ((ApprovalStatus.Pending) queue.check(request("agent-1", Map.of()))).approvalId();
      assertThat(queue.pending(id).orElseThrow().expiresAt()).isEqualTo(t0.plus(Duration.ofMinutes(5)));
    } finally {
      client.shutdown();
    }
  }
}
