package io.toolgate.spring.ai.internal;

import io.toolgate.api.CallContext;
import java.security.Principal;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.util.ClassUtils;

/**
 * The caller a request's principal names: a Spring Security {@link Authentication} gives its name
 * and its authorities as roles; any other {@link Principal} its name only. Spring Security is
 * optional: its classes are touched only when it is on the classpath.
 */
public final class SecurityIdentity {
  private static final boolean SECURITY =
      ClassUtils.isPresent(
          "org.springframework.security.core.Authentication", SecurityIdentity.class.getClassLoader());

  private final List<String> rolePrefixes;

  public SecurityIdentity(List<String> rolePrefixes) {
    this.rolePrefixes = List.copyOf(rolePrefixes);
  }

  /** The caller {@code principal} names, or {@code null} when there is none or it is not authenticated. */
  public CallContext of(Principal principal) {
    if (principal == null) {
      return null;
    }
    if (SECURITY) {
      return Spring.of(principal, rolePrefixes);
    }
    String name = principal.getName();
    return name == null || name.isBlank() ? null : CallContext.of(name);
  }

  /** The caller of Spring Security's current {@code SecurityContext} on this thread, or {@code null}. */
  public CallContext current() {
    return SECURITY ? Spring.current(rolePrefixes) : null;
  }

  /** The role an authority stands for: its first matching prefix stripped. */
  static String role(String authority, List<String> prefixes) {
    for (String prefix : prefixes) {
      if (!prefix.isEmpty() && authority.startsWith(prefix) && authority.length() > prefix.length()) {
        return authority.substring(prefix.length());
      }
    }
    return authority;
  }

  /** Holds every reference to Spring Security, so that the outer class loads without it. */
  private static final class Spring {
    static CallContext of(Principal principal, List<String> prefixes) {
      if (!(principal instanceof Authentication authentication)) {
        String name = principal.getName();
        return name == null || name.isBlank() ? null : CallContext.of(name);
      }
      return of(authentication, prefixes);
    }

    static CallContext current(List<String> prefixes) {
      Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
      return authentication == null ? null : of(authentication, prefixes);
    }

    private static CallContext of(Authentication authentication, List<String> prefixes) {
      String name = authentication.getName();
      if (!authentication.isAuthenticated() || name == null || name.isBlank()
          || authentication.getClass().getName().endsWith("AnonymousAuthenticationToken")) {
        return null;
      }
      Set<String> roles = new LinkedHashSet<>();
      for (GrantedAuthority authority : authentication.getAuthorities()) {
        String text = authority.getAuthority();
        if (text != null && !text.isBlank()) {
          roles.add(role(text, prefixes));
        }
      }
      return new CallContext(name, roles, null, null);
    }
  }
}
