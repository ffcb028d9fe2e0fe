package io.toolgate.engine.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.api.ApprovalAnswerEvent;
import io.toolgate.api.AuditEvent;
import io.toolgate.api.AuditSink;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.ArgumentsDigest;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.internal.Jackson;
import java.io.StringWriter;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/** Every answer to an approval queue the engine was built with reaches the engine's audit sinks. */
class ApprovalAnswerAuditTest {
  private static final Policy POLICY = Policy.parse("""
      version: '1'
      tools:
        deploy: { action: require_approval }
      """);
  private final InMemoryApprovalQueue queue = InMemoryApprovalQueue.builder(Clock.systemUTC()).build();
  private final ToolCall deploy = ToolCall.of("deploy", Map.of("project", 7));
  private final CallContext agent = CallContext.of("agent-1");

  private static List<JsonNode> lines(StringWriter out) throws Exception {
    List<JsonNode> lines = new java.util.ArrayList<>();
    for (String line : out.toString().split("\n")) {
      lines.add(Jackson.JSON.readTree(line));
    }
    return lines;
  }

  @Test
  void anAnswerIsOneJsonLineWithTheCallsDigest() throws Exception {
    StringWriter out = new StringWriter();
    PolicyEngine engine = PolicyEngine.builder(POLICY).approvals(queue).audit(JsonLinesAuditSink.to(out)).build();

    String id = ((Decision.ApprovalRequired) engine.evaluate(deploy, agent)).approvalId();
    queue.answer(id, ApprovalQueue.Verdict.REJECTED, "bob", "not \"now\"\nplease");

    List<JsonNode> lines = lines(out);
    assertThat(lines).hasSize(2);
    JsonNode answer = lines.get(1);
    assertThat(answer.path("event").asText()).isEqualTo("approval_answered");
    assertThat(answer.path("approval_id").asText()).isEqualTo(id);
    assertThat(answer.path("tool").asText()).isEqualTo("deploy");
    assertThat(answer.path("principal").asText()).isEqualTo("agent-1");
    assertThat(answer.path("verdict").asText()).isEqualTo("rejected");
    assertThat(answer.path("approver").asText()).isEqualTo("bob");
    assertThat(answer.path("comment").asText()).as("cut as agent text is").isEqualTo("not \"now\"?please");
    assertThat(answer.path("args_digest").asText())
        .isEqualTo(ArgumentsDigest.of(deploy.arguments()))
        .isEqualTo(lines.get(0).path("args_digest").asText());
    assertThat(answer.path("time").asText()).isNotEmpty();
  }

  @Test
  void anAnswerIsOneLogLineAtInfo() {
    Slf4jAuditSinkTest.CapturingLogger logger = new Slf4jAuditSinkTest.CapturingLogger(Level.TRACE);
    PolicyEngine engine = PolicyEngine.builder(POLICY).approvals(queue).audit(Slf4jAuditSink.of(logger)).build();

    String id = ((Decision.ApprovalRequired) engine.evaluate(deploy, agent)).approvalId();
    assertThat(queue.answer(id, ApprovalQueue.Verdict.APPROVED, "alice", "ship it\r\n"))
        .isEqualTo(ApprovalQueue.AnswerResult.ANSWERED);

    assertThat(logger.lines).hasSize(2);
    assertThat(logger.lines.get(1)).startsWith("INFO event=approval_answered approval_id=" + id)
        .contains(" tool=deploy principal=agent-1 verdict=approved approver=alice")
        .contains(" args_digest=" + ArgumentsDigest.of(deploy.arguments()))
        .endsWith(" comment=\"ship it??\"");
  }

  @Test
  void aSinkWithoutTheMethodOrOneThatThrowsChangesNothing() {
    List<AuditEvent> decisions = new java.util.concurrent.CopyOnWriteArrayList<>();
    AuditSink throwing = new AuditSink() {
      @Override
      public void record(AuditEvent event) {}

      @Override
      public void approvalAnswered(ApprovalAnswerEvent event) {
        throw new IllegalStateException("boom");
      }
    };
    PolicyEngine engine = PolicyEngine.builder(POLICY).approvals(queue).audit(decisions::add).audit(throwing).build();

    String id = ((Decision.ApprovalRequired) engine.evaluate(deploy, agent)).approvalId();
    assertThat(queue.approve(id, "alice")).isTrue();
    assertThat(engine.evaluate(deploy, agent).isAllowed()).isTrue();
    assertThat(decisions).hasSize(2);
  }

  @Test
  void anAsyncSinkPassesAnswersOn() {
    StringWriter out = new StringWriter();
    try (AsyncAuditSink async = AsyncAuditSink.wrap(JsonLinesAuditSink.to(out)).build()) {
      async.approvalAnswered(new ApprovalAnswerEvent(java.time.Instant.EPOCH, "id-1", "deploy", null, true, "alice",
          null, "ab"));
    }
    assertThat(out.toString()).contains("\"approval_id\":\"id-1\"").contains("\"principal\":null");
  }
}
