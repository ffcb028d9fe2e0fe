package io.toolgate.api;

import java.time.Instant;
import java.util.Objects;

/**
 * A person's answer to an approval request, as an audit sees it ({@link
 * AuditSink#approvalAnswered}).
 *
 * @param time when it was answered
 * @param approvalId the approval id the held call was given
 * @param tool the held call's tool
 * @param principal the held call's principal, or {@code null}
 * @param approved true if approved, false if rejected
 * @param approver who answered
 * @param comment the approver's comment, or {@code null}
 * @param argsDigest lower-case hex SHA-256 of the call's canonical arguments, as in the decision's
 *     audit line
 */
public record ApprovalAnswerEvent(
    Instant time,
    String approvalId,
    String tool,
    String principal,
    boolean approved,
    String approver,
    String comment,
    String argsDigest) {
  /** Checks that every part but the principal and comment is given. */
  public ApprovalAnswerEvent {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(approvalId, "approvalId");
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(approver, "approver");
    Objects.requireNonNull(argsDigest, "argsDigest");
  }
}
