package io.toolgate.examples.mcpserver;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Refuses, with 403, a request whose {@code Origin} header names a site the server does not
 * trust, before anything else sees it: the MCP transport specification asks servers to, so that
 * a web page cannot reach a local server through DNS rebinding.
 *
 * <p>Allowed: no {@code Origin} at all (clients that are not browsers send none), a loopback
 * origin ({@code http} or {@code https} on {@code localhost}, {@code 127.x.x.x} or {@code [::1]},
 * any port), and each origin configured, compared exactly (scheme, host and port, ignoring case).
 * Host names are never resolved: resolving is what DNS rebinding abuses.
 *
 * <p>{@link #forInbox} also allows the opaque origin {@code null}: the approvals inbox's pages are
 * served with {@code Referrer-Policy: no-referrer}, under which browsers send {@code Origin: null}
 * with the inbox's own form posts (sign in, answer). The inbox guards those posts itself (a
 * token to sign in, a {@code SameSite=Strict} session cookie, a CSRF token in every form).
 */
public final class OriginFilter extends HttpFilter {
  private static final long serialVersionUID = 1L;

  private static final byte[] FORBIDDEN =
      "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"Origin not allowed\"}}"
          .getBytes(StandardCharsets.UTF_8);

  private final transient Set<String> allowed;
  private final boolean opaque;

  /** A filter trusting loopback origins and {@code allowed}, e.g. {@code https://app.example.com}. */
  public OriginFilter(List<String> allowed) {
    this(allowed, false);
  }

  private OriginFilter(List<String> allowed, boolean opaque) {
    this.allowed = allowed.stream().map(o -> o.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    this.opaque = opaque;
  }

  /** For the approvals inbox: as {@link #OriginFilter(List)}, and the opaque origin {@code null} too. */
  public static OriginFilter forInbox(List<String> allowed) {
    return new OriginFilter(allowed, true);
  }

  @Override
  protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    String origin = request.getHeader("Origin");
    if (origin == null || isAllowed(origin)) {
      chain.doFilter(request, response);
      return;
    }
    response.setStatus(HttpServletResponse.SC_FORBIDDEN);
    response.setContentType("application/json");
    response.setContentLength(FORBIDDEN.length);
    response.getOutputStream().write(FORBIDDEN);
  }

  /** Whether {@code origin} (an Origin header's value) is trusted. */
  public boolean isAllowed(String origin) {
    String lower = origin.strip().toLowerCase(Locale.ROOT);
    return allowed.contains(lower) || isLoopback(lower) || opaque && lower.equals("null");
  }

  private static boolean isLoopback(String origin) {
    URI uri;
    try {
      uri = new URI(origin);
    } catch (URISyntaxException e) {
      return false; // includes "null", the origin of sandboxed and file: pages
    }
    String scheme = uri.getScheme();
    String host = uri.getHost();
    boolean bare = uri.getRawUserInfo() == null && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
        && uri.getRawQuery() == null && uri.getRawFragment() == null;
    if (!bare || host == null || !("http".equals(scheme) || "https".equals(scheme))) {
      return false;
    }
    return host.equals("localhost") || host.equals("[::1]") || isLoopbackIpv4(host);
  }

  /** {@code 127.a.b.c} with each part a decimal number of at most three digits up to 255. */
  private static boolean isLoopbackIpv4(String host) {
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals("127")) {
      return false;
    }
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')
          || Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }
}
