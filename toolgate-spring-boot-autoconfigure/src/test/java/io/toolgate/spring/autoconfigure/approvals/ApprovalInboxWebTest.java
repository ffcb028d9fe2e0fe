package io.toolgate.spring.autoconfigure.approvals;

import static io.toolgate.spring.autoconfigure.approvals.InboxClient.LIVE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.toolgate.api.CallContext;
import io.toolgate.approvals.ApprovalWebhook;
import io.toolgate.approvals.WebhookSignature;
import io.toolgate.engine.Guarded;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.approval.ApprovalQueue;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The inbox in a Spring app behind Spring Security (HTTP basic, its CSRF protection on): approvers
 * are the Security users holding ROLE_APPROVER; they list and answer through the JSON API and the
 * form; anonymous requests are refused; nobody approves their own call; the webhook receiver gets
 * each new request signed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "toolgate.policy=classpath:policies/approvals.yaml",
    "toolgate.approvals.inbox.enabled=true",
    "toolgate.approvals.inbox.authority=ROLE_APPROVER",
    "toolgate.approvals.webhook.secret-env=TOOLGATE_WEB_TEST_SECRET",
    "TOOLGATE_WEB_TEST_SECRET=" + ApprovalInboxWebTest.SECRET,
    "toolgate.approvals.webhook.public-url=https://app.example/approvals/"})
class ApprovalInboxWebTest {
  static final String SECRET = "spring-webhook-secret-0123456789";
  static final BlockingQueue<String[]> RECEIVED = new LinkedBlockingQueue<>();
  static final HttpServer RECEIVER = receiver();

  @DynamicPropertySource
  static void webhook(DynamicPropertyRegistry registry) {
    registry.add("toolgate.approvals.webhook.url",
        () -> "http://127.0.0.1:" + RECEIVER.getAddress().getPort() + "/hook");
  }

  @AfterAll
  static void stopReceiver() {
    RECEIVER.stop(0);
  }

  @LocalServerPort int port;
  @Autowired PolicyEngine engine;
  @Autowired ApprovalQueue queue;
  final ObjectMapper json = new ObjectMapper();
  InboxClient client;

  @BeforeEach
  void client() {
    client = new InboxClient(port);
  }

  @Test
  void anonymousRequestsAreRefusedBeforeTheInbox() throws Exception {
    String id = InboxClient.hold(engine, "agent-0");
    assertThat(client.send("GET", "/approvals/", null, null, null, null).statusCode()).isEqualTo(401);
    assertThat(client.send("GET", "/approvals/api/pending", null, null, null, null).statusCode()).isEqualTo(401);
    assertThat(client.send("POST", "/approvals/api/pending/" + id + "/approve", null, "application/json", "{}", null)
        .statusCode()).isEqualTo(401);
    assertThat(client.send("POST", "/approvals/answer", null, "application/x-www-form-urlencoded",
        "id=" + id + "&verdict=approve", null).statusCode()).isEqualTo(401);
    assertThat(queue.pending(id)).isPresent();
  }

  @Test
  void anApproverListsAndApprovesThroughTheJsonApiAndTheCallRunsOnce() throws Exception {
    String id = InboxClient.hold(engine, "agent-1");
    HttpResponse<String> list = client.send("GET", "/approvals/api/pending", "alice", null, null, null);
    assertThat(list.statusCode()).isEqualTo(200);
    JsonNode pending = null;
    for (JsonNode p : json.readTree(list.body())) {
      if (p.path("id").asText().equals(id)) {
        pending = p;
      }
    }
    assertThat(pending).as(list.body()).isNotNull();
    assertThat(pending.path("tool").asText()).isEqualTo("create_live_algorithm");
    assertThat(pending.path("principal").asText()).isEqualTo("agent-1");
    assertThat(pending.path("reason").asText()).isEqualTo("Going live needs a human");
    assertThat(pending.path("arguments").path("apiToken").asText()).isEqualTo("[REDACTED]");
    assertThat(list.body()).doesNotContain("live-secret-7");

    // The browser's credentials on a cross-site form's content type: refused, nothing answered.
    HttpResponse<String> formTyped = client.send("POST", "/approvals/api/pending/" + id + "/approve", "alice",
        "application/x-www-form-urlencoded", "comment=x", null);
    assertThat(formTyped.statusCode()).isEqualTo(415);
    assertThat(queue.pending(id)).isPresent();

    HttpResponse<String> approved = client.send("POST", "/approvals/api/pending/" + id + "/approve", "alice",
        "application/json", "{\"comment\":\"paper trading is fine\",\"approver\":\"mallory\"}", null);
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    assertThat(json.readTree(approved.body()).path("approver").asText()).isEqualTo("alice");
    assertThat(queue.history(10)).anySatisfy(a -> {
      assertThat(a.id()).isEqualTo(id);
      assertThat(a.approver()).isEqualTo("alice");
      assertThat(a.comment()).isEqualTo("paper trading is fine");
    });

    AtomicInteger runs = new AtomicInteger();
    Guarded<String> ran = engine.guard(LIVE, CallContext.of("agent-1"), () -> "deployed " + runs.incrementAndGet());
    assertThat(ran.ran()).isTrue();
    assertThat(ran.result()).isEqualTo("deployed 1");
    assertThat(engine.guard(LIVE, CallContext.of("agent-1"), () -> "deployed " + runs.incrementAndGet()).ran())
        .as("an approval is used once").isFalse();
    assertThat(runs).hasValue(1);
  }

  @Test
  void anApproverAnswersThroughTheFormWithTheInboxsCsrfToken() throws Exception {
    String id = InboxClient.hold(engine, "agent-2");
    InboxClient.Session alice = client.open("alice");
    assertThat(alice.html()).contains("Signed in as <strong>alice</strong>").contains(id);

    // Spring Security's CSRF filter lets the inbox's form through; the inbox's own token is required.
    assertThat(client.answer("alice", alice, id, "approve", null).statusCode()).isEqualTo(403);
    assertThat(client.answer("alice", alice, id, "approve", "0".repeat(64)).statusCode()).isEqualTo(403);
    assertThat(client.answer("alice", alice, id, "approve", client.open("bob").csrf()).statusCode())
        .as("another session's token").isEqualTo(403);
    assertThat(queue.pending(id)).isPresent();
    // alice's inbox cookie with bob's credentials: the session is alice's, so it names nobody for bob.
    assertThat(client.answer("bob", alice, id, "approve", alice.csrf()).statusCode()).isEqualTo(403);

    HttpResponse<String> answered = client.answer("alice", alice, id, "approve", alice.csrf());
    assertThat(answered.statusCode()).isEqualTo(303);
    assertThat(answered.headers().firstValue("Location")).hasValue("/approvals/");
    assertThat(queue.pending(id)).isEmpty();
    assertThat(queue.history(10)).anySatisfy(a -> {
      assertThat(a.id()).isEqualTo(id);
      assertThat(a.approver()).isEqualTo("alice");
      assertThat(a.comment()).isEqualTo("checked by alice");
    });
    assertThat(engine.guard(LIVE, CallContext.of("agent-2"), () -> "deployed").ran()).isTrue();

    // The exemption is the inbox's alone: Spring Security still asks its own token elsewhere.
    assertThat(client.send("POST", "/elsewhere", "alice", "application/x-www-form-urlencoded", "a=b", null).statusCode())
        .isEqualTo(403);
  }

  @Test
  void theCallsOwnPrincipalCannotApproveIt() throws Exception {
    String id = InboxClient.hold(engine, "bob");
    HttpResponse<String> api = client.send("POST", "/approvals/api/pending/" + id + "/approve", "bob",
        "application/json", "{}", null);
    assertThat(api.statusCode()).isEqualTo(403);
    assertThat(json.readTree(api.body()).path("error").asText()).isEqualTo("own_call");

    InboxClient.Session bob = client.open("bob");
    assertThat(client.answer("bob", bob, id, "approve", bob.csrf()).statusCode()).isEqualTo(303);
    assertThat(client.send("GET", "/approvals/", "bob", null, null, bob.cookie()).body())
        .contains("You cannot approve your own call");
    assertThat(queue.pending(id)).isPresent();

    assertThat(client.send("POST", "/approvals/api/pending/" + id + "/approve", "alice", "application/json", "{}", null)
        .statusCode()).isEqualTo(200);
  }

  @Test
  void anAuthenticatedUserWithoutTheAuthorityIsNoApprover() throws Exception {
    String id = InboxClient.hold(engine, "agent-3");
    HttpResponse<String> api = client.send("GET", "/approvals/api/pending", "eve", null, null, null);
    assertThat(api.statusCode()).isEqualTo(401);
    assertThat(client.send("POST", "/approvals/api/pending/" + id + "/approve", "eve", "application/json", "{}", null)
        .statusCode()).isEqualTo(401);
    HttpResponse<String> page = client.send("GET", "/approvals/", "eve", null, null, null);
    assertThat(page.body()).contains("Approver token").doesNotContain(id);
    assertThat(queue.pending(id)).isPresent();
  }

  @Test
  void theWebhookReceiverGetsEachNewRequestSigned() throws Exception {
    String id = InboxClient.hold(engine, "agent-4");
    String[] delivery = null;
    while (delivery == null) {
      String[] next = RECEIVED.poll(60, TimeUnit.SECONDS);
      assertThat(next).as("a delivery for " + id).isNotNull();
      if (next[1].contains(id)) {
        delivery = next;
      }
    }
    byte[] secret = SECRET.getBytes(StandardCharsets.UTF_8);
    assertThat(WebhookSignature.verify(secret, delivery[0], delivery[1], Instant.now(), Duration.ofMinutes(5))).isTrue();
    assertThat(WebhookSignature.verify("another-secret-0123456789".getBytes(StandardCharsets.UTF_8), delivery[0],
        delivery[1], Instant.now(), Duration.ofMinutes(5))).isFalse();
    JsonNode body = json.readTree(delivery[1]);
    assertThat(body.path("tool").asText()).isEqualTo("create_live_algorithm");
    assertThat(body.path("principal").asText()).isEqualTo("agent-4");
    assertThat(body.path("arguments").path("apiToken").asText()).isEqualTo("[REDACTED]");
    assertThat(body.path("link").asText()).isEqualTo("https://app.example/approvals/#" + id);
  }

  private static HttpServer receiver() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/hook", exchange -> {
        try (exchange) {
          String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          RECEIVED.add(new String[] {exchange.getRequestHeaders().getFirst(ApprovalWebhook.SIGNATURE_HEADER), body});
          exchange.sendResponseHeaders(204, -1);
        }
      });
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
      // Error dispatches are let through so that a refusal's status reaches the client as it was sent.
      return http.authorizeHttpRequests(requests ->
              requests.dispatcherTypeMatchers(DispatcherType.ERROR).permitAll().anyRequest().authenticated())
          .httpBasic(Customizer.withDefaults())
          .build();
    }

    @Bean
    UserDetailsService users() {
      return new InMemoryUserDetailsManager(
          User.withUsername("alice").password("{noop}secret").roles("APPROVER").build(),
          User.withUsername("bob").password("{noop}secret").roles("APPROVER").build(),
          User.withUsername("eve").password("{noop}secret").roles("USER").build());
    }
  }
}
