package io.toolgate.spring.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.toolgate.api.CallContext;
import io.toolgate.mcp.McpIdentityResolver;
import io.toolgate.spring.ai.internal.McpPrincipalWebFilter;
import io.toolgate.spring.ai.internal.ReactiveIdentityExtractor;
import io.toolgate.spring.ai.internal.SecurityIdentity;
import java.net.URI;
import java.security.Principal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.ai.mcp.server.webflux.transport.WebFluxStreamableServerTransportProvider;
import org.springframework.http.HttpMethod;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.web.reactive.function.server.HandlerStrategies;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/** The caller of a WebFlux MCP request: kept by the web filter, read by the transport's extractor. */
class ReactiveIdentityTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final ReactiveIdentityExtractor extractor =
      new ReactiveIdentityExtractor(new SecurityIdentity(List.of("ROLE_", "SCOPE_")), null);

  private static ServerWebExchange exchange(String path, Principal principal) {
    // The path goes in as it is sent: URI.create keeps %xx and ;params undecoded.
    MockServerWebExchange exchange = MockServerWebExchange.from(
        MockServerHttpRequest.method(HttpMethod.POST, URI.create(path)).header("X-User", "mallory"));
    return principal == null ? exchange : exchange.mutate().principal(Mono.just(principal)).build();
  }

  /** The exchange as the filter hands it on. */
  private static ServerWebExchange filtered(ServerWebExchange exchange) {
    AtomicReference<ServerWebExchange> seen = new AtomicReference<>();
    new McpPrincipalWebFilter("/mcp").filter(exchange, e -> {
      seen.set(e);
      return Mono.empty();
    }).block(WAIT);
    return seen.get();
  }

  private McpTransportContext extract(ServerWebExchange exchange) {
    return extractor.extract(ServerRequest.create(exchange, HandlerStrategies.withDefaults().messageReaders()));
  }

  @Test
  void authenticationOfAnMcpRequestIsTheCallerWithItsRoles() {
    var alice =
        UsernamePasswordAuthenticationToken.authenticated(
            "alice", null, AuthorityUtils.createAuthorityList("ROLE_quant", "SCOPE_read", "plain"));
    CallContext caller = (CallContext) extract(filtered(exchange("/mcp", alice))).get(McpIdentityResolver.CONTEXT_KEY);
    assertThat(caller.principal()).isEqualTo("alice");
    assertThat(caller.roles()).containsExactlyInAnyOrder("quant", "read", "plain");
  }

  @Test
  void noPrincipalAnonymousOrOtherPathsGiveNoCaller() {
    assertThat(extract(filtered(exchange("/mcp", null)))).isSameAs(McpTransportContext.EMPTY);
    var anonymous =
        new AnonymousAuthenticationToken("k", "anonymousUser", AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS"));
    assertThat(extract(filtered(exchange("/mcp", anonymous)))).isSameAs(McpTransportContext.EMPTY);
    var bob = UsernamePasswordAuthenticationToken.authenticated("bob", null, List.of());
    for (String other : new String[] {"/other", "/mcp/", "/MCP", "/mcp/x"}) {
      ServerWebExchange passed = filtered(exchange(other, bob));
      assertThat(passed.getAttributes()).as(other).doesNotContainKey(McpPrincipalWebFilter.ATTRIBUTE);
    }
  }

  @Test
  void everyPathTheTransportsRouterRoutesToMcpCarriesTheCaller() {
    // The SDK's WebFlux router matches its endpoint as a PathPattern: ;params ignored, %xx decoded.
    RouterFunction<?> router = WebFluxStreamableServerTransportProvider.builder()
        .jsonMapper(new JacksonMcpJsonMapper(JsonMapper.builder().build())).messageEndpoint("/mcp").build().getRouterFunction();
    var alice = UsernamePasswordAuthenticationToken.authenticated("alice", null, List.of());
    String[] paths = {"/mcp", "/mcp;x=1", "/m%63p", "/%6D%63%70", "/mcp;a=1;b=2", "/mcp;", "/m%63p;x=%2F",
        "/other", "/mcp/", "/MCP", "/mcp/x", "/mcp%2F", "/mcp%3Bx=1", "/mc", "/mcp;x=1/y", "//mcp", "/m%2563p"};
    for (String path : paths) {
      boolean routed = Boolean.TRUE.equals(
          router.route(ServerRequest.create(exchange(path, null), HandlerStrategies.withDefaults().messageReaders()))
              .hasElement().block(WAIT));
      ServerWebExchange passed = filtered(exchange(path, alice));
      if (routed) {
        assertThat(extract(passed).get(McpIdentityResolver.CONTEXT_KEY)).as(path)
            .isInstanceOfSatisfying(CallContext.class, caller -> assertThat(caller.principal()).isEqualTo("alice"));
      } else {
        assertThat(passed.getAttributes()).as(path).doesNotContainKey(McpPrincipalWebFilter.ATTRIBUTE);
      }
    }
    // The ones the review named do reach MCP, so the test above covers them.
    for (String path : new String[] {"/mcp;x=1", "/m%63p"}) {
      assertThat(router.route(ServerRequest.create(exchange(path, null), HandlerStrategies.withDefaults().messageReaders()))
          .hasElement().block(WAIT)).as(path).isTrue();
    }
  }

  @Test
  void onlyTheFilterSetsTheCaller() {
    // A value left in the attribute before the filter runs (by another filter, say) is not trusted.
    ServerWebExchange exchange = exchange("/mcp", null);
    exchange.getAttributes().put(McpPrincipalWebFilter.ATTRIBUTE, (Principal) () -> "mallory");
    assertThat(extract(filtered(exchange))).isSameAs(McpTransportContext.EMPTY);
    // Something that is not a Principal is ignored.
    ServerWebExchange odd = exchange("/mcp", null);
    odd.getAttributes().put(McpPrincipalWebFilter.ATTRIBUTE, "alice");
    assertThat(extract(odd)).isSameAs(McpTransportContext.EMPTY);
  }

  @Test
  void headersGoAlongForTheApplicationsResolver() {
    ReactiveIdentityExtractor withHeaders =
        new ReactiveIdentityExtractor(new SecurityIdentity(List.of("ROLE_")), "io.toolgate.http.headers");
    McpTransportContext context =
        withHeaders.extract(
            ServerRequest.create(exchange("/mcp", null), HandlerStrategies.withDefaults().messageReaders()));
    assertThat(context.get(McpIdentityResolver.CONTEXT_KEY)).isNull();
    @SuppressWarnings("unchecked")
    Map<String, List<String>> headers = (Map<String, List<String>>) context.get("io.toolgate.http.headers");
    assertThat(headers).containsEntry("x-user", List.of("mallory"));
  }
}
