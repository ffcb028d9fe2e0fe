package io.toolgate.examples.spring;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code Authorization: Bearer <token>}: the token's SHA-256 is compared, in
 * constant time, with every configured caller's hash. A request without a known token stays
 * unauthenticated, and Spring Security answers it {@code 401}.
 */
final class BearerTokenFilter extends OncePerRequestFilter {
  private static final String BEARER = "Bearer ";

  private record Caller(String name, byte[] tokenSha256, List<GrantedAuthority> authorities) {}

  private final List<Caller> callers;

  BearerTokenFilter(BearerTokenProperties properties) {
    this.callers = properties.users().stream().map(BearerTokenFilter::caller).toList();
  }

  private static Caller caller(BearerTokenProperties.User user) {
    if (user.name() == null || user.name().isBlank()) {
      throw new IllegalArgumentException("example.security.users: a user without a name");
    }
    String hex = user.tokenSha256() == null ? "" : user.tokenSha256().trim().toLowerCase(Locale.ROOT);
    if (!hex.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException(
          "example.security.users: token-sha256 of " + user.name() + " is not 64 hex digits");
    }
    List<GrantedAuthority> authorities =
        user.roles().stream().<GrantedAuthority>map(role -> new SimpleGrantedAuthority("ROLE_" + role)).toList();
    return new Caller(user.name(), HexFormat.of().parseHex(hex), authorities);
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String header = request.getHeader("Authorization");
    if (header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      Caller caller = find(sha256(header.substring(BEARER.length()).strip()));
      if (caller != null) {
        SecurityContextHolder.getContext()
            .setAuthentication(
                UsernamePasswordAuthenticationToken.authenticated(caller.name(), null, caller.authorities()));
      }
    }
    chain.doFilter(request, response);
  }

  /** The caller whose hash matches; every hash is compared, so the time does not say which. */
  private Caller find(byte[] presented) {
    Caller found = null;
    for (Caller caller : callers) {
      if (MessageDigest.isEqual(caller.tokenSha256(), presented) && found == null) {
        found = caller;
      }
    }
    return found;
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JVM", e);
    }
  }
}
