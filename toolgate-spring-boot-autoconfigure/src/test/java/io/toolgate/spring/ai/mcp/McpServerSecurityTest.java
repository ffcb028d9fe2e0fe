package io.toolgate.spring.ai.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.mcp.McpToolGuard;
import io.toolgate.spring.ai.QuantTools;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.ai.tool.ToolCallbackProvider;
import org.springframework.ai.tool.method.MethodToolCallbackProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The real Spring AI MCP server (WebMVC, streamable HTTP) with Spring Security bearer tokens and
 * the seed policy, called by a real MCP SDK client: no Toolgate code in the application.
 */
@SpringBootTest(
    classes = McpServerSecurityTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.ai.mcp.server.protocol=STREAMABLE", "spring.ai.mcp.server.name=quant"})
class McpServerSecurityTest {
  private static final Map<String, String> TOKENS = Map.of("t-alice", "alice", "t-bob", "bob", "t-carol", "carol");

  @LocalServerPort int port;
  @Autowired QuantTools tools;

  @SpringBootApplication
  static class App {
    @Bean
    PolicyEngine policyEngine() {
      return QuantTools.seedEngine();
    }

    @Bean
    QuantTools quantTools() {
      return new QuantTools();
    }

    @Bean
    ToolCallbackProvider quantToolCallbacks(QuantTools tools) {
      return MethodToolCallbackProvider.builder().toolObjects(tools).build();
    }

    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(requests ->
              requests
                  .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR)
                  .permitAll()
                  .anyRequest()
                  .authenticated())
          .csrf(csrf -> csrf.disable())
          .addFilterBefore(new BearerTokens(), AuthorizationFilter.class)
          .exceptionHandling(e -> e.authenticationEntryPoint(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED)))
          .build();
    }
  }

  /** A bearer token names a user, with the authority ROLE_quant. */
  static final class BearerTokens extends OncePerRequestFilter {
    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws ServletException, IOException {
      String header = request.getHeader("Authorization");
      String user = header != null && header.startsWith("Bearer ") ? TOKENS.get(header.substring(7)) : null;
      if (user != null) {
        SecurityContextHolder.getContext()
            .setAuthentication(
                UsernamePasswordAuthenticationToken.authenticated(
                    user, null, List.of(new SimpleGrantedAuthority("ROLE_quant"))));
      }
      chain.doFilter(request, response);
    }
  }

  private McpSyncClient client(String token) {
    HttpClientStreamableHttpTransport transport =
        HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port)
            .endpoint("/mcp")
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
    for (String authorization : new String[] {null, "Bearer wrong", "Basic YWxpY2U6YWxpY2U="}) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp"))
              .header("Content-Type", "application/json")
              .header("Accept", "application/json, text/event-stream")
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
