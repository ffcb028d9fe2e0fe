package io.toolgate.spring.ai.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.spec.HttpHeaders;
import io.toolgate.api.AgentText;
import io.toolgate.api.CallContext;
import io.toolgate.mcp.McpIdentityResolver;
import io.toolgate.mcp.McpSessionFilter;
import io.toolgate.mcp.McpSessionOwners;
import io.toolgate.mcp.McpToolGuard;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import reactor.core.publisher.Mono;

/**
 * The WebFlux form of {@link McpSessionFilter}: keeps each MCP session of the streamable-HTTP
 * transport to the principal that opened it, in the same {@link McpSessionOwners} the tool guard
 * reads. After {@link McpPrincipalWebFilter} (so inside Spring Security's filter chain, the caller
 * known) and before the transport's router:
 *
 * <ul>
 *   <li>a request without {@code Mcp-Session-Id} passes; if its response opens a session (an
 *       {@code initialize}), the caller is recorded as its owner before the response, and so the
 *       session id, reaches the client;
 *   <li>a request naming another principal's session, {@code DELETE} included, gets 403, one
 *       naming an unknown session (never opened here, deleted or forgotten) 404 as the MCP
 *       transport specification asks; neither reaches the transport, and the body is the short
 *       JSON-RPC error {@code McpSessionFilter} answers, naming neither the session nor its owner;
 *   <li>a successful {@code DELETE}, or a 404 from the transport, forgets the session.
 * </ul>
 *
 * <p>The session id read is the first {@code Mcp-Session-Id} value, the one the transport reads.
 * The endpoint is matched as {@link McpPrincipalWebFilter} matches it; other paths pass untouched.
 */
public final class McpSessionWebFilter implements WebFilter, Ordered {
  /** The order of this filter: right after {@link McpPrincipalWebFilter}. */
  public static final int ORDER = McpPrincipalWebFilter.ORDER + 5;

  /** As {@link McpSessionFilter} words a request naming another principal's session. */
  static final String FOREIGN = "This MCP session was opened by another principal";

  /** As {@link McpSessionFilter} words a request naming an unknown session. */
  static final String UNKNOWN = "Session not found";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final PathPattern endpoint;
  private final McpSessionOwners owners;
  private final ReactiveIdentityExtractor extractor;
  private final McpIdentityResolver identity;

  /**
   * @param endpoint the MCP endpoint's path within the application, such as {@code /mcp}
   * @param identity the tool guard's resolver, so that the owner is the principal the guard sees
   */
  public McpSessionWebFilter(
      String endpoint, McpSessionOwners owners, ReactiveIdentityExtractor extractor, McpIdentityResolver identity) {
    this.endpoint = McpPrincipalWebFilter.pattern(endpoint);
    this.owners = Objects.requireNonNull(owners, "owners");
    this.extractor = Objects.requireNonNull(extractor, "extractor");
    this.identity = Objects.requireNonNull(identity, "identity");
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    if (!endpoint.matches(exchange.getRequest().getPath().pathWithinApplication())) {
      return chain.filter(exchange);
    }
    String principal = principalOf(exchange);
    String sessionId = exchange.getRequest().getHeaders().getFirst(HttpHeaders.MCP_SESSION_ID);
    ServerHttpResponse response = exchange.getResponse();
    if (sessionId == null || sessionId.isBlank()) {
      response.beforeCommit(() -> {
        String opened = response.getHeaders().getFirst(HttpHeaders.MCP_SESSION_ID);
        if (opened != null) {
          owners.opened(opened, principal);
        }
        return Mono.empty();
      });
      return chain.filter(exchange);
    }
    if (!owners.isOwner(sessionId, principal)) {
      return owners.isKnown(sessionId)
          ? refuse(response, HttpStatus.FORBIDDEN, McpToolGuard.ERROR_CODE, FOREIGN)
          : refuse(response, HttpStatus.NOT_FOUND, McpSessionFilter.SESSION_NOT_FOUND, UNKNOWN);
    }
    boolean delete = HttpMethod.DELETE.equals(exchange.getRequest().getMethod());
    return chain.filter(exchange).doOnSuccess(done -> {
      HttpStatusCode status = response.getStatusCode();
      if (status != null && (status.value() == 404 || (delete && status.is2xxSuccessful()))) {
        owners.forget(sessionId);
      }
    });
  }

  private String principalOf(ServerWebExchange exchange) {
    CallContext caller = identity.resolve(extractor.extract(exchange), null);
    return caller == null ? null : caller.principal();
  }

  private static Mono<Void> refuse(ServerHttpResponse response, HttpStatus status, int code, String message) {
    byte[] body = body(code, message);
    response.setStatusCode(status);
    response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
    response.getHeaders().setContentLength(body.length);
    return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(body)));
  }

  /** {@code {"jsonrpc":"2.0","id":null,"error":{"code":..,"message":..}}}, as McpSessionFilter writes it. */
  static byte[] body(int code, String message) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", code);
    error.put("message", AgentText.excerpt(message));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("jsonrpc", "2.0");
    body.put("id", null);
    body.put("error", error);
    try {
      return JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public int getOrder() {
    return ORDER;
  }
}
