package io.toolgate.spring.ai.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.approval.PendingApproval;
import io.toolgate.mcp.McpCancellation;
import io.toolgate.mcp.McpToolGuard;
import io.toolgate.spring.ai.QuantTools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.ai.tool.ToolCallbackProvider;
import org.springframework.ai.tool.method.MethodToolCallbackProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The real Spring AI MCP server (WebMVC, streamable HTTP, Spring Security bearer tokens) holding a
 * real SDK client's call for an approval ({@code wait: 2m}): the client's {@code
 * notifications/cancelled} in its session withdraws the request, and the tool never runs; another
 * principal's session cannot cancel it. The cancellation wiring is the starter's alone.
 */
@SpringBootTest(
    classes = McpCancellationTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.ai.mcp.server.protocol=STREAMABLE", "spring.ai.mcp.server.name=quant"})
class McpCancellationTest {
  static final String POLICY = """
      version: "1"
      default: deny
      tools:
        create_compile:
          action: require_approval
          reason: Compiles need a human today
          wait: 2m
      """;
  static final ObjectMapper JSON = new ObjectMapper();

  @LocalServerPort int port;
  @Autowired QuantTools tools;
  @Autowired InMemoryApprovalQueue queue;
  @Autowired McpCancellation cancellation;
  @Autowired FilterRegistrationBean<McpCancellation> cancellationFilter;

  @SpringBootApplication
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
    SecurityFilterChain security(HttpSecurity http) throws Exception {
      return new McpServerSecurityTest.App().security(http);
    }

    @Bean
    InMemoryApprovalQueue approvalQueue() {
      return InMemoryApprovalQueue.builder(Clock.systemUTC()).build();
    }

    @Bean
    PolicyEngine policyEngine(InMemoryApprovalQueue queue) {
      return PolicyEngine.builder(Policy.parse(POLICY)).approvals(queue).build();
    }
  }

  /** A real SDK client whose tools/call ids are recorded as it sends them. */
  record Client(McpSyncClient client, BlockingQueue<JsonNode> callIds) {
    JsonNode nextCallId() throws InterruptedException {
      JsonNode id = callIds.poll(30, TimeUnit.SECONDS);
      assertThat(id).as("the client sent a tools/call").isNotNull();
      return id;
    }
  }

  private Client client(String token) {
    BlockingQueue<JsonNode> callIds = new LinkedBlockingQueue<>();
    HttpClientStreamableHttpTransport transport =
        HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port)
            .endpoint("/mcp")
            .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token))
            .httpRequestCustomizer((builder, method, uri, body, context) -> {
              JsonNode message = parse(body);
              if ("tools/call".equals(message.path("method").asText())) {
                callIds.add(message.path("id"));
              }
            })
            .build();
    McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60)).build();
    client.initialize();
    return new Client(client, callIds);
  }

  private static JsonNode parse(String body) {
    try {
      return body == null || body.isEmpty() ? JSON.missingNode() : JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A raw notifications/cancelled for {@code requestId}, in session {@code sessionId}, as {@code token}. */
  private int cancel(String token, String sessionId, JsonNode requestId) throws Exception {
    var params = JSON.createObjectNode().set("requestId", requestId);
    var message = JSON.createObjectNode().put("jsonrpc", "2.0").put("method", "notifications/cancelled");
    message.set("params", params);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp"))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .header("Authorization", "Bearer " + token)
            .header("Mcp-Session-Id", sessionId)
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(message)))
            .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  /** A call held for an approval: the client's future, its JSON-RPC id, its pending request. */
  record Held(CompletableFuture<CallToolResult> call, JsonNode id, PendingApproval request) {
    String session() {
      return request.request().context().sessionId();
    }
  }

  private static Held hold(Client client, int projectId, BlockingQueue<PendingApproval> pending) throws Exception {
    CompletableFuture<CallToolResult> call = CompletableFuture.supplyAsync(
        () -> client.client().callTool(new CallToolRequest("create_compile", Map.of("projectId", projectId))));
    JsonNode id = client.nextCallId();
    PendingApproval request = pending.poll(30, TimeUnit.SECONDS);
    assertThat(request).as("the call is held").isNotNull();
    assertThat(request.request().call().arguments().path("projectId").asInt()).isEqualTo(projectId);
    assertThat(request.request().context().sessionId()).isNotBlank();
    return new Held(call, id, request);
  }

  private void assertWithdrawn(Held held) throws Exception {
    CallToolResult result = held.call().get(30, TimeUnit.SECONDS);
    assertThat(result.isError()).isTrue();
    assertThat(result.meta().get(McpToolGuard.META_KEY).toString()).contains("approval_required");
    assertThat(queue.pending()).extracting(PendingApproval::id).doesNotContain(held.request().id());
    assertThat(queue.approve(held.request().id(), "risk-officer")).isFalse();
  }

  @Test
  void theStarterRegistersTheFilterOnTheMcpEndpoint() {
    assertThat(cancellationFilter.getFilter()).isSameAs(cancellation);
    assertThat(cancellationFilter.getUrlPatterns()).containsExactly("/mcp");
    assertThat(cancellationFilter.getOrder()).isEqualTo(ToolgateMcpServerAutoConfiguration.CANCELLATION_FILTER_ORDER);
  }

  @Test
  void theClientsCancellationWithdrawsTheHeldCallAndAnotherPrincipalsSessionCannot() throws Exception {
    BlockingQueue<PendingApproval> pending = new LinkedBlockingQueue<>();
    Client alice = client("t-alice");
    Client bob = client("t-bob");
    try (ApprovalQueue.Subscription subscription = queue.subscribe(new ApprovalQueue.Listener() {
          @Override
          public void pending(PendingApproval request) {
            pending.add(request);
          }
        });
        McpSyncClient a = alice.client();
        McpSyncClient b = bob.client()) {
      int runs = tools.runs.get();
      Held alices = hold(alice, 7, pending);
      Held bobs = hold(bob, 8, pending);
      assertThat(bobs.session()).isNotEqualTo(alices.session());

      // bob, in his own session, names alice's call; hostile ids in alice's session: nothing changes
      assertThat(cancel("t-bob", bobs.session(), alices.id())).isEqualTo(202);
      assertThat(cancel("t-alice", alices.session(), JSON.getNodeFactory().textNode(alices.id().asText() + "x")))
          .isEqualTo(202);
      assertThat(cancel("t-alice", alices.session(), JSON.createObjectNode().set("id", alices.id())))
          .isEqualTo(202);
      assertThat(cancel("t-alice", alices.session(), JSON.getNodeFactory().numberNode(1e300))).isEqualTo(202);
      assertThat(queue.pending()).extracting(PendingApproval::id)
          .contains(alices.request().id(), bobs.request().id());
      assertThat(alices.call()).isNotDone();

      // alice cancels her own call in her session: withdrawn, the tool never runs; bob's still waits
      assertThat(cancel("t-alice", alices.session(), alices.id())).isEqualTo(202);
      assertWithdrawn(alices);
      assertThat(queue.pending()).extracting(PendingApproval::id).containsExactly(bobs.request().id());
      assertThat(bobs.call()).isNotDone();

      assertThat(cancel("t-bob", bobs.session(), bobs.id())).isEqualTo(202);
      assertWithdrawn(bobs);
      assertThat(queue.pending()).isEmpty();
      assertThat(tools.runs.get()).isEqualTo(runs);
    }
  }
}
