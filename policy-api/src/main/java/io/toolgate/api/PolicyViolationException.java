package io.toolgate.api;

import java.util.Objects;

/**
 * Thrown, where the caller chose to have refusals thrown, when a call is not allowed. Its message
 * is the decision's one-line reason.
 */
public class PolicyViolationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Decision decision;

  public PolicyViolationException(Decision decision) {
    super(Objects.requireNonNull(decision, "decision").reason(), null, false, false);
    if (decision.isAllowed()) {
      throw new IllegalArgumentException("an allowed call is not a violation: " + decision);
    }
    this.decision = decision;
  }

  /** The refusal: {@link Decision.Deny}, {@link Decision.RateLimited} or {@link Decision.ApprovalRequired}. */
  public Decision decision() {
    return decision;
  }
}
