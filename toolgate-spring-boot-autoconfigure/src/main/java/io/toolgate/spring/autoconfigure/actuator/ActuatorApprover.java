package io.toolgate.spring.autoconfigure.actuator;

import java.security.Principal;
import org.jspecify.annotations.Nullable;

/**
 * Who may answer approvals through the {@code toolgate} endpoint, and under what name. With Spring
 * Security the auto-configured one admits an authenticated user holding {@code
 * toolgate.actuator.approver-authority}; without it, nobody ({@link #none()}): an endpoint without
 * security cannot know who the approver is. An application's bean of this type replaces either.
 */
@FunctionalInterface
public interface ActuatorApprover {
  /**
   * The approver's name for the caller, or {@code null} if the caller may neither see pending
   * approvals nor answer them.
   *
   * @param principal the endpoint request's authenticated principal, or {@code null}
   */
  @Nullable String approver(@Nullable Principal principal);

  /** Nobody answers approvals through the endpoint. */
  static ActuatorApprover none() {
    return principal -> null;
  }
}
