package io.toolgate.api;

/**
 * Decides whether a call that a {@code require_approval} entry holds may go on. The engine asks
 * once per such call; an {@link ApprovalStatus.Approved} answer is used up by that call.
 *
 * <p>Implementations must be thread-safe and should answer quickly: the engine asks on the
 * calling thread. A service that throws is treated as having rejected the call.
 */
@FunctionalInterface
public interface ApprovalService {

  /** What the service says about this call now. */
  ApprovalStatus check(ApprovalRequest request);
}
