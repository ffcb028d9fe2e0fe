package io.toolgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar on stdio gets SIGTERM with a call in flight: the call finishes within {@code
 * --grace} and its response is written, a new request meanwhile gets {@code -32001} and never
 * reaches the server, then the server is stopped and the audit file, closed last, holds the call's
 * decision and outcome. Runs after package, as {@link GatewayJarIT} does.
 */
class StdioDrainIT {
  private static final Path JAR = Path.of("target", "toolgate-gateway.jar");

  @TempDir Path dir;

  @Test
  void sigtermLetsTheCallInFlightFinishRefusesNewOnesThenStopsTheServerAndClosesTheAuditLast() throws Exception {
    assertThat(JAR).as("built by the package phase").isRegularFile();
    Path calls = dir.resolve("calls.log");
    Path release = dir.resolve("release");
    Path audit = dir.resolve("audit.jsonl");
    List<String> command = new ArrayList<>(List.of(Upstreams.java(), "-jar", JAR.toString(),
        "--policy", Path.of("src", "test", "resources", "operations-policy.yaml").toString(),
        "--audit", audit.toString(), "--grace", "60s", "--"));
    command.addAll(Upstreams.command(calls, Map.of(UpstreamTestServer.HOLD, release.toString())));
    Process gateway = new ProcessBuilder(command).start();
    CompletableFuture<Void> draining = new CompletableFuture<>();
    Thread logs = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(gateway.getErrorStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = lines.readLine()) != null; ) {
          System.err.println("[gateway] " + line);
          if (line.contains("toolgate-gateway: draining")) {
            draining.complete(null);
          }
        }
      } catch (IOException e) {
        draining.completeExceptionally(e);
      }
      draining.completeExceptionally(new IllegalStateException("the gateway exited without draining"));
    }, "gateway-stderr");
    logs.setDaemon(true);
    logs.start();
    McpSyncClient client = McpClient.sync(new StreamClientTransport(gateway.getInputStream(), gateway.getOutputStream(),
            McpJsonDefaults.getMapper()))
        .requestTimeout(Duration.ofSeconds(60))
        .initializationTimeout(Duration.ofSeconds(60))
        .build();
    client.initialize();
    CompletableFuture<CallToolResult> held = CompletableFuture.supplyAsync(
        () -> client.callTool(CallToolRequest.builder("hold").arguments(Map.of()).build()));
    assertThat(FileEvents.awaitLine(calls, " hold", Duration.ofSeconds(60))).as("the server runs hold").isTrue();
    ProcessHandle upstream = ProcessHandle.of(Upstreams.pids(calls).get(0)).orElseThrow();

    gateway.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our ends of its pipes
    draining.get(60, TimeUnit.SECONDS);
    assertThatThrownBy(() -> client.callTool(CallToolRequest.builder("echo").arguments(Map.of()).build()))
        .isInstanceOf(McpError.class)
        .satisfies(e -> assertThat(((McpError) e).getJsonRpcError().code()).isEqualTo(-32001));
    Files.createFile(release);
    assertThat(StdioDrainTest.text(held.get(60, TimeUnit.SECONDS))).isEqualTo("hold ok");

    assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).isTrue();
    upstream.onExit().get(60, TimeUnit.SECONDS);
    assertThat(Upstreams.calls(calls)).containsExactly("hold");
    List<String> lines = Files.readAllLines(audit);
    assertThat(lines).hasSize(1);
    JsonNode line = MainTest.JSON.readTree(lines.get(0));
    assertThat(line.get("tool").asText()).isEqualTo("hold");
    assertThat(line.get("outcome").asText()).isEqualTo("succeeded");
    client.close();
  }
}
