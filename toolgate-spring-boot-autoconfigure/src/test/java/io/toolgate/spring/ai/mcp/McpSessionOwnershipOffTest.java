package io.toolgate.spring.ai.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.toolgate.mcp.McpSessionOwners;
import io.toolgate.mcp.McpToolGuard;
import io.toolgate.spring.ai.QuantTools;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;

/**
 * {@code toolgate.mcp.session-ownership.enabled=false} restores what the starter did before the
 * session filter: a request naming another principal's session reaches the transport, and only a
 * {@code tools/call} in it is refused, by the guard (the session is the first caller's).
 */
@SpringBootTest(
    classes = McpServerSecurityTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.ai.mcp.server.protocol=STREAMABLE",
      "spring.ai.mcp.server.name=quant",
      "toolgate.mcp.session-ownership.enabled=false"
    })
class McpSessionOwnershipOffTest {
  @LocalServerPort int port;
  @Autowired QuantTools tools;
  @Autowired ApplicationContext context;

  @Test
  void anotherPrincipalsRequestsReachTheTransportAndTheGuardRefusesItsToolCalls() throws Exception {
    assertThat(context.getBeansOfType(McpSessionOwners.class)).isEmpty();
    assertThat(context.containsBean("toolgateMcpSessionFilter")).isFalse();
    List<String> sessions = new java.util.concurrent.CopyOnWriteArrayList<>();
    HttpClientStreamableHttpTransport transport =
        HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port)
            .endpoint("/mcp")
            .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer t-alice"))
            .httpRequestCustomizer((builder, method, uri, body, ctx) -> {
              // the SDK names the session on every request after initialize
              builder.build().headers().firstValue("Mcp-Session-Id").ifPresent(sessions::add);
            })
            .build();
    try (McpSyncClient alice = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).build()) {
      alice.initialize();
      CallToolResult own = alice.callTool(new CallToolRequest("create_compile", Map.of("projectId", 7)));
      assertThat(own.isError()).isNotEqualTo(Boolean.TRUE);
      assertThat(sessions).isNotEmpty();
      String session = sessions.get(sessions.size() - 1);

      HttpResponse<String> list = post("t-bob", session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
      assertThat(list.statusCode()).as("reaches the transport").isEqualTo(200);
      int runs = tools.runs.get();
      HttpResponse<String> call = post("t-bob", session, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\","
          + "\"params\":{\"name\":\"create_compile\",\"arguments\":{\"projectId\":8}}}");
      assertThat(call.statusCode()).isEqualTo(200);
      assertThat(call.body()).contains(McpToolGuard.META_KEY).contains("session");
      assertThat(tools.runs.get()).isEqualTo(runs);
    }
  }

  private HttpResponse<String> post(String token, String session, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp"))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .header("Authorization", "Bearer " + token)
            .header("Mcp-Session-Id", session)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }
}
