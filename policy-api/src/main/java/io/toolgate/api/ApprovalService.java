package io.toolgate.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Decides whether a call that a {@code require_approval} entry holds may go on. The engine asks
 * once per such call, before it takes the call's limits.
 *
 * <p>An approval is used only by a call that was admitted. An {@link ApprovalStatus.Approved}
 * answer is a claim on the approval for this one call; the engine then settles it exactly once:
 * {@link #confirm} when the call is allowed (the approval is used up), {@link #release} when a
 * later step refuses it (a limit, a failed store), so that the approval covers the same call
 * again. Until then the service must not answer {@code Approved} for the same approval to
 * another call, so two identical concurrent calls covered by one approval cannot both run
 * (answer {@link ApprovalStatus.Pending} with the same id meanwhile). A service that overrides
 * neither method uses an approval up when it answers {@code Approved}.
 *
 * <p>Implementations must be thread-safe and should answer quickly: the engine asks on the
 * calling thread (and settles on the thread that finishes the decision). A service that throws
 * from {@code check} is treated as having rejected the call; one that throws from {@code
 * confirm} or {@code release} is logged and the decision stands.
 */
@FunctionalInterface
public interface ApprovalService {

  /** What the service says about this call now; {@code Approved} claims the approval for it. */
  ApprovalStatus check(ApprovalRequest request);

  /**
   * The call {@code approved} was claimed for has been allowed: the approval is used up. Called
   * once per {@code Approved} answer, unless {@link #release} is. Default: nothing.
   */
  default void confirm(ApprovalRequest request, ApprovalStatus.Approved approved) {}

  /**
   * The call {@code approved} was claimed for was refused after all (rate limited, a limit it
   * cannot meet, the counter store failed): the approval covers the same call again. Called once
   * per {@code Approved} answer, unless {@link #confirm} is. Default: nothing.
   */
  default void release(ApprovalRequest request, ApprovalStatus.Approved approved) {}

  /**
   * For a {@code require_approval} entry with {@code wait}: a stage that completes when the
   * pending request {@code approvalId} (from a {@link ApprovalStatus.Pending} answer to {@code
   * request}) is answered or can no longer be, so that the engine asks {@link #check} again. The
   * engine's own timer bounds the wait; when it stops waiting (the wait ended, the caller gave up)
   * it cancels the stage, and the service should then forget this waiter. The stage must not
   * block: complete it from whatever thread records the answer. Default: a completed stage, for a
   * service that cannot tell (the engine asks once more and, still pending, the call is {@code
   * APPROVAL_REQUIRED} as without {@code wait}).
   */
  default CompletionStage<Void> whenAnswered(ApprovalRequest request, String approvalId) {
    return CompletableFuture.completedFuture(null);
  }

  /**
   * The caller of a call that waited on the pending request {@code approvalId} gave up (it
   * cancelled the call); the engine has cancelled its {@link #whenAnswered} stage first. A service
   * may drop the request if no other call waits on it. Default: nothing.
   */
  default void withdraw(ApprovalRequest request, String approvalId) {}
}
