package io.toolgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.toolgate.api.CallContext;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.approval.PendingApproval;
import java.nio.charset.StandardCharsets;
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

/**
 * A call held by {@code require_approval} with {@code wait: 2m} on real SDK stdio servers (sync
 * and async) whose input is wrapped by {@link McpCancellation#stdio}, with or without the guard
 * (then only a call of a tool that may be held is hashed), driven by a real SDK client
 * over in-JVM pipes: a raw {@code notifications/cancelled} on the server's input withdraws the
 * request and the tool never runs; unknown and hostile ids, an over-long line and invalid UTF-8
 * change nothing; ordinary traffic is unaffected.
 */
class McpStdioHeldCallTest {
  static final String POLICY = """
      version: "1"
      default: deny
      tools:
        read_compile:
          action: allow
        create_live_algorithm:
          action: require_approval
          reason: Going live needs a human
          wait: 2m
      """;

  static final TestTools TOOLS = new TestTools();
  static final BlockingQueue<PendingApproval> PENDING = new LinkedBlockingQueue<>();
  static final List<AutoCloseable> OPEN = new ArrayList<>();
  static InMemoryApprovalQueue queue;
  static McpToolGuard guard;
  static Client sync;
  static Client async;
  static Client syncGuarded;
  static Client asyncGuarded;

  record Client(McpAsyncClient client, McpHeldCallTest.Recording recording, StdioPipe.ClientTransport pipe) {
    CompletableFuture<CallToolResult> call(String tool, Map<String, Object> args) {
      recording.callIds.clear(); // the clients are shared: only this call's id
      return client.callTool(CallToolRequest.builder(tool).arguments(args).build()).toFuture();
    }

    /** A round trip: every line written before it has been read (and scanned) by the server. */
    void roundTrip() {
      client.ping().block(Duration.ofSeconds(30));
    }

    void rawLine(String json) {
      pipe.raw((json + "\n").getBytes(StandardCharsets.UTF_8));
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
    PolicyEngine engine = PolicyEngine.builder(Policy.parse(POLICY)).approvals(queue).build();
    guard = McpToolGuard.builder(engine).identity(McpIdentityResolver.fixed(CallContext.of("local-agent"))).build();
    sync = start(true, false);
    async = start(false, false);
    syncGuarded = start(true, true);
    asyncGuarded = start(false, true);
  }

  static Client start(boolean sync, boolean forGuard) {
    StdioPipe toServer = new StdioPipe();
    StdioPipe fromServer = new StdioPipe();
    var provider = new StdioServerTransportProvider(McpJsonDefaults.getMapper(),
        forGuard ? McpCancellation.stdio(toServer, guard) : McpCancellation.stdio(toServer), fromServer.output());
    var capabilities = McpSchema.ServerCapabilities.builder().tools(true).build();
    if (sync) {
      var server = McpServer.sync(provider).serverInfo("stdio-held-sync", "1").capabilities(capabilities)
          .tools(guard.sync(TOOLS.sync())).build();
      OPEN.add(server::close);
    } else {
      var server = McpServer.async(provider).serverInfo("stdio-held-async", "1").capabilities(capabilities)
          .tools(guard.async(TOOLS.async())).build();
      OPEN.add(server::close);
    }
    StdioPipe.ClientTransport pipe = new StdioPipe.ClientTransport(toServer, fromServer);
    McpHeldCallTest.Recording recording = new McpHeldCallTest.Recording(pipe);
    McpAsyncClient client = McpClient.async(recording).requestTimeout(Duration.ofSeconds(60)).build();
    OPEN.add(0, client::close);
    client.initialize().block(Duration.ofSeconds(30));
    return new Client(client, recording, pipe);
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable open : OPEN) {
      open.close();
    }
  }

  static Client client(String kind) {
    return switch (kind) {
      case "sync" -> sync;
      case "async" -> async;
      case "sync-guarded" -> syncGuarded;
      default -> asyncGuarded;
    };
  }

  static PendingApproval nextPending() throws InterruptedException {
    PendingApproval pending = PENDING.poll(30, TimeUnit.SECONDS);
    assertThat(pending).as("the call is held").isNotNull();
    return pending;
  }

  static int ran() {
    return TOOLS.invocations("create_live_algorithm");
  }

  static String text(CallToolResult result) {
    return ((McpSchema.TextContent) result.content().get(0)).text();
  }

  static String cancelled(String requestIdJson) {
    return "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":"
        + requestIdJson + ",\"reason\":\"the user gave up\"}}";
  }

  /**
   * The id in upper case; an id with no letter (the SDK's ids start with 8 hex digits, all of them
   * digits one time in 43) has no other case, so it gets a near miss instead, never the id itself.
   */
  static String otherCase(Object id) {
    String upper = id.toString().toUpperCase(java.util.Locale.ROOT);
    return upper.equals(id.toString()) ? "0" + id : upper;
  }

  static String json(Object id) {
    return id instanceof String s ? "\"" + s + "\"" : String.valueOf(id);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sync", "async", "sync-guarded", "async-guarded"})
  void ordinaryTrafficIsUnaffected(String kind) throws Exception {
    Client client = client(kind);
    List<String> names = client.client().listTools().block(Duration.ofSeconds(30)).tools().stream()
        .map(Tool::name).toList();
    assertThat(names).contains("read_compile", "create_live_algorithm");
    CallToolResult result = client.call("read_compile", Map.of("projectId", kind)).get(30, TimeUnit.SECONDS);
    assertThat(result.isError()).isNotEqualTo(Boolean.TRUE);
    assertThat(text(result)).isEqualTo("read_compile ok");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sync", "async", "sync-guarded", "async-guarded"})
  void aRawCancellationSplitAcrossReadsWithdrawsTheHeldCall(String kind) throws Exception {
    Client client = client(kind);
    int before = ran();
    CompletableFuture<CallToolResult> call = client.call("create_live_algorithm", Map.of("projectId", kind + "-cancel"));
    Object id = client.recording().nextCallId();
    PendingApproval pending = nextPending();

    byte[] line = (cancelled(json(id)) + "\n").getBytes(StandardCharsets.UTF_8);
    client.pipe().rawInTwo(line, line.length / 2);

    Object answer = call.handle((result, error) -> result != null ? result : error).get(30, TimeUnit.SECONDS);
    if (kind.startsWith("sync")) {
      assertThat(((CallToolResult) answer).isError()).isTrue();
      assertThat(((CallToolResult) answer).meta().get(McpToolGuard.META_KEY).toString())
          .contains("approval_required");
    } else {
      Throwable error = answer instanceof java.util.concurrent.CompletionException e ? e.getCause() : (Throwable) answer;
      assertThat(error).isInstanceOf(io.modelcontextprotocol.spec.McpError.class);
      assertThat(((io.modelcontextprotocol.spec.McpError) error).getJsonRpcError().code()).isEqualTo(-32800);
    }
    assertThat(queue.pending()).isEmpty();
    assertThat(queue.approve(pending.id(), "risk-officer")).isFalse();
    assertThat(ran()).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sync", "async", "sync-guarded", "async-guarded"})
  void unknownAndHostileCancellationsChangeNothing(String kind) throws Exception {
    Client client = client(kind);
    int before = ran();
    CompletableFuture<CallToolResult> call = client.call("create_live_algorithm", Map.of("projectId", kind + "-hostile"));
    Object id = client.recording().nextCallId();
    PendingApproval pending = nextPending();

    String real = json(id);
    client.rawLine(cancelled("\"no-such-request\""));
    client.rawLine(cancelled("987654321987654321987654321"));
    // every JSON type, all valid JSON (a line that is not JSON ends the SDK's stdio session)
    for (String hostile : List.of("{\"id\":" + real + "}", "[" + real + "]", "null", "true", "2.5", "1e300",
        "-1", "\"\"", json(otherCase(id)), json(id + " "))) {
      client.rawLine(cancelled(hostile));
    }
    client.rawLine("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"id\":99,\"params\":{\"requestId\":"
        + real + "}}"); // a request, not a notification
    // longer than MAX_LINE: passed on, not scanned
    client.rawLine("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":" + real
        + ",\"reason\":\"" + "x".repeat(McpCancellation.MAX_LINE) + "\"}}");
    // invalid UTF-8 in the reason: the SDK reads a replacement character, the scanner no JSON
    byte[] head = ("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":" + real
        + ",\"reason\":\"").getBytes(StandardCharsets.UTF_8);
    byte[] tail = "\"}}\n".getBytes(StandardCharsets.UTF_8);
    byte[] broken = new byte[head.length + 2 + tail.length];
    System.arraycopy(head, 0, broken, 0, head.length);
    broken[head.length] = (byte) 0xff;
    broken[head.length + 1] = (byte) 0xc3;
    System.arraycopy(tail, 0, broken, head.length + 2, tail.length);
    client.pipe().raw(broken);
    client.roundTrip();

    assertThat(queue.pending()).extracting(PendingApproval::id).contains(pending.id());
    assertThat(call).isNotDone();
    assertThat(queue.approve(pending.id(), "risk-officer")).isTrue();
    assertThat(text(call.get(30, TimeUnit.SECONDS))).isEqualTo("create_live_algorithm ok");
    assertThat(ran()).isEqualTo(before + 1);

    client.rawLine(cancelled(real)); // once decided, a late cancellation changes nothing
    client.roundTrip();
    assertThat(ran()).isEqualTo(before + 1);
    assertThat(queue.pending()).isEmpty();
  }
}
