package io.toolgate.spring.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.toolgate.api.CallContext;
import io.toolgate.mcp.McpIdentityResolver;
import io.toolgate.spring.ai.mcp.ToolgateMcpServerAutoConfiguration;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.ai.tool.ToolCallbackProvider;
import org.springframework.ai.tool.method.MethodToolCallbackProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;

/**
 * A WebFlux MCP server whose Spring Security lets every request through (so each caller is Spring
 * Security's anonymous one): the caller comes from the application's {@link McpIdentityResolver},
 * which reads an API key from the request's headers, else it is anonymous.
 */
@SpringBootTest(
    classes = WebFluxIdentityResolverTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.ai.mcp.server.protocol=STREAMABLE",
      "spring.ai.mcp.server.name=quant",
      "toolgate.policy=classpath:io/toolgate/spring/webflux/policy.yaml"
    })
class WebFluxIdentityResolverTest {
  private static final Map<String, String> KEYS = Map.of("k-dave", "dave");

  @LocalServerPort int port;
  @Autowired QuantTools tools;

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

    @Bean
    SecurityWebFilterChain security(ServerHttpSecurity http) {
      return http.csrf(ServerHttpSecurity.CsrfSpec::disable)
          .authorizeExchange(exchanges -> exchanges.anyExchange().permitAll())
          .build();
    }

    /** The caller an API key names; no key, or an unknown one: no caller (anonymous). */
    @Bean
    McpIdentityResolver apiKeys() {
      return (transportContext, sessionId) -> {
        @SuppressWarnings("unchecked")
        Map<String, List<String>> headers =
            (Map<String, List<String>>) transportContext.get(ToolgateMcpServerAutoConfiguration.HEADERS_KEY);
        List<String> key = headers == null ? null : headers.get("x-api-key");
        String user = key == null || key.size() != 1 ? null : KEYS.get(key.get(0));
        return user == null ? null : CallContext.of(user);
      };
    }
  }

  private McpSyncClient client(String key) {
    HttpRequest.Builder request = HttpRequest.newBuilder();
    if (key != null) {
      request.header("X-Api-Key", key);
    }
    HttpClientStreamableHttpTransport transport =
        HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port)
            .endpoint("/mcp")
            .requestBuilder(request)
            .build();
    McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).build();
    client.initialize();
    return client;
  }

  private static CallToolResult compile(McpSyncClient client) {
    return client.callTool(new CallToolRequest("create_compile", Map.of("projectId", 7)));
  }

  @Test
  void theResolversCallerIsCountedAndAnonymousCallersAreNot() {
    try (McpSyncClient dave = client("k-dave");
        McpSyncClient nobody = client(null);
        McpSyncClient unknown = client("k-mallory")) {
      for (int i = 0; i < 10; i++) {
        assertThat(compile(dave).isError()).as("call %d", i + 1).isNotEqualTo(Boolean.TRUE);
      }
      int runs = tools.runs.get();
      assertThat(compile(dave).isError()).isTrue();
      // Anonymous: a limit kept per grant has no one to count for, so it denies.
      assertThat(compile(nobody).isError()).isTrue();
      assertThat(compile(unknown).isError()).isTrue();
      assertThat(tools.runs.get()).isEqualTo(runs);
      // A tool without a limit is open to anonymous callers; the hidden one is listed to no one.
      CallToolResult read = nobody.callTool(new CallToolRequest("read_compile", Map.of("compileId", "c1")));
      assertThat(read.isError()).isNotEqualTo(Boolean.TRUE);
      assertThat(nobody.listTools().tools().stream().map(Tool::name)).doesNotContain("delete_project");
    }
  }
}
