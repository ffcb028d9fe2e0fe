package io.toolgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.gateway.internal.TokenFile;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second message hidden after the first (or inside it, behind a line break a line-reading
 * server would split at) never reaches the server undecided, through either front. Found by a
 * security review: the gateway once parsed the first JSON value and relayed the whole text.
 */
class OneMessageTest {
  static final String DENIED = "{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"tools/call\","
      + "\"params\":{\"name\":\"delete_project\",\"arguments\":{\"projectId\":7}}}";
  static final String AFTER = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/roots/list_changed\"}\r" + DENIED;
  static final String INSIDE = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\",\"params\":{\"p\":\r" + DENIED + "\r}}";

  @TempDir Path dir;

  @Test
  void overStdio() throws Exception {
    PolicyEngine engine = PolicyEngine.of(Policy.fromResource("seed-policy.json")); // only create_compile
    try (InProcessGateway gateway = InProcessGateway.start(engine)) {
      McpSyncClient client = gateway.client();
      synchronized (gateway.toGateway) {
        gateway.toGateway.write((AFTER + "\n" + INSIDE + "\n").getBytes(StandardCharsets.UTF_8));
        gateway.toGateway.flush();
      }
      // the server handles its input in order: once this call ran, the lines before it were handled
      client.callTool(new CallToolRequest("create_compile", Map.of("projectId", 1)));
      assertThat(Upstreams.calls(gateway.calls)).containsExactly("create_compile");
      client.closeGracefully();
    }
  }

  @Test
  void overStreamableHttp() throws Exception {
    Files.writeString(dir.resolve("tokens.txt"), TokenFile.hash("alice-token") + " alice\n");
    Path calls = dir.resolve("calls.log");
    PolicyEngine engine = PolicyEngine.of(Policy.fromResource("seed-policy.json"));
    try (GatewayServer gateway = GatewayServer.builder(
            Gateway.builder(engine, Upstreams.command(calls)).restartBackoff(Duration.ZERO))
        .listen(new InetSocketAddress("127.0.0.1", 0)).tokenFile(dir.resolve("tokens.txt")).start();
        RawHttpSession session = RawHttpSession.open(gateway.endpoint(), Map.of("Authorization", "Bearer alice-token"),
            "2025-11-25")) {
      assertThat(session.notify(AFTER.replace('\r', '\n'))).isEqualTo(400);
      assertThat(session.notify(INSIDE)).isEqualTo(202);
      session.request("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
          + "\"params\":{\"name\":\"create_compile\",\"arguments\":{\"projectId\":1}}}")
          .ended.get(60, TimeUnit.SECONDS);
      assertThat(Upstreams.calls(calls)).containsExactly("create_compile");
    }
  }

  /** A request whose id no answer could carry back (JSON-RPC ids are strings or safe integers) is refused at once. */
  @Test
  void overStreamableHttpARequestWithAnIdNoAnswerCouldCarryGets400() throws Exception {
    Path calls = dir.resolve("calls.log");
    PolicyEngine engine = PolicyEngine.of(Policy.fromResource("seed-policy.json"));
    try (GatewayServer gateway = GatewayServer.builder(
            Gateway.builder(engine, Upstreams.command(calls)).restartBackoff(Duration.ZERO))
        .listen(new InetSocketAddress("127.0.0.1", 0)).start();
        RawHttpSession session = RawHttpSession.open(gateway.endpoint(), Map.of(), "2025-11-25")) {
      for (String id : List.of("1.5", "9007199254740993", "null", "true", "{\"a\":1}", "[1]")) {
        String call = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\","
            + "\"params\":{\"name\":\"create_compile\",\"arguments\":{\"projectId\":1}}}";
        // before: its answer's event stream began and never ended
        assertThat(CompletableFuture.supplyAsync(() -> {
          try {
            return session.notify(call);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }).get(60, TimeUnit.SECONDS)).as(id).isEqualTo(400);
      }
      assertThat(gateway.inFlight()).isZero();
      assertThat(Files.exists(calls) ? Upstreams.calls(calls) : List.of()).isEmpty();
    }
  }
}
