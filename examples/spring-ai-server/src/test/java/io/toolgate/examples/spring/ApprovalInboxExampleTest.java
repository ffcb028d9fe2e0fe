package io.toolgate.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The example app's approvals inbox, as it ships: a real MCP client's create_live_algorithm is held;
 * the risk officer (ROLE_approver, bearer token) finds it in the inbox's JSON API and approves it;
 * the identical call then deploys. A quant is no approver. (Its own context: the deployments of
 * SpringAiServerApplicationTest's app stay theirs.)
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "spring.application.name=spring-ai-server-inbox-test")
class ApprovalInboxExampleTest {
  @LocalServerPort int port;
  @Autowired QuantConnectTools tools;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

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

  private static String text(CallToolResult result) {
    return ((TextContent) result.content().get(0)).text();
  }

  private HttpResponse<String> inbox(String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/approvals" + path))
        .timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theRiskOfficerApprovesTheHeldCallInTheInboxAndTheSameCallDeploys() throws Exception {
    try (McpSyncClient alice = client("demo-alice")) {
      String compile = text(alice.callTool(new CallToolRequest("create_compile", Map.of("projectId", 1))));
      String compileId = compile.substring(compile.indexOf("c-"), compile.indexOf(' ', compile.indexOf("c-")));
      Map<String, Object> live = Map.of("projectId", 1, "compileId", compileId);
      assertThat(alice.callTool(new CallToolRequest("create_live_algorithm", live)).isError()).isTrue();
      assertThat(tools.deploymentCount()).isZero();

      assertThat(inbox("GET", "/api/pending", "demo-alice", null).statusCode()).as("a quant is no approver").isEqualTo(401);
      HttpResponse<String> pending = inbox("GET", "/api/pending", "demo-risk-officer", null);
      assertThat(pending.statusCode()).isEqualTo(200);
      assertThat(pending.body()).contains("\"tool\":\"create_live_algorithm\"", "\"principal\":\"alice\"");
      Matcher id = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(pending.body());
      assertThat(id.find()).isTrue();

      HttpResponse<String> approved =
          inbox("POST", "/api/pending/" + id.group(1) + "/approve", "demo-risk-officer", "{\"comment\":\"paper first: done\"}");
      assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
      assertThat(approved.body()).contains("\"approver\":\"risk-officer\"");

      CallToolResult deployed = alice.callTool(new CallToolRequest("create_live_algorithm", live));
      assertThat(deployed.isError()).isNotEqualTo(Boolean.TRUE);
      assertThat(tools.deploymentCount()).isEqualTo(1);
    }
  }
}
