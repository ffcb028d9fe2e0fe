package io.toolgate.gateway.internal;

import java.util.Set;

/** Who sent an HTTP request, from its {@code Authorization} header. */
public interface Authenticator {
  /** What a request's credentials prove. */
  sealed interface Result {
    /** A known caller. */
    record Known(String principal, Set<String> roles) implements Result {}

    /**
     * No or bad credentials: {@code error} is the RFC 6750 error code ({@code null} when no
     * credentials came), {@code description} says why.
     */
    record Refused(String error, String description) implements Result {}
  }

  /** Checks {@code authorization} (the header's value, or {@code null}). */
  Result authenticate(String authorization);

  /** The token after {@code Bearer }, or {@code null}. */
  static String bearer(String authorization) {
    if (authorization == null || authorization.length() < 7 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = authorization.substring(7).trim();
    return token.isEmpty() ? null : token;
  }
}
