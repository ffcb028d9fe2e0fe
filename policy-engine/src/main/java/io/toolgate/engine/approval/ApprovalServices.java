package io.toolgate.engine.approval;

import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.ApprovalStatus;
import java.util.Objects;

/**
 * The approval services that need no state. For approvals a person gives later, by id, use
 * {@link InMemoryApprovalQueue}.
 */
public final class ApprovalServices {
  private static final System.Logger LOG = System.getLogger(ApprovalServices.class.getName());

  /** The reason {@link #denyUntilApproved()} gives. */
  static final String NOT_CONFIGURED = "the call requires approval and no approval service is configured";

  private static final ApprovalStatus.Rejected NO_SERVICE =
      new ApprovalStatus.Rejected(null, null, NOT_CONFIGURED);

  private static final ApprovalService DENY_UNTIL_APPROVED =
      new ApprovalService() {
        @Override
        public ApprovalStatus check(ApprovalRequest request) {
          return NO_SERVICE;
        }

        @Override
        public String toString() {
          return "ApprovalServices.denyUntilApproved()";
        }
      };

  private ApprovalServices() {}

  /**
   * The engine's default: every call that needs approval is rejected, with no approval id and no
   * approver, and the reason "the call requires approval and no approval service is configured".
   * Nothing can approve it; configure another service for that.
   */
  public static ApprovalService denyUntilApproved() {
    return DENY_UNTIL_APPROVED;
  }

  /**
   * A synchronous human-in-the-loop: each call that needs approval asks {@code callback} on the
   * calling thread and waits for its answer, so the callback decides how long a call may wait. An
   * approval covers only the call it was asked about, and is kept nowhere: if a later step refuses
   * that call (a limit, say), the next identical call asks the callback again. A callback that
   * throws or returns {@code null} rejects the call (the failure is logged through {@code
   * System.Logger}). The statuses carry no approval id: there is nothing to look up later.
   */
  public static ApprovalService callback(ApprovalCallback callback) {
    Objects.requireNonNull(callback, "callback");
    return new ApprovalService() {
      @Override
      public ApprovalStatus check(ApprovalRequest request) {
        ApprovalCallback.Answer answer;
        try {
          answer = callback.ask(request);
        } catch (Exception e) {
          if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
          }
          LOG.log(System.Logger.Level.WARNING, "approval callback failed; the call is rejected", e);
          return new ApprovalStatus.Rejected(null, null, "the approval callback failed (" + e.getClass().getSimpleName() + ")");
        }
        if (answer == null) {
          return new ApprovalStatus.Rejected(null, null, "the approval callback gave no answer");
        }
        return answer.approved()
            ? new ApprovalStatus.Approved(null, answer.approver())
            : new ApprovalStatus.Rejected(null, answer.approver(), answer.reason());
      }

      @Override
      public String toString() {
        return "ApprovalServices.callback(" + callback + ")";
      }
    };
  }
}
