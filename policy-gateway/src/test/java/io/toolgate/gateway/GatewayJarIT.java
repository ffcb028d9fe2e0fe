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
}
