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
import io.toolgate.engine.Policy;
import io.toolgate.examples.mcpserver.QuantConnectServer;
import io.toolgate.examples.mcpserver.TokenFile;
import io.toolgate.mcp.McpToolGuard;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The example server on a free loopback port, reached by a real MCP client with bearer tokens. It
 * runs the shipped policy without its {@code wait: 2m}, so a held call is refused at once and sent
 * again once approved (the waiting call is DemoTest's and DemoInBrowserTest's).
 */
class QuantConnectServerTest {
  static QuantConnectServer server;

  @BeforeAll
  static void start() throws Exception {
    String shipped;
    try (var in = QuantConnectServer.class.getClassLoader().getResourceAsStream(QuantConnectServer.POLICY_RESOURCE)) {
      shipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(shipped).contains("\n    wait: 2m\n");
    server =
        QuantConnectServer.start(
            new QuantConnectServer.Options()
                .policy(Policy.parse(shipped.replace("\n    wait: 2m\n", "\n")))
                .clock(Clock.fixed(Instant.parse("2026-01-01T10:00:30Z"), ZoneOffset.UTC))
                .allowedOrigins(List.of("https://app.example.com")));
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
  void everyResponseEventStreamsIncludedSaysOnlyConnectionCloseSoNoClientPoolsAConnectionTheServerCloses()
      throws Exception {
    HttpRequest initialize =
        HttpRequest.newBuilder(URI.create(server.endpoint()))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .header("Authorization", "Bearer demo-ci-token")
            .POST(HttpRequest.BodyPublishers.ofString(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                    + "\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}"))
            .build();
    HttpResponse<String> opened = HttpClient.newHttpClient().send(initialize, HttpResponse.BodyHandlers.ofString());
    String session = opened.headers().firstValue("Mcp-Session-Id").orElseThrow();

    HttpResponse<String> stream = send("POST", "demo-ci-token", session, null);

    assertThat(opened.headers().allValues("Connection")).containsExactly("close");
    assertThat(stream.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
    // the JDK HttpClient reads the first value only: the SDK's "keep-alive" must not come first
    assertThat(stream.headers().allValues("Connection")).containsExactly("close");
  }

  static final String TOOLS_CALL =
      "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"read_compile\",\"arguments\":{\"projectId\":3,\"compileId\":\"c-1\"}}}";

  static HttpResponse<String> send(String method, String token, String sessionId, String origin) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(server.endpoint()))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .method(method, "POST".equals(method) ? HttpRequest.BodyPublishers.ofString(TOOLS_CALL) : HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (sessionId != null) {
      request.header("Mcp-Session-Id", sessionId);
    }
    if (origin != null) {
      request.header("Origin", origin);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aRequestFromAnUntrustedWebOriginIsRefusedWith403BeforeAnythingElse() throws Exception {
    int runs = server.tools().runs("read_compile");
    for (String origin : List.of("http://evil.example", "http://localhost.evil.example", "http://127.0.0.1.evil.example",
        "null", "http://user@localhost", "https://app.example.com.evil")) {
      HttpResponse<String> response = send("POST", "demo-ci-token", null, origin);
      assertThat(response.statusCode()).as(origin).isEqualTo(403);
      assertThat(response.body()).contains("Origin not allowed");
    }
    assertThat(send("POST", null, null, "http://evil.example").statusCode()).isEqualTo(403);
    assertThat(server.tools().runs("read_compile")).isEqualTo(runs);
  }

  @Test
  void theInboxTakesItsOwnFormPostsWithOriginNullAndRefusesForeignOrigins() throws Exception {
    // the inbox's pages say Referrer-Policy: no-referrer, so a browser posts its forms with Origin: null
    for (String origin : Arrays.asList(null, "null", "http://127.0.0.1:8080")) {
      HttpRequest.Builder login = HttpRequest.newBuilder(URI.create(server.inboxUrl() + "login"))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString("token=demo-approver-token"));
      if (origin != null) {
        login.header("Origin", origin);
      }
      HttpResponse<String> response = HttpClient.newHttpClient().send(login.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(String.valueOf(origin)).isEqualTo(303);
      assertThat(response.headers().firstValue("Set-Cookie")).isPresent();
    }
    for (String origin : List.of("http://evil.example", "http://127.0.0.1.evil.example", "https://app.example.com.evil")) {
      HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.inboxUrl() + "login"))
          .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", origin)
          .POST(HttpRequest.BodyPublishers.ofString("token=demo-approver-token")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).as(origin).isEqualTo(403);
      assertThat(refused.headers().firstValue("Set-Cookie")).isEmpty();
    }
    // "null" stays refused in front of the MCP transport
    assertThat(send("POST", "demo-ci-token", null, "null").statusCode()).isEqualTo(403);
  }

  @Test
  void noOriginLoopbackOriginsAndConfiguredOriginsAreAllowed() throws Exception {
    for (String origin : Arrays.asList(null, "http://localhost:5173", "http://127.0.0.1:8080", "https://[::1]:9000",
        "HTTPS://APP.EXAMPLE.COM")) {
      // past the origin check: no token, so the bearer filter answers 401
      assertThat(send("POST", null, null, origin).statusCode()).as(String.valueOf(origin)).isEqualTo(401);
    }
  }

  @Test
  void aSessionServesOnlyThePrincipalWhoseTokenOpenedIt() throws Exception {
    AtomicReference<String> agentSession = new AtomicReference<>();
    try (McpSyncClient agent =
        McpClient.sync(
                HttpClientStreamableHttpTransport.builder(server.baseUrl())
                    .endpoint("/mcp")
                    .httpRequestCustomizer(
                        (request, method, uri, body, context) -> {
                          request.header("Authorization", "Bearer demo-agent-token");
                          request.build().headers().firstValue("Mcp-Session-Id").ifPresent(agentSession::set);
                        })
                    .build())
            .requestTimeout(Duration.ofSeconds(20))
            .build()) {
      agent.initialize();
      agent.listTools();
      String session = agentSession.get();
      assertThat(session).isNotBlank();
      int runs = server.tools().runs("read_compile");

      // ci-bot's token with agent-7's session: refused, tools/call and DELETE alike
      HttpResponse<String> call = send("POST", "demo-ci-token", session, null);
      assertThat(call.statusCode()).isEqualTo(403);
      assertThat(call.body()).contains("opened by another principal").doesNotContain(session).doesNotContain("agent-7");
      assertThat(send("DELETE", "demo-ci-token", session, null).statusCode()).isEqualTo(403);
      assertThat(server.tools().runs("read_compile")).isEqualTo(runs);

      // agent-7's session is still there and still hers
      assertThat(agent.listTools().tools()).isNotEmpty();
      assertThat(send("POST", "demo-agent-token", session, null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void anUnknownSessionIsAShort404WithoutAStackTrace() throws Exception {
    for (String method : List.of("POST", "GET", "DELETE")) {
      HttpResponse<String> response = send(method, "demo-agent-token", "no-such-session", null);

      assertThat(response.statusCode()).as(method).isEqualTo(404);
      assertThat(response.body()).as(method)
          .contains("Session not found")
          .doesNotContain("stackTrace")
          .doesNotContain("no-such-session")
          .hasSizeLessThan(200);
    }
  }

  @Test
  void tokensAreKeptAsHashesAndMatchedExactly() {
    TokenFile tokens = TokenFile.parse("secret-token-1 alice\nsecret-token-2 bob\n", "test");

    assertThat(tokens.identify("secret-token-1").orElseThrow().principal()).isEqualTo("alice");
    assertThat(tokens.identify("secret-token-2").orElseThrow().principal()).isEqualTo("bob");
    assertThat(tokens.identify("secret-token-3")).isEmpty();
    assertThat(tokens.identify("secret-token-")).isEmpty();
    assertThat(tokens.identify("")).isEmpty();
    assertThat(tokens.size()).isEqualTo(2);
    assertThat(tokens.toString()).doesNotContain("secret");
    assertThat(tokens.isShipped()).isFalse();
    assertThat(TokenFile.shipped().isShipped()).isTrue();
    // no field holds a token's text
    for (var field : TokenFile.class.getDeclaredFields()) {
      assertThat(field.getType()).isNotIn(java.util.Map.class, java.util.Set.class, String.class);
    }
  }

  @Test
  void aHeldCallIsAnsweredInTheApprovalsInboxAndTheIdenticalCallRuns() throws Exception {
    assertThat(server.inboxUrl()).isEqualTo(server.baseUrl() + "/approvals/");
    HttpClient http = HttpClient.newHttpClient();
    assertThat(http.send(HttpRequest.newBuilder(URI.create(server.inboxUrl())).build(), HttpResponse.BodyHandlers.ofString())
        .body()).contains("Approver token");
    try (McpSyncClient agent = client("demo-agent-token")) {
      agent.initialize();
      Map<String, Object> args = Map.of("projectId", 31, "compileId", "c-31", "brokerage", "paper");
      CallToolResult held = agent.callTool(CallToolRequest.builder("create_live_algorithm").arguments(args).build());
      assertThat(held.isError()).isTrue();
      @SuppressWarnings("unchecked")
      String id = String.valueOf(((Map<String, Object>) held.meta().get(McpToolGuard.META_KEY)).get("approvalId"));
      // an MCP caller's token is not an approver's
      assertThat(http.send(HttpRequest.newBuilder(URI.create(server.inboxUrl() + "api/pending/" + id))
          .header("Authorization", "Bearer demo-agent-token").build(), HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(401);
      HttpResponse<String> pending = http.send(HttpRequest.newBuilder(URI.create(server.inboxUrl() + "api/pending/" + id))
          .header("Authorization", "Bearer demo-approver-token").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(pending.statusCode()).isEqualTo(200);
      assertThat(pending.body()).contains("\"principal\":\"agent-7\"").contains("create_live_algorithm");
      HttpResponse<String> approved = http.send(HttpRequest.newBuilder(URI.create(server.inboxUrl() + "api/pending/" + id + "/approve"))
          .header("Authorization", "Bearer demo-approver-token").header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"comment\":\"paper trading is fine\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(approved.statusCode()).isEqualTo(200);
      CallToolResult ran = agent.callTool(CallToolRequest.builder("create_live_algorithm").arguments(args).build());
      assertThat(ran.isError()).isNotEqualTo(Boolean.TRUE);
      assertThat(((McpSchema.TextContent) ran.content().get(0)).text()).contains("of project 31 on paper");
    }
  }
}
