package io.toolgate.engine.approval;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.api.CallContext;
import io.toolgate.api.ToolCall;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ApprovalServicesTest {
  private final ApprovalRequest request =
      new ApprovalRequest(
          ToolCall.of("deploy", Map.of("env", "prod")), CallContext.of("agent-1"), "/tools/deploy",
          "needs a human", Instant.parse("2026-01-01T00:00:00Z"));

  @Test
  void denyUntilApprovedRejectsEveryCallWithoutIdOrApprover() {
    ApprovalStatus status = ApprovalServices.denyUntilApproved().check(request);

    assertThat(status).isInstanceOf(ApprovalStatus.Rejected.class);
    ApprovalStatus.Rejected r = (ApprovalStatus.Rejected) status;
    assertThat(r.approvalId()).isNull();
    assertThat(r.approver()).isNull();
    assertThat(r.reason()).contains("requires approval").contains("no approval service is configured");
  }

  @Test
  void aCallbackApprovesOnTheCallingThread() {
    AtomicReference<Thread> thread = new AtomicReference<>();
    AtomicReference<ApprovalRequest> asked = new AtomicReference<>();
    ApprovalService service =
        ApprovalServices.callback(
            r -> {
              thread.set(Thread.currentThread());
              asked.set(r);
              return ApprovalCallback.Answer.approve("alice");
            });

    assertThat(service.check(request)).isEqualTo(new ApprovalStatus.Approved(null, "alice"));
    assertThat(thread.get()).isSameAs(Thread.currentThread());
    assertThat(asked.get()).isSameAs(request);
  }

  @Test
  void aCallbackRejectsWithItsApproverAndReason() {
    ApprovalService service =
        ApprovalServices.callback(r -> ApprovalCallback.Answer.reject("bob", "not on a Friday"));

    assertThat(service.check(request)).isEqualTo(new ApprovalStatus.Rejected(null, "bob", "not on a Friday"));
  }

  @Test
  void aCallbackThatThrowsOrAnswersNothingRejects() {
    ApprovalStatus thrown =
        ApprovalServices.callback(r -> { throw new java.io.IOException("console closed"); }).check(request);
    assertThat(thrown).isInstanceOf(ApprovalStatus.Rejected.class);
    assertThat(((ApprovalStatus.Rejected) thrown).reason()).contains("IOException");

    ApprovalStatus unchecked =
        ApprovalServices.callback(r -> { throw new IllegalStateException("boom"); }).check(request);
    assertThat(unchecked).isInstanceOf(ApprovalStatus.Rejected.class);

    ApprovalStatus none = ApprovalServices.callback(r -> null).check(request);
    assertThat(none).isEqualTo(new ApprovalStatus.Rejected(null, null, "the approval callback gave no answer"));
  }

  @Test
  void anInterruptedCallbackRejectsAndKeepsTheInterrupt() {
    ApprovalStatus status =
        ApprovalServices.callback(r -> { throw new InterruptedException(); }).check(request);
    try {
      assertThat(status).isInstanceOf(ApprovalStatus.Rejected.class);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }
}
