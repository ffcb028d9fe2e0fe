package io.toolgate.spring.ai.internal;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpTransportContextExtractor;
import io.toolgate.api.CallContext;
import io.toolgate.mcp.McpIdentityResolver;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.servlet.function.ServerRequest;

/**
 * Reads the caller of an MCP HTTP request on the servlet thread, where Spring Security has
 * authenticated it, and carries it to the tool handlers in the request's {@link
 * McpTransportContext} (under {@link McpIdentityResolver#CONTEXT_KEY}), which the SDK hands to
 * every handler whatever thread runs it. When the application has its own {@code
 * McpIdentityResolver}, the request's headers go along too (under {@code headersKey}), for it to
 * read.
 */
public final class IdentityExtractor implements McpTransportContextExtractor<ServerRequest> {
  private final SecurityIdentity identity;
  private final String headersKey;

  /** @param headersKey where to put the request's headers, or {@code null} for none */
  public IdentityExtractor(SecurityIdentity identity, String headersKey) {
    this.identity = identity;
    this.headersKey = headersKey;
  }

  @Override
  public McpTransportContext extract(ServerRequest request) {
    return context(identity.of(request.principal().orElse(null)), request.headers().asHttpHeaders(), headersKey);
  }

  /**
   * The same context read from the servlet request under the transport's {@link ServerRequest}:
   * for a servlet filter in front of the transport (the session filter), so that it sees the
   * caller the tool handlers see.
   */
  public McpTransportContextExtractor<HttpServletRequest> servlet() {
    return request -> context(
        identity.of(request.getUserPrincipal()),
        headersKey == null ? null : new ServletServerHttpRequest(request).getHeaders(),
        headersKey);
  }

  /** The transport context of a request: its caller if any, its headers under {@code headersKey} if not null. */
  static McpTransportContext context(CallContext caller, HttpHeaders httpHeaders, String headersKey) {
    Map<String, Object> values = new HashMap<>();
    if (caller != null) {
      values.put(McpIdentityResolver.CONTEXT_KEY, caller);
    }
    if (headersKey != null) {
      values.put(headersKey, headers(httpHeaders));
    }
    return values.isEmpty() ? McpTransportContext.EMPTY : McpTransportContext.create(values);
  }

  private static Map<String, List<String>> headers(HttpHeaders httpHeaders) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    httpHeaders.forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
    return Collections.unmodifiableMap(headers);
  }
}
