package io.toolgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.mcp.McpToolGuard;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The gateway in front of a server in another language: {@code @modelcontextprotocol/server-everything}
 * (TypeScript SDK) from npm, pinned in {@code src/test/npm/package-lock.json} and installed into
 * {@code target/npm} by the module's build ({@code npm ci}), run by {@code node} over stdio.
 */
class EverythingServerTest {
  static final Path SERVER = Path.of("target", "npm", "node_modules", "@modelcontextprotocol", "server-everything",
      "dist", "index.js");

  static String text(CallToolResult result) {
    return ((McpSchema.TextContent) result.content().get(0)).text();
  }

  @Test
  void theEverythingServerIsGuardedAndOtherwiseUntouched() throws Exception {
    assertThat(SERVER).as("installed by the build (npm ci in target/npm)").isRegularFile();
    BlockingQueue<McpSchema.ProgressNotification> progress = new LinkedBlockingQueue<>();
    // a fixed clock: the hourly limit of get-sum must not start again mid-test
    PolicyEngine engine = PolicyEngine.builder(Policy.fromResource("everything-policy.yaml"))
        .clock(java.time.Clock.fixed(java.time.Instant.parse("2026-01-01T00:30:00Z"), java.time.ZoneOffset.UTC))
        .build();
    try (InProcessGateway gateway = InProcessGateway.start(engine,
        builder -> Gateway.builder(engine, List.of("node", SERVER.toAbsolutePath().toString(), "stdio"))
            .restartBackoff(Duration.ZERO))) {
      McpSyncClient client = gateway.client(spec -> spec
          .capabilities(McpSchema.ClientCapabilities.builder().sampling().build())
          .sampling(request -> McpSchema.CreateMessageResult.builder(McpSchema.Role.ASSISTANT, "sampled 42", "test-model").build())
          .progressConsumer(progress::add));
      assertThat(client.getCurrentInitializationResult().serverInfo().name()).contains("everything");

      List<String> tools = client.listTools().tools().stream().map(Tool::name).toList();
      assertThat(tools).contains("echo", "get-sum", "trigger-long-running-operation")
          .doesNotContain("get-env", "gzip-file-as-resource");

      assertThat(text(client.callTool(CallToolRequest.builder("echo").arguments(Map.of("message", "hi")).build())))
          .isEqualTo("Echo: hi");
      CallToolRequest sum = CallToolRequest.builder("get-sum").arguments(Map.of("a", 2, "b", 3)).build();
      assertThat(text(client.callTool(sum))).contains("5");
      assertThat(text(client.callTool(sum))).contains("5");
      CallToolResult limited = client.callTool(sum);
      assertThat(limited.isError()).isTrue();
      assertThat(new ObjectMapper().valueToTree(limited.meta().get(McpToolGuard.META_KEY)).get("kind").asText())
          .isEqualTo("rate_limited");
      CallToolResult env = client.callTool(CallToolRequest.builder("get-env").arguments(Map.of()).build());
      assertThat(text(env)).contains("hidden by policy");

      CallToolResult sampled = client.callTool(CallToolRequest.builder("trigger-sampling-request")
          .arguments(Map.of("prompt", "what is 6*7?", "maxTokens", 10)).build());
      assertThat(sampled.toString()).contains("sampled 42");

      CallToolResult longRun = client.callTool(CallToolRequest.builder("trigger-long-running-operation")
          .arguments(Map.of("duration", 1, "steps", 2)).meta(Map.of("progressToken", "tok")).build());
      assertThat(text(longRun)).contains("Long running operation completed");
      assertThat(progress.poll(60, TimeUnit.SECONDS)).extracting(McpSchema.ProgressNotification::progressToken).isEqualTo("tok");

      assertThat(client.listResources().resources()).isNotEmpty();
      McpSchema.Resource first = client.listResources().resources().get(0);
      assertThat(client.readResource(first).contents()).isNotEmpty();
      assertThat(client.listPrompts().prompts()).isNotEmpty();
      assertThat(client.ping()).isNotNull();
      client.closeGracefully();
    }
  }

  /** Each protocol version the server supports is negotiated through the gateway as it would be directly. */
  @Test
  void protocolVersionNegotiationPassesThrough() throws Exception {
    assertThat(SERVER).as("installed by the build (npm ci in target/npm)").isRegularFile();
    ObjectMapper json = new ObjectMapper();
    PolicyEngine engine = PolicyEngine.of(Policy.fromResource("everything-policy.yaml"));
    for (String version : List.of("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")) {
      try (InProcessGateway gateway = InProcessGateway.start(engine,
          builder -> Gateway.builder(engine, List.of("node", SERVER.toAbsolutePath().toString(), "stdio")))) {
        BufferedReader replies = new BufferedReader(new InputStreamReader(gateway.fromGateway, StandardCharsets.UTF_8));
        gateway.toGateway.write(("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
            + version + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}\n")
            .getBytes(StandardCharsets.UTF_8));
        gateway.toGateway.flush();
        JsonNode answer = json.readTree(replies.readLine());
        assertThat(answer.get("id").asInt()).isEqualTo(1);
        assertThat(answer.at("/result/protocolVersion").asText()).isEqualTo(version);
      }
    }
  }
}
