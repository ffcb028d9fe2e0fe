package io.toolgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ProgressNotification;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.toolgate.approvals.ApproverTokens;
import io.toolgate.approvals.WebhookSignature;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar with approvals from its config file and flags: a call held by {@code wait}
 * hears progress, the webhook (its secret from the environment) posts the request signed with a
 * link to the inbox at the port the gateway got, an approver approves it through the inbox's JSON
 * API, and the agent's call returns the tool's result; SIGTERM stops it all.
 */
class GatewayApprovalsIT {
  private static final Path JAR = Path.of("target", "toolgate-gateway.jar");
  private static final String SECRET = "a-webhook-secret-of-32-bytes-xyz";

  @TempDir Path dir;

  @Test
  void theJarHoldsACallPostsTheWebhookAndRunsTheCallOnceApproved() throws Exception {
    assertThat(JAR).as("built by the package phase").isRegularFile();
    BlockingQueue<String[]> received = new LinkedBlockingQueue<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
    receiver.createContext("/hook", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      received.add(new String[] {exchange.getRequestHeaders().getFirst("X-Toolgate-Signature"), body});
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();
    Path calls = dir.resolve("calls.log");
    Files.writeString(dir.resolve("policy.yaml"), HeldCallTest.POLICY);
    Files.writeString(dir.resolve("approvers.tokens"), ApproverTokens.hash("approver-token-1") + " risk-officer\n");
    Files.writeString(dir.resolve("gateway.yaml"), """
        policy: policy.yaml
        listen: 127.0.0.1:0
        approvals: approvers.tokens
        approval-webhook-secret-env: TOOLGATE_TEST_WEBHOOK_SECRET
        """);
    List<String> command = new ArrayList<>(List.of(Upstreams.java(), "-jar", JAR.toString(),
        "--config", dir.resolve("gateway.yaml").toString(),
        "--approval-webhook", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook", "--"));
    command.addAll(Upstreams.command(calls));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("TOOLGATE_TEST_WEBHOOK_SECRET", SECRET);
    Process gateway = builder.start();
    CompletableFuture<String> endpoint = new CompletableFuture<>();
    CompletableFuture<String> inbox = new CompletableFuture<>();
    Thread logs = new Thread(() -> {
      Pattern serving = Pattern.compile("serving MCP at (http://\\S+)");
      Pattern approvals = Pattern.compile("approvals inbox at (http://\\S+)");
      try (var lines = new BufferedReader(new InputStreamReader(gateway.getErrorStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = lines.readLine()) != null; ) {
          Matcher found = serving.matcher(line);
          if (found.find()) {
            endpoint.complete(found.group(1));
          }
          found = approvals.matcher(line);
          if (found.find()) {
            inbox.complete(found.group(1));
          }
        }
      } catch (java.io.IOException e) {
        endpoint.completeExceptionally(e);
      }
      endpoint.completeExceptionally(new IllegalStateException("the gateway exited without serving"));
      inbox.completeExceptionally(new IllegalStateException("the gateway exited without an inbox"));
    }, "gateway-stderr");
    logs.setDaemon(true);
    logs.start();
    try {
      URI url = URI.create(endpoint.get(60, TimeUnit.SECONDS));
      assertThat(inbox.get(60, TimeUnit.SECONDS)).isEqualTo("http://" + url.getAuthority() + "/approvals/");
      BlockingQueue<ProgressNotification> progress = new LinkedBlockingQueue<>();
      McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://" + url.getAuthority())
              .endpoint("/mcp").build())
          .requestTimeout(Duration.ofSeconds(60))
          .initializationTimeout(Duration.ofSeconds(60))
          .progressConsumer(progress::add)
          .build();
      client.initialize();
      CompletableFuture<CallToolResult> call = CompletableFuture.supplyAsync(() -> client.callTool(
          CallToolRequest.builder("create_compile").arguments(Map.of("projectId", 7)).progressToken("p-1").build()));

      String[] post = received.poll(60, TimeUnit.SECONDS);
      assertThat(post).as("a webhook delivery").isNotNull();
      assertThat(WebhookSignature.verify(SECRET.getBytes(StandardCharsets.UTF_8), post[0], post[1], Instant.now(),
          Duration.ofMinutes(5))).isTrue();
      JsonNode request = new ObjectMapper().readTree(post[1]);
      String id = request.get("id").asText();
      assertThat(request.get("link").asText()).isEqualTo("http://" + url.getAuthority() + "/approvals/#" + id);
      ProgressNotification first = progress.poll(60, TimeUnit.SECONDS);
      assertThat(first).isNotNull();
      assertThat(first.progressToken()).isEqualTo("p-1");
      assertThat(first.message()).startsWith("waiting for approval " + id);

      HttpResponse<String> approved = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
          HttpRequest.newBuilder(URI.create("http://" + url.getAuthority() + "/approvals/api/pending/" + id + "/approve"))
              .header("Authorization", "Bearer approver-token-1")
              .POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
      assertThat(((TextContent) call.get(60, TimeUnit.SECONDS).content().get(0)).text()).startsWith("create_compile ok");
      assertThat(Upstreams.calls(calls)).containsExactly("create_compile");
      client.close();
    } finally {
      gateway.destroy(); // SIGTERM: drain, stop the webhooks, close the sessions
      assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).isTrue();
      receiver.stop(0);
    }
  }
}
