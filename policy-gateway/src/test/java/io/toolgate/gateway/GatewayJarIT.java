package io.toolgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code toolgate-gateway.jar} as a desktop client runs it: a process whose stdio
 * the SDK client talks to, in front of the test server as its child. Bound to the
 * integration-test phase (after package) by the module's pom; a missing jar is a failure.
 */
class GatewayJarIT {
  private static final Path JAR = Path.of("target", "toolgate-gateway.jar");

  @TempDir Path dir;

  Process start(Path calls) throws Exception {
    assertThat(JAR).as("built by the package phase").isRegularFile();
    Path policy = Path.of("src", "test", "resources", "seed-policy.json");
    List<String> command = new ArrayList<>(List.of(Upstreams.java(), "-jar", JAR.toString(),
        "--policy", policy.toString(), "--principal", "desktop", "--audit", dir.resolve("audit.jsonl").toString(), "--"));
    command.addAll(Upstreams.command(calls));
    return new ProcessBuilder(command).redirectError(dir.resolve("stderr.log").toFile()).start();
  }

  McpSyncClient client(Process gateway) {
    McpSyncClient client = McpClient.sync(new StreamClientTransport(gateway.getInputStream(), gateway.getOutputStream(),
            McpJsonDefaults.getMapper()))
        .requestTimeout(Duration.ofSeconds(60))
        .initializationTimeout(Duration.ofSeconds(60))
        .build();
    client.initialize();
    return client;
  }

  @Test
  void theJarRelaysDecidesAndExitsZeroWhenTheClientClosesStdin() throws Exception {
    Path calls = dir.resolve("calls.log");
    Process gateway = start(calls);
    McpSyncClient client = client(gateway);
    assertThat(client.listTools().tools()).extracting(Tool::name).containsExactly("create_compile");
    CallToolResult allowed = client.callTool(CallToolRequest.builder("create_compile").arguments(Map.of("projectId", 7)).build());
    assertThat(((TextContent) allowed.content().get(0)).text()).startsWith("create_compile ok");
    CallToolResult denied = client.callTool(CallToolRequest.builder("delete_project").arguments(Map.of()).build());
    assertThat(denied.isError()).isTrue();
    ProcessHandle upstream = ProcessHandle.of(Upstreams.pids(calls).get(0)).orElseThrow();

    client.closeGracefully(); // closes the gateway's stdin
    assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(gateway.exitValue()).isZero();
    upstream.onExit().get(60, TimeUnit.SECONDS);
    assertThat(Upstreams.calls(calls)).containsExactly("create_compile");
    assertThat(Files.readAllLines(dir.resolve("audit.jsonl"))).hasSize(2).allMatch(line -> line.contains("\"principal\":\"desktop\""));
    assertThat(Files.readString(dir.resolve("stderr.log"))).contains("upstream server started");
  }

  @Test
  void sigtermStopsTheUpstreamServerToo() throws Exception {
    Path calls = dir.resolve("calls.log");
    Process gateway = start(calls);
    McpSyncClient client = client(gateway);
    client.callTool(CallToolRequest.builder("create_compile").arguments(Map.of()).build());
    ProcessHandle upstream = ProcessHandle.of(Upstreams.pids(calls).get(0)).orElseThrow();

    gateway.destroy(); // SIGTERM: the shutdown hook closes the server
    assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).isTrue();
    upstream.onExit().get(60, TimeUnit.SECONDS);
    assertThat(upstream.isAlive()).isFalse();
    client.close();
  }

  @Test
  void theJarServesHttpWithTokensAndMetricsAndStopsOnSigterm() throws Exception {
    Path calls = dir.resolve("calls.log");
    Files.writeString(dir.resolve("tokens.txt"), io.toolgate.gateway.internal.TokenFile.hash("t-1") + " web-agent\n");
    List<String> command = new ArrayList<>(List.of(Upstreams.java(), "-jar", JAR.toString(),
        "--policy", Path.of("src", "test", "resources", "seed-policy.json").toString(),
        "--listen", "127.0.0.1:0", "--tokens", dir.resolve("tokens.txt").toString(), "--"));
    command.addAll(Upstreams.command(calls));
    Process gateway = new ProcessBuilder(command).start();
    java.util.concurrent.CompletableFuture<String> endpoint = new java.util.concurrent.CompletableFuture<>();
    Thread logs = new Thread(() -> {
      try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(gateway.getErrorStream()))) {
        for (String line; (line = lines.readLine()) != null; ) {
          java.util.regex.Matcher found = java.util.regex.Pattern.compile("serving MCP at (http://\\S+)").matcher(line);
          if (found.find()) {
            endpoint.complete(found.group(1));
          }
        }
      } catch (java.io.IOException e) {
        endpoint.completeExceptionally(e);
      }
      endpoint.completeExceptionally(new IllegalStateException("the gateway exited without serving"));
    }, "gateway-stderr");
    logs.setDaemon(true);
    logs.start();
    java.net.URI url = java.net.URI.create(endpoint.get(60, TimeUnit.SECONDS));
    McpSyncClient client = McpClient.sync(io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport
            .builder("http://" + url.getAuthority()).endpoint("/mcp")
            .httpRequestCustomizer((request, method, uri, body, context) -> request.header("Authorization", "Bearer t-1"))
            .build())
        .requestTimeout(Duration.ofSeconds(60))
        .initializationTimeout(Duration.ofSeconds(60))
        .build();
    client.initialize();
    assertThat(client.listTools().tools()).extracting(Tool::name).containsExactly("create_compile");
    CallToolResult allowed = client.callTool(CallToolRequest.builder("create_compile").arguments(Map.of()).build());
    assertThat(((TextContent) allowed.content().get(0)).text()).startsWith("create_compile ok");
    java.net.http.HttpResponse<String> metrics = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + url.getAuthority() + "/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.body()).contains("toolgate_decisions_total{");
    ProcessHandle upstream = ProcessHandle.of(Upstreams.pids(calls).get(0)).orElseThrow();

    gateway.destroy(); // SIGTERM: drain, close the sessions and their servers
    assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).isTrue();
    upstream.onExit().get(60, TimeUnit.SECONDS);
    assertThat(upstream.isAlive()).isFalse();
    client.close();
  }
}
