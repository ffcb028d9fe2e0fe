package io.toolgate.spring.ai.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.approval.PendingApproval;
import io.toolgate.mcp.McpSessionFilter;
import io.toolgate.mcp.McpSessionOwners;
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
 * The real Spring AI MCP server (WebMVC, streamable HTTP, Spring Security bearer tokens): a
 * session serves only the principal whose {@code initialize} opened it. Bob, who learned Alice's
 * {@code Mcp-Session-Id}, gets 403 for every request in it, and Alice's held call, her session and
 * her traffic are untouched; an unknown session gets 404. The wiring is the starter's alone.
 */
@SpringBootTest(
    classes = McpSessionOwnershipTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.ai.mcp.server.protocol=STREAMABLE", "spring.ai.mcp.server.name=quant"})
class McpSessionOwnershipTest {
  static final String POLICY = """
      version: "1"
      default: deny
      tools:
        create_compile:
          action: require_approval
          reason: Compiles need a human today
          wait: 2m
        read_compile: {}
      """;
  static final ObjectMapper JSON = new ObjectMapper();

  @LocalServerPort int port;
  @Autowired QuantTools tools;
  @Autowired InMemoryApprovalQueue queue;
  @Autowired McpSessionOwners owners;
  @Autowired FilterRegistrationBean<McpSessionFilter> sessionFilter;

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
  private McpSyncClient client(String token, BlockingQueue<JsonNode> callIds) {
    return client(token, callIds, new LinkedBlockingQueue<>());
  }

  /** A real SDK client whose tools/call ids and session ids are recorded as it sends them. */
  private McpSyncClient client(String token, BlockingQueue<JsonNode> callIds, BlockingQueue<String> sessions) {
    HttpClientStreamableHttpTransport transport =
        HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port)
            .endpoint("/mcp")
            .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token))
            .httpRequestCustomizer((builder, method, uri, body, context) -> {
              builder.build().headers().firstValue("Mcp-Session-Id").ifPresent(sessions::add);
              JsonNode message = parse(body);
              if ("tools/call".equals(message.path("method").asText())) {
                callIds.add(message.path("id"));
              }
            })
            .build();
    McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60)).build();
    client.initialize();
    return client;
  }

  private static JsonNode parse(String body) {
    try {
      return body == null || body.isEmpty() ? JSON.missingNode() : JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A raw request to the MCP endpoint, as {@code token}, naming {@code sessionId} in {@code header}. */
  private HttpResponse<String> send(String method, String token, String header, String sessionId, String body)
      throws Exception {
    return send("/mcp", method, token, header, sessionId, body);
  }

  private HttpResponse<String> send(
      String path, String method, String token, String header, String sessionId, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .header("Authorization", "Bearer " + token)
            .header(header, sessionId)
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A POST naming two sessions, {@code first} then {@code second}. */
  private HttpResponse<String> twoSessions(String token, String first, String second, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp"))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .header("Authorization", "Bearer " + token)
            .header("Mcp-Session-Id", first)
            .header("Mcp-Session-Id", second)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String token, String sessionId, String body) throws Exception {
    return send("POST", token, "Mcp-Session-Id", sessionId, body);
  }

  static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":41,\"method\":\"tools/call\","
      + "\"params\":{\"name\":\"read_compile\",\"arguments\":{\"compileId\":\"c1\"}}}";
  static final String LIST = "{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"tools/list\"}";

  static String cancel(JsonNode requestId) {
    return "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":" + requestId + "}}";
  }

  /** A short JSON-RPC error with {@code code}, naming neither the session nor its owner. */
  private static void assertError(HttpResponse<String> response, int status, int code, String sessionId) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonNode body = parse(response.body());
    assertThat(body.path("jsonrpc").asText()).isEqualTo("2.0");
    assertThat(body.has("id") && body.get("id").isNull()).as(response.body()).isTrue();
    assertThat(body.path("error").path("code").asInt()).isEqualTo(code);
    assertThat(body.path("error").path("message").asText()).isNotBlank();
    assertThat(response.body()).doesNotContain(sessionId).doesNotContain("alice");
  }

  private static String text(CallToolResult result) {
    return ((TextContent) result.content().get(0)).text();
  }

  @Test
  void theStarterRegistersTheFilterOnTheMcpEndpointBeforeCancellation() {
    assertThat(sessionFilter.getUrlPatterns()).containsExactly("/mcp");
    assertThat(sessionFilter.getOrder())
        .isEqualTo(ToolgateMcpServerAutoConfiguration.SESSION_FILTER_ORDER)
        .isLessThan(ToolgateMcpServerAutoConfiguration.CANCELLATION_FILTER_ORDER);
  }

  @Test
  void anotherPrincipalUsingAlicesSessionIdIsRefusedAndAlicesCallAndSessionAreUntouched() throws Exception {
    BlockingQueue<JsonNode> aliceCalls = new LinkedBlockingQueue<>();
    BlockingQueue<PendingApproval> pending = new LinkedBlockingQueue<>();
    BlockingQueue<String> bobSessions = new LinkedBlockingQueue<>();
    try (ApprovalQueue.Subscription subscription = queue.subscribe(new ApprovalQueue.Listener() {
          @Override
          public void pending(PendingApproval request) {
            pending.add(request);
          }
        });
        McpSyncClient alice = client("t-alice", aliceCalls);
        McpSyncClient bob = client("t-bob", new LinkedBlockingQueue<>(), bobSessions)) {
      CompletableFuture<CallToolResult> held = CompletableFuture.supplyAsync(
          () -> alice.callTool(new CallToolRequest("create_compile", Map.of("projectId", 7))));
      JsonNode heldId = aliceCalls.poll(30, TimeUnit.SECONDS);
      assertThat(heldId).as("alice sent her tools/call").isNotNull();
      PendingApproval request = pending.poll(30, TimeUnit.SECONDS);
      assertThat(request).as("alice's call is held").isNotNull();
      String session = request.request().context().sessionId();
      assertThat(session).isNotBlank();
      assertThat(owners.isOwner(session, "alice")).as("her initialize recorded her").isTrue();
      int runs = tools.runs.get();

      // bob names alice's session: every kind of request is refused before the transport
      assertError(post("t-bob", session, CALL), 403, McpToolGuard.ERROR_CODE, session);
      assertError(post("t-bob", session, LIST), 403, McpToolGuard.ERROR_CODE, session);
      assertError(post("t-bob", session, cancel(heldId)), 403, McpToolGuard.ERROR_CODE, session);
      assertError(send("GET", "t-bob", "Mcp-Session-Id", session, null), 403, McpToolGuard.ERROR_CODE, session);
      assertError(send("POST", "t-bob", "mcp-session-id", session, CALL), 403, McpToolGuard.ERROR_CODE, session);
      assertError(send("DELETE", "t-bob", "Mcp-Session-Id", session, null), 403, McpToolGuard.ERROR_CODE, session);
      // the endpoint spelled another way reaches the same servlet mapping, and the same filter
      assertError(send("/m%63p", "POST", "t-bob", "Mcp-Session-Id", session, CALL), 403, McpToolGuard.ERROR_CODE,
          session);
      // alice's session in the SSE transport's ?sessionId= (no header): the ownership filter, which
      // reads the header, lets it by, and the cancellation filter must not take it for her session
      assertThat(send("/mcp?sessionId=" + session, "POST", "t-bob", "X-Not-A-Session", "-", cancel(heldId))
          .statusCode()).isGreaterThanOrEqualTo(400);
      assertThat(tools.runs.get()).isEqualTo(runs);

      // two session headers: the filter reads the first, as the transport does
      String bobs = bobSessions.poll(30, TimeUnit.SECONDS);
      assertThat(bobs).as("bob's client named his session").isNotBlank().isNotEqualTo(session);
      assertError(twoSessions("t-bob", session, bobs, CALL), 403, McpToolGuard.ERROR_CODE, session);
      HttpResponse<String> first = twoSessions("t-bob", bobs, session, CALL);
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.body()).contains("compile c1 ok").doesNotContain(McpToolGuard.META_KEY);

      // alice's call is still held, and still hers to approve; her session still serves her
      assertThat(held).isNotDone();
      assertThat(queue.pending()).extracting(PendingApproval::id).containsExactly(request.id());
      assertThat(queue.approve(request.id(), "risk-officer")).isTrue();
      CallToolResult approved = held.get(30, TimeUnit.SECONDS);
      assertThat(approved.isError()).isNotEqualTo(Boolean.TRUE);
      assertThat(text(approved)).contains("compiled 7");
      assertThat(alice.listTools().tools()).extracting(Tool::name).contains("read_compile");
      assertThat(text(alice.callTool(new CallToolRequest("read_compile", Map.of("compileId", "c1")))))
          .contains("compile c1 ok");

      // bob's own session serves him as before
      assertThat(text(bob.callTool(new CallToolRequest("read_compile", Map.of("compileId", "c2")))))
          .contains("compile c2 ok");
      assertThat(owners.isOwner(session, "alice")).isTrue();
    }
  }

  @Test
  void anUnknownSessionIdGets404AndIsNotEchoed() throws Exception {
    for (String unknown : new String[] {"not-a-session", "x".repeat(4000), "a\tb<script>"}) {
      assertError(post("t-bob", unknown, CALL), 404, McpSessionFilter.SESSION_NOT_FOUND, unknown);
    }
  }

  @Test
  void aSessionItsOwnerDeletedIsForgottenAndThen404ForEveryone() throws Exception {
    BlockingQueue<JsonNode> calls = new LinkedBlockingQueue<>();
    BlockingQueue<PendingApproval> pending = new LinkedBlockingQueue<>();
    try (ApprovalQueue.Subscription subscription = queue.subscribe(new ApprovalQueue.Listener() {
          @Override
          public void pending(PendingApproval request) {
            pending.add(request);
          }
        });
        McpSyncClient carol = client("t-carol", calls)) {
      CompletableFuture<CallToolResult> held = CompletableFuture.supplyAsync(
          () -> carol.callTool(new CallToolRequest("create_compile", Map.of("projectId", 9))));
      PendingApproval request = pending.poll(30, TimeUnit.SECONDS);
      assertThat(request).as("carol's call is held").isNotNull();
      String session = request.request().context().sessionId();
      assertThat(queue.reject(request.id(), "risk-officer", "not today")).isTrue();
      assertThat(held.get(30, TimeUnit.SECONDS).isError()).isTrue();

      assertThat(send("DELETE", "t-carol", "Mcp-Session-Id", session, null).statusCode()).isBetween(200, 299);
      assertThat(owners.isKnown(session)).isFalse();
      assertError(post("t-carol", session, LIST), 404, McpSessionFilter.SESSION_NOT_FOUND, session);
      assertError(post("t-bob", session, LIST), 404, McpSessionFilter.SESSION_NOT_FOUND, session);
    }
  }
}
