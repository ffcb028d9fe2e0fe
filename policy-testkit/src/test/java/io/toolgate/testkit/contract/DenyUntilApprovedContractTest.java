package io.toolgate.testkit.contract;

import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.engine.approval.ApprovalServices;
import java.time.Clock;

/** {@link ApprovalServices#denyUntilApproved}: rejects everything, so only its rejecting part applies. */
class DenyUntilApprovedContractTest extends ApprovalServiceContract {
  @Override
  protected ApprovalService newService(Clock clock) {
    return ApprovalServices.denyUntilApproved();
  }

  @Override
  protected boolean approve(ApprovalService service, ApprovalRequest request, ApprovalStatus asked) {
    return false; // nothing can approve a call here
  }

  @Override
  protected void reject(ApprovalService service, ApprovalRequest request, ApprovalStatus asked, String reason) {
    // it rejects every call already
  }
}
