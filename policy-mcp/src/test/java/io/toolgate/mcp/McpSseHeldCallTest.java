package io.toolgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientSseClientTransport;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletSseServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.toolgate.api.CallContext;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.approval.PendingApproval;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link McpCancellation} in front of the SDK's SSE servlet transport, whose messages are posted
 * with {@code ?sessionId=}: a real SDK client's {@code notifications/cancelled} withdraws its held
 * call; another session's, or one for an unknown id, changes nothing.
 */
class McpSseHeldCallTest {
  static final TestTools TOOLS = new TestTools();
  static final BlockingQueue<PendingApproval> PENDING = new LinkedBlockingQueue<>();
  static final List<AutoCloseable> CLIENTS = new ArrayList<>();
  static final McpCancellation CANCELLATION = McpCancellation.create();
  static InMemoryApprovalQueue queue;
  static LoopbackTomcat tomcat;
  static McpSyncServer server;

  record Client(McpAsyncClient client, McpHeldCallTest.Recording transport) {
    CompletableFuture<CallToolResult> call(String projectId) {
      return client.callTool(CallToolRequest.builder("create_live_algorithm")
          .arguments(Map.of("projectId", projectId)).build()).toFuture();
    }
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
    PolicyEngine engine = PolicyEngine.builder(Policy.parse(McpHeldCallTest.POLICY)).approvals(queue).build();
    McpToolGuard guard = McpToolGuard.builder(engine)
        .identity(McpIdentityResolver.fixed(CallContext.of("agent-7")))
        .build();
    var sse = HttpServletSseServerTransportProvider.builder()
        .sseEndpoint("/sse")
        .messageEndpoint("/sse/message")
        .contextExtractor(CANCELLATION.extractor(request -> McpTransportContext.EMPTY))
        .build();
    server = McpServer.sync(sse)
        .serverInfo("held-sse", "1")
        .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
        .tools(guard.sync(TOOLS.sync()))
        .build();
    tomcat = new LoopbackTomcat().serve("/sse/*", sse).filter("/sse/*", CANCELLATION).start();
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable client : CLIENTS) {
      client.close();
    }
    server.close();
    tomcat.close();
  }

  static Client client() {
    var transport = new McpHeldCallTest.Recording(
        HttpClientSseClientTransport.builder(tomcat.url()).sseEndpoint("/sse").build());
    McpAsyncClient client = McpClient.async(transport).requestTimeout(Duration.ofSeconds(60)).build();
    CLIENTS.add(client::close);
    client.initialize().block(Duration.ofSeconds(30));
    return new Client(client, transport);
  }

  static PendingApproval nextPending() throws InterruptedException {
    PendingApproval pending = PENDING.poll(30, TimeUnit.SECONDS);
    assertThat(pending).as("the call is held").isNotNull();
    return pending;
  }

  static int ran() {
    return TOOLS.invocations("create_live_algorithm");
  }

  @Test
  void theClientsCancellationWithdrawsTheHeldCall() throws Exception {
    Client client = client();
    int before = ran();
    CompletableFuture<CallToolResult> call = client.call("sse-cancel");
    Object id = client.transport().nextCallId();
    PendingApproval pending = nextPending();

    client.transport().cancel(id);

    CallToolResult result = call.get(30, TimeUnit.SECONDS);
    assertThat(result.isError()).isTrue();
    assertThat(result.meta().get(McpToolGuard.META_KEY).toString()).contains("approval_required");
    assertThat(queue.pending()).isEmpty();
    assertThat(queue.approve(pending.id(), "risk-officer")).isFalse();
    assertThat(ran()).isEqualTo(before);
  }

  @Test
  void anotherSessionsOrAnUnknownCancellationChangesNothing() throws Exception {
    Client client = client();
    Client other = client();
    int before = ran();
    CompletableFuture<CallToolResult> call = client.call("sse-foreign");
    Object id = client.transport().nextCallId();
    PendingApproval pending = nextPending();

    other.transport().cancel(id);
    client.transport().cancel("no-such-request");
    client.transport().cancel(List.of(id));
    other.client().ping().block(Duration.ofSeconds(30));
    client.client().ping().block(Duration.ofSeconds(30));

    assertThat(queue.pending()).extracting(PendingApproval::id).contains(pending.id());
    assertThat(call).isNotDone();
    assertThat(queue.approve(pending.id(), "risk-officer")).isTrue();
    assertThat(((McpSchema.TextContent) call.get(30, TimeUnit.SECONDS).content().get(0)).text())
        .isEqualTo("create_live_algorithm ok");
    assertThat(ran()).isEqualTo(before + 1);
  }
}
