package io.toolgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ProgressNotification;
import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.approvals.ApproverTokens;
import io.toolgate.approvals.WebhookSignature;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.approval.PendingApproval;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A call held by a {@code require_approval} entry with {@code wait}, through the gateway, with the
 * SDK's client on stdio and on streamable HTTP and {@link UpstreamTestServer} behind: the client
 * that sent a progress token hears progress while it waits, then gets the tool's result once the
 * request is approved (through the queue, or the inbox's JSON API); a cancelled call withdraws its
 * request and never reaches the server; a shutdown refuses a held call at the end of its grace;
 * the webhook posts a signed request that links to the inbox item.
 */
class HeldCallTest {
  static final String POLICY = """
      version: "1"
      default: allow
      tools:
        create_compile: {action: require_approval, wait: 10m, reason: a human looks at compiles}
      """;
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static final String APPROVER = "approver-token-1";
  static final byte[] SECRET = "a-webhook-secret-of-32-bytes-xyz".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;
  final InMemoryApprovalQueue queue = InMemoryApprovalQueue.builder(Clock.systemUTC()).build();
  final BlockingQueue<PendingApproval> requested = new LinkedBlockingQueue<>();
  final BlockingQueue<ProgressNotification> progress = new LinkedBlockingQueue<>();
  final BlockingQueue<String> withdrawn = new LinkedBlockingQueue<>();
  final List<AutoCloseable> closing = new ArrayList<>();

  HeldCallTest() {
    queue.subscribe(new ApprovalQueue.Listener() {
      @Override
      public void pending(PendingApproval request) {
        requested.add(request);
      }
    });
  }

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  /** The engine, with the queue behind a service that also tells the test of each withdrawal. */
  PolicyEngine engine() {
    ApprovalService told = new ApprovalService() {
      @Override
      public ApprovalStatus check(ApprovalRequest request) {
        return queue.check(request);
      }

      @Override
      public void confirm(ApprovalRequest request, ApprovalStatus.Approved approved) {
        queue.confirm(request, approved);
      }

      @Override
      public void release(ApprovalRequest request, ApprovalStatus.Approved approved) {
        queue.release(request, approved);
      }

      @Override
      public java.util.concurrent.CompletionStage<Void> whenAnswered(ApprovalRequest request, String approvalId) {
        return queue.whenAnswered(request, approvalId);
      }

      @Override
      public void withdraw(ApprovalRequest request, String approvalId) {
        queue.withdraw(request, approvalId);
        withdrawn.add(approvalId);
      }
    };
    return PolicyEngine.builder(Policy.parse(POLICY)).approvals(told).build();
  }

  Path calls() {
    return dir.resolve("calls.log");
  }

  InProcessGateway stdio(Gateway.Builder builder) throws Exception {
    InProcessGateway gateway = InProcessGateway.start(calls(), builder);
    closing.add(gateway);
    return gateway;
  }

  McpSyncClient client(McpClientTransport transport) {
    McpSyncClient client = McpClient.sync(transport)
        .requestTimeout(Duration.ofSeconds(60))
        .initializationTimeout(Duration.ofSeconds(60))
        .progressConsumer(progress::add)
        .build();
    client.initialize();
    closing.add(client::close);
    return client;
  }

  static McpClientTransport stdioTransport(InProcessGateway gateway) {
    return new StreamClientTransport(gateway.fromGateway, gateway.toGateway, McpJsonDefaults.getMapper());
  }

  GatewayServer http(Gateway.Builder sessions) throws Exception {
    Path tokens = dir.resolve("approvers.tokens");
    Files.writeString(tokens, ApproverTokens.hash(APPROVER) + " risk-officer\n");
    var inbox = io.toolgate.approvals.ApprovalInbox.builder(queue).approvers(ApproverTokens.load(tokens)).build();
    GatewayServer server = GatewayServer.builder(sessions).listen(new InetSocketAddress("127.0.0.1", 0))
        .approvalsInbox(inbox).start();
    closing.add(server);
    return server;
  }

  static McpClientTransport httpTransport(GatewayServer server) {
    return HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + server.address().getPort())
        .endpoint("/mcp").build();
  }

  static CompletableFuture<CallToolResult> compile(McpSyncClient client, Object progressToken) {
    CallToolRequest.Builder request = CallToolRequest.builder("create_compile").arguments(Map.of("projectId", 7));
    if (progressToken != null) {
      request.progressToken(progressToken);
    }
    return CompletableFuture.supplyAsync(() -> client.callTool(request.build()));
  }

  PendingApproval nextRequest() throws InterruptedException {
    PendingApproval request = requested.poll(60, TimeUnit.SECONDS);
    assertThat(request).as("an approval request").isNotNull();
    return request;
  }

  List<ProgressNotification> progress(int count) throws InterruptedException {
    List<ProgressNotification> seen = new ArrayList<>();
    while (seen.size() < count) {
      ProgressNotification next = progress.poll(60, TimeUnit.SECONDS);
      assertThat(next).as("progress notification " + (seen.size() + 1)).isNotNull();
      seen.add(next);
    }
    return seen;
  }

  static String text(CallToolResult result) {
    return ((McpSchema.TextContent) result.content().get(0)).text();
  }

  /** Progress while held: the same token, the fraction of the wait passed (below 1), naming the request. */
  static void assertHeldProgress(List<ProgressNotification> seen, Object token, String approvalId) {
    // the SDK client hands notifications to the consumer on its own threads, so they may arrive out
    // of order: each value is new (the gateway sends them increasing, RelayRaceTest checks the order)
    assertThat(seen).extracting(ProgressNotification::progress).doesNotHaveDuplicates();
    for (ProgressNotification each : seen) {
      assertThat(each.progressToken()).isEqualTo(token);
      assertThat(each.total()).as("no total: a fraction of the wait, below 1").isNull();
      assertThat(each.progress()).isLessThan(1.0);
      assertThat(each.message()).startsWith("waiting for approval " + approvalId + ", ").endsWith(" left");
    }
  }

  @Test
  void overStdioAHeldCallHearsProgressThenGetsTheToolsResultOnceApproved() throws Exception {
    InProcessGateway gateway = stdio(Gateway.builder(engine(), Upstreams.command(calls()))
        .progressPeriod(Duration.ofMillis(20)));
    McpSyncClient client = client(stdioTransport(gateway));
    CompletableFuture<CallToolResult> call = compile(client, "compile-1");
    PendingApproval request = nextRequest();
    assertHeldProgress(progress(3), "compile-1", request.id());
    assertThat(call).isNotDone();
    assertThat(Upstreams.calls(calls())).as("nothing reached the server while held").isEmpty();

    assertThat(queue.approve(request.id(), "risk-officer")).isTrue();
    assertThat(text(call.get(60, TimeUnit.SECONDS))).startsWith("create_compile ok");
    assertThat(Upstreams.calls(calls())).containsExactly("create_compile");
    assertThat(gateway.gateway.context().principal()).isEqualTo(Gateway.DEFAULT_PRINCIPAL);
  }

  @Test
  void overStdioACallWithoutAProgressTokenIsHeldAndRunsSilently() throws Exception {
    InProcessGateway gateway = stdio(Gateway.builder(engine(), Upstreams.command(calls()))
        .progressPeriod(Duration.ofMillis(20)));
    McpSyncClient client = client(stdioTransport(gateway));
    CompletableFuture<CallToolResult> call = compile(client, null);
    assertThat(queue.approve(nextRequest().id(), "risk-officer")).isTrue();
    assertThat(text(call.get(60, TimeUnit.SECONDS))).startsWith("create_compile ok");
    assertThat(progress).isEmpty();
  }

  @Test
  void overStdioACancelledHeldCallWithdrawsItsRequestAndNeverRuns() throws Exception {
    InProcessGateway gateway = stdio(Gateway.builder(engine(), Upstreams.cancellableCommand(calls())));
    CancellingTransport transport = new CancellingTransport(stdioTransport(gateway));
    McpSyncClient client = client(transport);
    compile(client, "compile-2");
    Object id = transport.nextToolCallId();
    PendingApproval request = nextRequest();
    assertThat(progress(1).get(0).message()).contains(request.id());

    transport.cancel(id);
    // the relay reads the client's lines in order: once this call is answered, the cancellation was read
    assertThat(text(client.callTool(CallToolRequest.builder("cancellations").arguments(Map.of()).build())))
        .as("a cancellation for a call the server never saw is not passed to it").isEmpty();
    assertThat(withdrawn).containsExactly(request.id());
    assertThat(queue.pending()).as("the request was withdrawn").isEmpty();
    assertThat(queue.approve(request.id(), "risk-officer")).isFalse();
    assertThat(Upstreams.calls(calls())).containsExactly("cancellations");
    assertThat(gateway.gateway.context()).isNotNull();
  }

  @Test
  void overStdioAHeldCallIsRefusedAtTheEndOfTheGraceAndItsRequestWithdrawn() throws Exception {
    InProcessGateway gateway = stdio(Gateway.builder(engine(), Upstreams.command(calls())).grace(Duration.ZERO));
    McpSyncClient client = client(stdioTransport(gateway));
    CompletableFuture<CallToolResult> call = compile(client, "compile-3");
    nextRequest();
    progress(1);
    gateway.gateway.close();
    assertThatThrownBy(() -> call.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .hasMessageContaining("shutting down");
    assertThat(withdrawn).hasSize(1);
    assertThat(queue.pending()).isEmpty();
    assertThat(Upstreams.calls(calls())).isEmpty();
  }

  @Test
  void overHttpAHeldCallHearsProgressThenGetsTheResultApprovedThroughTheInboxApi() throws Exception {
    GatewayServer server = http(Gateway.builder(engine(), Upstreams.command(calls()))
        .progressPeriod(Duration.ofMillis(20)));
    McpSyncClient client = client(httpTransport(server));
    CompletableFuture<CallToolResult> call = compile(client, 42);
    PendingApproval request = nextRequest();
    assertHeldProgress(progress(3), 42, request.id());

    HttpResponse<String> listed = HTTP.send(inbox(server, "/api/pending").GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(JSON.readTree(listed.body()).findValuesAsText("id")).containsExactly(request.id());
    HttpResponse<String> approved = HTTP.send(inbox(server, "/api/pending/" + request.id() + "/approve")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"comment\":\"fine\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    assertThat(text(call.get(60, TimeUnit.SECONDS))).startsWith("create_compile ok");
    assertThat(Upstreams.calls(calls())).containsExactly("create_compile");
    assertThat(server.inFlight()).isZero();
  }

  @Test
  void overHttpACancelledHeldCallWithdrawsItsRequestAndNeverRuns() throws Exception {
    GatewayServer server = http(Gateway.builder(engine(), Upstreams.command(calls())));
    CancellingTransport transport = new CancellingTransport(httpTransport(server));
    McpSyncClient client = client(transport);
    compile(client, "compile-4");
    Object id = transport.nextToolCallId();
    nextRequest();
    assertThat(server.inFlight()).isEqualTo(1);

    transport.cancel(id); // answered 202 once the relay has read it; the withdrawal may follow the answer
    assertThat(withdrawn.poll(60, TimeUnit.SECONDS)).as("withdrawn").isNotNull();
    assertThat(withdrawn).as("once").isEmpty();
    assertThat(queue.pending()).isEmpty();
    assertThat(server.inFlight()).isZero();
    transport.cancel("no-such-call"); // an unknown id changes nothing
    assertThat(text(client.callTool(CallToolRequest.builder("echo").arguments(Map.of()).build()))).startsWith("echo ok");
    assertThat(Upstreams.calls(calls())).containsExactly("echo");
  }

  @Test
  void overHttpAHeldCallCountsAsInFlightAndIsRefusedWhenTheGraceEnds() throws Exception {
    Path tokens = dir.resolve("approvers.tokens");
    Files.writeString(tokens, ApproverTokens.hash(APPROVER) + " risk-officer\n");
    GatewayServer server = GatewayServer.builder(Gateway.builder(engine(), Upstreams.command(calls())))
        .listen(new InetSocketAddress("127.0.0.1", 0)).grace(Duration.ZERO).start();
    closing.add(server);
    McpSyncClient client = client(httpTransport(server));
    CompletableFuture<CallToolResult> call = compile(client, null);
    PendingApproval request = nextRequest();
    assertThat(server.inFlight()).isEqualTo(1);
    server.close();
    assertThat(withdrawn.poll(60, TimeUnit.SECONDS)).isEqualTo(request.id());
    assertThat(queue.pending()).isEmpty();
    assertThatThrownBy(() -> call.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    assertThat(Upstreams.calls(calls())).isEmpty();
  }

  @Test
  void aWebhookPostsEachHeldCallSignedWithALinkToItsInboxItem() throws Exception {
    BlockingQueue<String[]> received = new LinkedBlockingQueue<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
    receiver.createContext("/hook", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      received.add(new String[] {exchange.getRequestHeaders().getFirst("X-Toolgate-Signature"), body});
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();
    closing.add(() -> receiver.stop(0));
    Path tokens = dir.resolve("approvers.tokens");
    Files.writeString(tokens, ApproverTokens.hash(APPROVER) + " risk-officer\n");
    GatewayConfig settings = GatewayConfig.empty().overriddenBy(new GatewayConfig(null, null, null, null, null, null,
        null, null, null, null, null, null, null, "127.0.0.1:0", null, null, null, null, null, null, null, null, null,
        null, null, null, tokens, List.of("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"),
        "HOOK_SECRET", "json", null));
    GatewayApprovals approvals = GatewayApprovals.create(settings,
        Map.of("HOOK_SECRET", new String(SECRET, StandardCharsets.UTF_8))::get);
    closing.add(approvals);
    PolicyEngine engine = PolicyEngine.builder(Policy.parse(POLICY)).approvals(approvals.queue()).build();
    GatewayServer server = GatewayServer.builder(Gateway.builder(engine, Upstreams.command(calls())))
        .listen(new InetSocketAddress("127.0.0.1", 0)).approvalsInbox(approvals.inbox()).start();
    closing.add(server);
    String inboxUrl = approvals.startWebhooks(server.address());
    assertThat(inboxUrl).isEqualTo("http://127.0.0.1:" + server.address().getPort() + "/approvals/");

    McpSyncClient client = client(httpTransport(server));
    CompletableFuture<CallToolResult> call = compile(client, null);
    String[] post = received.poll(60, TimeUnit.SECONDS);
    assertThat(post).as("a webhook delivery").isNotNull();
    assertThat(WebhookSignature.verify(SECRET, post[0], post[1], Instant.now(), Duration.ofMinutes(5))).isTrue();
    assertThat(WebhookSignature.verify("another-secret-of-32-bytes-abcde".getBytes(StandardCharsets.UTF_8), post[0],
        post[1], Instant.now(), Duration.ofMinutes(5))).isFalse();
    JsonNode body = JSON.readTree(post[1]);
    String id = body.get("id").asText();
    assertThat(body.get("tool").asText()).isEqualTo("create_compile");
    assertThat(body.get("link").asText()).isEqualTo(inboxUrl + "#" + id);
    assertThat(approvals.queue().pending()).extracting(PendingApproval::id).containsExactly(id);

    assertThat(approvals.queue().approve(id, "risk-officer")).isTrue();
    assertThat(text(call.get(60, TimeUnit.SECONDS))).startsWith("create_compile ok");
  }

  static HttpRequest.Builder inbox(GatewayServer server, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + "/approvals" + path))
        .header("Authorization", "Bearer " + APPROVER);
  }
}
