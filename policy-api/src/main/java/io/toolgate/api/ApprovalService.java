package io.toolgate.api;

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
}
