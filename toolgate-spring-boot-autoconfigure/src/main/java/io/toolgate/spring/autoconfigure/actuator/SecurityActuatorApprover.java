package io.toolgate.spring.autoconfigure.actuator;

import java.security.Principal;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;

/**
 * The endpoint's approver from Spring Security: the authenticated user's name if they hold the
 * authority; {@code null} for anonymous, unauthenticated or lacking callers.
 */
final class SecurityActuatorApprover implements ActuatorApprover {
  private final String authority;

  SecurityActuatorApprover(String authority) {
    this.authority = authority.strip();
  }

  @Override
  public @Nullable String approver(@Nullable Principal principal) {
    if (!(principal instanceof Authentication user) || !user.isAuthenticated()
        || user instanceof AnonymousAuthenticationToken) {
      return null;
    }
    if (user.getAuthorities() == null
        || user.getAuthorities().stream().noneMatch(a -> a != null && authority.equals(a.getAuthority()))) {
      return null;
    }
    String name = user.getName();
    return name == null || name.isBlank() ? null : name;
  }
}
