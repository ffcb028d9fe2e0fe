package io.toolgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /readyz} with a command upstream: ready once the session's child answered {@code
 * initialize}; not ready when a child exits (before answering, or mid-session) until a restarted
 * child answers the replayed {@code initialize}. The restarted test server waits for a gate file
 * the test creates, so the not-ready state is held for as long as the test looks at it.
 */
class ReadinessTest {
  @TempDir Path dir;
  final PolicyEngine engine = PolicyEngine.builder(Policy.parse("version: \"1\"\ndefault: allow\n")).build();
  GatewayServer gateway;

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  GatewayServer start(Gateway.Builder sessions) throws Exception {
    gateway = GatewayServer.builder(sessions).listen(new InetSocketAddress("127.0.0.1", 0)).start();
    return gateway;
  }

  int readyz() throws Exception {
    return OperationsTest.HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.address().getPort() + "/readyz")).build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  McpSyncClient client() {
    McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport
            .builder("http://127.0.0.1:" + gateway.address().getPort()).endpoint("/mcp").build())
        .requestTimeout(Duration.ofSeconds(60))
        .initializationTimeout(Duration.ofSeconds(60))
        .build();
    client.initialize();
    return client;
  }

  @Test
  void aChildThatDiesIsNotReadyUntilItsRestartAnswersInitialize() throws Exception {
    Path calls = dir.resolve("calls.log");
    Path gate = dir.resolve("restart-gate");
    start(Gateway.builder(engine, Upstreams.command(calls, Map.of(UpstreamTestServer.RESTART_GATE, gate.toString())))
        .restartBackoff(Duration.ZERO));
    McpSyncClient client = client();
    assertThat(readyz()).as("the child answered initialize").isEqualTo(200);

    assertThatThrownBy(() -> client.callTool(CallToolRequest.builder("crash_once").arguments(Map.of()).build()))
        .isInstanceOf(McpError.class).hasMessageContaining("exited");
    assertThat(readyz()).as("the child died; its restart waits for the gate").isEqualTo(503);
    assertThat(readyz()).isEqualTo(503);

    Files.createFile(gate);
    assertThat(client.callTool(CallToolRequest.builder("echo").arguments(Map.of()).build()).isError()).isFalse();
    assertThat(readyz()).as("the restarted child answered the replayed initialize").isEqualTo(200);
    client.closeGracefully();
  }

  @Test
  void aChildThatExitsBeforeAnsweringInitializeIsNotReady() throws Exception {
    Path calls = dir.resolve("calls.log");
    start(Gateway.builder(engine, Upstreams.command(calls, Map.of(UpstreamTestServer.EXIT_ON_FIRST_LINE, "true"))));
    assertThat(readyz()).as("no session yet, nothing known to be wrong").isEqualTo(200);
    HttpResponse<String> answer = OperationsTest.HTTP.send(HttpRequest.newBuilder(gateway.endpoint())
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString(HttpDownstreamTest.INITIALIZE))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(answer.body()).contains("-32001", "exited");
    assertThat(readyz()).as("the child started, but never answered initialize").isEqualTo(503);
  }
}
