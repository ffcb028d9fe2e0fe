package io.toolgate.spring.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import io.toolgate.mcp.McpToolGuard;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.ai.mcp.server.webflux.transport.WebFluxStreamableServerTransportProvider;
import org.springframework.ai.tool.ToolCallbackProvider;
import org.springframework.ai.tool.method.MethodToolCallbackProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.context.reactive.ReactiveWebApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.authentication.HttpStatusServerEntryPoint;
import org.springframework.security.web.server.authentication.ServerAuthenticationEntryPointFailureHandler;
import reactor.core.publisher.Mono;

/**
 * The real Spring AI MCP server on WebFlux (streamable HTTP), reactive Spring Security with bearer
 * tokens and the seed policy from {@code toolgate.policy}, called by a real MCP SDK client: no
 * Toolgate code in the application.
 */
@SpringBootTest(
    classes = WebFluxMcpServerSecurityTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.ai.mcp.server.protocol=STREAMABLE",
      "spring.ai.mcp.server.name=quant",
      "toolgate.policy=classpath:io/toolgate/spring/webflux/policy.yaml"
    })
class WebFluxMcpServerSecurityTest {
  private static final Map<String, String> TOKENS = Map.of("t-alice", "alice", "t-bob", "bob", "t-carol", "carol", "t-dave", "dave", "t-erin", "erin");

  @LocalServerPort int port;
  @Autowired QuantTools tools;
  @Autowired ApplicationContext context;

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {
    @Bean
    QuantTools quantTools() {
      return new QuantTools();
    }

    @Bean
    ToolCallbackProvider quantToolCallbacks(QuantTools tools) {
      return MethodToolCallbackProvider.builder().toolObjects(tools).build();
    }

    /** A bearer token names a user, with the authority ROLE_quant; anything else is answered 401. */
    @Bean
    SecurityWebFilterChain security(ServerHttpSecurity http) {
      ServerAuthenticationEntryPoint unauthorized = new HttpStatusServerEntryPoint(HttpStatus.UNAUTHORIZED);
      AuthenticationWebFilter bearer = new AuthenticationWebFilter(App::authenticate);
      bearer.setServerAuthenticationConverter(
          exchange -> {
            String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
            return header != null && header.startsWith("Bearer ")
                ? Mono.just(UsernamePasswordAuthenticationToken.unauthenticated(null, header.substring(7)))
                : Mono.empty();
          });
      bearer.setAuthenticationFailureHandler(new ServerAuthenticationEntryPointFailureHandler(unauthorized));
      return http.csrf(ServerHttpSecurity.CsrfSpec::disable)
          .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
          .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
          .authorizeExchange(exchanges -> exchanges.anyExchange().authenticated())
          .addFilterAt(bearer, SecurityWebFiltersOrder.AUTHENTICATION)
          .exceptionHandling(e -> e.authenticationEntryPoint(unauthorized))
          .build();
    }

    private static Mono<Authentication> authenticate(Authentication token) {
      String user = TOKENS.get(String.valueOf(token.getCredentials()));
      return user == null
          ? Mono.error(new BadCredentialsException("unknown token"))
          : Mono.just(
              UsernamePasswordAuthenticationToken.authenticated(
                  user, null, List.of(new SimpleGrantedAuthority("ROLE_quant"))));
    }
  }

  McpSyncClient client(String token) {
    return client(token, "/mcp");
  }

  McpSyncClient client(String token, String endpoint) {
    HttpClientStreamableHttpTransport transport =
        HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port)
            .endpoint(endpoint)
            .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token))
            .build();
    McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).build();
    client.initialize();
    return client;
  }

  private static CallToolResult compile(McpSyncClient client) {
    return client.callTool(new CallToolRequest("create_compile", Map.of("projectId", 7)));
  }

  private static String text(CallToolResult result) {
    return ((TextContent) result.content().get(0)).text();
  }

  @Test
  void theServerUnderTestIsThisKind() {
    assertThat(context).isInstanceOf(ReactiveWebApplicationContext.class);
    assertThat(context.getBeansOfType(McpSyncServer.class)).hasSize(1);
    assertThat(context.getBeansOfType(WebFluxStreamableServerTransportProvider.class)).hasSize(1);
    assertThat(context.getBean(McpStreamableServerTransportProvider.class))
        .isNotInstanceOf(WebFluxStreamableServerTransportProvider.class);
  }

  @Test
  void seedPolicyCapsEachPrincipalAtTenCompilesAMinute() {
    try (McpSyncClient alice = client("t-alice");
        McpSyncClient bob = client("t-bob")) {
      for (int i = 0; i < 10; i++) {
        CallToolResult allowed = compile(alice);
        assertThat(allowed.isError()).as("call %d", i + 1).isNotEqualTo(Boolean.TRUE);
        assertThat(text(allowed)).contains("compiled 7");
      }
      int runs = tools.runs.get();
      CallToolResult refused = compile(alice);
      assertThat(refused.isError()).isTrue();
      assertThat(text(refused)).contains("create_compile");
      @SuppressWarnings("unchecked")
      Map<String, Object> decision = (Map<String, Object>) refused.meta().get(McpToolGuard.META_KEY);
      assertThat(decision).containsEntry("kind", "rate_limited").containsEntry("tool", "create_compile");
      assertThat(tools.runs.get()).isEqualTo(runs);

      CallToolResult bobs = compile(bob);
      assertThat(bobs.isError()).isNotEqualTo(Boolean.TRUE);
      assertThat(text(bobs)).contains("compiled 7");
    }
  }

  @Test
  void anEncodedEndpointPathReachesMcpWithTheCaller() {
    // The router matches /m%63p as /mcp; the caller must come along, not fall back to anonymous.
    // Were both anonymous, they would share one rate-limit counter and erin's call would be refused.
    try (McpSyncClient dave = client("t-dave", "/m%63p");
        McpSyncClient erin = client("t-erin", "/%6D%63%70")) {
      for (int i = 0; i < 10; i++) {
        assertThat(compile(dave).isError()).as("call %d", i + 1).isNotEqualTo(Boolean.TRUE);
      }
      assertThat(compile(dave).isError()).as("dave's eleventh").isTrue();
      CallToolResult erins = compile(erin);
      assertThat(erins.isError()).as("erin's first").isNotEqualTo(Boolean.TRUE);
      assertThat(text(erins)).contains("compiled 7");
    }
  }

  @Test
  void hiddenToolIsNotListedAndIsRefusedByName() {
    try (McpSyncClient carol = client("t-carol")) {
      List<String> listed = carol.listTools().tools().stream().map(Tool::name).toList();
      assertThat(listed).contains("create_compile", "read_compile").doesNotContain("delete_project");

      int runs = tools.runs.get();
      CallToolResult refused = carol.callTool(new CallToolRequest("delete_project", Map.of("projectId", 1)));
      assertThat(refused.isError()).isTrue();
      assertThat(text(refused)).contains("not permitted");
      assertThat(tools.runs.get()).isEqualTo(runs);
    }
  }

  @Test
  void unauthenticatedRequestIsRefusedBySpringSecurityBeforeAnyTool() throws Exception {
    int runs = tools.runs.get();
    String call =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"read_compile\","
            + "\"arguments\":{\"compileId\":\"c1\"}}}";
    String[] hostile = {
      null, "Bearer wrong", "Basic YWxpY2U6YWxpY2U=", "bearer t-alice", "Bearer T-ALICE", "Bearer t-alice,t-bob", "Bearer ", "t-alice"
    };
    for (String authorization : hostile) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp"))
              .header("Content-Type", "application/json")
              .header("Accept", "application/json, text/event-stream")
              // An attempt to set the attribute the principal is kept in: attributes are server-side only.
              .header("io.toolgate.spring.ai.internal.McpPrincipalWebFilter.principal", "alice")
              .POST(HttpRequest.BodyPublishers.ofString(call));
      if (authorization != null) {
        request.header("Authorization", authorization);
      }
      HttpResponse<String> response =
          HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(String.valueOf(authorization)).isEqualTo(401);
    }
    assertThat(tools.runs.get()).isEqualTo(runs);
  }
}
