package io.toolgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.HttpHeaders;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.toolgate.api.CallContext;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.approval.PendingApproval;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Another principal cannot withdraw a held call by naming its session where {@link
 * McpSessionFilter} does not look: a {@code notifications/cancelled} posted to the streamable
 * transport with the victim's session id in the SSE transport's {@code ?sessionId=} query
 * parameter (and no {@code Mcp-Session-Id} header) passed the ownership filter, and {@link
 * McpCancellation} took it for a cancellation in the victim's session.
 */
class McpCancellationForeignSessionTest {
  static final String POLICY = """
      version: "1"
      default: allow
      tools:
        create_live_algorithm: { action: require_approval, wait: 2m }
      """;

  static final BlockingQueue<PendingApproval> PENDING = new LinkedBlockingQueue<>();
  static final BlockingQueue<String> ALICE_SESSIONS = new LinkedBlockingQueue<>();
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
  static InMemoryApprovalQueue queue;
  static McpSyncServer server;
  static LoopbackTomcat tomcat;
  static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
  static McpAsyncClient alice;
  static McpHeldCallTest.Recording aliceTransport;

  /** Alice and Mallory by their bearer token; Alice's session ids as her requests name them. */
  static McpTransportContext identify(HttpServletRequest request) {
    String authorization = request.getHeader("Authorization");
    if ("Bearer tok-alice".equals(authorization)) {
      String session = request.getHeader(HttpHeaders.MCP_SESSION_ID);
      if (session != null) {
        ALICE_SESSIONS.add(session);
      }
      return McpIdentityResolver.transportContext(CallContext.of("alice"));
    }
    if ("Bearer tok-mallory".equals(authorization)) {
      return McpIdentityResolver.transportContext(CallContext.of("mallory"));
    }
    return McpTransportContext.EMPTY;
  }

  @BeforeAll
  static void start() {
    queue = InMemoryApprovalQueue.builder(Clock.systemUTC()).build();
    queue.subscribe(new ApprovalQueue.Listener() {
      @Override
      public void pending(PendingApproval request) {
        PENDING.add(request);
      }
    });
    McpSessionOwners owners = McpSessionOwners.create();
    McpToolGuard guard = McpToolGuard.builder(PolicyEngine.builder(Policy.parse(POLICY)).approvals(queue).build())
        .sessionOwners(owners)
        .build();
    McpCancellation cancellation = McpCancellation.create();
    var transport = HttpServletStreamableServerTransportProvider.builder()
        .mcpEndpoint("/mcp")
        .contextExtractor(cancellation.extractor(McpCancellationForeignSessionTest::identify))
        .build();
    server = McpServer.sync(transport)
        .serverInfo("foreign", "1")
        .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
        .tools(guard.sync(new TestTools().sync()))
        .build();
    McpSessionFilter sessions = McpSessionFilter.of(owners, McpCancellationForeignSessionTest::identify);
    HttpFilter both = new HttpFilter() { // as documented: the ownership filter, then the cancellation filter
      @Override
      protected void doFilter(HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response,
          jakarta.servlet.FilterChain chain) throws java.io.IOException, jakarta.servlet.ServletException {
        sessions.doFilter(request, response, (req, res) -> cancellation.doFilter(req, res, chain));
      }
    };
    tomcat = new LoopbackTomcat().serve("/mcp", transport).filter("/mcp", both).start();
    aliceTransport = new McpHeldCallTest.Recording(HttpClientStreamableHttpTransport.builder(tomcat.url())
        .endpoint("/mcp")
        .addHttpRequestCustomizer((request, method, uri, body, context) ->
            request.header("Authorization", "Bearer tok-alice"))
        .build());
    alice = McpClient.async(aliceTransport)
        .requestTimeout(Duration.ofSeconds(60))
        .build();
    alice.initialize().block(Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() throws Exception {
    alice.close();
    server.close();
    tomcat.close();
  }

  @Test
  void anotherPrincipalCannotCancelAHeldCallThroughTheSessionIdQueryParameter() throws Exception {
    CompletableFuture<CallToolResult> call = alice.callTool(CallToolRequest.builder("create_live_algorithm")
        .arguments(Map.of("projectId", "p-1")).build()).toFuture();
    PendingApproval pending = PENDING.poll(30, TimeUnit.SECONDS);
    assertThat(pending).as("Alice's call is held").isNotNull();
    String session = ALICE_SESSIONS.poll(30, TimeUnit.SECONDS);
    assertThat(session).isNotNull();

    Object id = aliceTransport.nextCallId();
    String cancel = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":"
        + JSON.writeValueAsString(id) + "}}";
    // through the header, the ownership filter refuses it outright
    assertThat(post("", session, cancel).statusCode()).isEqualTo(403);
    // through the query parameter, the streamable transport knows no session: 400, and nothing withdrawn
    assertThat(post("?sessionId=" + URLEncoder.encode(session, StandardCharsets.UTF_8), null, cancel).statusCode())
        .isEqualTo(400);

    assertThat(queue.pending()).extracting(PendingApproval::id).as("still pending").contains(pending.id());
    assertThat(call).isNotDone();
    assertThat(queue.approve(pending.id(), "risk-officer")).isTrue();
    assertThat(((McpSchema.TextContent) call.get(30, TimeUnit.SECONDS).content().get(0)).text())
        .isEqualTo("create_live_algorithm ok");
  }

  static HttpResponse<String> post(String query, String sessionId, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(tomcat.url() + "/mcp" + query))
        .timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer tok-mallory")
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (sessionId != null) {
      request.header(HttpHeaders.MCP_SESSION_ID, sessionId);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
