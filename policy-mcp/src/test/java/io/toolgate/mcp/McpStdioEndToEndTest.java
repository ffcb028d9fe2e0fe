package io.toolgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real SDK client against a guarded SDK server in a child process, over stdio. */
class McpStdioEndToEndTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static Path audit;
  static McpSyncClient client;

  @BeforeAll
  static void start() throws Exception {
    audit = Files.createTempFile("toolgate-stdio-audit", ".jsonl");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ServerParameters child =
        ServerParameters.builder(java)
            .args("-cp", System.getProperty("java.class.path"), StdioTestServer.class.getName(), audit.toString())
            .build();
    client =
        McpClient.sync(new StdioClientTransport(child, McpJsonDefaults.getMapper()))
            .requestTimeout(Duration.ofSeconds(30))
            .initializationTimeout(Duration.ofSeconds(30))
            .build();
    client.initialize();
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      client.closeGracefully();
    }
    Files.deleteIfExists(audit);
  }

  static CallToolResult call(String tool, Map<String, Object> args) {
    return client.callTool(CallToolRequest.builder(tool).arguments(args).build());
  }

  static String text(CallToolResult result) {
    return ((McpSchema.TextContent) result.content().get(0)).text();
  }

  static JsonNode decision(CallToolResult result) {
    return JSON.valueToTree(result.meta().get(McpToolGuard.META_KEY));
  }

  @Test
  void allowDenyAndRateLimitOverStdioWithTheConfiguredPrincipal() throws Exception {
    assertThat(text(call("read_compile", Map.of()))).isEqualTo("read_compile ok");

    CallToolResult denied = call("delete_project", Map.of("projectId", 7));
    assertThat(denied.isError()).isTrue();
    assertThat(text(denied)).isEqualTo("Policy denied delete_project: Project deletion is not permitted for agents.");
    assertThat(decision(denied).get("kind").asText()).isEqualTo("deny");

    for (int i = 0; i < 3; i++) {
      assertThat(call("create_compile", Map.of("projectId", 7)).isError()).isNotEqualTo(Boolean.TRUE);
    }
    CallToolResult limited = call("create_compile", Map.of("projectId", 7));
    assertThat(limited.isError()).isTrue();
    assertThat(decision(limited).get("kind").asText()).isEqualTo("rate_limited");
    assertThat(decision(limited).get("retryAfterSeconds").asLong()).isEqualTo(30);

    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(audit)) {
      JsonNode json = JSON.readTree(line);
      if (!json.get("tool").asText().equals("admin_reset")) { // the other test's call
        lines.add(json);
      }
    }
    assertThat(lines).hasSize(6);
    assertThat(lines).allSatisfy(line -> {
      assertThat(line.get("principal").asText()).isEqualTo("local-agent");
      assertThat(line.get("session").asText()).isNotBlank();
    });
    assertThat(lines.get(1).get("tool").asText()).isEqualTo("delete_project");
    assertThat(lines.get(1).get("outcome").asText()).isEqualTo("not_run");
    assertThat(lines.get(5).get("decision").asText()).isEqualTo("rate_limited");
  }

  @Test
  void hiddenToolIsNotListedAndDeniedOverStdio() {
    List<String> names = client.listTools().tools().stream().map(Tool::name).toList();
    assertThat(names).contains("read_compile").doesNotContain("admin_reset", "delete_project");

    CallToolResult hidden = call("admin_reset", Map.of());
    assertThat(hidden.isError()).isTrue();
    assertThat(text(hidden)).contains("hidden by policy");
  }
}
