package io.toolgate.spring.autoconfigure.actuator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.redis.RedisApprovalQueue;
import io.toolgate.redis.RedisCounterStore;
import io.toolgate.redis.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
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
 * The {@code toolgate} endpoint when the Redis behind its approval queue is down (the test's own
 * redis-server, killed): the approver's {@code GET} still shows the policy in force, with no
 * pending approvals and the queue's failure in {@code approvalsError}; an answer gets 503 with
 * {@code "done": false}, not a 500; a caller who is not an approver is answered as before.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ToolgateEndpointRedisDownWebTest {
  static RedisServer server;
  static RedisClient client;

  @BeforeAll
  static void start() {
    server = RedisServer.start();
    client = RedisClient.create(server.uri());
    client.setOptions(RedisCounterStore.recommendedClientOptions());
  }

  @AfterAll
  static void stop() {
    client.shutdown();
    server.close();
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("toolgate.policy", () -> "classpath:policies/approvals.yaml");
    registry.add("management.endpoints.web.exposure.include", () -> "toolgate");
    registry.add("toolgate.actuator.approver-authority", () -> "ROLE_APPROVER");
  }

  @LocalServerPort int port;
  @Autowired PolicyEngine engine;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
  final ObjectMapper json = new ObjectMapper();

  @Test
  void withRedisDownThePolicyIsStillShownAndAnAnswerGets503() throws Exception {
    String id = ((Decision.ApprovalRequired) engine.evaluate(
        ToolCall.of("create_live_algorithm", Map.of("projectId", 9)), CallContext.of("agent-d"))).approvalId();
    JsonNode up = send("GET", "/actuator/toolgate", null, "alice", 200);
    assertThat(up.path("pendingApprovals").findValuesAsText("id")).containsExactly(id);
    assertThat(up.hasNonNull("approvalsError")).isFalse();

    server.kill();

    JsonNode down = send("GET", "/actuator/toolgate", null, "alice", 200);
    assertThat(down.path("policy").path("digest").asText()).isEqualTo(engine.policy().digest());
    assertThat(down.path("approver").asBoolean()).isTrue();
    assertThat(down.path("pendingApprovals")).isEmpty();
    assertThat(down.path("approvalsError").asText()).contains("approval queue failed");

    JsonNode answer = send("POST", "/actuator/toolgate/" + id + "/approve", "{}", "alice", 503);
    assertThat(answer.path("done").asBoolean(true)).isFalse();
    assertThat(answer.path("approver").asText()).isEqualTo("alice");
    assertThat(answer.path("message").asText()).contains("approval queue failed");

    // Not an approver: the queue is not asked, and nothing changes for them.
    JsonNode agent = send("GET", "/actuator/toolgate", null, "agent-a", 200);
    assertThat(agent.hasNonNull("approvalsError")).isFalse();
    send("POST", "/actuator/toolgate/" + id + "/reject", "{}", "agent-a", 403);
    // Reload does not need the queue.
    assertThat(send("POST", "/actuator/toolgate", null, "alice", 200).path("reloaded").asBoolean()).isTrue();
  }

  private JsonNode send(String method, String path, String body, String user, int status) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    request.header("Authorization", "Basic "
        + Base64.getEncoder().encodeToString((user + ":secret").getBytes(StandardCharsets.UTF_8)));
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(status);
    return response.body().isEmpty() ? json.nullNode() : json.readTree(response.body());
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean(destroyMethod = "close")
    RedisApprovalQueue approvalQueue() {
      return RedisApprovalQueue.builder(client, Clock.systemUTC()).commandTimeout(Duration.ofSeconds(30)).build();
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
          User.withUsername("agent-a").password("{noop}secret").roles("AGENT").build());
    }
  }
}
