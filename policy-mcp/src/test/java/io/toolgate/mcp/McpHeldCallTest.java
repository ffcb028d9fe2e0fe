package io.toolgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import io.modelcontextprotocol.spec.McpSchema.ProgressNotification;
import io.toolgate.api.AuditEvent;
import io.toolgate.api.CallContext;
import io.toolgate.api.CallObservation;
import io.toolgate.api.CallObserver;
import io.toolgate.api.ToolCall;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

/**
 * A call held by {@code require_approval} with {@code wait: 2m}, between a real SDK client and real
 * SDK servers (sync and async, streamable HTTP): the client hears progress while it waits and gets
 * the tool's result once a person approves; its {@code notifications/cancelled} withdraws the
 * request; a cancellation from another session, or for an unknown id, changes nothing.
 */
class McpHeldCallTest {
  static final String POLICY = """
      version: "1"
      default: deny
      tools:
        create_live_algorithm:
          action: require_approval
          reason: Going live needs a human
          wait: 2m
      """;

  static final TestTools TOOLS = new TestTools();
  static final BlockingQueue<PendingApproval> PENDING = new LinkedBlockingQueue<>();
  static final List<AutoCloseable> CLIENTS = new ArrayList<>();
  static InMemoryApprovalQueue queue;
  static LoopbackTomcat tomcat;
  static McpSyncServer syncServer;
  static McpAsyncServer asyncServer;
  static final McpCancellation SYNC_CANCELLATION = McpCancellation.create();
  static final McpCancellation ASYNC_CANCELLATION = McpCancellation.create();
  static final Late LATE = new Late();

  /**
   * Holds an approved call whose {@code projectId} ends in {@code -late} in its observer's
   * running scope, just before the guard starts the tool, until the test lets it go; then reports
   * how the call ended.
   */
  static final class Late implements CallObserver {
    final BlockingQueue<CountDownLatch> reached = new LinkedBlockingQueue<>();
    final BlockingQueue<AuditEvent.Outcome> finished = new LinkedBlockingQueue<>();

    @Override
    public CallObservation start(ToolCall call, CallContext context) {
      if (!call.arguments().path("projectId").asText("").endsWith("-late")) {
        return CallObservation.NONE;
      }
      return new CallObservation() {
        @Override
        public Scope running() {
          CountDownLatch release = new CountDownLatch(1);
          reached.add(release);
          boolean interrupted = false;
          while (true) {
            try {
              release.await(); // a cancellation interrupts the sync thread: wait on, keep the flag
              break;
            } catch (InterruptedException e) {
              interrupted = true;
            }
          }
          if (interrupted) {
            Thread.currentThread().interrupt();
          }
          return Scope.NONE;
        }

        @Override
        public void finished(AuditEvent.Outcome outcome, long runNanos, Throwable failure) {
          finished.add(outcome);
        }
      };
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
    PolicyEngine engine = PolicyEngine.builder(Policy.parse(POLICY)).approvals(queue).observe(LATE).build();
    McpToolGuard guard = McpToolGuard.builder(engine)
        .identity(McpIdentityResolver.fixed(CallContext.of("agent-7")))
        .progressPeriod(Duration.ofMillis(50))
        .build();

    var sync = HttpServletStreamableServerTransportProvider.builder()
        .mcpEndpoint("/mcp")
        .contextExtractor(SYNC_CANCELLATION.extractor(request -> McpTransportContext.EMPTY))
        .build();
    syncServer = McpServer.sync(sync)
        .serverInfo("held-sync", "1")
        .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
        .tools(guard.sync(TOOLS.sync()))
        .build();
    var async = HttpServletStreamableServerTransportProvider.builder()
        .mcpEndpoint("/mcp-async")
        .contextExtractor(ASYNC_CANCELLATION.extractor(request -> McpTransportContext.EMPTY))
        .build();
    asyncServer = McpServer.async(async)
        .serverInfo("held-async", "1")
        .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
        .tools(guard.async(TOOLS.async()))
        .build();
    tomcat = new LoopbackTomcat()
        .serve("/mcp", sync)
        .filter("/mcp", SYNC_CANCELLATION)
        .serve("/mcp-async", async)
        .filter("/mcp-async", ASYNC_CANCELLATION)
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

  /** A client's transport that remembers the JSON-RPC id of each tools/call it sends. */
  static final class Recording implements McpClientTransport {
    final McpClientTransport delegate;
    final BlockingQueue<Object> callIds = new LinkedBlockingQueue<>();

    Recording(McpClientTransport delegate) {
      this.delegate = delegate;
    }

    @Override
    public Mono<Void> connect(Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
      return delegate.connect(handler);
    }

    @Override
    public Mono<Void> sendMessage(JSONRPCMessage message) {
      if (message instanceof McpSchema.JSONRPCRequest request
          && McpSchema.METHOD_TOOLS_CALL.equals(request.method())) {
        callIds.add(request.id());
      }
      return delegate.sendMessage(message);
    }

    /** Sends {@code notifications/cancelled} for {@code requestId}, as a client that gives up does. */
    void cancel(Object requestId) {
      Map<String, Object> params = new java.util.LinkedHashMap<>();
      params.put("requestId", requestId);
      params.put("reason", "the user gave up");
      delegate.sendMessage(new McpSchema.JSONRPCNotification("notifications/cancelled", params))
          .block(Duration.ofSeconds(30));
    }

    Object nextCallId() throws InterruptedException {
      Object id = callIds.poll(30, TimeUnit.SECONDS);
      assertThat(id).as("the client sent a tools/call").isNotNull();
      return id;
    }

    @Override
    public Mono<Void> closeGracefully() {
      return delegate.closeGracefully();
    }

    @Override
    public void close() {
      delegate.close();
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
      return delegate.unmarshalFrom(data, typeRef);
    }

    @Override
    public List<String> protocolVersions() {
      return delegate.protocolVersions();
    }
  }

  record Client(McpAsyncClient client, Recording transport, BlockingQueue<ProgressNotification> progress) {
    CompletableFuture<CallToolResult> call(Map<String, Object> args, Object progressToken) {
      var request = CallToolRequest.builder("create_live_algorithm").arguments(args);
      if (progressToken != null) {
        request.progressToken(progressToken);
      }
      return client.callTool(request.build()).toFuture();
    }
  }

  static Client client(String endpoint) {
    Recording transport = new Recording(
        HttpClientStreamableHttpTransport.builder(tomcat.url()).endpoint(endpoint).build());
    BlockingQueue<ProgressNotification> progress = new LinkedBlockingQueue<>();
    McpAsyncClient client = McpClient.async(transport)
        .requestTimeout(Duration.ofSeconds(60))
        .progressConsumer(notification -> Mono.fromRunnable(() -> progress.add(notification)))
        .build();
    CLIENTS.add(client::close);
    client.initialize().block(Duration.ofSeconds(30));
    return new Client(client, transport, progress);
  }

  static PendingApproval nextPending() throws InterruptedException {
    PendingApproval pending = PENDING.poll(30, TimeUnit.SECONDS);
    assertThat(pending).as("the call is held").isNotNull();
    return pending;
  }

  static ProgressNotification nextProgress(Client client) throws InterruptedException {
    ProgressNotification progress = client.progress().poll(30, TimeUnit.SECONDS);
    assertThat(progress).as("a progress notification").isNotNull();
    return progress;
  }

  static String text(CallToolResult result) {
    return ((McpSchema.TextContent) result.content().get(0)).text();
  }

  static int ran() {
    return TOOLS.invocations("create_live_algorithm");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/mcp", "/mcp-async"})
  void aHeldCallHearsProgressThenReturnsTheResultOnceApproved(String endpoint) throws Exception {
    Client client = client(endpoint);
    int before = ran();
    CompletableFuture<CallToolResult> call = client.call(Map.of("projectId", endpoint + "-progress"), "tok-1");

    PendingApproval pending = nextPending();
    ProgressNotification first = nextProgress(client);
    ProgressNotification second = nextProgress(client);
    assertThat(List.of(first, second)).allSatisfy(n -> {
      assertThat(n.progressToken()).isEqualTo("tok-1");
      assertThat(n.message()).startsWith("waiting for approval " + pending.id() + ", ").endsWith(" left");
      assertThat(n.total()).isNull(); // progress is the fraction of the wait passed
      assertThat(n.progress()).isGreaterThanOrEqualTo(0).isLessThan(1);
    });
    assertThat(first.message()).matches(".*, (1m[0-9]{1,2}s|2m) left");
    assertThat(second.progress()).isGreaterThan(first.progress());
    assertThat(call).isNotDone();
    assertThat(ran()).isEqualTo(before);

    assertThat(queue.approve(pending.id(), "risk-officer")).isTrue();
    CallToolResult result = call.get(30, TimeUnit.SECONDS);
    assertThat(result.isError()).isNotEqualTo(Boolean.TRUE);
    assertThat(text(result)).isEqualTo("create_live_algorithm ok");
    assertThat(ran()).isEqualTo(before + 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/mcp", "/mcp-async"})
  void anIntegerTokenIsEchoedAsSent(String endpoint) throws Exception {
    Client client = client(endpoint);
    CompletableFuture<CallToolResult> call = client.call(Map.of("projectId", endpoint + "-int"), 42);
    PendingApproval pending = nextPending();
    assertThat(nextProgress(client).progressToken()).isEqualTo(42);
    assertThat(queue.reject(pending.id(), "risk-officer", "not today")).isTrue();
    CallToolResult result = call.get(30, TimeUnit.SECONDS);
    assertThat(result.isError()).isTrue();
    assertThat(text(result)).contains("not today");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/mcp", "/mcp-async"})
  void theClientsCancellationWithdrawsTheRequestAndTheToolNeverRuns(String endpoint) throws Exception {
    Client client = client(endpoint);
    int before = ran();
    CompletableFuture<CallToolResult> call = client.call(Map.of("projectId", endpoint + "-cancel"), "tok-c");
    Object id = client.transport().nextCallId();
    PendingApproval pending = nextPending();
    nextProgress(client); // held, and the client hears it

    client.transport().cancel(id);

    // the stream still gets an answer: sync, the held call's APPROVAL_REQUIRED; async, error -32800
    Object answer = call.handle((result, error) -> result != null ? result : error).get(30, TimeUnit.SECONDS);
    if ("/mcp".equals(endpoint)) {
      assertThat(((CallToolResult) answer).isError()).isTrue();
      assertThat(((CallToolResult) answer).meta().get(McpToolGuard.META_KEY).toString())
          .contains("approval_required");
    } else {
      Throwable error = answer instanceof java.util.concurrent.CompletionException e ? e.getCause() : (Throwable) answer;
      assertThat(error).isInstanceOf(io.modelcontextprotocol.spec.McpError.class);
      assertThat(((io.modelcontextprotocol.spec.McpError) error).getJsonRpcError().code()).isEqualTo(-32800);
    }
    assertThat(queue.pending()).extracting(PendingApproval::id).doesNotContain(pending.id());
    assertThat(queue.approve(pending.id(), "risk-officer")).isFalse();
    assertThat(ran()).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/mcp", "/mcp-async"})
  void aCancellationBetweenTheApprovalAndTheToolStillStopsTheTool(String endpoint) throws Exception {
    Client client = client(endpoint);
    int before = ran();
    CompletableFuture<CallToolResult> call = client.call(Map.of("projectId", endpoint + "-late"), "tok-l");
    Object id = client.transport().nextCallId();
    PendingApproval pending = nextPending();
    // approved on another thread: an async engine goes on to the tool on the approving thread
    CompletableFuture<Boolean> approved = CompletableFuture.supplyAsync(() -> queue.approve(pending.id(), "risk-officer"));
    CountDownLatch release = LATE.reached.poll(30, TimeUnit.SECONDS);
    assertThat(release).as("the approved call is about to run its tool").isNotNull();

    client.transport().cancel(id); // lands after the allow, before the tool starts
    release.countDown();

    assertThat(LATE.finished.poll(30, TimeUnit.SECONDS)).isEqualTo(AuditEvent.Outcome.FAILED);
    assertThat(approved.get(30, TimeUnit.SECONDS)).isTrue();
    Object answer = call.handle((result, error) -> result != null ? result : error).get(30, TimeUnit.SECONDS);
    Throwable error = answer instanceof java.util.concurrent.CompletionException e ? e.getCause() : (Throwable) answer;
    assertThat(error).isInstanceOf(io.modelcontextprotocol.spec.McpError.class);
    assertThat(((io.modelcontextprotocol.spec.McpError) error).getJsonRpcError().code()).isEqualTo(-32800);
    assertThat(ran()).isEqualTo(before); // the tool never ran
  }

  @ParameterizedTest
  @ValueSource(strings = {"/mcp", "/mcp-async"})
  void aCancellationWithoutAProgressTokenWithdrawsToo(String endpoint) throws Exception {
    Client client = client(endpoint);
    int before = ran();
    CompletableFuture<CallToolResult> call = client.call(Map.of("projectId", endpoint + "-quiet"), null);
    Object id = client.transport().nextCallId();
    PendingApproval pending = nextPending();

    client.transport().cancel(id);

    call.handle((result, error) -> null).get(30, TimeUnit.SECONDS);
    assertThat(queue.pending()).extracting(PendingApproval::id).doesNotContain(pending.id());
    assertThat(client.progress()).isEmpty();
    assertThat(ran()).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/mcp", "/mcp-async"})
  void aCancellationFromAnotherSessionOrForAnUnknownIdChangesNothing(String endpoint) throws Exception {
    Client client = client(endpoint);
    Client other = client(endpoint);
    int before = ran();
    CompletableFuture<CallToolResult> call = client.call(Map.of("projectId", endpoint + "-foreign"), "tok-f");
    Object id = client.transport().nextCallId();
    PendingApproval pending = nextPending();
    nextProgress(client);

    other.transport().cancel(id);                          // another session, the same id
    client.transport().cancel("no-such-request");         // this session, an unknown id
    client.transport().cancel(Map.of("requestId", id));    // hostile: an object for an id
    client.transport().cancel(List.of(id));
    client.transport().cancel(null);
    client.transport().cancel(1e300);

    assertThat(queue.pending()).extracting(PendingApproval::id).contains(pending.id());
    assertThat(call).isNotDone();
    assertThat(queue.approve(pending.id(), "risk-officer")).isTrue();
    assertThat(text(call.get(30, TimeUnit.SECONDS))).isEqualTo("create_live_algorithm ok");
    assertThat(ran()).isEqualTo(before + 1);

    client.transport().cancel(id); // once decided, a late cancellation changes nothing
    assertThat(ran()).isEqualTo(before + 1);
  }

}
