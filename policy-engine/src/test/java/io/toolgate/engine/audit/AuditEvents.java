package io.toolgate.engine.audit;

import io.toolgate.api.AuditEvent;
import io.toolgate.api.AuditEvent.Outcome;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Audit events for the sink tests, one of each decision kind. */
final class AuditEvents {
  static final Instant TIME = Instant.parse("2026-01-01T10:00:00.123Z");
  static final CallContext AGENT = CallContext.of("agent-1").withSession("s-9");

  private AuditEvents() {}

  static AuditEvent allow(ToolCall call) {
    Decision d =
        new Decision.Allow(
            call.tool(), "agent-1", List.of("/tools/" + call.tool()), "/tools/" + call.tool(),
            "Policy allowed " + call.tool() + " (/tools/" + call.tool() + ").", null);
    return new AuditEvent(TIME, call, AGENT, d, Outcome.SUCCEEDED, 41_250);
  }

  /** An allow admitted on the approval {@code ap-1}, the id {@link #approvalRequired} names. */
  static AuditEvent allowedOnApproval(ToolCall call) {
    Decision d =
        new Decision.Allow(
            call.tool(), "agent-1", List.of("/tools/" + call.tool()), "/tools/" + call.tool(),
            "Policy allowed " + call.tool() + " (/tools/" + call.tool() + ").", null, "ap-1");
    return new AuditEvent(TIME, call, AGENT, d, Outcome.SUCCEEDED, 41_250);
  }

  static AuditEvent deny(ToolCall call) {
    Decision d =
        new Decision.Deny(
            call.tool(), null, List.of(), "/default", "Policy denied " + call.tool() + ": not permitted.");
    return new AuditEvent(TIME, call, CallContext.anonymous(), d, Outcome.NOT_RUN, 1_000);
  }

  static AuditEvent rateLimited(ToolCall call) {
    Decision d =
        new Decision.RateLimited(
            call.tool(), "agent-1", List.of("/tools/" + call.tool()), "/tools/" + call.tool() + "/limits/0",
            "Policy denied " + call.tool() + ": rate limit reached; retry after 42s.", "compile_rate", 10,
            Duration.ofMinutes(1), "grant", Duration.ofMillis(42_000));
    return new AuditEvent(TIME, call, AGENT, d, Outcome.EVALUATED, 2_000);
  }

  static AuditEvent approvalRequired(ToolCall call) {
    Decision d =
        new Decision.ApprovalRequired(
            call.tool(), "agent-1", List.of("/tools/" + call.tool()), "/tools/" + call.tool(),
            "Policy holds " + call.tool() + " for approval (approval id ap-1).", "ap-1");
    return new AuditEvent(TIME, call, AGENT, d, Outcome.NOT_RUN, 3_000);
  }
}
