package io.toolgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.toolgate.api.CallContext;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.approval.PendingApproval;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A hot reload racing two calls of one tool on a real SDK stdio server (sync) whose input is
 * wrapped by {@link McpCancellation#stdio}, driven by a real SDK client: call A comes in while its
 * tool can be held, and its handler is stopped (by the identity resolver, a latch) before it looks
 * for its stdio entry; a reload lets the tool run freely and call B passes; a reload makes the tool
 * holdable again and A goes on. B's pass must take B's entry off the list (or none, when the input
 * wrapped for the guard did not list B), not A's, the older one with the same name, so that A, held,
 * is still withdrawn by its client's cancellation. Both {@link McpCancellation#stdio} forms.
 */
class McpStdioReloadRaceTest {
  static final String HOLD = """
      version: "1"
      default: allow
      tools:
        create_live_algorithm: { action: require_approval, wait: 2m }
      """;
  static final String FREE = """
      version: "1"
      default: allow
      """;

  @ParameterizedTest(name = "input wrapped for the guard: {0}")
  @ValueSource(booleans = {false, true})
  void aCallPassedDuringAReloadTakesItsOwnEntryNotAnOlderCallsOfTheSameTool(boolean forGuard) throws Exception {
    BlockingQueue<PendingApproval> pending = new LinkedBlockingQueue<>();
    InMemoryApprovalQueue queue = InMemoryApprovalQueue.builder(Clock.systemUTC()).build();
    queue.subscribe(new ApprovalQueue.Listener() {
      @Override
      public void pending(PendingApproval request) {
        pending.add(request);
      }
    });
    PolicyEngine engine = PolicyEngine.builder(Policy.parse(HOLD)).approvals(queue).build();
    AtomicReference<CountDownLatch[]> gate = new AtomicReference<>(); // {entered, release}
    McpToolGuard guard = McpToolGuard.builder(engine)
        .identity((transportContext, sessionId) -> {
          CountDownLatch[] latches = gate.getAndSet(null);
          if (latches != null) { // the next call stops here, before the guard looks for its entry
            latches[0].countDown();
            try {
              latches[1].await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return CallContext.of("local-agent");
        })
        .build();
    TestTools tools = new TestTools();
    StdioPipe toServer = new StdioPipe();
    StdioPipe fromServer = new StdioPipe();
    var provider = new StdioServerTransportProvider(
        McpJsonDefaults.getMapper(),
        forGuard ? McpCancellation.stdio(toServer, guard) : McpCancellation.stdio(toServer), fromServer.output());
    McpSyncServer server = McpServer.sync(provider).serverInfo("stdio-reload-race", "1")
        .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
        .tools(guard.sync(tools.sync())).build();
    StdioPipe.ClientTransport pipe = new StdioPipe.ClientTransport(toServer, fromServer);
    McpHeldCallTest.Recording recording = new McpHeldCallTest.Recording(pipe);
    McpAsyncClient client = McpClient.async(recording).requestTimeout(Duration.ofSeconds(60)).build();
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try {
      client.initialize().block(Duration.ofSeconds(30));

      gate.set(new CountDownLatch[] {entered, release});
      CompletableFuture<CallToolResult> a = call(client, "a");
      Object idA = recording.nextCallId();
      assertThat(entered.await(30, TimeUnit.SECONDS)).as("A's handler is stopped").isTrue();

      engine.reload(Policy.parse(FREE));
      CallToolResult b = call(client, "b").get(30, TimeUnit.SECONDS);
      assertThat(((McpSchema.TextContent) b.content().get(0)).text()).isEqualTo("create_live_algorithm ok");

      engine.reload(Policy.parse(HOLD));
      release.countDown();
      PendingApproval held = pending.poll(30, TimeUnit.SECONDS);
      assertThat(held).as("A is held").isNotNull();

      pipe.raw(("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":"
          + (idA instanceof String s ? "\"" + s + "\"" : idA) + "}}\n").getBytes(StandardCharsets.UTF_8));
      CallToolResult answer = a.get(30, TimeUnit.SECONDS);
      assertThat(answer.isError()).isTrue();
      assertThat(answer.meta().get(McpToolGuard.META_KEY).toString()).contains("approval_required");
      assertThat(queue.pending()).isEmpty();
      assertThat(queue.approve(held.id(), "risk-officer")).isFalse();
      assertThat(tools.invocations("create_live_algorithm")).isEqualTo(1); // B only
    } finally {
      release.countDown();
      client.close();
      server.close();
    }
  }

  private static CompletableFuture<CallToolResult> call(McpAsyncClient client, String projectId) {
    return client.callTool(CallToolRequest.builder("create_live_algorithm")
        .arguments(Map.of("projectId", projectId)).build()).toFuture();
  }
}
