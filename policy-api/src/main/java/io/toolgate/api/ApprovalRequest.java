package io.toolgate.api;

import java.time.Instant;
import java.util.Objects;

/**
 * A call held for approval.
 *
 * @param call the tool call, arguments included
 * @param context who is calling
 * @param rule JSON Pointer of the {@code require_approval} entry that holds the call
 * @param reason the entry's reason text, or {@code null}
 * @param requestedAt when the engine asked
 */
public record ApprovalRequest(
    ToolCall call, CallContext context, String rule, String reason, Instant requestedAt) {
  public ApprovalRequest {
    Objects.requireNonNull(call, "call");
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(requestedAt, "requestedAt");
  }
}
