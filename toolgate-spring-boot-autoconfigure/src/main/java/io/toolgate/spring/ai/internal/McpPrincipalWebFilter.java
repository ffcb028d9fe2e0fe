package io.toolgate.spring.ai.internal;

import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import reactor.core.publisher.Mono;

/**
 * Resolves the principal of each request to the MCP endpoint and keeps it in the exchange
 * attribute {@link #ATTRIBUTE}, for {@link ReactiveIdentityExtractor}. It runs among the last web
 * filters ({@link #ORDER}), so inside Spring Security's filter chain, where {@link ServerWebExchange#getPrincipal()}
 * is the request's {@code Authentication}; without Spring Security there is none and nothing is
 * kept. The endpoint is matched as the MCP transport's router matches it, a {@link PathPattern}
 * against the path within the application ({@code ;params} ignored, {@code %xx} decoded), so every
 * request that reaches MCP carries its principal. Requests to other paths pass untouched.
 */
public final class McpPrincipalWebFilter implements WebFilter, Ordered {
  /**
   * The order of this filter: after Spring Security's filter chain and the application's filters
   * of default order, before {@link McpSessionWebFilter}, which reads what this one keeps.
   */
  public static final int ORDER = Ordered.LOWEST_PRECEDENCE - 10;

  /** The exchange attribute that holds the resolved {@link java.security.Principal}. */
  public static final String ATTRIBUTE = McpPrincipalWebFilter.class.getName() + ".principal";

  private final PathPattern endpoint;

  /** @param endpoint the MCP endpoint's path within the application, such as {@code /mcp} */
  public McpPrincipalWebFilter(String endpoint) {
    this.endpoint = pattern(endpoint);
  }

  /** The endpoint as RouterFunctions' {@code RequestPredicates.path} parses the transport's. */
  static PathPattern pattern(String endpoint) {
    return PathPatternParser.defaultInstance.parse(
        endpoint.isEmpty() || endpoint.startsWith("/") ? endpoint : "/" + endpoint);
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    exchange.getAttributes().remove(ATTRIBUTE);
    if (!endpoint.matches(exchange.getRequest().getPath().pathWithinApplication())) {
      return chain.filter(exchange);
    }
    return exchange
        .getPrincipal()
        .doOnNext(principal -> exchange.getAttributes().put(ATTRIBUTE, principal))
        .then(Mono.defer(() -> chain.filter(exchange)));
  }

  @Override
  public int getOrder() {
    return ORDER;
  }
}
