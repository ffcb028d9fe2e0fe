package io.toolgate.examples.mcpserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.toolgate.approvals.ApprovalWebhook;
import io.toolgate.approvals.WebhookSignature;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The example server's {@code --approval-webhook} flags: a held call is POSTed, signed, to a local
 * receiver (a JDK server in the test) that checks the signature with {@link
 * WebhookSignature#verify}, and whose link leads to the inbox that answers it; bad flags are one
 * clear message each.
 */
class ApprovalWebhookFlagsTest {
  static final String SECRET = "a-webhook-secret-of-32-bytes-xyz";
  static final Map<String, String> ENV = Map.of("TOOLGATE_WEBHOOK_SECRET", SECRET);
  static final ObjectMapper JSON = new ObjectMapper();

  /** One delivery as the receiver got it. */
  record Delivery(String signature, String body, boolean verified) {}

  HttpServer receiver;
  final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();

  @BeforeEach
  void startReceiver() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext("/hook", exchange -> {
      try (exchange; InputStream in = exchange.getRequestBody()) {
        String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        String signature = exchange.getRequestHeaders().getFirst(ApprovalWebhook.SIGNATURE_HEADER);
        boolean verified = WebhookSignature.verify(SECRET.getBytes(StandardCharsets.UTF_8), signature, body,
            Instant.now(), Duration.ofMinutes(5));
        exchange.sendResponseHeaders(verified ? 204 : 401, -1);
        deliveries.add(new Delivery(signature, body, verified));
      }
    });
    receiver.start();
  }

  @AfterEach
  void stopReceiver() {
    receiver.stop(0);
  }

  String hook() {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
  }

  static McpSyncClient agent(QuantConnectServer server) {
    return McpClient.sync(HttpClientStreamableHttpTransport.builder(server.baseUrl()).endpoint("/mcp")
            .addHttpRequestCustomizer((request, method, uri, body, context) -> request.header("Authorization", "Bearer demo-agent-token"))
            .build())
        .requestTimeout(Duration.ofMinutes(3)).initializationTimeout(Duration.ofSeconds(60)).build();
  }

  @Test
  void aHeldCallIsPostedSignedWithALinkIntoTheInboxThatAnswersIt() throws Exception {
    QuantConnectServer.Options options = ServerCommand.parse(new String[] {"--port", "0",
        "--approval-webhook", hook(), "--approval-webhook-secret-env", "TOOLGATE_WEBHOOK_SECRET"}, ENV);
    try (QuantConnectServer server = QuantConnectServer.start(options); McpSyncClient agent = agent(server)) {
      agent.initialize();
      Map<String, Object> args = Map.of("projectId", 12, "compileId", "c-12", "brokerage", "paper");
      // the policy holds the call up to 2 minutes: it waits while the webhook goes out
      CompletableFuture<CallToolResult> call = CompletableFuture.supplyAsync(
          () -> agent.callTool(CallToolRequest.builder("create_live_algorithm").arguments(args).build()));

      Delivery delivery = deliveries.poll(60, TimeUnit.SECONDS);
      assertThat(delivery).as("a webhook arrived").isNotNull();
      assertThat(delivery.verified()).as(delivery.signature()).isTrue();
      assertThat(WebhookSignature.verify("another-secret-of-32-bytes-xyzzy".getBytes(StandardCharsets.UTF_8),
          delivery.signature(), delivery.body(), Instant.now(), Duration.ofMinutes(5))).isFalse();
      JsonNode request = JSON.readTree(delivery.body());
      String id = request.path("id").asText();
      assertThat(request.path("tool").asText()).isEqualTo("create_live_algorithm");
      assertThat(request.path("principal").asText()).isEqualTo("agent-7");
      assertThat(request.path("reason").asText()).isEqualTo("Going live trades real money; a person must approve it");
      assertThat(request.path("arguments").path("brokerage").asText()).isEqualTo("paper");
      assertThat(request.path("link").asText()).isEqualTo(server.inboxUrl() + "#" + id);
      assertThat(call).as("the call still waits").isNotDone();

      // the link's inbox answers: the approver rejects through its JSON API, and the waiting call ends refused
      String inbox = request.path("link").asText().substring(0, request.path("link").asText().indexOf('#'));
      HttpResponse<String> rejected = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(inbox + "api/pending/" + id + "/reject"))
              .header("Authorization", "Bearer demo-approver-token").header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{\"comment\":\"not today\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(rejected.statusCode()).as(rejected.body()).isEqualTo(200);
      CallToolResult refused = call.get(60, TimeUnit.SECONDS);
      assertThat(refused.isError()).isTrue();
      assertThat(((McpSchema.TextContent) refused.content().get(0)).text()).contains("not today");
      assertThat(server.tools().runs("create_live_algorithm")).isZero();
      assertThat(deliveries).as("one delivery for one held call").isEmpty();
    }
  }

  @Test
  void theSlackFormatPostsTextWithTheLink() throws Exception {
    QuantConnectServer.Options options = ServerCommand.parse(new String[] {"--port", "0", "--approval-webhook", hook(),
        "--approval-webhook-secret-env", "TOOLGATE_WEBHOOK_SECRET", "--approval-webhook-format", "slack"}, ENV);
    try (QuantConnectServer server = QuantConnectServer.start(options); McpSyncClient agent = agent(server)) {
      agent.initialize();
      CompletableFuture<CallToolResult> call = CompletableFuture.supplyAsync(() -> agent.callTool(
          CallToolRequest.builder("create_live_algorithm").arguments(Map.of("projectId", 3, "compileId", "c-3")).build()));
      Delivery delivery = deliveries.poll(60, TimeUnit.SECONDS);
      assertThat(delivery).as("a webhook arrived").isNotNull();
      assertThat(delivery.verified()).isTrue();
      JsonNode body = JSON.readTree(delivery.body());
      assertThat(body.size()).isEqualTo(1);
      String id = server.approvals().pending().get(0).id();
      assertThat(body.path("text").asText()).startsWith("Approval needed: create_live_algorithm called by agent-7")
          .endsWith(server.inboxUrl() + "#" + id);
      assertThat(server.approvals().approve(id, "risk-officer")).isTrue();
      CallToolResult ran = call.get(60, TimeUnit.SECONDS);
      assertThat(ran.isError()).isNotEqualTo(Boolean.TRUE);
      assertThat(((McpSchema.TextContent) ran.content().get(0)).text()).contains("of project 3");
    }
  }

  @Test
  void webhookFlagsThatDoNotMakeOneWebhookAreOneClearMessage() {
    String env = "TOOLGATE_WEBHOOK_SECRET";
    assertThatThrownBy(() -> ServerCommand.parse(new String[] {"--approval-webhook", hook()}, ENV))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs --approval-webhook-secret-env NAME");
    assertThatThrownBy(() -> ServerCommand.parse(new String[] {"--approval-webhook-secret-env", env}, ENV))
        .hasMessage("--approval-webhook-secret-env and --approval-webhook-format need --approval-webhook URL");
    assertThatThrownBy(() -> ServerCommand.parse(new String[] {"--approval-webhook", hook(), "--approval-webhook-secret-env", "UNSET"}, ENV))
        .hasMessage("the environment variable UNSET (--approval-webhook-secret-env) is not set");
    assertThatThrownBy(() -> ServerCommand.parse(new String[] {"--approval-webhook", hook(), "--approval-webhook-secret-env", env},
        Map.of(env, "short")))
        .hasMessage("--approval-webhook-secret-env TOOLGATE_WEBHOOK_SECRET: the approval webhook secret needs at least 16 bytes");
    assertThatThrownBy(() -> ServerCommand.parse(new String[] {"--approval-webhook", hook(), "--approval-webhook-secret-env", env,
        "--approval-webhook-format", "xml"}, ENV))
        .hasMessage("--approval-webhook-format must be json or slack, was xml");
    // hostile or odd URLs: not http(s), no host, not a URL, control characters; the message stays one bounded line
    for (String url : new String[] {"file:///etc/passwd", "ftp://example.com/x", "http:///nohost", "/relative", "not a url",
        "javascript:alert(1)", "http://exa\nmple.com/", "x".repeat(10_000)}) {
      assertThatThrownBy(() -> ServerCommand.parse(new String[] {"--approval-webhook", url, "--approval-webhook-secret-env", env}, ENV))
          .as(url.length() > 40 ? "a long url" : url)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("--approval-webhook must be an http:// or https:// URL, was ")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").hasSizeLessThan(600));
    }
    assertThatThrownBy(() -> ServerCommand.parse(new String[] {"--approval-webhook"}, ENV))
        .hasMessage("--approval-webhook needs a value");
  }
}
