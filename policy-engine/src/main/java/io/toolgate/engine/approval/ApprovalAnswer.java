package io.toolgate.engine.approval;

import io.toolgate.api.ApprovalRequest;
import java.time.Instant;
import java.util.Objects;

/**
 * A person's answer to an approval request: what an inbox's history shows and the audit records.
 *
 * @param id the approval id
 * @param request the call that was held
 * @param verdict approved or rejected
 * @param approver who answered
 * @param comment the approver's comment, or {@code null}
 * @param argsDigest lower-case hex SHA-256 of the call's canonical arguments, as the audit's
 *     {@code args_digest}
 * @param requestedAt when the request became pending
 * @param answeredAt when it was answered
 */
public record ApprovalAnswer(
    String id,
    ApprovalRequest request,
    ApprovalQueue.Verdict verdict,
    String approver,
    String comment,
    String argsDigest,
    Instant requestedAt,
    Instant answeredAt) {
  /** Checks that every part but the comment is given. */
  public ApprovalAnswer {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(approver, "approver");
    Objects.requireNonNull(argsDigest, "argsDigest");
    Objects.requireNonNull(requestedAt, "requestedAt");
    Objects.requireNonNull(answeredAt, "answeredAt");
  }
}
