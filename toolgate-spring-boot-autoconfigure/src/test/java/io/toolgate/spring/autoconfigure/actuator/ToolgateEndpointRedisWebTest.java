package io.toolgate.spring.autoconfigure.actuator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Guarded;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.approval.ApprovalAnswer;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.redis.RedisApprovalQueue;
import io.toolgate.redis.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
 * The {@code toolgate} endpoint over the application's {@link RedisApprovalQueue} on a real
 * redis-server: the approver lists what is pending in Redis, including a request another replica
 * (its own engine and queue on the same Redis) made, and answers it; that replica sees the answer
 * and its held call runs once. A user without the approver authority sees nothing and gets 403;
 * an approver approving their own call gets 403.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ToolgateEndpointRedisWebTest {
  /** Keys of their own: the shared redis-server outlives this test. */
  static final String PREFIX = "actuator-" + UUID.randomUUID() + ":";
  static RedisClient client;

  @BeforeAll
  static void connect() {
    client = RedisClient.create(RedisServer.shared().uri());
  }

  @AfterAll
  static void shutDown() {
    client.shutdown();
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("toolgate.policy", () -> "classpath:policies/approvals.yaml");
    registry.add("management.endpoints.web.exposure.include", () -> "toolgate");
    registry.add("toolgate.actuator.approver-authority", () -> "ROLE_APPROVER");
  }

  /** A queue on the same Redis keys as the application's: another replica's. */
  static RedisApprovalQueue queue() {
    return RedisApprovalQueue.builder(client, Clock.systemUTC()).keyPrefix(PREFIX)
        .commandTimeout(Duration.ofSeconds(30)).build();
  }

  @LocalServerPort int port;
  @Autowired PolicyEngine engine;
  @Autowired ApprovalService approvals;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
  final ObjectMapper json = new ObjectMapper();

  @Test
  void theEngineHoldsCallsInRedis() {
    assertThat(approvals).isInstanceOf(RedisApprovalQueue.class);
    String id = ((Decision.ApprovalRequired) engine.evaluate(ToolCall.of("create_live_algorithm", Map.of("n", 0)), CallContext.of("a")))
        .approvalId();
    try (RedisApprovalQueue other = queue()) {
      assertThat(other.pending(id)).isPresent();
    }
  }

  @Test
  void anApproverAnswersARequestAnotherReplicaHeldAndItRunsThereOnce() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    ToolCall refund = ToolCall.of("create_live_algorithm", Map.of("charge", "ch_r", "amount", 70));
    CallContext agent = CallContext.of("agent-r");
    try (RedisApprovalQueue replicaQueue = queue()) {
      PolicyEngine replica = PolicyEngine.builder(engine.policy()).approvals(replicaQueue).build();
      Guarded<Integer> held = replica.guard(refund, agent, runs::incrementAndGet);
      assertThat(held.ran()).isFalse();
      String id = ((Decision.ApprovalRequired) held.decision()).approvalId();

      JsonNode pending = pending(id);
      assertThat(pending).as("listed from Redis").isNotNull();
      assertThat(pending.path("tool").asText()).isEqualTo("create_live_algorithm");
      assertThat(pending.path("principal").asText()).isEqualTo("agent-r");

      JsonNode answer = send("POST", "/actuator/toolgate/" + id + "/approve", "{\"principal\":\"mallory\"}", "alice", 200);
      assertThat(answer.path("done").asBoolean()).isTrue();
      assertThat(answer.path("approver").asText()).isEqualTo("alice");
      assertThat(pending(id)).isNull();
      List<ApprovalAnswer> history = replicaQueue.history(10);
      assertThat(history).anySatisfy(a -> {
        assertThat(a.id()).isEqualTo(id);
        assertThat(a.approver()).isEqualTo("alice");
        assertThat(a.verdict()).isEqualTo(ApprovalQueue.Verdict.APPROVED);
      });

      assertThat(replica.guard(refund, agent, runs::incrementAndGet).ran()).isTrue();
      assertThat(replica.guard(refund, agent, runs::incrementAndGet).ran()).as("an approval is used once").isFalse();
      assertThat(runs).hasValue(1);
    }
  }

  @Test
  void aRejectionIsSeenByEveryReplicaWithItsReason() throws Exception {
    ToolCall refund = ToolCall.of("create_live_algorithm", Map.of("charge", "ch_x"));
    CallContext agent = CallContext.of("agent-x");
    String id = ((Decision.ApprovalRequired) engine.evaluate(refund, agent)).approvalId();
    assertThat(send("POST", "/actuator/toolgate/" + id + "/reject", "{\"reason\":\"not this one\"}", "alice", 200)
        .path("done").asBoolean()).isTrue();
    try (RedisApprovalQueue replicaQueue = queue()) {
      PolicyEngine replica = PolicyEngine.builder(engine.policy()).approvals(replicaQueue).build();
      assertThat(replica.evaluate(refund, agent).reason()).contains("not this one");
    }
  }

  @Test
  void aUserWithoutTheAuthorityNeitherSeesNorAnswersAndNoOneApprovesTheirOwnCall() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    ToolCall refund = ToolCall.of("create_live_algorithm", Map.of("charge", "ch_b", "amount", 900));
    String id = ((Decision.ApprovalRequired) engine.guard(refund, CallContext.of("agent-b"), runs::incrementAndGet)
        .decision()).approvalId();
    JsonNode seen = send("GET", "/actuator/toolgate", null, "agent-a", 200);
    assertThat(seen.path("approver").asBoolean(true)).isFalse();
    assertThat(seen.path("pendingApprovals")).isEmpty();
    assertThat(seen.toString()).doesNotContain(id, "agent-b");
    for (String verb : new String[] {"approve", "reject"}) {
      assertThat(send("POST", "/actuator/toolgate/" + id + "/" + verb, "{}", "agent-a", 403).path("done").asBoolean(true))
          .isFalse();
    }
    send("POST", "/actuator/toolgate/" + id + "/approve", "{}", null, 401);
    assertThat(pending(id)).as("still pending in Redis").isNotNull();

    String own = ((Decision.ApprovalRequired) engine.guard(refund, CallContext.of("bob"), runs::incrementAndGet)
        .decision()).approvalId();
    assertThat(send("POST", "/actuator/toolgate/" + own + "/approve", "{}", "bob", 403).path("message").asText())
        .contains("four eyes");
    assertThat(pending(own)).isNotNull();
    assertThat(runs).hasValue(0);
  }

  private JsonNode pending(String id) throws Exception {
    for (JsonNode p : send("GET", "/actuator/toolgate", null, "alice", 200).path("pendingApprovals")) {
      if (p.path("id").asText().equals(id)) {
        return p;
      }
    }
    return null;
  }

  private JsonNode send(String method, String path, String body, String user, int status) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (user != null) {
      request.header("Authorization", "Basic "
          + Base64.getEncoder().encodeToString((user + ":secret").getBytes(StandardCharsets.UTF_8)));
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(status);
    return response.body().isEmpty() ? json.nullNode() : json.readTree(response.body());
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    /** The application's approval service: a Redis queue (the client is the test's). */
    @Bean(destroyMethod = "close")
    RedisApprovalQueue approvalQueue() {
      return queue();
    }

    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
          .httpBasic(Customizer.withDefaults())
          .csrf(csrf -> csrf.disable())
          .build();
    }

    @Bean
    UserDetailsService users() {
      return new InMemoryUserDetailsManager(
          User.withUsername("alice").password("{noop}secret").roles("APPROVER").build(),
          User.withUsername("bob").password("{noop}secret").roles("APPROVER").build(),
          User.withUsername("agent-a").password("{noop}secret").roles("AGENT").build());
    }
  }
}
