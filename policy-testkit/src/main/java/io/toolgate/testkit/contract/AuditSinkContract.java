package io.toolgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.api.AuditEvent;
import io.toolgate.api.AuditEvent.Outcome;
import io.toolgate.api.AuditSink;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link AuditSink} must have (DESIGN.md sections 5 and 6), as a JUnit 5 test
 * base: extend it, return a fresh sink from {@link #newSink()} and what it wrote from {@link
 * #recorded}, and the sink is checked against the cases the built-in sinks pass:
 *
 * <ul>
 *   <li>every kind of decision is recorded, with its tool, kind, rule and the kind's details;
 *   <li>agent text (tool, principal, session) is bounded and never breaks a record's line;
 *   <li>records made from several threads at once are each recorded, whole;
 *   <li>{@code record} never throws for a hostile event (arguments that are not JSON, nesting
 *       deeper than any writer allows, nulls where a policy would put text), and still records it.
 * </ul>
 */
@Timeout(60)
public abstract class AuditSinkContract {
  /** The time of every event here. */
  protected static final Instant TIME = Instant.parse("2026-01-01T10:00:00.123Z");

  private AuditSink sink;

  /** A sink to test; called before each test. */
  protected abstract AuditSink newSink();

  /**
   * What {@code sink} has recorded, one string per event in the order recorded (a line of a file, a
   * log message). Called once per test, after its last {@code record}: a buffering or asynchronous
   * sink may be flushed or closed here.
   */
  protected abstract List<String> recorded(AuditSink sink);

  @BeforeEach
  void createSink() {
    sink = newSink();
  }

  /** The sink under test. */
  protected AuditSink sink() {
    return sink;
  }

  private static AuditEvent event(String tool, CallContext context, Decision decision) {
    return new AuditEvent(TIME, ToolCall.of(tool, Map.of("projectId", 7)), context, decision, Outcome.NOT_RUN, 1_000);
  }

  private static Decision.Deny deny(String tool) {
    return new Decision.Deny(tool, "agent-1", List.of(), Decision.Rules.DEFAULT, "Policy denied a tool: not permitted.");
  }

  @Test
  void everyKindOfDecisionIsRecordedWithItsFields() {
    CallContext agent = CallContext.of("agent-1").withSession("s-9");
    sink.record(event("tool_allow", agent, new Decision.Allow("tool_allow", "agent-1", List.of("/tools/tool_allow"),
        "/tools/tool_allow", "Policy allowed tool_allow.", null)));
    sink.record(event("tool_deny", agent, deny("tool_deny")));
    sink.record(event("tool_limited", agent, new Decision.RateLimited("tool_limited", "agent-1",
        List.of("/tools/tool_limited"), "/tools/tool_limited/limits/0", "Policy denied tool_limited: retry after 42s.",
        "compile_rate", 10, Duration.ofMinutes(1), "grant", Duration.ofMillis(42_000))));
    sink.record(event("tool_held", agent, new Decision.ApprovalRequired("tool_held", "agent-1",
        List.of("/tools/tool_held"), "/tools/tool_held", "Policy holds tool_held for approval.", "ap-1")));

    List<String> records = recorded(sink);

    assertThat(records).hasSize(4);
    assertThat(records.get(0)).contains("tool_allow", "allow", "/tools/tool_allow", "agent-1");
    assertThat(records.get(1)).contains("tool_deny", "deny", Decision.Rules.DEFAULT);
    assertThat(records.get(2)).contains("tool_limited", "rate_limited", "/tools/tool_limited/limits/0",
        "compile_rate", "42000");
    assertThat(records.get(3)).contains("tool_held", "approval_required", "/tools/tool_held", "ap-1");
  }

  @Test
  void agentTextIsBoundedAndOnOneLine() {
    String tool = "evil\n{\"decision\":\"allow\"}\r\u2028" + "x".repeat(100_000);
    CallContext context = CallContext.of("p\nforged=1" + "y".repeat(100_000)).withSession("s\r\n" + "z".repeat(100_000));

    sink.record(event(tool, context, deny(tool)));
    List<String> records = recorded(sink);

    assertThat(records).hasSize(1);
    assertThat(records.get(0)).doesNotContain("\n", "\r", "\u2028").hasSizeLessThan(4_000);
  }

  @Test
  void recordsFromManyThreadsAreEachRecordedWhole() throws Exception {
    int threads = 4;
    int each = 200;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Void>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Callable<Void> task = () -> {
          start.await();
          for (int i = 0; i < each; i++) {
            String tool = "tool_" + thread + "_" + i + "_end";
            sink.record(event(tool, CallContext.of("agent-" + thread), deny(tool)));
          }
          return null;
        };
        done.add(pool.submit(task));
      }
      for (Future<Void> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }

    List<String> records = recorded(sink);

    assertThat(records).hasSize(threads * each);
    Map<String, Integer> seen = new HashMap<>();
    for (String record : records) {
      int start1 = record.indexOf("tool_");
      int end = record.indexOf("_end", start1);
      assertThat(start1).as("a whole record: %s", record).isNotNegative();
      assertThat(end).as("a whole record: %s", record).isPositive();
      seen.merge(record.substring(start1, end + 4), 1, Integer::sum);
      assertThat(record).doesNotContain("\n");
    }
    assertThat(seen).hasSize(threads * each).allSatisfy((tool, count) -> assertThat(count).isOne());
  }

  @Test
  void hostileEventsNeverThrowAndAreStillRecorded() {
    Map<String, Object> notJson = new HashMap<>();
    notJson.put("payload", new Object()); // Jackson cannot convert an empty bean
    ObjectNode deep = JsonNodeFactory.instance.objectNode();
    ObjectNode node = deep;
    for (int i = 0; i < 2_000; i++) {
      node = node.putObject("a");
    }
    Map<String, Object> nulls = new HashMap<>();
    nulls.put("key", null);
    List<AuditEvent> events = List.of(
        new AuditEvent(TIME, ToolCall.of("not_json", notJson), CallContext.anonymous(), deny("not_json"), Outcome.NOT_RUN, 0),
        new AuditEvent(TIME, ToolCall.of("deep", deep), CallContext.anonymous(), deny("deep"), Outcome.NOT_RUN, 0),
        new AuditEvent(TIME, ToolCall.of("", nulls), CallContext.anonymous(),
            new Decision.Deny("", null, List.of(), null, null), Outcome.FAILED, -1),
        new AuditEvent(TIME, ToolCall.of("unknown_wait"), CallContext.of("agent-1"),
            new Decision.RateLimited("unknown_wait", null, List.of(), "/tools/x/limits/0", "limited", null, 0,
                Duration.ZERO, "grant", null), Outcome.EVALUATED, Long.MAX_VALUE),
        new AuditEvent(TIME, ToolCall.of("no_id"), CallContext.of("agent-1"),
            new Decision.ApprovalRequired("no_id", "agent-1", List.of(), "/tools/no_id", "held", null),
            Outcome.NOT_RUN, 0));

    for (AuditEvent e : events) {
      assertThatCode(() -> sink.record(e)).as(e.call().tool()).doesNotThrowAnyException();
    }

    assertThat(recorded(sink)).hasSize(events.size());
  }
}
