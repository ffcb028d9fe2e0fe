package io.toolgate.examples.mcpserver;

import io.toolgate.api.CallContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Refuses every request without a valid {@code Authorization: Bearer <token>} header with 401,
 * before the MCP transport (or any tool) sees it, and stores who the token names in the request
 * attribute {@link #IDENTITY} for the transport's context extractor.
 */
public final class BearerTokenFilter extends HttpFilter {
  private static final long serialVersionUID = 1L;

  /** The request attribute holding the verified {@link CallContext}. */
  public static final String IDENTITY = "io.toolgate.examples.identity";

  private final transient TokenFile tokens;

  public BearerTokenFilter(TokenFile tokens) {
    this.tokens = tokens;
  }

  @Override
  protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    Optional<CallContext> identity = tokens.identify(bearer(request.getHeader("Authorization")));
    if (identity.isEmpty()) {
      response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
      response.setHeader("WWW-Authenticate", "Bearer");
      response.setContentType("application/json");
      response.getOutputStream().write(
          "{\"error\":\"a valid Authorization: Bearer token is required\"}".getBytes(StandardCharsets.UTF_8));
      return;
    }
    request.setAttribute(IDENTITY, identity.get());
    chain.doFilter(request, response);
  }

  private static String bearer(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return header.substring(7).strip();
  }
}
