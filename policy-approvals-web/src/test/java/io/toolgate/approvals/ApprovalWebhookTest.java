package io.toolgate.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.CallContext;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApprovalWebhookTest {
  private static final byte[] SECRET = "a-shared-secret-of-32-bytes-long".getBytes(StandardCharsets.UTF_8);

  record Received(String signature, String body, int answered) {}

  HttpServer receiver;
  final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  final List<Integer> statuses = new CopyOnWriteArrayList<>();
  final AtomicInteger calls = new AtomicInteger();
  ScheduledExecutorService scheduler;
  final InMemoryApprovalQueue queue = InMemoryApprovalQueue.builder(Clock.systemUTC()).build();

  @BeforeEach
  void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      int n = calls.incrementAndGet();
      int status = n <= statuses.size() ? statuses.get(n - 1) : 200;
      received.add(new Received(exchange.getRequestHeaders().getFirst(ApprovalWebhook.SIGNATURE_HEADER), body, status));
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    receiver.start();
    scheduler = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterEach
  void stop() {
    receiver.stop(0);
    scheduler.shutdownNow();
  }

  private URI hook() {
    return URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
  }

  private String hold() {
    ApprovalRequest request = new ApprovalRequest(ToolCall.of("transfer", Map.of("amount", 5, "password", "hunter2")),
        new CallContext("agent-7", Set.of(), Map.of(), "s-1"), "tools.transfer[0]", "money <moves>", Instant.now());
    return ((io.toolgate.api.ApprovalStatus.Pending) queue.check(request)).approvalId();
  }

  @Test
  void postsASignedJsonPayloadWithALinkToTheInboxItem() throws Exception {
    try (ApprovalWebhook webhook = ApprovalWebhook.builder(hook(), SECRET, "https://gw.example/approvals/")
        .scheduler(scheduler).build(); var sub = webhook.subscribe(queue)) {
      String id = hold();
      Received r = received.poll(30, TimeUnit.SECONDS);
      assertThat(r).isNotNull();
      assertThat(WebhookSignature.verify(SECRET, r.signature(), r.body(), Instant.now(), Duration.ofMinutes(5))).isTrue();
      assertThat(WebhookSignature.verify("another-secret-of-enough-bytes".getBytes(StandardCharsets.UTF_8),
          r.signature(), r.body(), Instant.now(), Duration.ofMinutes(5))).isFalse();
      assertThat(WebhookSignature.verify(SECRET, r.signature(), r.body() + " ", Instant.now(), Duration.ofMinutes(5))).isFalse();
      assertThat(WebhookSignature.verify(SECRET, r.signature(), r.body(), Instant.now().plus(Duration.ofMinutes(6)),
          Duration.ofMinutes(5))).isFalse();
      assertThat(WebhookSignature.verify(SECRET, "t=abc,v1=zz", r.body(), Instant.now(), Duration.ofMinutes(5))).isFalse();
      JsonNode body = InboxFixture.JSON.readTree(r.body());
      assertThat(body.path("id").asText()).isEqualTo(id);
      assertThat(body.path("tool").asText()).isEqualTo("transfer");
      assertThat(body.path("principal").asText()).isEqualTo("agent-7");
      assertThat(body.path("rule").asText()).isEqualTo("tools.transfer[0]");
      assertThat(body.path("reason").asText()).isEqualTo("money <moves>");
      assertThat(body.path("arguments").path("password").asText()).isEqualTo("[REDACTED]");
      assertThat(body.path("arguments").path("amount").asInt()).isEqualTo(5);
      assertThat(body.path("expiresAt").asText()).isNotEmpty();
      assertThat(body.path("link").asText()).isEqualTo("https://gw.example/approvals/#" + id);
    }
  }

  @Test
  void slackBodiesCarryText() throws Exception {
    try (ApprovalWebhook webhook = ApprovalWebhook.builder(hook(), SECRET, "https://gw.example/approvals")
        .slack(true).scheduler(scheduler).build(); var sub = webhook.subscribe(queue)) {
      String id = hold();
      Received r = received.poll(30, TimeUnit.SECONDS);
      JsonNode body = InboxFixture.JSON.readTree(r.body());
      assertThat(body.size()).isEqualTo(1);
      assertThat(body.path("text").asText()).contains("transfer").contains("agent-7").contains("#" + id)
          .doesNotContain("hunter2");
    }
  }

  @Test
  void a500IsRetriedWithBackoffAndDeliveredOnce() throws Exception {
    statuses.addAll(List.of(500, 503));
    List<Integer> backoffAsked = new CopyOnWriteArrayList<>();
    try (ApprovalWebhook webhook = ApprovalWebhook.builder(hook(), SECRET, "https://gw.example/approvals")
        .scheduler(scheduler).backoff(n -> {
          backoffAsked.add(n);
          return Duration.ZERO;
        }).build(); var sub = webhook.subscribe(queue)) {
      hold();
      assertThat(received.poll(30, TimeUnit.SECONDS).answered()).isEqualTo(500);
      assertThat(received.poll(30, TimeUnit.SECONDS).answered()).isEqualTo(503);
      assertThat(received.poll(30, TimeUnit.SECONDS).answered()).isEqualTo(200);
      scheduler.submit(() -> null).get(30, TimeUnit.SECONDS); // the delivering thread is done
      assertThat(received).isEmpty();
      assertThat(calls.get()).isEqualTo(3);
      assertThat(backoffAsked).containsExactly(1, 2);
    }
  }

  @Test
  void a4xxIsNotRetriedAndAttemptsAreBounded() throws Exception {
    statuses.addAll(List.of(400, 500, 500, 500));
    try (ApprovalWebhook webhook = ApprovalWebhook.builder(hook(), SECRET, "https://gw.example/approvals")
        .scheduler(scheduler).maxAttempts(2).backoff(n -> Duration.ZERO).build(); var sub = webhook.subscribe(queue)) {
      hold();
      assertThat(received.poll(30, TimeUnit.SECONDS).answered()).isEqualTo(400);
      scheduler.submit(() -> null).get(30, TimeUnit.SECONDS);
      assertThat(calls.get()).isEqualTo(1);
      statuses.set(0, 500);
      calls.set(0);
      hold2();
      assertThat(received.poll(30, TimeUnit.SECONDS).answered()).isEqualTo(500);
      assertThat(received.poll(30, TimeUnit.SECONDS).answered()).isEqualTo(500);
      scheduler.submit(() -> null).get(30, TimeUnit.SECONDS);
      assertThat(calls.get()).isEqualTo(2);
    }
  }

  @Test
  void aDeadReceiverIsRetriedThenGivenUpWithoutBlockingTheCaller() throws Exception {
    int port = receiver.getAddress().getPort();
    receiver.stop(0);
    List<Integer> backoffAsked = new CopyOnWriteArrayList<>();
    java.util.concurrent.CountDownLatch twoFailures = new java.util.concurrent.CountDownLatch(2);
    try (ApprovalWebhook webhook = ApprovalWebhook.builder(URI.create("http://127.0.0.1:" + port + "/hook"), SECRET,
        "https://gw.example/approvals").scheduler(scheduler).maxAttempts(3).backoff(n -> {
          backoffAsked.add(n);
          twoFailures.countDown();
          return Duration.ZERO;
        }).build(); var sub = webhook.subscribe(queue)) {
      hold(); // returns at once: delivery is the scheduler's
      assertThat(twoFailures.await(30, TimeUnit.SECONDS)).isTrue();
      scheduler.submit(() -> null).get(30, TimeUnit.SECONDS); // attempt 2 done, attempt 3 queued
      scheduler.submit(() -> null).get(30, TimeUnit.SECONDS); // attempt 3 done
      assertThat(backoffAsked).containsExactly(1, 2);
    }
  }

  private void hold2() {
    ApprovalRequest request = new ApprovalRequest(ToolCall.of("transfer", Map.of("amount", 6)),
        new CallContext("agent-8", Set.of(), Map.of(), "s-2"), "tools.transfer[0]", "again", Instant.now());
    queue.check(request);
  }
}
