package io.toolgate.spring.ai.internal;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpTransportContextExtractor;
import java.security.Principal;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.server.ServerWebExchange;

/**
 * The WebFlux counterpart of {@link IdentityExtractor}. A WebFlux request's principal is a {@code
 * Mono} that Spring Security fills from the reactive security context of the request's
 * subscription, which a synchronous extractor cannot read; {@link McpPrincipalWebFilter} resolves
 * it in the filter chain, inside Spring Security's, and leaves it in an exchange attribute, which
 * this extractor reads (the same mapping: name as principal, authorities as roles). Exchange
 * attributes are server-side only: nothing a client sends can set one.
 */
public final class ReactiveIdentityExtractor implements McpTransportContextExtractor<ServerRequest> {
  private final SecurityIdentity identity;
  private final String headersKey;

  /** @param headersKey where to put the request's headers, or {@code null} for none */
  public ReactiveIdentityExtractor(SecurityIdentity identity, String headersKey) {
    this.identity = identity;
    this.headersKey = headersKey;
  }

  @Override
  public McpTransportContext extract(ServerRequest request) {
    Object principal = request.attribute(McpPrincipalWebFilter.ATTRIBUTE).orElse(null);
    return IdentityExtractor.context(
        principal instanceof Principal p ? identity.of(p) : null, request.headers().asHttpHeaders(), headersKey);
  }

  /**
   * The same context read from the exchange itself: for a web filter after {@link
   * McpPrincipalWebFilter} and before the transport's router (the session filter), so that it
   * sees the caller the tool handlers see.
   */
  public McpTransportContext extract(ServerWebExchange exchange) {
    Object principal = exchange.getAttribute(McpPrincipalWebFilter.ATTRIBUTE);
    return IdentityExtractor.context(
        principal instanceof Principal p ? identity.of(p) : null, exchange.getRequest().getHeaders(), headersKey);
  }
}
