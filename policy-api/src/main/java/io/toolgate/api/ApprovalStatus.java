package io.toolgate.api;

/** An {@link ApprovalService}'s answer about one call. */
public sealed interface ApprovalStatus
    permits ApprovalStatus.Approved, ApprovalStatus.Pending, ApprovalStatus.Rejected {

  /** The call may go on; this approval is now used up. */
  record Approved(String approvalId, String approver) implements ApprovalStatus {}

  /** A person has not answered yet; the agent may retry the same call later. */
  record Pending(String approvalId) implements ApprovalStatus {}

  /** The call is refused, with the approver's reason if one was given. */
  record Rejected(String approvalId, String approver, String reason) implements ApprovalStatus {}
}
