package io.toolgate.engine.approval;

import io.toolgate.api.ApprovalRequest;

/**
 * Asks a person about one call and waits for the answer: the synchronous human-in-the-loop that
 * {@link ApprovalServices#callback(ApprovalCallback)} turns into an approval service.
 *
 * <pre>{@code
 * ApprovalService approvals = ApprovalServices.callback(request ->
 *     console.confirm("Run " + request.call() + "?")
 *         ? ApprovalCallback.Answer.approve("console")
 *         : ApprovalCallback.Answer.reject("console", "declined at the console"));
 * }</pre>
 */
@FunctionalInterface
public interface ApprovalCallback {

  /**
   * Asks about {@code request} and returns the answer. Runs on the thread that made the call,
   * which waits for it, before the call's limits are taken: an approved call may still be rate
   * limited, and then the next identical call asks again. Throwing, or returning {@code null},
   * rejects the call.
   */
  Answer ask(ApprovalRequest request) throws Exception;

  /**
   * A person's answer about one call.
   *
   * @param approved whether the call may run
   * @param approver who answered, or {@code null} when unknown
   * @param reason why, or {@code null}; shown to the agent when the call is rejected
   */
  record Answer(boolean approved, String approver, String reason) {

    /** The call may run, as {@code approver} says. */
    public static Answer approve(String approver) {
      return new Answer(true, approver, null);
    }

    /** The call is refused by {@code approver}, for {@code reason}. */
    public static Answer reject(String approver, String reason) {
      return new Answer(false, approver, reason);
    }
  }
}
