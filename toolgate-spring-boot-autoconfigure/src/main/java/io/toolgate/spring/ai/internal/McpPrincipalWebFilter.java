package io.toolgate.spring.ai.internal;

import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Resolves the principal of each request to the MCP endpoint and keeps it in the exchange
 * attribute {@link #ATTRIBUTE}, for {@link ReactiveIdentityExtractor}. It runs last among the web
 * filters, so inside Spring Security's filter chain, where {@link ServerWebExchange#getPrincipal()}
 * is the request's {@code Authentication}; without Spring Security there is none and nothing is
 * kept. Requests to other paths pass untouched.
 */
public final class McpPrincipalWebFilter implements WebFilter, Ordered {
  /** The exchange attribute that holds the resolved {@link java.security.Principal}. */
  public static final String ATTRIBUTE = McpPrincipalWebFilter.class.getName() + ".principal";

  private final String endpoint;

  /** @param endpoint the MCP endpoint's path within the application, such as {@code /mcp} */
  public McpPrincipalWebFilter(String endpoint) {
    this.endpoint = endpoint;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    exchange.getAttributes().remove(ATTRIBUTE);
    if (!endpoint.equals(exchange.getRequest().getPath().pathWithinApplication().value())) {
      return chain.filter(exchange);
    }
    return exchange
        .getPrincipal()
        .doOnNext(principal -> exchange.getAttributes().put(ATTRIBUTE, principal))
        .then(Mono.defer(() -> chain.filter(exchange)));
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
