package io.toolgate.api;

/** An {@link ApprovalService}'s answer about one call. */
public sealed interface ApprovalStatus
    permits ApprovalStatus.Approved, ApprovalStatus.Pending, ApprovalStatus.Rejected {

  /**
   * The call may go on: the approval is claimed for it, and used up once the engine admits the
   * call ({@link ApprovalService#confirm}) or given back if it refuses it ({@link
   * ApprovalService#release}).
   */
  record Approved(String approvalId, String approver) implements ApprovalStatus {}

  /** A person has not answered yet; the agent may retry the same call later. */
  record Pending(String approvalId) implements ApprovalStatus {}

  /** The call is refused, with the approver's reason if one was given. */
  record Rejected(String approvalId, String approver, String reason) implements ApprovalStatus {}
}
