package io.toolgate.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.toolgate.examples.mcpserver.QuantConnectServer;
import io.toolgate.examples.mcpserver.TokenFile;
import io.toolgate.mcp.McpToolGuard;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The example server on a free loopback port, reached by a real MCP client with bearer tokens. */
class QuantConnectServerTest {
  static QuantConnectServer server;

  @BeforeAll
  static void start() {
    server =
        QuantConnectServer.start(
            new QuantConnectServer.Options()
                .clock(Clock.fixed(Instant.parse("2026-01-01T10:00:30Z"), ZoneOffset.UTC)));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static McpSyncClient client(String token) {
    return McpClient.sync(
            HttpClientStreamableHttpTransport.builder(server.baseUrl())
                .endpoint("/mcp")
                .addHttpRequestCustomizer((request, method, uri, body, context) -> request.header("Authorization", "Bearer " + token))
                .build())
        .requestTimeout(Duration.ofSeconds(20))
        .initializationTimeout(Duration.ofSeconds(20))
        .build();
  }

  static int post(String authorization) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(server.endpoint()))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"create_compile\",\"arguments\":{\"projectId\":7}}}"));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void requestsWithoutAValidTokenAreRefusedBeforeAnyToolRuns() throws Exception {
    assertThat(post(null)).isEqualTo(401);
    assertThat(post("Bearer not-a-token")).isEqualTo(401);
    assertThat(post("Basic ZGVtbzpkZW1v")).isEqualTo(401);
    try (McpSyncClient stranger = client("not-a-token")) {
      assertThatThrownBy(stranger::initialize).isInstanceOf(RuntimeException.class);
    }
    assertThat(server.tools().runs("create_compile")).isZero();
  }

  @Test
  void theTokenNamesThePrincipalWhoseGrantIsCounted() {
    try (McpSyncClient ci = client("demo-ci-token")) {
      ci.initialize();
      List<String> names = ci.listTools().tools().stream().map(Tool::name).toList();
      assertThat(names).containsExactlyInAnyOrder("create_compile", "read_compile", "create_backtest", "create_live_algorithm");

      for (int i = 0; i < 10; i++) {
        assertThat(ci.callTool(CallToolRequest.builder("create_compile").arguments(Map.of("projectId", 3)).build()).isError())
            .isNotEqualTo(Boolean.TRUE);
      }
      CallToolResult limited = ci.callTool(CallToolRequest.builder("create_compile").arguments(Map.of("projectId", 3)).build());
      assertThat(limited.isError()).isTrue();
      assertThat(((McpSchema.TextContent) limited.content().get(0)).text())
          .isEqualTo("Policy denied create_compile: rate limit create_compile_rate (10 per minute, per grant)"
              + " reached; retry after 30s.");
      assertThat(limited.meta().get(McpToolGuard.META_KEY).toString()).contains("retryAfterSeconds=30");
    }
    // agent-7 has a grant of its own
    try (McpSyncClient agent = client("demo-agent-token")) {
      agent.initialize();
      assertThat(agent.callTool(CallToolRequest.builder("create_compile").arguments(Map.of("projectId", 3)).build()).isError())
          .isNotEqualTo(Boolean.TRUE);
    }
  }

  @Test
  void tokenFilesAreCheckedWhenRead() {
    TokenFile tokens = TokenFile.parse("# comment\n\nt1 alice quant,trader\nt2 bob\n", "test");
    assertThat(tokens.identify("t1").orElseThrow().roles()).containsExactlyInAnyOrder("quant", "trader");
    assertThat(tokens.identify("t2").orElseThrow().principal()).isEqualTo("bob");
    assertThat(tokens.identify("t3")).isEmpty();
    assertThat(tokens.identify(null)).isEmpty();
    assertThatThrownBy(() -> TokenFile.parse("lonely-token\n", "tokens.txt"))
        .hasMessage("tokens.txt:1: expected <token> <principal> [role,role,...]");
    assertThatThrownBy(() -> TokenFile.parse("t a\nt b\n", "tokens.txt")).hasMessage("tokens.txt:2: token given twice");
  }

  @Test
  void everyResponseSaysConnectionCloseSoNoClientReusesAConnectionTheServerIsClosing() throws Exception {
    HttpRequest initialize =
        HttpRequest.newBuilder(URI.create(server.endpoint()))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .header("Authorization", "Bearer demo-ci-token")
            .POST(HttpRequest.BodyPublishers.ofString(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                    + "\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}"))
            .build();

    HttpResponse<String> response = HttpClient.newHttpClient().send(initialize, HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Connection")).hasValue("close");
  }
}
