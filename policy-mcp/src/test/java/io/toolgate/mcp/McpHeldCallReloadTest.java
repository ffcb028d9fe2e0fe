package io.toolgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ProgressNotification;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

/**
 * The guard works out per tool whether a call may be held, once per policy: after a hot reload
 * that adds an approval entry (a glob) for a tool whose calls could not be held before, a call of
 * that tool is held, its client hears progress, and its cancellation withdraws the request; real
 * SDK client, real SDK servers (sync and async) over streamable HTTP, {@link McpCancellation} in
 * front.
 */
class McpHeldCallReloadTest {
  static final String BEFORE = """
      version: "1"
      default: allow
      tools:
        admin_*: { action: require_approval, wait: 2m }
      """;
  static final String AFTER = """
      version: "1"
      default: allow
      tools:
        admin_*: { action: require_approval, wait: 2m }
        delete_*: { action: require_approval, wait: 2m }
      """;

  static final TestTools TOOLS = new TestTools();
  static final BlockingQueue<PendingApproval> PENDING = new LinkedBlockingQueue<>();
  static final List<AutoCloseable> CLIENTS = new ArrayList<>();
  static InMemoryApprovalQueue queue;
  static PolicyEngine engine;
  static LoopbackTomcat tomcat;
  static McpSyncServer syncServer;
  static McpAsyncServer asyncServer;

  @BeforeAll
  static void start() {
    queue = InMemoryApprovalQueue.builder(Clock.systemUTC()).build();
    queue.subscribe(new ApprovalQueue.Listener() {
      @Override
      public void pending(PendingApproval request) {
        PENDING.add(request);
      }
    });
    engine = PolicyEngine.builder(Policy.parse(BEFORE)).approvals(queue).build();
    McpToolGuard guard = McpToolGuard.builder(engine)
        .identity(McpIdentityResolver.fixed(CallContext.of("agent-7")))
        .progressPeriod(Duration.ofMillis(50))
        .build();
    McpCancellation syncCancellation = McpCancellation.create();
    McpCancellation asyncCancellation = McpCancellation.create();
    var sync = HttpServletStreamableServerTransportProvider.builder()
        .mcpEndpoint("/mcp")
        .contextExtractor(syncCancellation.extractor(request -> McpTransportContext.EMPTY))
        .build();
    syncServer = McpServer.sync(sync)
        .serverInfo("reload-sync", "1")
        .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
        .tools(guard.sync(TOOLS.sync()))
        .build();
    var async = HttpServletStreamableServerTransportProvider.builder()
        .mcpEndpoint("/mcp-async")
        .contextExtractor(asyncCancellation.extractor(request -> McpTransportContext.EMPTY))
        .build();
    asyncServer = McpServer.async(async)
        .serverInfo("reload-async", "1")
        .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
        .tools(guard.async(TOOLS.async()))
        .build();
    tomcat = new LoopbackTomcat()
        .serve("/mcp", sync)
        .filter("/mcp", syncCancellation)
        .serve("/mcp-async", async)
        .filter("/mcp-async", asyncCancellation)
        .start();
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable client : CLIENTS) {
      client.close();
    }
    syncServer.close();
    asyncServer.close();
    tomcat.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/mcp", "/mcp-async"})
  void aToolThatAReloadMakesHoldableGetsProgressAndCancellation(String endpoint) throws Exception {
    engine.reload(Policy.parse(BEFORE));
    McpHeldCallTest.Recording transport = new McpHeldCallTest.Recording(
        HttpClientStreamableHttpTransport.builder(tomcat.url()).endpoint(endpoint).build());
    BlockingQueue<ProgressNotification> progress = new LinkedBlockingQueue<>();
    McpAsyncClient client = McpClient.async(transport)
        .requestTimeout(Duration.ofSeconds(60))
        .progressConsumer(notification -> Mono.fromRunnable(() -> progress.add(notification)))
        .build();
    CLIENTS.add(client::close);
    client.initialize().block(Duration.ofSeconds(30));
    int before = TOOLS.invocations("delete_project");

    // no approval entry can match delete_project: it runs at once, nothing is held
    CallToolResult first = client.callTool(request(endpoint + "-1", "tok-1")).block(Duration.ofSeconds(30));
    assertThat(((McpSchema.TextContent) first.content().get(0)).text()).isEqualTo("delete_project ok");
    assertThat(TOOLS.invocations("delete_project")).isEqualTo(before + 1);

    engine.reload(Policy.parse(AFTER)); // delete_* now needs an approval
    CompletableFuture<CallToolResult> call = client.callTool(request(endpoint + "-2", "tok-2")).toFuture();
    transport.nextCallId(); // the first call's id
    Object id = transport.nextCallId();
    PendingApproval pending = PENDING.poll(30, TimeUnit.SECONDS);
    assertThat(pending).as("the call is held").isNotNull();
    assertThat(pending.request().call().tool()).isEqualTo("delete_project");
    ProgressNotification heard = progress.poll(30, TimeUnit.SECONDS);
    assertThat(heard).as("a progress notification").isNotNull();
    assertThat(heard.progressToken()).isEqualTo("tok-2");
    assertThat(heard.message()).startsWith("waiting for approval " + pending.id());

    transport.cancel(id);

    call.handle((result, error) -> null).get(30, TimeUnit.SECONDS);
    assertThat(queue.pending()).extracting(PendingApproval::id).doesNotContain(pending.id());
    assertThat(queue.approve(pending.id(), "risk-officer")).isFalse();
    assertThat(TOOLS.invocations("delete_project")).isEqualTo(before + 1); // the held call never ran
  }

  private static CallToolRequest request(String projectId, String progressToken) {
    return CallToolRequest.builder("delete_project")
        .arguments(Map.of("projectId", projectId))
        .progressToken(progressToken)
        .build();
  }
}
