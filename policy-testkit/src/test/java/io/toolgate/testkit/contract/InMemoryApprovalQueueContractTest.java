package io.toolgate.testkit.contract;

import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import java.time.Clock;
import java.time.Duration;

class InMemoryApprovalQueueContractTest extends ApprovalQueueAdminContract {
  private static final Duration EXPIRE_AFTER = Duration.ofMinutes(30);

  @Override
  protected ApprovalService newService(Clock clock) {
    return InMemoryApprovalQueue.builder(clock).expireAfter(EXPIRE_AFTER).maximumPendingPerPrincipal(3).maximumEntries(6)
        .build();
  }

  @Override
  protected void approve(ApprovalService service, ApprovalRequest request, ApprovalStatus asked) {
    if (!((InMemoryApprovalQueue) service).approve(idOf(asked), "alice")) {
      throw new AssertionError("the queue did not approve " + asked);
    }
  }

  @Override
  protected void reject(ApprovalService service, ApprovalRequest request, ApprovalStatus asked, String reason) {
    ((InMemoryApprovalQueue) service).reject(idOf(asked), "alice", reason);
  }

  @Override
  protected Duration expireAfter() {
    return EXPIRE_AFTER;
  }

  @Override
  protected int maximumEntries() {
    return 6;
  }

  @Override
  protected int maximumPendingPerPrincipal() {
    return 3;
  }
}
