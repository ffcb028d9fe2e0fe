package io.toolgate.testkit.contract;

import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.engine.approval.ApprovalServices;
import java.time.Clock;

/** {@link ApprovalServices#denyUntilApproved}: rejects everything: a service no person can approve through. */
class DenyUntilApprovedContractTest extends ApprovalServiceContract {
  @Override
  protected ApprovalService newService(Clock clock) {
    return ApprovalServices.denyUntilApproved();
  }

  @Override
  protected void reject(ApprovalService service, ApprovalRequest request, ApprovalStatus asked, String reason) {
    // it rejects every call already
  }
}
