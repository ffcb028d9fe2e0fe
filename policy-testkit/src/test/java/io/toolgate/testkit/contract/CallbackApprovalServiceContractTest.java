package io.toolgate.testkit.contract;

import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.engine.approval.ApprovalCallback;
import io.toolgate.engine.approval.ApprovalServices;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;

/** {@link ApprovalServices#callback}: a person answers each call as it is made. */
class CallbackApprovalServiceContractTest extends ApprovingServiceContract {
  private final AtomicReference<ApprovalCallback.Answer> next =
      new AtomicReference<>(ApprovalCallback.Answer.reject("nobody", "not asked yet"));

  @Override
  protected ApprovalService newService(Clock clock) {
    return ApprovalServices.callback(request -> next.get());
  }

  @Override
  protected void approve(ApprovalService service, ApprovalRequest request, ApprovalStatus asked) {
    next.set(ApprovalCallback.Answer.approve("alice"));
  }

  @Override
  protected void reject(ApprovalService service, ApprovalRequest request, ApprovalStatus asked, String reason) {
    next.set(ApprovalCallback.Answer.reject("alice", reason));
  }
}
