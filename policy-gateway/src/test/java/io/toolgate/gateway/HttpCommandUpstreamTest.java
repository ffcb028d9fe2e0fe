package io.toolgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.gateway.internal.TokenFile;
import io.toolgate.mcp.McpToolGuard;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway serving streamable HTTP ({@code --listen}) in front of a command: {@link
 * UpstreamTestServer}, a Java SDK server, run as a child process per session. The SDK's client
 * gets the same answers as from the server directly; the seed policy's limit holds across two
 * sessions of one principal; a cancellation reaches the server; the server dying mid-call gives
 * the agent an error, refunds the count and is restarted.
 */
class HttpCommandUpstreamTest {
  @TempDir static Path dir;
  Path calls;
  GatewayServer gateway;

  @BeforeAll
  static void tokens() throws Exception {
    Files.writeString(dir.resolve("tokens.txt"),
        TokenFile.hash("alice-token") + " alice\n" + TokenFile.hash("bob-token") + " bob\n");
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    if (calls != null) {
      Files.deleteIfExists(calls);
      Files.deleteIfExists(Path.of(calls + ".crashed"));
    }
  }

  private GatewayServer start(PolicyEngine engine, List<String> command) throws Exception {
    gateway = GatewayServer.builder(Gateway.builder(engine, command).restartBackoff(Duration.ZERO))
        .listen(new InetSocketAddress("127.0.0.1", 0))
        .tokenFile(dir.resolve("tokens.txt"))
        .start();
    return gateway;
  }

  private Path calls() throws Exception {
    calls = Files.createTempFile(dir, "calls", ".log");
    Files.delete(calls);
    return calls;
  }

  private McpSyncClient client(String token, TransparencyTest spec) {
    HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(
            "http://127.0.0.1:" + gateway.address().getPort())
        .endpoint("/mcp")
        .httpRequestCustomizer((request, method, uri, body, context) -> request.header("Authorization", "Bearer " + token))
        .build();
    McpClient.SyncSpec configured = spec != null
        ? spec.configure(McpClient.sync(transport))
        : McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60)).initializationTimeout(Duration.ofSeconds(60));
    McpSyncClient client = configured.build();
    client.initialize();
    return client;
  }

  private static CallToolResult call(McpSyncClient client, String tool) {
    return client.callTool(CallToolRequest.builder(tool).arguments(Map.of("projectId", 7)).build());
  }

  private static String text(CallToolResult result) {
    return ((McpSchema.TextContent) result.content().get(0)).text();
  }

  @Test
  void aClientSeesTheSameCommandThroughTheHttpGatewayAsDirectly() throws Exception {
    Path directCalls = calls();
    TransparencyTest direct = new TransparencyTest();
    McpSyncClient directClient = direct.configure(McpClient.sync(OneSenderTransport.stdio(
            ServerParameters.builder(Upstreams.java()).args(Upstreams.command(directCalls).subList(1, 6)).build())))
        .build();
    directClient.initialize();
    Map<String, Object> directly = direct.observe(directClient);
    directClient.closeGracefully();
    Files.deleteIfExists(directCalls);

    TransparencyTest through = new TransparencyTest();
    start(PolicyEngine.of(Policy.fromResource("gateway-test-policy.yaml")), Upstreams.command(calls()));
    McpSyncClient client = client("alice-token", through);
    Map<String, Object> seen = through.observe(client);
    CallToolResult refused = call(client, "delete_project");
    assertThat(text(refused)).contains("Project deletion is not permitted for agents");
    assertThat(Upstreams.calls(calls)).containsExactly("echo", "sample", "roots", "progress");
    client.closeGracefully();

    List<String> tools = new ArrayList<>(List.class.cast(directly.get("tools")));
    tools.remove("delete_project");
    directly.put("tools", tools);
    assertThat(seen).isEqualTo(directly);
    assertThat(seen.get("sample").toString()).contains("the client said: 4");
    assertThat(seen.get("roots").toString()).contains("file:///work/project");
  }

  @Test
  void theSeedPolicyCapsCreateCompileAtTenAMinuteAcrossTwoSessionsOfOnePrincipal() throws Exception {
    start(GatewayPolicyTest.engine("seed-policy.json"), Upstreams.command(calls()));
    McpSyncClient first = client("alice-token", null);
    McpSyncClient second = client("alice-token", null);
    assertThat(gateway.sessionCount()).isEqualTo(2);
    for (int i = 0; i < 5; i++) {
      assertThat(text(call(first, "create_compile"))).startsWith("create_compile ok");
      assertThat(text(call(second, "create_compile"))).startsWith("create_compile ok");
    }
    CallToolResult limited = call(second, "create_compile");
    assertThat(limited.isError()).isTrue();
    assertThat(text(limited)).isEqualTo(
        "Policy denied create_compile: rate limit create_compile_rate (10 per minute, per grant) reached; retry after 30s.");
    JsonNode decision = GatewayPolicyTest.JSON.valueToTree(limited.meta().get(McpToolGuard.META_KEY));
    assertThat(decision.get("kind").asText()).isEqualTo("rate_limited");
    assertThat(decision.get("retryAfterSeconds").asLong()).isEqualTo(30);
    assertThat(call(first, "create_compile").isError()).as("the first session shares the count").isTrue();
    McpSyncClient bob = client("bob-token", null);
    assertThat(text(call(bob, "create_compile"))).as("another principal counts apart").startsWith("create_compile ok");

    // the upstream's own log: ten calls from alice's two sessions (two processes), one from bob's
    List<Long> pids = Upstreams.pids(calls);
    assertThat(Upstreams.calls(calls)).isEqualTo(Collections.nCopies(11, "create_compile"));
    assertThat(pids.subList(0, 10).stream().distinct()).hasSize(2);
    first.closeGracefully();
    second.closeGracefully();
    bob.closeGracefully();
  }

  @Test
  void aCancelledCallReachesTheServerAsCancelledAndItsStreamEnds() throws Exception {
    start(PolicyEngine.of(Policy.fromResource("gateway-test-policy.yaml")), Upstreams.cancellableCommand(calls()));
    try (RawHttpSession session =
        RawHttpSession.open(gateway.endpoint(), Map.of("Authorization", "Bearer alice-token"), "2025-11-25")) {
      RawHttpSession.Exchange waiting = session.request(
          "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"wait_for_cancel\",\"arguments\":{\"id\":7}}}");
      // the server reads its messages in order: the call, this echo, then the cancellation
      RawHttpSession.Exchange echo = session.request(
          "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}");
      assertThat(echo.next().toString()).contains("echo ok");
      assertThat(session.notify("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":"
          + "{\"requestId\":7,\"reason\":\"the user gave up\"}}")).isEqualTo(202);
      assertThat(waiting.all()).as("a cancelled request gets no response; its stream ends").isEmpty();

      RawHttpSession.Exchange seen = session.request(
          "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":\"cancellations\",\"arguments\":{}}}");
      JsonNode answer = seen.next();
      assertThat(answer.get("id").asInt()).isEqualTo(9);
      assertThat(answer.at("/result/content/0/text").asText()).as("what the server was sent").isEqualTo("7");
      assertThat(gateway.inFlight()).isZero();
    }
    // the server runs calls side by side: wait_for_cancel and echo may be logged in either order
    assertThat(Upstreams.calls(calls)).hasSize(3).endsWith("cancellations")
        .containsExactlyInAnyOrder("wait_for_cancel", "echo", "cancellations");
  }

  @Test
  void malformedAndForeignCancellationsChangeNothing() throws Exception {
    start(PolicyEngine.of(Policy.fromResource("gateway-test-policy.yaml")), Upstreams.cancellableCommand(calls()));
    try (RawHttpSession session =
        RawHttpSession.open(gateway.endpoint(), Map.of("Authorization", "Bearer alice-token"), "2025-11-25")) {
      RawHttpSession.Exchange waiting = session.request(
          "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"wait_for_cancel\",\"arguments\":{\"id\":5}}}");
      for (String params : List.of("", ",\"params\":\"x\"", ",\"params\":{}", ",\"params\":{\"requestId\":null}",
          ",\"params\":{\"requestId\":{\"id\":5}}", ",\"params\":{\"requestId\":[5]}", ",\"params\":{\"requestId\":\"5\"}", ",\"params\":{\"requestId\":99}")) {
        assertThat(session.notify("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\"" + params + "}"))
            .as(params).isEqualTo(202);
      }
      RawHttpSession.Exchange echo = session.request(
          "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}");
      assertThat(echo.all()).hasSize(1).first().extracting(answer -> answer.at("/result/content/0/text").asText())
          .asString().startsWith("echo ok");
      assertThat(gateway.inFlight()).as("the call in flight is still waited for").isEqualTo(1);
      try (RawHttpSession other =
          RawHttpSession.open(gateway.endpoint(), Map.of("Authorization", "Bearer alice-token"), "2025-11-25")) {
        assertThat(other.notify("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":5}}"))
            .as("another session's cancellation names its own ids").isEqualTo(202);
      }
      assertThat(gateway.inFlight()).isEqualTo(1);
      assertThat(session.notify("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":5}}"))
          .isEqualTo(202);
      assertThat(waiting.all()).isEmpty();
      assertThat(gateway.inFlight()).isZero();
    }
  }

  @Test
  void theVersionTheClientAsksForIsTheOneTheServerAnswers() throws Exception {
    start(PolicyEngine.of(Policy.fromResource("gateway-test-policy.yaml")), Upstreams.command(calls()));
    for (String version : EverythingHttpTest.VERSIONS) {
      McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder(
                  "http://127.0.0.1:" + gateway.address().getPort())
              .endpoint("/mcp")
              .httpRequestCustomizer((request, method, uri, body, context) -> request.header("Authorization", "Bearer bob-token"))
              .supportedProtocolVersions(List.of(version))
              .build())
          .requestTimeout(Duration.ofSeconds(60))
          .initializationTimeout(Duration.ofSeconds(60))
          .build();
      client.initialize();
      assertThat(client.getCurrentInitializationResult().protocolVersion()).isEqualTo(version);
      assertThat(text(call(client, "echo"))).startsWith("echo ok");
      client.closeGracefully();
    }
  }

  @Test
  void theServerDyingMidCallGivesAnErrorRefundsTheCallAndIsRestarted() throws Exception {
    start(PolicyEngine.of(Policy.fromResource("gateway-test-policy.yaml")), Upstreams.command(calls()));
    McpSyncClient client = client("alice-token", null);
    assertThat(text(call(client, "echo"))).startsWith("echo ok");
    assertThatThrownBy(() -> call(client, "crash_once"))
        .isInstanceOf(McpError.class)
        .hasMessageContaining("the upstream server exited");
    // crash_once allows 1 call an hour and refunds failures: the crashed call gave its count back
    assertThat(text(call(client, "crash_once"))).isEqualTo("crash_once ok");
    assertThat(text(call(client, "echo"))).startsWith("echo ok");
    assertThat(client.ping()).isNotNull();

    assertThat(Upstreams.calls(calls)).containsExactly("echo", "crash_once", "crash_once", "echo");
    List<Long> pids = Upstreams.pids(calls);
    assertThat(pids.get(0)).isEqualTo(pids.get(1));
    assertThat(pids.get(2)).as("a new server process").isNotEqualTo(pids.get(1)).isEqualTo(pids.get(3));
    assertThat(gateway.sessionCount()).isEqualTo(1);
    client.closeGracefully();
  }
}
