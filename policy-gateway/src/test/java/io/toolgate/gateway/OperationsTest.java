package io.toolgate.gateway;

import io.toolgate.mcp.LoopbackTomcat;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.toolgate.api.AuditEvent;
import io.toolgate.api.CallObservation;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.micrometer.ToolgateMetrics;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP gateway's operations and faults: {@code /healthz}, {@code /readyz}, {@code /metrics},
 * graceful shutdown (calls finish within the grace period, or are answered with an error; no new
 * ones), an upstream that hangs (the request timeout answers, the counter is refunded, nothing
 * stays in flight), a client that disconnects mid-call. The upstream is an SDK server in this JVM
 * with a {@code hold} tool that waits for the test's latch.
 */
class OperationsTest {
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static LoopbackTomcat tomcat;
  static McpSyncServer server;
  static Path calls;
  static volatile CountDownLatch entered;
  static volatile CountDownLatch release;

  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final BlockingQueue<AuditEvent.Outcome> finished = new LinkedBlockingQueue<>();
  final PolicyEngine engine = engine();
  GatewayServer gateway;

  @BeforeAll
  static void startServer() throws Exception {
    calls = Files.createTempFile("operations-calls", ".log");
    HttpServletStreamableServerTransportProvider transport =
        HttpServletStreamableServerTransportProvider.builder().mcpEndpoint("/mcp").build();
    server = UpstreamTestServer.features(McpServer.sync(transport), calls, Path.of(calls + ".crashed"))
        .toolCall(McpSchema.Tool.builder("hold", Map.of("type", "object")).build(), (exchange, request) -> {
          entered.countDown();
          try {
            release.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return CallToolResult.builder().content(List.of(new McpSchema.TextContent("hold ok"))).build();
        })
        .build();
    tomcat = new LoopbackTomcat().serve("/mcp", transport).start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
    tomcat.close();
    Files.deleteIfExists(calls);
  }

  @AfterEach
  void stopGateway() {
    release.countDown();
    if (gateway != null) {
      gateway.close();
    }
  }

  private PolicyEngine engine() {
    entered = new CountDownLatch(1);
    release = new CountDownLatch(1);
    ToolgateMetrics metrics = ToolgateMetrics.builder(registry).build();
    PolicyEngine built = PolicyEngine.builder(Policy.fromResource("operations-policy.yaml"))
        .observe(metrics)
        .observe((call, context) -> new CallObservation() {
          @Override
          public void finished(AuditEvent.Outcome outcome, long runNanos, Throwable failure) {
            finished.add(outcome);
          }
        })
        .build();
    metrics.bindTo(built);
    return built;
  }

  private GatewayServer start(URI upstream, UnaryOperator<Gateway.Builder> sessions,
      UnaryOperator<GatewayServer.Builder> server) throws Exception {
    gateway = server.apply(GatewayServer.builder(sessions.apply(Gateway.builder(engine, upstream)))
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .metrics(registry::scrape))
        .start();
    return gateway;
  }

  private GatewayServer start() throws Exception {
    return start(URI.create(tomcat.url() + "/mcp"), UnaryOperator.identity(), UnaryOperator.identity());
  }

  private McpSyncClient client() {
    McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport
            .builder("http://127.0.0.1:" + gateway.address().getPort()).endpoint("/mcp").build())
        .requestTimeout(Duration.ofSeconds(60))
        .initializationTimeout(Duration.ofSeconds(60))
        .build();
    client.initialize();
    return client;
  }

  private HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.address().getPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String body, String session) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(gateway.endpoint())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (session != null) {
      request.header("Mcp-Session-Id", session);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static CompletableFuture<CallToolResult> callAsync(McpSyncClient client, String tool) {
    return CompletableFuture.supplyAsync(() -> client.callTool(CallToolRequest.builder(tool).arguments(Map.of()).build()));
  }

  @Test
  void healthReadinessAndMetricsAreServed() throws Exception {
    start();
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    assertThat(get("/readyz").statusCode()).isEqualTo(200);
    McpSyncClient client = client();
    assertThat(client.callTool(CallToolRequest.builder("echo").arguments(Map.of()).build()).isError()).isFalse();
    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(metrics.body()).contains("toolgate_decisions_total{", "kind=\"allow\"");
    client.closeGracefully();
  }

  @Test
  void anUnreachableUpstreamAnswersWithAnErrorAndIsNotReady() throws Exception {
    start(URI.create("http://127.0.0.1:1/mcp"), UnaryOperator.identity(), UnaryOperator.identity());
    HttpResponse<String> answer = post(HttpDownstreamTest.INITIALIZE, null);
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).contains("-32001", "could not be reached");
    assertThat(get("/readyz").statusCode()).isEqualTo(503);
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void drainingRefusesNewWorkAndLetsACallInFlightFinish() throws Exception {
    start();
    McpSyncClient client = client();
    CompletableFuture<CallToolResult> held = callAsync(client, "hold");
    assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();
    gateway.drain();
    assertThat(post(HttpDownstreamTest.INITIALIZE, null).statusCode()).isEqualTo(503);
    assertThat(get("/readyz").statusCode()).isEqualTo(503);
    release.countDown();
    assertThat(((McpSchema.TextContent) held.get(60, TimeUnit.SECONDS).content().get(0)).text()).isEqualTo("hold ok");
    gateway.close();
    assertThat(gateway.sessionCount()).isZero();
  }

  @Test
  void aCallStillInFlightAfterTheGraceIsAnsweredWithAnErrorAndRefunded() throws Exception {
    start(URI.create(tomcat.url() + "/mcp"), UnaryOperator.identity(), server -> server.grace(Duration.ZERO));
    McpSyncClient client = client();
    CompletableFuture<CallToolResult> held = callAsync(client, "hold");
    assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();
    gateway.close();
    assertThat(held).failsWithin(Duration.ofSeconds(60)).withThrowableThat().withMessageContaining("ended this session");
    assertThat(finished.poll(60, TimeUnit.SECONDS)).isEqualTo(AuditEvent.Outcome.FAILED);
    release.countDown();
    start(); // same engine: the failed call gave its count back (refund_on_error)
    McpSyncClient again = client();
    assertThat(again.callTool(CallToolRequest.builder("hold").arguments(Map.of()).build()).isError()).isFalse();
    again.closeGracefully();
  }

  @Test
  void anUpstreamThatHangsIsTimedOutRefundedAndForgotten() throws Exception {
    start(URI.create(tomcat.url() + "/mcp"), sessions -> sessions.requestTimeout(Duration.ofSeconds(1)),
        UnaryOperator.identity());
    McpSyncClient client = client();
    assertThat(callAsync(client, "hold")).failsWithin(Duration.ofSeconds(60)).withThrowableThat()
        .withMessageContaining("did not answer within");
    assertThat(finished.poll(60, TimeUnit.SECONDS)).isEqualTo(AuditEvent.Outcome.FAILED);
    assertThat(gateway.inFlight()).isZero();
    release.countDown();
    assertThat(client.callTool(CallToolRequest.builder("hold").arguments(Map.of()).build()).isError())
        .as("the timed-out call was refunded").isFalse();
    assertThat(gateway.inFlight()).isZero();
    client.closeGracefully();
  }

  @Test
  void aClientThatDisconnectsMidCallLeavesNothingBehind() throws Exception {
    start();
    HttpResponse<String> opened = post(HttpDownstreamTest.INITIALIZE, null);
    String session = opened.headers().firstValue("Mcp-Session-Id").orElseThrow();
    assertThat(post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", session).statusCode()).isEqualTo(202);
    HttpResponse<InputStream> call = HTTP.send(HttpRequest.newBuilder(gateway.endpoint())
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .header("Mcp-Session-Id", session)
            .POST(HttpRequest.BodyPublishers.ofString(
                "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"hold\",\"arguments\":{}}}"))
            .build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(call.statusCode()).isEqualTo(200);
    assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();
    call.body().close(); // the client goes away mid-call
    release.countDown();
    assertThat(finished.poll(60, TimeUnit.SECONDS)).isEqualTo(AuditEvent.Outcome.SUCCEEDED);
    assertThat(gateway.inFlight()).isZero();
    HttpResponse<String> echo = post(
        "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}", session);
    assertThat(echo.body()).contains("echo ok");
  }

  @Test
  void theApprovalsInboxIsServedBesideTheMcpEndpoint() throws Exception {
    Path tokens = Files.createTempFile("approvers", ".tokens");
    Files.writeString(tokens, io.toolgate.approvals.ApproverTokens.hash("approver-token-1") + " risk-officer\n");
    var queue = io.toolgate.engine.approval.InMemoryApprovalQueue.builder(java.time.Clock.systemUTC()).build();
    var inbox = io.toolgate.approvals.ApprovalInbox.builder(queue)
        .approvers(io.toolgate.approvals.ApproverTokens.load(tokens)).build();
    start(URI.create(tomcat.url() + "/mcp"), UnaryOperator.identity(), server -> server.approvalsInbox(inbox));
    assertThat(get("/approvals/").body()).contains("Approver token");
    assertThat(get("/approvals/api/pending").statusCode()).isEqualTo(401);
    HttpResponse<String> pending = HTTP.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gateway.address().getPort() + "/approvals/api/pending"))
        .header("Authorization", "Bearer approver-token-1").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(pending.statusCode()).isEqualTo(200);
    assertThat(pending.body()).isEqualTo("[]");
    McpSyncClient client = client();
    assertThat(client.callTool(CallToolRequest.builder("echo").arguments(Map.of()).build()).isError()).isFalse();
    client.closeGracefully();
    Files.delete(tokens);
  }
}
