package io.toolgate.spring.autoconfigure.approvals;

import jakarta.servlet.http.HttpServletRequest;
import java.util.function.Function;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * The inbox's approver from Spring Security: the authenticated user's name, if they hold the
 * required authority; {@code null} for anonymous, unauthenticated or lacking users, and for every
 * user when no authority is set (then only approver tokens answer: the agents calling the
 * application authenticate through the same Spring Security).
 */
final class SecurityApprover implements Function<HttpServletRequest, String> {
  private final String authority;

  SecurityApprover(String authority) {
    this.authority = authority == null || authority.isBlank() ? null : authority.strip();
  }

  @Override
  public String apply(HttpServletRequest request) {
    Authentication user = SecurityContextHolder.getContext().getAuthentication();
    if (authority == null || user == null || !user.isAuthenticated() || user instanceof AnonymousAuthenticationToken) {
      return null;
    }
    if (user.getAuthorities().stream().noneMatch(a -> authority.equals(a.getAuthority()))) {
      return null;
    }
    String name = user.getName();
    return name == null || name.isBlank() ? null : name;
  }
}
