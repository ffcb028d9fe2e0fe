package io.toolgate.engine.audit;

import static io.toolgate.engine.audit.AuditEvents.allow;
import static io.toolgate.engine.audit.AuditEvents.approvalRequired;
import static io.toolgate.engine.audit.AuditEvents.deny;
import static io.toolgate.engine.audit.AuditEvents.rateLimited;
import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.AgentText;
import io.toolgate.api.AuditEvent;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.internal.Jackson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;

class Slf4jAuditSinkTest {

  /** A logger that keeps what it is given, enabled from {@code threshold} up. */
  static final class CapturingLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final Level threshold;

    CapturingLogger(Level threshold) {
      this.name = "capture";
      this.threshold = threshold;
    }

    private boolean enabled(Level level) {
      return level.toInt() >= threshold.toInt();
    }

    @Override
    public boolean isTraceEnabled() {
      return enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
      return enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
      return enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
      return enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
      return enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String message, Object[] arguments, Throwable throwable) {
      lines.add(level + " " + message);
    }
  }

  private final CapturingLogger logger = new CapturingLogger(Level.TRACE);
  private final Slf4jAuditSink sink = Slf4jAuditSink.of(logger);

  private static ToolCall call(String tool, String args) throws Exception {
    return ToolCall.of(tool, Jackson.JSON.readTree(args));
  }

  private static String digest(ToolCall call) throws Exception {
    StringWriter out = new StringWriter();
    JsonLinesAuditSink.to(out).record(allow(call));
    return Jackson.JSON.readTree(out.toString()).get("args_digest").asText();
  }

  @Test
  void allowsAreInfoAndRefusalsAreWarnWithKeyValueFields() throws Exception {
    ToolCall compile = call("create_compile", "{\"projectId\":7,\"password\":\"hunter2\",\"note\":\"visible-value\"}");
    sink.record(allow(compile));
    sink.record(deny(compile));
    sink.record(rateLimited(compile));
    sink.record(approvalRequired(compile));
    String d = digest(compile);

    assertThat(logger.lines)
        .containsExactly(
            "INFO tool=create_compile principal=agent-1 session=s-9 decision=allow rule=/tools/create_compile"
                + " outcome=succeeded latency_ns=41250 args_digest=" + d
                + " reason=\"Policy allowed create_compile (/tools/create_compile).\"",
            "WARN tool=create_compile principal=- session=- decision=deny rule=/default outcome=not_run"
                + " latency_ns=1000 args_digest=" + d + " reason=\"Policy denied create_compile: not permitted.\"",
            "WARN tool=create_compile principal=agent-1 session=s-9 decision=rate_limited"
                + " rule=/tools/create_compile/limits/0 outcome=evaluated latency_ns=2000 retry_after_ms=42000"
                + " counter=compile_rate args_digest=" + d
                + " reason=\"Policy denied create_compile: rate limit reached; retry after 42s.\"",
            "WARN tool=create_compile principal=agent-1 session=s-9 decision=approval_required"
                + " rule=/tools/create_compile outcome=not_run latency_ns=3000 approval_id=ap-1 args_digest=" + d
                + " reason=\"Policy holds create_compile for approval (approval id ap-1).\"");
    assertThat(String.join("\n", logger.lines)).doesNotContain("hunter2").doesNotContain("visible-value").doesNotContain("projectId");
  }

  @Test
  void anAllowAdmittedOnAnApprovalNamesTheApprovalItUsed() throws Exception {
    ToolCall pay = call("pay", "{\"amount\":5,\"api_key\":\"sk-secret\"}");
    sink.record(AuditEvents.allowedOnApproval(pay));

    assertThat(logger.lines).containsExactly(
        "INFO tool=pay principal=agent-1 session=s-9 decision=allow rule=/tools/pay outcome=succeeded"
            + " latency_ns=41250 approval_id=ap-1 args_digest=" + digest(pay)
            + " reason=\"Policy allowed pay (/tools/pay).\"");
    assertThat(logger.lines.get(0)).doesNotContain("sk-secret");
  }

  @Test
  void valuesAreQuotedSoThatNoneCanForgeAFieldOrALine() throws Exception {
    sink.record(deny(ToolCall.of("evil\ndecision=allow \"x\" \\ \u0001")));
    sink.record(deny(ToolCall.of("")));
    sink.record(deny(ToolCall.of("-")));

    assertThat(logger.lines.get(0))
        .startsWith("WARN tool=\"evil?decision=allow \\\"x\\\" \\\\ ?\" principal=-")
        .doesNotContain("\n");
    assertThat(logger.lines.get(1)).startsWith("WARN tool=\"\" ");
    assertThat(logger.lines.get(2)).startsWith("WARN tool=\"-\" ");
  }

  @Test
  void agentTextIsQuotedBoundedAndOnOneLine() {
    String huge = "compile\n" + "x".repeat(100_000);
    CallContext who = CallContext.of("agent\n" + "p".repeat(100_000)).withSession("s\r" + "s".repeat(100_000));
    Decision d = new Decision.Deny(huge, who.principal(), List.of(), "/default", "Policy denied a tool: not permitted.");
    sink.record(new AuditEvent(AuditEvents.TIME, ToolCall.of(huge), who, d, AuditEvent.Outcome.NOT_RUN, 1));

    assertThat(logger.lines).singleElement().asString()
        .hasSizeLessThan(1_000)
        .doesNotContain("\n").doesNotContain("\r")
        .startsWith("WARN tool=\"compile?xxx")
        .contains("…(+" + (huge.length() - AgentText.MAX_CHARS) + " chars)\" principal=\"agent?ppp")
        .contains(" session=\"s?sss");
  }

  @Test
  void unreadableArgumentsAreNamedNotLogged() {
    sink.record(deny(ToolCall.of("t", Map.of("x", new Object()))));
    assertThat(logger.lines).singleElement().asString().contains(" args_digest=unreadable ");
  }

  @Test
  void nothingIsComputedWhenTheLevelIsOff() {
    CapturingLogger warnOnly = new CapturingLogger(Level.WARN);
    AtomicInteger reads = new AtomicInteger();
    Map<String, Object> counting =
        new AbstractMap<>() {
          @Override
          public Set<Entry<String, Object>> entrySet() {
            reads.incrementAndGet();
            return Map.<String, Object>of("a", 1).entrySet();
          }
        };
    Slf4jAuditSink quiet = Slf4jAuditSink.of(warnOnly);
    ToolCall call = ToolCall.of("t", counting);
    int before = reads.get(); // ToolCall.of asks the map whether it is empty

    quiet.record(allow(call));
    assertThat(warnOnly.lines).isEmpty();
    assertThat(reads).hasValue(before);

    quiet.record(deny(call));
    assertThat(warnOnly.lines).hasSize(1);
    assertThat(reads.get()).isGreaterThan(before);
  }

  @Test
  void theDefaultLoggerIsIoToolgateAudit() {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      Slf4jAuditSink.create().record(deny(ToolCall.of("t", Map.of("password", "hunter2"))));
    } finally {
      System.setErr(original);
    }
    assertThat(Slf4jAuditSink.create()).hasToString("Slf4jAuditSink[io.toolgate.audit]");
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("WARN io.toolgate.audit - tool=t principal=- ")
        .doesNotContain("hunter2");
  }
}
