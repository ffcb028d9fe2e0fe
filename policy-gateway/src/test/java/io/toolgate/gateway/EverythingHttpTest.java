package io.toolgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code @modelcontextprotocol/server-everything} (TypeScript SDK) behind the gateway serving
 * streamable HTTP ({@code --listen}), reached over streamable HTTP ({@code --upstream-url}) and
 * run as a command: the SDK's client sees what it sees connected to the server directly (tools,
 * resources, prompts, completion, progress, logging, sampling; cancellation with a client that
 * sends {@code notifications/cancelled}), and the protocol version the client asks for is the one
 * the server answers with.
 */
class EverythingHttpTest {
  /** The MCP versions negotiated through the gateway (the SDK's client over HTTP knows 2025-03-26 and later). */
  static final List<String> VERSIONS = List.of("2025-03-26", "2025-06-18", "2025-11-25");
  static EverythingServer http;

  @BeforeAll
  static void startServer() throws Exception {
    assertThat(EverythingServerTest.SERVER).as("installed by the build (npm ci in target/npm)").isRegularFile();
    http = EverythingServer.startHttp();
  }

  @AfterAll
  static void stopServer() throws Exception {
    http.close();
  }

  static GatewayServer gateway(Gateway.Builder sessions) throws Exception {
    return GatewayServer.builder(sessions.restartBackoff(Duration.ZERO))
        .listen(new InetSocketAddress("127.0.0.1", 0))
        .start();
  }

  static Gateway.Builder overHttp() {
    return Gateway.builder(engine(), http.endpoint());
  }

  static Gateway.Builder asCommand() {
    return Gateway.builder(engine(), EverythingServer.stdioCommand());
  }

  static PolicyEngine engine() {
    return PolicyEngine.of(Policy.fromResource("everything-policy.yaml"));
  }

  static HttpClientStreamableHttpTransport.Builder transport(URI endpoint) {
    return HttpClientStreamableHttpTransport.builder(endpoint.getScheme() + "://" + endpoint.getAuthority())
        .endpoint(endpoint.getPath());
  }

  /** One client's view of the server, compared directly and through the gateway. */
  static final class Observer {
    final BlockingQueue<McpSchema.ProgressNotification> progress = new LinkedBlockingQueue<>();
    final BlockingQueue<McpSchema.LoggingMessageNotification> logs = new LinkedBlockingQueue<>();
    final List<String> asked = new CopyOnWriteArrayList<>();

    McpSyncClient connect(McpClientTransport transport) {
      McpSyncClient client = McpClient.sync(transport)
          .requestTimeout(Duration.ofSeconds(60))
          .initializationTimeout(Duration.ofSeconds(60))
          .capabilities(McpSchema.ClientCapabilities.builder().sampling().build())
          .sampling(request -> {
            asked.add(((McpSchema.TextContent) request.messages().get(0).content()).text());
            return McpSchema.CreateMessageResult.builder(McpSchema.Role.ASSISTANT, "sampled 42", "test-model").build();
          })
          .progressConsumer(progress::add)
          .loggingConsumer(logs::add)
          .build();
      client.initialize();
      return client;
    }

    Map<String, Object> observe(McpSyncClient client) throws InterruptedException {
      Map<String, Object> seen = new LinkedHashMap<>();
      McpSchema.InitializeResult init = client.getCurrentInitializationResult();
      seen.put("protocol", init.protocolVersion());
      seen.put("serverInfo", init.serverInfo());
      seen.put("capabilities", init.capabilities());
      seen.put("instructions", init.instructions());
      seen.put("ping", client.ping());
      seen.put("tools", client.listTools().tools().stream().map(Tool::name).sorted().toList());
      seen.put("echo", client.callTool(CallToolRequest.builder("echo").arguments(Map.of("message", "hi")).build()));
      seen.put("sum", client.callTool(CallToolRequest.builder("get-sum").arguments(Map.of("a", 2, "b", 3)).build()));
      McpSchema.ListResourcesResult resources = client.listResources();
      seen.put("resources", resources);
      McpSchema.Resource first = resources.resources().get(0);
      seen.put("read", client.readResource(first));
      seen.put("templates", client.listResourceTemplates());
      seen.put("prompts", client.listPrompts());
      seen.put("prompt", client.getPrompt(new McpSchema.GetPromptRequest("simple-prompt", Map.of())));
      seen.put("complete", client.completeCompletion(new McpSchema.CompleteRequest(
          new McpSchema.PromptReference("completable-prompt"), new McpSchema.CompleteRequest.CompleteArgument("department", "E"))));
      seen.put("sample", client.callTool(CallToolRequest.builder("trigger-sampling-request")
          .arguments(Map.of("prompt", "what is 6*7?", "maxTokens", 10)).build()));
      seen.put("asked", List.copyOf(asked));
      seen.put("longRun", client.callTool(CallToolRequest.builder("trigger-long-running-operation")
          .arguments(Map.of("duration", 0, "steps", 2)).meta(Map.of("progressToken", "p-1")).build()));
      List<McpSchema.ProgressNotification> heard = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        heard.add(progress.poll(60, TimeUnit.SECONDS));
      }
      // The SDK client hands notifications to the consumer on its own threads, so two sent at once
      // may arrive in either order, directly as through the gateway: compare them in progress order.
      heard.sort(java.util.Comparator.comparingDouble(p -> p.progress()));
      seen.put("progress", heard);
      client.setLoggingLevel(McpSchema.LoggingLevel.DEBUG);
      client.subscribeResource(new McpSchema.SubscribeRequest(first.uri()));
      McpSchema.LoggingMessageNotification log = logs.poll(15, TimeUnit.SECONDS);
      if (log == null) {
        // Directly over HTTP the server sends this log on the client's GET stream, which the SDK
        // client opens on its own after initialize: if it was not open yet, the log went nowhere.
        // Ask again (the gateway keeps such messages for the stream, so it never needs this).
        client.unsubscribeResource(new McpSchema.UnsubscribeRequest(first.uri()));
        client.subscribeResource(new McpSchema.SubscribeRequest(first.uri()));
        log = logs.poll(60, TimeUnit.SECONDS);
      }
      assertThat(log).as("the server logs a subscription").isNotNull();
      // over HTTP the server names its session, which differs from connection to connection
      seen.put("log", log.level() + " " + log.data().replaceAll("from session \\S+", "from session <id>"));
      return seen;
    }
  }

  private static void compare(McpClientTransport direct, Gateway.Builder sessions) throws Exception {
    Observer directly = new Observer();
    McpSyncClient directClient = directly.connect(direct);
    Map<String, Object> expected = directly.observe(directClient);
    directClient.closeGracefully();

    Map<String, Object> seen;
    try (GatewayServer gateway = gateway(sessions)) {
      Observer through = new Observer();
      McpSyncClient client = through.connect(transport(gateway.endpoint()).build());
      seen = through.observe(client);
      assertThat(HttpDownstreamTest.text(client.callTool(CallToolRequest.builder("get-env").arguments(Map.of()).build())))
          .contains("hidden by policy");
      client.closeGracefully();
    }
    List<String> tools = new ArrayList<>(List.class.cast(expected.get("tools")));
    assertThat(tools).contains("get-env", "gzip-file-as-resource", "trigger-sampling-request");
    tools.removeAll(List.of("get-env", "gzip-file-as-resource")); // hidden and denied by the policy
    expected.put("tools", tools);
    assertThat(seen).isEqualTo(expected);
    assertThat(seen.get("sample").toString()).contains("sampled 42");
    assertThat(seen.get("asked").toString()).contains("what is 6*7?");
    assertThat(seen.get("complete").toString()).contains("Engineering");
    assertThat(seen.get("log").toString()).startsWith("INFO Received Subscribe Resource request");
  }

  @Test
  void overHttpTheClientSeesTheSameServerThroughTheGatewayAsDirectly() throws Exception {
    compare(transport(http.endpoint()).build(), overHttp());
  }

  @Test
  void asACommandTheClientSeesTheSameServerThroughTheGatewayAsDirectly() throws Exception {
    // one sender at a time: the SDK's stdio transport may refuse the next request while its answer
    // to the server's sampling request is still being sent (see OneSenderTransport)
    compare(OneSenderTransport.stdio(ServerParameters.builder("node").args(EverythingServer.stdioCommand().subList(1, 3))
        .build()), asCommand());
  }

  /**
   * A client that cancels one of two long calls started together: the cancelled one gets no
   * answer, the other one and the session go on, directly as through the gateway.
   */
  private static Map<String, Object> cancelling(URI endpoint) throws Exception {
    Map<String, Object> seen = new LinkedHashMap<>();
    try (RawHttpSession session = RawHttpSession.open(endpoint, Map.of(), "2025-11-25")) {
      String call = "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/call\",\"params\":{\"name\":"
          + "\"trigger-long-running-operation\",\"arguments\":{\"duration\":3,\"steps\":1}}}";
      RawHttpSession.Exchange cancelled = session.request(String.format(call, 10));
      RawHttpSession.Exchange kept = session.request(String.format(call, 11));
      seen.put("cancel", session.notify(
          "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":10,\"reason\":\"no\"}}"));
      JsonNode answer = kept.response(); // the server may log on this stream first
      seen.put("kept", answer.get("id").asInt() + " " + answer.at("/result/content/0/text").asText());
      // the server started both with the same duration, the cancelled one first: had it answered,
      // that answer would have come before the other's
      // (the gateway may also put the server's notifications on it, with no GET stream open)
      seen.put("cancelledAnswers", cancelled.messages.stream().filter(message -> !message.has("method")).toList());
      seen.put("after", session.request(
          "{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"on\"}}}")
          .response().at("/result/content/0/text").asText());
    }
    return seen;
  }

  @Test
  void aCancelledCallIsAnsweredAsDirectly() throws Exception {
    Map<String, Object> directly = cancelling(http.endpoint());
    assertThat(directly).containsEntry("cancel", 202).containsEntry("cancelledAnswers", List.of())
        .containsEntry("after", "Echo: on");
    assertThat(directly.get("kept").toString()).startsWith("11 Long running operation completed");
    for (Gateway.Builder sessions : List.of(overHttp(), asCommand())) {
      try (GatewayServer gateway = gateway(sessions)) {
        assertThat(cancelling(gateway.endpoint())).isEqualTo(directly);
        assertThat(gateway.inFlight()).isZero();
      }
    }
  }

  @Test
  void theVersionTheClientAsksForIsTheOneTheServerAnswers() throws Exception {
    try (GatewayServer viaHttp = gateway(overHttp()); GatewayServer viaCommand = gateway(asCommand())) {
      for (GatewayServer gateway : List.of(viaHttp, viaCommand)) {
        for (String version : VERSIONS) {
          McpSyncClient client = McpClient.sync(transport(gateway.endpoint()).supportedProtocolVersions(List.of(version)).build())
              .requestTimeout(Duration.ofSeconds(60))
              .initializationTimeout(Duration.ofSeconds(60))
              .build();
          client.initialize();
          assertThat(client.getCurrentInitializationResult().protocolVersion()).isEqualTo(version);
          assertThat(client.ping()).isNotNull(); // later requests carry the negotiated version
          client.closeGracefully();
        }
        try (RawHttpSession old = RawHttpSession.open(gateway.endpoint(), Map.of(), "2024-11-05")) {
          assertThat(old.protocolVersion()).isEqualTo("2024-11-05");
        }
      }
    }
  }
}
