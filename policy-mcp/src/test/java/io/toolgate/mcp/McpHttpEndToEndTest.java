package io.toolgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpStatelessAsyncServer;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.HttpHeaders;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.toolgate.api.AuditEvent;
import io.toolgate.api.CallContext;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.audit.JsonLinesAuditSink;
import jakarta.servlet.http.HttpServletRequest;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real SDK clients against real SDK servers over streamable HTTP (and the stateless HTTP
 * transport) on a loopback port, each server's tools guarded by {@link McpToolGuard}.
 */
class McpHttpEndToEndTest {
  /** Mid-minute on a fixed clock: a full fixed window is always 30 s from its end. */
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T10:00:30Z"), ZoneOffset.UTC);

  static final ObjectMapper JSON = new ObjectMapper();
  static final TestTools TOOLS = new TestTools();
  static final StringWriter AUDIT = new StringWriter();
  static InMemoryApprovalQueue approvals;
  static PolicyEngine engine;
  static LoopbackTomcat tomcat;
  static McpSyncServer syncServer;
  static McpAsyncServer asyncServer;
  static McpStatelessSyncServer statelessServer;
  static McpStatelessAsyncServer statelessAsyncServer;
  static McpSyncServer ownedServer;
  static final McpSessionOwners OWNERS = McpSessionOwners.create();
  static final List<AutoCloseable> clients = new ArrayList<>();

  /** What a server's extractor does: verify the bearer token, store who it names. */
  static McpTransportContext identify(HttpServletRequest request) {
    String authorization = request.getHeader("Authorization");
    if ("Bearer tok-alice".equals(authorization)) {
      return McpIdentityResolver.transportContext(CallContext.of("alice").withRoles("quant"));
    }
    if ("Bearer tok-bob".equals(authorization)) {
      return McpIdentityResolver.transportContext(CallContext.of("bob"));
    }
    return McpTransportContext.EMPTY;
  }

  @BeforeAll
  static void start() {
    approvals = InMemoryApprovalQueue.builder(CLOCK).build();
    engine =
        PolicyEngine.builder(Policy.fromResource("mcp-test-policy.yaml"))
            .approvals(approvals)
            .audit(JsonLinesAuditSink.to(AUDIT))
            .clock(CLOCK)
            .build();
    McpToolGuard guard = McpToolGuard.of(engine);

    var streamable =
        HttpServletStreamableServerTransportProvider.builder()
            .mcpEndpoint("/mcp")
            .contextExtractor(McpHttpEndToEndTest::identify)
            .build();
    syncServer =
        McpServer.sync(streamable)
            .serverInfo("sync-test", "1")
            .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
            .tools(guard.sync(TOOLS.sync()))
            .addToolFilter(guard.syncListFilter())
            .build();

    var asyncStreamable =
        HttpServletStreamableServerTransportProvider.builder()
            .mcpEndpoint("/mcp-async")
            .contextExtractor(McpHttpEndToEndTest::identify)
            .build();
    asyncServer =
        McpServer.async(asyncStreamable)
            .serverInfo("async-test", "1")
            .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
            .tools(guard.async(TOOLS.async()))
            .addToolFilter(guard.asyncListFilter())
            .build();

    var stateless =
        HttpServletStatelessServerTransport.builder()
            .messageEndpoint("/mcp-stateless")
            .contextExtractor(McpHttpEndToEndTest::identify)
            .build();
    McpToolGuard errorGuard = McpToolGuard.builder(engine).refusalsAsErrors(true).build();
    statelessServer =
        McpServer.sync(stateless)
            .serverInfo("stateless-test", "1")
            .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
            .tools(errorGuard.statelessSync(TOOLS.statelessSync()))
            .addToolFilter(errorGuard.syncListFilter())
            .build();

    var statelessAsync =
        HttpServletStatelessServerTransport.builder()
            .messageEndpoint("/mcp-stateless-async")
            .contextExtractor(McpHttpEndToEndTest::identify)
            .build();
    statelessAsyncServer =
        McpServer.async(statelessAsync)
            .serverInfo("stateless-async-test", "1")
            .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
            .tools(guard.statelessAsync(TOOLS.statelessAsync()))
            .addToolFilter(guard.asyncListFilter())
            .build();

    // the same, with sessions kept to their openers by the filter in front of the transport
    var owned =
        HttpServletStreamableServerTransportProvider.builder()
            .mcpEndpoint("/mcp-owned")
            .contextExtractor(McpHttpEndToEndTest::identify)
            .build();
    McpToolGuard ownedGuard = McpToolGuard.builder(engine).sessionOwners(OWNERS).build();
    ownedServer =
        McpServer.sync(owned)
            .serverInfo("owned-test", "1")
            .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
            .tools(ownedGuard.sync(TOOLS.sync()))
            .build();

    tomcat =
        new LoopbackTomcat()
            .serve("/mcp-owned", owned)
            .filter("/mcp-owned", McpSessionFilter.of(OWNERS, McpHttpEndToEndTest::identify))
            .serve("/mcp-stateless-async", statelessAsync)
            .serve("/mcp", streamable)
            .serve("/mcp-async", asyncStreamable)
            .serve("/mcp-stateless", stateless)
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable client : clients) {
      client.close();
    }
    syncServer.close();
    asyncServer.close();
    statelessServer.close();
    statelessAsyncServer.close();
    ownedServer.close();
    tomcat.close();
  }

  static HttpClientStreamableHttpTransport transport(String endpoint, String token) {
    var builder = HttpClientStreamableHttpTransport.builder(tomcat.url()).endpoint(endpoint);
    if (token != null) {
      builder.addHttpRequestCustomizer(
          (request, method, uri, body, context) -> request.header("Authorization", "Bearer " + token));
    }
    return builder.build();
  }

  static McpSyncClient client(McpClientTransport transport) {
    McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20)).build();
    clients.add(client);
    client.initialize();
    return client;
  }

  static McpSyncClient client(String token) {
    return client(transport("/mcp", token));
  }

  static CallToolResult call(McpSyncClient client, String tool, Map<String, Object> args) {
    return client.callTool(CallToolRequest.builder(tool).arguments(args).build());
  }

  static CallToolResult call(McpSyncClient client, String tool) {
    return call(client, tool, Map.of());
  }

  static String text(CallToolResult result) {
    return ((McpSchema.TextContent) result.content().get(0)).text();
  }

  static JsonNode decision(CallToolResult result) {
    assertThat(result.meta()).containsKey(McpToolGuard.META_KEY);
    return JSON.valueToTree(result.meta().get(McpToolGuard.META_KEY));
  }

  static List<String> toolNames(McpSyncClient client) {
    return client.listTools().tools().stream().map(Tool::name).toList();
  }

  @Test
  void allowedCallRunsTheTool() {
    McpSyncClient alice = client("tok-alice");
    int before = TOOLS.invocations("read_compile");

    CallToolResult result = call(alice, "read_compile", Map.of("compileId", "c-1"));

    assertThat(result.isError()).isNotEqualTo(Boolean.TRUE);
    assertThat(text(result)).isEqualTo("read_compile ok");
    assertThat(TOOLS.invocations("read_compile")).isEqualTo(before + 1);
  }

  @Test
  void deniedCallReturnsTheReasonAndNeverRunsTheTool() {
    McpSyncClient alice = client("tok-alice");

    CallToolResult result = call(alice, "delete_project", Map.of("projectId", 7));

    assertThat(result.isError()).isTrue();
    assertThat(text(result))
        .isEqualTo("Policy denied delete_project: Project deletion is not permitted for agents.");
    JsonNode decision = decision(result);
    assertThat(decision.get("kind").asText()).isEqualTo("deny");
    assertThat(decision.get("rule").asText()).isEqualTo("/tools/delete_project");
    assertThat(TOOLS.invocations("delete_project")).isZero();
  }

  @Test
  void rateLimitCarriesRetryAfterAndCountersArePerToken() {
    McpSyncClient alice = client("tok-alice");
    McpSyncClient bob = client("tok-bob");
    int before = TOOLS.invocations("create_compile");

    for (int i = 0; i < 3; i++) {
      assertThat(call(alice, "create_compile", Map.of("projectId", 7)).isError()).isNotEqualTo(Boolean.TRUE);
    }
    CallToolResult limited = call(alice, "create_compile", Map.of("projectId", 7));

    assertThat(limited.isError()).isTrue();
    assertThat(text(limited))
        .isEqualTo("Policy denied create_compile: rate limit create_compile_rate (3 per minute, per grant)"
            + " reached; retry after 30s.");
    JsonNode decision = decision(limited);
    assertThat(decision.get("kind").asText()).isEqualTo("rate_limited");
    assertThat(decision.get("counter").asText()).isEqualTo("create_compile_rate");
    assertThat(decision.get("retryAfterSeconds").asLong()).isEqualTo(30);
    assertThat(decision.get("retryAfterMillis").asLong()).isEqualTo(30_000);

    // bob's token names another principal: his own counter, untouched by alice's calls
    assertThat(call(bob, "create_compile", Map.of("projectId", 7)).isError()).isNotEqualTo(Boolean.TRUE);
    assertThat(TOOLS.invocations("create_compile")).isEqualTo(before + 4);
  }

  @Test
  void callWithoutATokenIsAnonymousAndGrantLimitsDenyIt() {
    McpSyncClient nobody = client((String) null);
    int before = TOOLS.invocations("create_compile");

    CallToolResult result = call(nobody, "create_compile", Map.of("projectId", 7));

    assertThat(result.isError()).isTrue();
    assertThat(decision(result).get("kind").asText()).isEqualTo("deny");
    assertThat(text(result)).contains("create_compile_rate");
    assertThat(TOOLS.invocations("create_compile")).isEqualTo(before);
  }

  @Test
  void approvalIsRequiredThenTheApprovedCallRunsOnce() {
    McpSyncClient alice = client("tok-alice");
    Map<String, Object> args = Map.of("projectId", 7, "brokerage", "paper");

    CallToolResult held = call(alice, "create_live_algorithm", args);

    assertThat(held.isError()).isTrue();
    JsonNode decision = decision(held);
    assertThat(decision.get("kind").asText()).isEqualTo("approval_required");
    String id = decision.get("approvalId").asText();
    assertThat(text(held)).contains("Going live needs a human").contains(id);
    assertThat(TOOLS.invocations("create_live_algorithm")).isZero();

    assertThat(approvals.approve(id, "risk-officer")).isTrue();
    CallToolResult approved = call(alice, "create_live_algorithm", args);

    assertThat(approved.isError()).isNotEqualTo(Boolean.TRUE);
    assertThat(TOOLS.invocations("create_live_algorithm")).isEqualTo(1);
    // one-shot: the next identical call is held again
    assertThat(decision(call(alice, "create_live_algorithm", args)).get("kind").asText())
        .isEqualTo("approval_required");
  }

  @Test
  void hiddenAndForbiddenToolsAreNotListedAndDeniedWhenCalledAnyway() {
    McpSyncClient alice = client("tok-alice");

    assertThat(toolNames(alice))
        .contains("create_compile", "read_compile", "read_session", "create_live_algorithm", "flaky_tool")
        .doesNotContain("admin_reset", "delete_project", "unlisted_tool");

    CallToolResult hidden = call(alice, "admin_reset");
    assertThat(hidden.isError()).isTrue();
    assertThat(text(hidden)).contains("hidden by policy");
    assertThat(decision(hidden).get("rule").asText()).isEqualTo("/hide/0");
    CallToolResult unlisted = call(alice, "unlisted_tool");
    assertThat(text(unlisted)).contains("not permitted");
    assertThat(TOOLS.invocations("admin_reset")).isZero();
    assertThat(TOOLS.invocations("unlisted_tool")).isZero();
  }

  @Test
  void sessionLimitsAreKeptPerMcpSession() {
    McpSyncClient first = client("tok-bob");
    McpSyncClient second = client("tok-bob");

    assertThat(call(first, "read_session").isError()).isNotEqualTo(Boolean.TRUE);
    assertThat(call(first, "read_session").isError()).isNotEqualTo(Boolean.TRUE);
    CallToolResult third = call(first, "read_session");
    assertThat(third.isError()).isTrue();
    assertThat(decision(third).get("counter").asText()).isEqualTo("per_session");

    // same token, new MCP session: a fresh per-session counter
    assertThat(call(second, "read_session").isError()).isNotEqualTo(Boolean.TRUE);
  }

  @Test
  void aToolThatReturnsIsErrorCountsAsFailedAndIsRefunded() {
    McpSyncClient bob = client("tok-bob");
    // The thrown tool is called over the stateless endpoint (same engine, same per-grant counter):
    // on the streamable one, the SDK (2.1.0) answers a tool that throws with a JSON-RPC error
    // whose write races with the closing of the event stream; under load about 1 call in 60
    // loses its connection ("HTTP/1.1 header parser received no bytes"), which made this test
    // flaky. Results with isError, and the stateless transport, never did (0 in 300 each).
    McpSyncClient bobStateless = client(transport("/mcp-stateless", "tok-bob"));

    // max 1 per hour, refund_on_error: failures give their cost back, whether the tool throws ...
    assertThatThrownBy(() -> call(bobStateless, "flaky_tool", Map.of("throw", true))).isInstanceOf(McpError.class);
    // ... or returns isError
    assertThat(call(bob, "flaky_tool", Map.of("fail", true)).isError()).isTrue();
    assertThat(call(bob, "flaky_tool", Map.of("fail", true)).isError()).isTrue();
    assertThat(call(bob, "flaky_tool", Map.of("fail", false)).isError()).isNotEqualTo(Boolean.TRUE);
    CallToolResult limited = call(bob, "flaky_tool", Map.of("fail", false));
    assertThat(decision(limited).get("kind").asText()).isEqualTo("rate_limited");
  }

  @Test
  void everyDecisionIsAuditedWithTheMcpSessionAndTool() throws Exception {
    McpSyncClient alice = client("tok-alice");
    call(alice, "delete_project", Map.of("projectId", 99));

    List<JsonNode> lines = new ArrayList<>();
    for (String line : AUDIT.toString().split("\n")) {
      lines.add(JSON.readTree(line));
    }
    JsonNode denial =
        lines.stream()
            .filter(l -> l.get("tool").asText().equals("delete_project"))
            .filter(l -> l.path("arguments").path("projectId").asInt() == 99)
            .findFirst()
            .orElseThrow();
    assertThat(denial.get("principal").asText()).isEqualTo("alice");
    assertThat(denial.get("session").asText()).isNotBlank();
    assertThat(denial.get("decision").asText()).isEqualTo("deny");
    assertThat(denial.get("outcome").asText()).isEqualTo("not_run");
  }

  @Test
  void asyncClientAgainstAsyncServer() {
    McpAsyncClient alice =
        McpClient.async(transport("/mcp-async", "tok-alice")).requestTimeout(Duration.ofSeconds(20)).build();
    clients.add(alice::close);
    alice.initialize().block(Duration.ofSeconds(20));

    List<String> names =
        alice.listTools().block(Duration.ofSeconds(20)).tools().stream().map(Tool::name).toList();
    assertThat(names).contains("read_compile").doesNotContain("admin_reset", "delete_project");

    CallToolResult allowed =
        alice.callTool(CallToolRequest.builder("read_compile").arguments(Map.of()).build()).block(Duration.ofSeconds(20));
    assertThat(text(allowed)).isEqualTo("read_compile ok");

    int deletes = TOOLS.invocations("delete_project");
    CallToolResult denied =
        alice.callTool(CallToolRequest.builder("delete_project").arguments(Map.of("projectId", 7)).build()).block(Duration.ofSeconds(20));
    assertThat(denied.isError()).isTrue();
    assertThat(text(denied)).contains("Project deletion is not permitted for agents");
    assertThat(decision(denied).get("kind").asText()).isEqualTo("deny");
    assertThat(TOOLS.invocations("delete_project")).isEqualTo(deletes);

    // the Reactor path counts isError results as failed too: refund_on_error gives the cost back
    CallToolRequest failing = CallToolRequest.builder("flaky_tool").arguments(Map.of("fail", true)).build();
    assertThat(alice.callTool(failing).block(Duration.ofSeconds(20)).isError()).isTrue();
    assertThat(alice.callTool(failing).block(Duration.ofSeconds(20)).isError()).isTrue();
    CallToolRequest working = CallToolRequest.builder("flaky_tool").arguments(Map.of("fail", false)).build();
    assertThat(text(alice.callTool(working).block(Duration.ofSeconds(20)))).isEqualTo("flaky_tool ok");
    CallToolResult limited = alice.callTool(working).block(Duration.ofSeconds(20));
    assertThat(decision(limited).get("kind").asText()).isEqualTo("rate_limited");
    assertThat(decision(limited).get("retryAfterSeconds").asLong()).isEqualTo(3570); // to 11:00:00
  }

  @Test
  void statelessAsyncServerIsGuardedAndFiltered() {
    McpAsyncClient bob =
        McpClient.async(transport("/mcp-stateless-async", "tok-bob")).requestTimeout(Duration.ofSeconds(20)).build();
    clients.add(bob::close);
    bob.initialize().block(Duration.ofSeconds(20));

    List<String> names =
        bob.listTools().block(Duration.ofSeconds(20)).tools().stream().map(Tool::name).toList();
    assertThat(names).contains("read_compile").doesNotContain("admin_reset", "unlisted_tool");

    assertThat(text(bob.callTool(CallToolRequest.builder("read_compile").arguments(Map.of()).build()).block(Duration.ofSeconds(20))))
        .isEqualTo("read_compile ok");
    CallToolResult hidden = bob.callTool(CallToolRequest.builder("admin_reset").arguments(Map.of()).build()).block(Duration.ofSeconds(20));
    assertThat(hidden.isError()).isTrue();
    assertThat(decision(hidden).get("reason").asText()).contains("hidden by policy");
    // stateless requests carry no MCP session: a limit kept per session denies, naming the limit
    CallToolResult noSession =
        bob.callTool(CallToolRequest.builder("read_session").arguments(Map.of()).build()).block(Duration.ofSeconds(20));
    assertThat(noSession.isError()).isTrue();
    assertThat(decision(noSession).get("kind").asText()).isEqualTo("deny");
    assertThat(text(noSession)).contains("per_session");
    assertThat(TOOLS.invocations("admin_reset")).isZero();
  }

  @Test
  void statelessServerCanAnswerRefusalsWithJsonRpcErrors() {
    McpSyncClient alice = client(transport("/mcp-stateless", "tok-alice"));

    assertThat(toolNames(alice)).contains("read_compile").doesNotContain("admin_reset");
    assertThat(text(call(alice, "read_compile"))).isEqualTo("read_compile ok");

    assertThatThrownBy(() -> call(alice, "delete_project", Map.of("projectId", 7)))
        .isInstanceOfSatisfying(
            McpError.class,
            error -> {
              assertThat(error.getJsonRpcError().code()).isEqualTo(McpToolGuard.ERROR_CODE);
              assertThat(error.getJsonRpcError().message())
                  .isEqualTo("Policy denied delete_project: Project deletion is not permitted for agents.");
              JsonNode data = JSON.valueToTree(error.getJsonRpcError().data());
              assertThat(data.path(McpToolGuard.META_KEY).path("kind").asText()).isEqualTo("deny");
            });
    assertThat(TOOLS.invocations("delete_project")).isZero();
  }

  @Test
  void toolsAddedAtRunTimeAreGuardedToo() {
    McpToolGuard guard = McpToolGuard.of(engine);
    int[] runs = {0};
    syncServer.addTool(
        guard.guard(
            new McpServerFeatures.SyncToolSpecification(
                TestTools.tool("late_tool"),
                (exchange, request) -> {
                  runs[0]++;
                  return CallToolResult.builder().addTextContent("late ok").build();
                })));
    McpSyncClient alice = client("tok-alice");

    CallToolResult result = call(alice, "late_tool");

    assertThat(result.isError()).isTrue();
    assertThat(text(result)).contains("not permitted");
    assertThat(toolNames(alice)).doesNotContain("late_tool");
    assertThat(runs[0]).isZero();
  }

  @Test
  void clientSideWrapperRefusesCallsBeforeTheyLeaveTheClient() {
    List<AuditEvent> clientAudit = new CopyOnWriteArrayList<>();
    PolicyEngine clientEngine =
        PolicyEngine.builder(
                Policy.parse(
                    String.join(
                        "\n",
                        "version: \"1\"",
                        "default: allow",
                        "tools:",
                        "  read_compile: { action: deny, reason: This agent may not read compiles }",
                        "  read_session:",
                        "    limits: [ { counter: agent_sessions, max: 1, window: hour } ]",
                        "  delete_project:",
                        "    limits: [ { counter: agent_deletes, max: 1, window: hour, refund_on_error: true } ]")))
            .audit(clientAudit::add)
            .clock(CLOCK)
            .build();
    McpSyncClient agent =
        client(PolicyClientTransport.wrap(transport("/mcp", "tok-bob"), clientEngine, CallContext.of("research-agent")));
    int reads = TOOLS.invocations("read_compile");
    int sessions = TOOLS.invocations("read_session");

    // refused by the client's policy: a synthetic error result, and the server never sees it
    CallToolResult refused = call(agent, "read_compile", Map.of("compileId", "c-1"));
    assertThat(refused.isError()).isTrue();
    assertThat(text(refused)).isEqualTo("Policy denied read_compile: This agent may not read compiles.");
    assertThat(decision(refused).get("kind").asText()).isEqualTo("deny");
    assertThat(TOOLS.invocations("read_compile")).isEqualTo(reads);

    // allowed by the client: sent, run by the server; then the client's own limit stops the next
    assertThat(text(call(agent, "read_session"))).isEqualTo("read_session ok");
    CallToolResult limited = call(agent, "read_session");
    assertThat(decision(limited).get("kind").asText()).isEqualTo("rate_limited");
    assertThat(decision(limited).get("counter").asText()).isEqualTo("agent_sessions");
    assertThat(TOOLS.invocations("read_session")).isEqualTo(sessions + 1);

    // the server refuses delete_project: the client counts that call as failed and refunds it,
    // so the second delete is sent as well (and refused by the server again)
    CallToolResult serverDenied = call(agent, "delete_project", Map.of("projectId", 7));
    assertThat(text(serverDenied)).contains("Project deletion is not permitted for agents");
    CallToolResult again = call(agent, "delete_project", Map.of("projectId", 7));
    assertThat(text(again)).contains("Project deletion is not permitted for agents");
    assertThat(decision(again).get("rule").asText()).isEqualTo("/tools/delete_project");

    assertThat(clientAudit)
        .extracting(event -> event.call().tool() + " " + event.decision().kind() + " " + event.outcome())
        .containsExactly(
            "read_compile DENY NOT_RUN",
            "read_session ALLOW SUCCEEDED",
            "read_session RATE_LIMITED NOT_RUN",
            "delete_project ALLOW FAILED",
            "delete_project ALLOW FAILED");
    assertThat(clientAudit).allSatisfy(event -> assertThat(event.context().principal()).isEqualTo("research-agent"));
  }

  /** A transport whose requests report the MCP session id they carry to {@code sessionId}. */
  static HttpClientStreamableHttpTransport recording(String endpoint, String token, AtomicReference<String> sessionId) {
    return HttpClientStreamableHttpTransport.builder(tomcat.url())
        .endpoint(endpoint)
        .httpRequestCustomizer(
            (request, method, uri, body, context) -> {
              request.header("Authorization", "Bearer " + token);
              request.build().headers().firstValue(HttpHeaders.MCP_SESSION_ID).ifPresent(sessionId::set);
            })
        .build();
  }

  /** A transport that sends {@code token} with someone else's session id wherever it would send its own. */
  static HttpClientStreamableHttpTransport hijacking(String endpoint, String token, String victimSession) {
    return HttpClientStreamableHttpTransport.builder(tomcat.url())
        .endpoint(endpoint)
        .httpRequestCustomizer(
            (request, method, uri, body, context) -> {
              request.header("Authorization", "Bearer " + token);
              if (request.build().headers().firstValue(HttpHeaders.MCP_SESSION_ID).isPresent()) {
                request.setHeader(HttpHeaders.MCP_SESSION_ID, victimSession);
              }
            })
        .build();
  }

  static HttpResponse<String> raw(String method, String endpoint, String token, String sessionId) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(tomcat.url() + endpoint))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .method(method, "POST".equals(method)
                ? HttpRequest.BodyPublishers.ofString(
                    "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":\"read_session\",\"arguments\":{}}}")
                : HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (sessionId != null) {
      request.header(HttpHeaders.MCP_SESSION_ID, sessionId);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aCallInAnotherPrincipalsSessionIsRefusedAndLeavesItsCountersAlone() {
    AtomicReference<String> aliceSession = new AtomicReference<>();
    McpSyncClient alice = client(recording("/mcp", "tok-alice", aliceSession));
    assertThat(call(alice, "read_session").isError()).isNotEqualTo(Boolean.TRUE); // 1 of 2 in her session
    assertThat(aliceSession.get()).isNotBlank();
    int runs = TOOLS.invocations("read_session");

    McpSyncClient bob = client(hijacking("/mcp", "tok-bob", aliceSession.get()));
    CallToolResult refused = call(bob, "read_session");

    assertThat(refused.isError()).isTrue();
    assertThat(text(refused))
        .isEqualTo("Policy denied read_session: this MCP session was opened by another principal.")
        .doesNotContain(aliceSession.get())
        .doesNotContain("alice");
    JsonNode decision = decision(refused);
    assertThat(decision.get("kind").asText()).isEqualTo("deny");
    assertThat(decision.get("rule").asText()).isEqualTo("session");
    assertThat(TOOLS.invocations("read_session")).isEqualTo(runs);
    // her per-session counter took nothing from bob: her second call passes, her third is limited
    assertThat(call(alice, "read_session").isError()).isNotEqualTo(Boolean.TRUE);
    assertThat(decision(call(alice, "read_session")).get("counter").asText()).isEqualTo("per_session");
  }

  @Test
  void theSessionFilterRefusesAnotherPrincipalsRequestsAndDeleteAndForgetsDeletedSessions() throws Exception {
    AtomicReference<String> aliceSession = new AtomicReference<>();
    McpSyncClient alice =
        McpClient.sync(recording("/mcp-owned", "tok-alice", aliceSession)).requestTimeout(Duration.ofSeconds(20)).build();
    alice.initialize();
    assertThat(text(call(alice, "read_compile"))).isEqualTo("read_compile ok");
    String session = aliceSession.get();
    assertThat(OWNERS.isOwner(session, "alice")).isTrue();

    // bob's real client, sending alice's session id: refused before the transport sees it
    int reads = TOOLS.invocations("read_compile");
    try (McpSyncClient bob =
        McpClient.sync(hijacking("/mcp-owned", "tok-bob", session)).requestTimeout(Duration.ofSeconds(20)).build()) {
      assertThatThrownBy(() -> {
            bob.initialize();
            call(bob, "read_compile");
          })
          .isInstanceOf(RuntimeException.class);
    }
    assertThat(TOOLS.invocations("read_compile")).isEqualTo(reads);

    HttpResponse<String> post = raw("POST", "/mcp-owned", "tok-bob", session);
    assertThat(post.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(post.body()).path("error").path("message").asText())
        .isEqualTo("This MCP session was opened by another principal");
    assertThat(post.body()).doesNotContain(session).doesNotContain("alice").doesNotContain("stackTrace");
    assertThat(raw("DELETE", "/mcp-owned", "tok-bob", session).statusCode()).isEqualTo(403);
    assertThat(raw("GET", "/mcp-owned", null, session).statusCode()).isEqualTo(403);

    // alice's session survived bob's DELETE
    assertThat(text(call(alice, "read_compile"))).isEqualTo("read_compile ok");

    // her own DELETE ends it, and the filter forgets it: a later request names an unknown session
    alice.closeGracefully();
    assertThat(OWNERS.isKnown(session)).isFalse();
    HttpResponse<String> gone = raw("POST", "/mcp-owned", "tok-alice", session);
    assertThat(gone.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(gone.body()).path("error").path("code").asInt()).isEqualTo(McpSessionFilter.SESSION_NOT_FOUND);
  }

  @Test
  void anUnknownSessionIsAShortJsonRpc404WithoutAStackTrace() throws Exception {
    for (String method : List.of("POST", "GET", "DELETE")) {
      HttpResponse<String> response = raw(method, "/mcp-owned", "tok-alice", "no-such-session");

      assertThat(response.statusCode()).as(method).isEqualTo(404);
      JsonNode error = JSON.readTree(response.body()).path("error");
      assertThat(error.path("code").asInt()).isEqualTo(McpSessionFilter.SESSION_NOT_FOUND);
      assertThat(error.path("message").asText()).isEqualTo("Session not found");
      assertThat(response.body()).hasSizeLessThan(200).doesNotContain("no-such-session");
    }
  }

  @Test
  void theTransportsOwnErrorsComeBackShortThroughTheFilter() throws Exception {
    // a tools/call without a session id: the SDK answers 400 with its exception serialised in full
    HttpResponse<String> response = raw("POST", "/mcp-owned", "tok-alice", null);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).hasSizeLessThan(300).doesNotContain("stackTrace");
    assertThat(JSON.readTree(response.body()).path("error").path("message").asText()).contains("Session ID required");
  }

  @Test
  void everyResponseEventStreamsIncludedSaysOnlyConnectionCloseSoNoClientPoolsAConnectionTheServerCloses()
      throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> initialize = http.send(post("/mcp", null,
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
            + "\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}"), HttpResponse.BodyHandlers.ofString());
    String session = initialize.headers().firstValue(HttpHeaders.MCP_SESSION_ID).orElseThrow();
    HttpResponse<String> stream = http.send(post("/mcp", session,
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"read_compile\",\"arguments\":{}}}"),
        HttpResponse.BodyHandlers.ofString());

    assertThat(initialize.headers().allValues("Connection")).containsExactly("close");
    assertThat(stream.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
    // the JDK HttpClient reads the first value only: the SDK's "keep-alive" must not come first
    assertThat(stream.headers().allValues("Connection")).containsExactly("close");
  }

  static HttpRequest post(String endpoint, String sessionId, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(tomcat.url() + endpoint))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .header("Authorization", "Bearer tok-alice")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (sessionId != null) {
      request.header(HttpHeaders.MCP_SESSION_ID, sessionId);
    }
    return request.build();
  }
}
