package io.toolgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.toolgate.approvals.ApproverTokens;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.PendingApproval;
import io.toolgate.gateway.internal.RedisCounters;
import io.toolgate.mcp.McpToolGuard;
import io.toolgate.redis.RedisApprovalQueue;
import io.toolgate.redis.RedisServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code redis:} with {@code approvals:}: the gateway's approval queue is a {@link
 * RedisApprovalQueue} on a real redis-server (policy-store-redis's {@link RedisServer}), so a
 * call held through one gateway is answered in another's inbox, and a pending request outlives the
 * gateway it was made through. Each gateway is what {@link Main} builds from its config file: its
 * own Redis client ({@link RedisCounters}), {@link GatewayApprovals}, engine and {@link
 * GatewayServer}, closed in Main's order.
 */
class RedisApprovalsGatewayTest {
  static final String POLICY = """
      version: "1"
      default: allow
      tools:
        create_compile: {action: require_approval, wait: 2m, reason: a human looks at compiles}
        delete_project: {action: require_approval, reason: a human looks at deletions}
      """;
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir Path dir;
  RedisServer redis;
  final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void startRedis() throws Exception {
    redis = RedisServer.start();
    Files.writeString(dir.resolve("policy.yaml"), POLICY);
    Files.writeString(dir.resolve("a.tokens"), ApproverTokens.hash("token-of-a") + " officer-a\n");
    Files.writeString(dir.resolve("b.tokens"), ApproverTokens.hash("token-of-b") + " officer-b\n");
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    redis.close();
  }

  /** A gateway as Main starts it from a config file with {@code redis:} and {@code approvals:}. */
  final class Running implements AutoCloseable {
    final GatewayConfig settings;
    final RedisCounters counters;
    final GatewayApprovals approvals;
    final GatewayServer server;
    final String token;
    private boolean closed;

    Running(String name, String tokens, String token) throws Exception {
      Path config = dir.resolve(name + ".yaml");
      Files.writeString(config, "policy: policy.yaml\nlisten: 127.0.0.1:0\napprovals: " + tokens + "\nredis: "
          + redis.uri() + "\nredis-timeout: 30s\n");
      settings = GatewayConfig.load(config);
      this.token = token;
      counters = RedisCounters.connect(settings.redis(), settings.redisTimeoutDuration());
      approvals = GatewayApprovals.create(settings, Map.<String, String>of()::get, counters);
      PolicyEngine engine = PolicyEngine.builder(Policy.load(settings.policy()))
          .counterStore(counters.store()).approvals(approvals.queue()).build();
      server = GatewayServer.builder(Gateway.builder(engine, Upstreams.command(dir.resolve(name + ".calls"))))
          .listen(new InetSocketAddress("127.0.0.1", 0)).approvalsInbox(approvals.inbox()).start();
      closing.add(this);
    }

    /** Main's shutdown order: the server, the approvals (webhooks, Redis queue), the Redis client. */
    @Override
    public void close() {
      if (!closed) {
        closed = true;
        server.close();
        approvals.close();
        counters.close();
      }
    }

    McpSyncClient client() {
      McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport
              .builder("http://127.0.0.1:" + server.address().getPort()).endpoint("/mcp").build())
          .requestTimeout(Duration.ofSeconds(120))
          .initializationTimeout(Duration.ofSeconds(60))
          .build();
      client.initialize();
      closing.add(client::close);
      return client;
    }

    HttpResponse<String> inbox(String method, String path, String bearer) throws Exception {
      HttpRequest.Builder request = HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + server.address().getPort() + "/approvals/api" + path))
          .header("Authorization", "Bearer " + bearer);
      request = "GET".equals(method) ? request.GET() : request.header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"comment\":\"fine\"}"));
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    List<String> pendingIds() throws Exception {
      HttpResponse<String> listed = inbox("GET", "/pending", token);
      assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
      return JSON.readTree(listed.body()).findValuesAsText("id");
    }
  }

  static BlockingQueue<PendingApproval> requests(ApprovalQueue queue) {
    BlockingQueue<PendingApproval> requested = new LinkedBlockingQueue<>();
    queue.subscribe(new ApprovalQueue.Listener() {
      @Override
      public void pending(PendingApproval request) {
        requested.add(request);
      }
    });
    return requested;
  }

  static String text(CallToolResult result) {
    return ((TextContent) result.content().get(0)).text();
  }

  @Test
  void aCallHeldThroughOneGatewayIsApprovedInAnothersInboxAndRunsOnce() throws Exception {
    Running a = new Running("a", "a.tokens", "token-of-a");
    Running b = new Running("b", "b.tokens", "token-of-b");
    assertThat(a.approvals.queue()).isInstanceOf(RedisApprovalQueue.class);
    BlockingQueue<PendingApproval> heardByB = requests(b.approvals.queue());

    McpSyncClient agent = a.client();
    CompletableFuture<CallToolResult> call = CompletableFuture.supplyAsync(() -> agent.callTool(
        CallToolRequest.builder("create_compile").arguments(Map.of("projectId", 7)).build()));
    PendingApproval request = heardByB.poll(60, TimeUnit.SECONDS);
    assertThat(request).as("B hears of the request made through A").isNotNull();
    assertThat(request.request().call().tool()).isEqualTo("create_compile");
    assertThat(b.pendingIds()).containsExactly(request.id());
    assertThat(call).isNotDone();

    // Hostile ids and A's token get nowhere at B; the request stays pending.
    assertThat(b.inbox("POST", "/pending/" + request.id() + "/approve", "token-of-a").statusCode()).isEqualTo(401);
    for (String hostile : List.of("no-such-id", "..%2F..%2Fetc", "x".repeat(4000), "%7Bap%7D:pending")) {
      assertThat(b.inbox("POST", "/pending/" + hostile + "/approve", "token-of-b").statusCode()).as(hostile)
          .isBetween(400, 499);
    }
    assertThat(b.pendingIds()).containsExactly(request.id());

    HttpResponse<String> approved = b.inbox("POST", "/pending/" + request.id() + "/approve", "token-of-b");
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    assertThat(text(call.get(120, TimeUnit.SECONDS))).startsWith("create_compile ok");
    assertThat(Upstreams.calls(dir.resolve("a.calls"))).containsExactly("create_compile");
    assertThat(Upstreams.calls(dir.resolve("b.calls"))).isEmpty();
    assertThat(a.pendingIds()).isEmpty();
    assertThat(b.approvals.queue().history(10)).singleElement()
        .satisfies(answer -> assertThat(answer.approver()).isEqualTo("officer-b"));
  }

  @Test
  void aPendingRequestOutlivesItsGatewayAndItsApprovalIsHonouredByTheNextOne() throws Exception {
    Running a = new Running("a", "a.tokens", "token-of-a");
    McpSyncClient agent = a.client();
    CallToolRequest delete = CallToolRequest.builder("delete_project").arguments(Map.of("projectId", 9)).build();
    CallToolResult refused = agent.callTool(delete);
    assertThat(refused.isError()).isTrue();
    @SuppressWarnings("unchecked")
    Map<String, Object> decision = (Map<String, Object>) refused.meta().get(McpToolGuard.META_KEY);
    assertThat(decision).containsEntry("kind", "approval_required");
    List<String> pending = a.pendingIds();
    assertThat(pending).hasSize(1);
    agent.closeGracefully();
    a.close();

    Running c = new Running("c", "b.tokens", "token-of-b");
    assertThat(c.pendingIds()).as("still pending after a restart").isEqualTo(pending);
    HttpResponse<String> approved = c.inbox("POST", "/pending/" + pending.get(0) + "/approve", "token-of-b");
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    assertThat(text(c.client().callTool(delete))).startsWith("delete_project ok");
    assertThat(Upstreams.calls(dir.resolve("a.calls"))).isEmpty();
    assertThat(Upstreams.calls(dir.resolve("c.calls"))).containsExactly("delete_project");
  }
}
