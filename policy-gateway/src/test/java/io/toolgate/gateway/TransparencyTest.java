package io.toolgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Everything a client does with a server gives the same answers through the gateway as connected
 * directly: the same SDK client, the same server, once each way, compared answer by answer.
 * Covers initialize (protocol version negotiation: the SDK's 2025-11-25), tools, resources,
 * prompts, completion, logging, progress, ping, and server-to-client requests (sampling, roots).
 */
class TransparencyTest {
  private final BlockingQueue<Object> notifications = new LinkedBlockingQueue<>();

  McpClient.SyncSpec configure(McpClient.SyncSpec spec) {
    return spec
        .requestTimeout(Duration.ofSeconds(60))
        .initializationTimeout(Duration.ofSeconds(60))
        .capabilities(McpSchema.ClientCapabilities.builder().sampling().roots(true).build())
        .roots(new McpSchema.Root("file:///work/project", "project"))
        .sampling(request -> McpSchema.CreateMessageResult.builder(McpSchema.Role.ASSISTANT, "4", "test-model").build())
        .loggingConsumer(notifications::add)
        .progressConsumer(notifications::add);
  }

  /** What the client sees of the server, in order; server notifications are waited for. */
  Map<String, Object> observe(McpSyncClient client) throws InterruptedException {
    Map<String, Object> seen = new LinkedHashMap<>();
    McpSchema.InitializeResult init = client.getCurrentInitializationResult();
    seen.put("protocol", init.protocolVersion());
    seen.put("serverInfo", init.serverInfo());
    seen.put("capabilities", init.capabilities());
    seen.put("ping", client.ping());
    seen.put("tools", client.listTools().tools().stream().map(Tool::name).filter(name -> !name.equals("admin_reset")).toList());
    seen.put("echo", client.callTool(CallToolRequest.builder("echo").arguments(Map.of("a", 1)).build()));
    seen.put("resources", client.listResources());
    seen.put("read", client.readResource(new McpSchema.ReadResourceRequest("test://greeting")));
    seen.put("prompts", client.listPrompts());
    seen.put("prompt", client.getPrompt(new McpSchema.GetPromptRequest("greet", Map.of("name", "Ada"))));
    seen.put("complete", client.completeCompletion(new McpSchema.CompleteRequest(
        new McpSchema.PromptReference("greet"), new McpSchema.CompleteRequest.CompleteArgument("name", "Al"))));
    seen.put("sample", client.callTool(CallToolRequest.builder("sample").arguments(Map.of()).build()));
    seen.put("roots", client.callTool(CallToolRequest.builder("roots").arguments(Map.of()).build()));
    client.setLoggingLevel(McpSchema.LoggingLevel.DEBUG);
    seen.put("progress", client.callTool(
        CallToolRequest.builder("progress").arguments(Map.of()).meta(Map.of("progressToken", "p-1")).build()));
    List<Object> heard = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Object next = notifications.poll(60, TimeUnit.SECONDS);
      assertThat(next).as("notification " + i).isNotNull();
      heard.add(next);
    }
    heard.sort((a, b) -> a.toString().compareTo(b.toString()));
    seen.put("notifications", heard);
    return seen;
  }

  @Test
  void aClientSeesTheSameServerThroughTheGatewayAsDirectly() throws Exception {
    Path directCalls = Files.createTempFile("direct-calls", ".log");
    McpSyncClient direct = configure(McpClient.sync(OneSenderTransport.stdio(
            ServerParameters.builder(Upstreams.java()).args(Upstreams.command(directCalls).subList(1, 6)).build())))
        .build();
    direct.initialize();
    Map<String, Object> directly = observe(direct);
    direct.closeGracefully();
    Files.deleteIfExists(directCalls);

    PolicyEngine engine = PolicyEngine.of(Policy.fromResource("gateway-test-policy.yaml"));
    Map<String, Object> through;
    try (InProcessGateway gateway = InProcessGateway.start(engine)) {
      McpSyncClient client = gateway.client(this::configure);
      through = observe(client);
      assertThat(Upstreams.calls(gateway.calls)).containsExactly("echo", "sample", "roots", "progress");
      client.closeGracefully();
    }

    List<String> tools = new ArrayList<>(List.class.cast(directly.get("tools")));
    tools.remove("delete_project"); // denied without a condition: not listed through the gateway
    directly.put("tools", tools);
    assertThat(through).isEqualTo(directly);
    assertThat(through.get("protocol")).isEqualTo("2025-11-25");
    assertThat(through.get("sample").toString()).contains("the client said: 4");
    assertThat(through.get("roots").toString()).contains("file:///work/project");
    assertThat(through.get("notifications").toString()).contains("half way", "progress tool ran");
  }
}
