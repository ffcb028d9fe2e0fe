package io.toolgate.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The example app as it ships (its own properties and policy.yaml), driven by a real MCP SDK
 * client over streamable HTTP with the demo bearer tokens.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SpringAiServerApplicationTest {
  @LocalServerPort int port;
  @Autowired QuantConnectTools tools;

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

  private static CallToolResult call(McpSyncClient client, String tool, Map<String, Object> arguments) {
    return client.callTool(new CallToolRequest(tool, arguments));
  }

  private static String text(CallToolResult result) {
    return ((TextContent) result.content().get(0)).text();
  }

  @Test
  void createCompileIsCappedAtTenAMinutePerPrincipal() {
    try (McpSyncClient alice = client("demo-alice");
        McpSyncClient bob = client("demo-bob")) {
      for (int i = 0; i < 10; i++) {
        CallToolResult allowed = call(alice, "create_compile", Map.of("projectId", 7));
        assertThat(allowed.isError()).as("call %d", i + 1).isNotEqualTo(Boolean.TRUE);
        assertThat(text(allowed)).contains("compiled project 7");
      }
      int compiles = tools.compileCount();
      CallToolResult refused = call(alice, "create_compile", Map.of("projectId", 7));
      assertThat(refused.isError()).isTrue();
      assertThat(text(refused)).contains("create_compile");
      @SuppressWarnings("unchecked")
      Map<String, Object> decision = (Map<String, Object>) refused.meta().get("io.toolgate/decision");
      assertThat(decision).containsEntry("kind", "rate_limited").containsEntry("tool", "create_compile");
      assertThat(tools.compileCount()).isEqualTo(compiles);

      CallToolResult bobs = call(bob, "create_compile", Map.of("projectId", 7));
      assertThat(bobs.isError()).isNotEqualTo(Boolean.TRUE);
      assertThat(text(bobs)).contains("compiled project 7");
    }
  }

  @Test
  void hiddenToolIsNotListedAndIsRefusedByName() {
    try (McpSyncClient carol = client("demo-carol")) {
      List<String> listed = carol.listTools().tools().stream().map(Tool::name).toList();
      assertThat(listed)
          .contains("read_project", "create_compile", "read_compile", "create_live_algorithm")
          .doesNotContain("delete_project");

      CallToolResult refused = call(carol, "delete_project", Map.of("projectId", 1));
      assertThat(refused.isError()).isTrue();
      assertThat(text(refused)).contains("not permitted");
      assertThat(tools.hasProject(1)).isTrue();

      assertThat(text(call(carol, "read_project", Map.of("projectId", 1)))).contains("project 1: Momentum");
    }
  }

  @Test
  void goingLiveIsHeldForApproval() {
    try (McpSyncClient carol = client("demo-carol")) {
      String compile = text(call(carol, "create_compile", Map.of("projectId", 1)));
      String compileId = compile.substring(compile.indexOf("c-"), compile.indexOf(' ', compile.indexOf("c-")));
      CallToolResult held =
          call(carol, "create_live_algorithm", Map.of("projectId", 1, "compileId", compileId));
      assertThat(held.isError()).isTrue();
      @SuppressWarnings("unchecked")
      Map<String, Object> decision = (Map<String, Object>) held.meta().get("io.toolgate/decision");
      assertThat(decision).containsEntry("tool", "create_live_algorithm");
      assertThat(tools.deploymentCount()).isZero();
    }
  }

  @Test
  void requestsWithoutAKnownBearerTokenAreRefusedBySpringSecurity() throws Exception {
    int compiles = tools.compileCount();
    String call =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"create_compile\","
            + "\"arguments\":{\"projectId\":7}}}";
    List<String> refused = new ArrayList<>();
    refused.add(null);
    refused.addAll(List.of(
        "Bearer wrong", "Bearer ", "Bearer", "Basic YWxpY2U6ZGVtby1hbGljZQ==", "demo-alice",
        // The hash itself is not a token.
        "Bearer c3fe0b469a6d4f19a25fbec114762d2186aa2c22888f52c5550a77fc104bcff3",
        "Bearer demo-alice2", "Bearer " + "x".repeat(4000), "Bearer d\u00e9mo-alice"));
    HttpClient http = HttpClient.newHttpClient();
    for (String authorization : refused) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp"))
              .header("Content-Type", "application/json")
              .header("Accept", "application/json, text/event-stream")
              .POST(HttpRequest.BodyPublishers.ofString(call));
      if (authorization != null) {
        request.header("Authorization", authorization);
      }
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(String.valueOf(authorization)).isEqualTo(401);
    }
    assertThat(tools.compileCount()).isEqualTo(compiles);
  }
}
