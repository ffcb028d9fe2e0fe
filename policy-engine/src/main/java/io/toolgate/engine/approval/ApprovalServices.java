package io.toolgate.engine.approval;

import io.toolgate.api.ApprovalService;
import io.toolgate.api.ApprovalStatus;

/** PLACEHOLDER: being written. */
public final class ApprovalServices {
  private ApprovalServices() {}

  public static ApprovalService denyUntilApproved() {
    return request -> new ApprovalStatus.Rejected(null, null, "the call requires approval and no approval service is configured");
  }
}
