package io.toolgate.engine;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.api.AuditEvent;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.Decision.Kind;
import io.toolgate.api.PolicyViolationException;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.approval.PendingApproval;
import io.toolgate.engine.audit.JsonLinesAuditSink;
import io.toolgate.engine.internal.Jackson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: the call that finally runs refers to its approval. An allow admitted on an approval
 * names it ({@link Decision.Allow#approvalId()}, the id its held call's {@link
 * Decision.ApprovalRequired} named), on the synchronous and the asynchronous paths, after a wait,
 * and in the audit line; an allow that used no approval names none.
 */
class ApprovalIdTest {
  private static final String POLICY = String.join("\n",
      "version: '1'",
      "tools:",
      "  deploy: {action: require_approval, reason: production}",
      "  deploy_limited:",
      "    action: require_approval",
      "    limits: [{max: 1, window: minute, scope: global}]",
      "  deploy_waiting: {action: require_approval, wait: 10m}",
      "  read_file: {}",
      "  read_limited: {limits: [{max: 5, window: minute}]}",
      "");
  private static final CallContext AGENT = CallContext.of("agent");

  private final MutableClock clock = new MutableClock("2026-01-01T10:00:00Z");
  private final InMemoryApprovalQueue queue = InMemoryApprovalQueue.builder(clock).build();
  private final BlockingQueue<String> pending = new LinkedBlockingQueue<>();
  private final List<AuditEvent> audited = new CopyOnWriteArrayList<>();
  private final ExecutorService callers = Executors.newCachedThreadPool();
  private final PolicyEngine engine;

  ApprovalIdTest() {
    queue.subscribe(new ApprovalQueue.Listener() {
      @Override
      public void pending(PendingApproval request) {
        pending.add(request.id());
      }
    });
    engine = PolicyEngine.builder(Policy.parse(POLICY)).clock(clock).approvals(queue).audit(audited::add).build();
  }

  @AfterEach
  void stop() {
    callers.shutdownNow();
  }

  private static ToolCall call(String tool) {
    return ToolCall.of(tool, Map.of("env", "prod"));
  }

  /** Holds {@code call}, approves its request and returns the request's id. */
  private String approved(ToolCall call) {
    Decision held = engine.evaluate(call, AGENT);
    assertThat(held.kind()).isEqualTo(Kind.APPROVAL_REQUIRED);
    String id = ((Decision.ApprovalRequired) held).approvalId();
    assertThat(queue.approve(id, "alice")).isTrue();
    return id;
  }

  private static String usedApproval(Decision decision) {
    assertThat(decision.kind()).isEqualTo(Kind.ALLOW);
    return ((Decision.Allow) decision).approvalId();
  }

  private String nextPending() throws InterruptedException {
    String id = pending.poll(30, SECONDS);
    assertThat(id).as("a request became pending").isNotNull();
    return id;
  }

  @Test
  void theSynchronousAllowNamesTheApprovalItUsed() {
    String id = approved(call("deploy"));
    assertThat(usedApproval(engine.evaluate(call("deploy"), AGENT))).isEqualTo(id);

    String limited = approved(call("deploy_limited"));
    assertThat(usedApproval(engine.evaluate(call("deploy_limited"), AGENT))).as("through the counters").isEqualTo(limited);
  }

  @Test
  void theAsynchronousAllowNamesTheApprovalItUsed() throws Exception {
    String id = approved(call("deploy"));
    assertThat(usedApproval(engine.evaluateAsync(call("deploy"), AGENT).toCompletableFuture().get(30, SECONDS))).isEqualTo(id);

    String limited = approved(call("deploy_limited"));
    assertThat(usedApproval(engine.evaluateAsync(call("deploy_limited"), AGENT).toCompletableFuture().get(30, SECONDS)))
        .as("through the counters").isEqualTo(limited);
  }

  @Test
  void anAllowThatUsedNoApprovalNamesNone() throws Exception {
    assertThat(usedApproval(engine.evaluate(call("read_file"), AGENT))).isNull();
    assertThat(usedApproval(engine.evaluate(call("read_limited"), AGENT))).isNull();
    assertThat(usedApproval(engine.evaluateAsync(call("read_limited"), AGENT).toCompletableFuture().get(30, SECONDS))).isNull();
  }

  @Test
  void aCallAdmittedAfterAWaitNamesThePendingIdThatWasApproved() throws Exception {
    Future<String> sync = callers.submit(() -> engine.call(call("deploy_waiting"), AGENT, () -> "deployed"));
    String first = nextPending();
    assertThat(queue.approve(first, "alice")).isTrue();
    assertThat(sync.get(30, SECONDS)).isEqualTo("deployed");
    assertThat(audited).singleElement().satisfies(e -> assertThat(usedApproval(e.decision())).isEqualTo(first));

    CompletableFuture<Decision> async = engine.evaluateAsync(call("deploy_waiting"), AGENT).toCompletableFuture();
    String second = nextPending();
    assertThat(second).as("the first approval was used up").isNotEqualTo(first);
    assertThat(queue.approve(second, "alice")).isTrue();
    assertThat(usedApproval(async.get(30, SECONDS))).isEqualTo(second);
  }

  @Test
  void aCallRefusedByALimitAfterItsApprovalIsNoAllowAndTheLaterAllowNamesTheSameApproval() {
    ToolCall staging = ToolCall.of("deploy_limited", Map.of("env", "staging"));
    approved(staging);
    assertThat(engine.evaluate(staging, AGENT).isAllowed()).isTrue(); // takes the one call a minute

    String id = approved(call("deploy_limited"));
    assertThat(engine.evaluate(call("deploy_limited"), AGENT).kind()).isEqualTo(Kind.RATE_LIMITED);
    clock.advance(Duration.ofMinutes(1));
    assertThat(usedApproval(engine.evaluate(call("deploy_limited"), AGENT))).isEqualTo(id);
  }

  @Test
  void anApprovalWithoutAnIdLeavesTheAllowWithoutOne() {
    PolicyEngine callback = PolicyEngine.builder(Policy.parse(POLICY))
        .clock(clock).approvals(request -> new ApprovalStatus.Approved(null, "alice")).build();
    assertThat(usedApproval(callback.evaluate(call("deploy"), AGENT))).isNull();
  }

  @Test
  void theAuditLineOfTheCallThatRanNamesItsApproval(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.jsonl");
    // Hostile arguments: a key named like the field cannot forge it (arguments are nested).
    ToolCall pay = ToolCall.of("deploy", Map.of("approval_id", "forged", "api_key", "sk-secret"));
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.toFile(file)) {
      PolicyEngine audited = PolicyEngine.builder(Policy.parse(POLICY)).clock(clock).approvals(queue).audit(sink).build();
      assertThatThrownBy(() -> audited.call(pay, AGENT, () -> "ran")).isInstanceOf(PolicyViolationException.class);
      String id = nextPending();
      assertThat(queue.approve(id, "alice")).isTrue();
      assertThat(audited.call(pay, AGENT, () -> "ran")).isEqualTo("ran");
      assertThat(audited.call(ToolCall.of("read_file", Map.of("approval_id", "forged")), AGENT, () -> "read")).isEqualTo("read");

      List<JsonNode> decisions = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        JsonNode json = json(line);
        if (!json.has("event")) { // an approval answer's line
          decisions.add(json);
        }
      }
      assertThat(decisions).hasSize(3);
      assertThat(decisions.get(0).get("decision").asText()).isEqualTo("approval_required");
      assertThat(decisions.get(0).get("approval_id").asText()).isEqualTo(id);
      JsonNode ran = decisions.get(1);
      assertThat(ran.get("decision").asText()).isEqualTo("allow");
      assertThat(ran.get("outcome").asText()).isEqualTo("succeeded");
      assertThat(ran.get("approval_id").asText()).isEqualTo(id);
      assertThat(ran.get("args_digest")).isEqualTo(decisions.get(0).get("args_digest"));
      assertThat(ran.get("arguments").get("api_key").asText()).as("redaction unchanged").isEqualTo("[REDACTED]");
      assertThat(ran.get("arguments").get("approval_id").asText()).isEqualTo("forged");
      assertThat(decisions.get(2).has("approval_id")).as("no approval used").isFalse();
    }
  }

  private static JsonNode json(String line) {
    try {
      return Jackson.JSON.readTree(line);
    } catch (IOException e) {
      throw new AssertionError(line, e);
    }
  }
}
