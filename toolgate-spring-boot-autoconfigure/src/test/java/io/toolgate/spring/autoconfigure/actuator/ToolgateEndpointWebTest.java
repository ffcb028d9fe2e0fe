package io.toolgate.spring.autoconfigure.actuator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Guarded;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.micrometer.ToolgateMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
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
 * The {@code toolgate} endpoint over HTTP, behind Spring Security (HTTP basic): reload picks up a
 * changed file, and an approval given through the endpoint lets the held call run once, approved
 * by the authenticated user holding the approver authority; an agent without it neither sees nor
 * answers approvals, and an approver cannot approve their own call.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ToolgateEndpointWebTest {
  static final String POLICY = """
      version: "1"
      default: deny
      tools:
        create_compile:
          rate_limit: 10/minute
        refund:
          action: require_approval
      """;
  static final Path FILE = policyFile();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("toolgate.policy", () -> "file:" + FILE);
    registry.add("management.endpoints.web.exposure.include", () -> "toolgate,health");
    registry.add("management.endpoint.health.show-details", () -> "always");
    registry.add("toolgate.actuator.approver-authority", () -> "ROLE_APPROVER");
  }

  @LocalServerPort int port;
  @Autowired PolicyEngine engine;
  @Autowired MeterRegistry registry;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
  final ObjectMapper json = new ObjectMapper();

  @AfterEach
  void restorePolicy() throws Exception {
    Files.writeString(FILE, POLICY);
    engine.reload(io.toolgate.engine.Policy.load(FILE));
  }

  @Test
  void reloadPicksUpAChangedFile() throws Exception {
    String before = engine.policy().digest();
    assertThat(get("/actuator/toolgate").path("policy").path("digest").asText()).isEqualTo(before);

    Files.writeString(FILE, POLICY + "  delete_project: {}\n");
    JsonNode reload = send("POST", "/actuator/toolgate", null, "alice", 200);
    assertThat(reload.path("reloaded").asBoolean()).isTrue();
    assertThat(engine.policy().digest()).isNotEqualTo(before).isEqualTo(reload.path("policy").path("digest").asText());
    assertThat(engine.evaluate(ToolCall.of("delete_project"), CallContext.of("a")).isAllowed()).isTrue();
    assertThat(get("/actuator/toolgate").path("policy").path("tools").findValuesAsText("key")).contains("delete_project");

    // A broken file is refused with its problems, and the policy in force stays.
    String inForce = engine.policy().digest();
    assertThat(inForce).isNotEqualTo(before);
    Files.writeString(FILE, "version: \"1\"\ndefault: maybe\n");
    JsonNode refused = send("POST", "/actuator/toolgate", null, "alice", 200);
    assertThat(refused.path("reloaded").asBoolean()).isFalse();
    assertThat(refused.path("message").asText()).contains("/default (line 2, col 10)", "maybe");
    assertThat(engine.policy().digest()).isEqualTo(inForce);
  }

  @Test
  void anApprovalThroughTheEndpointLetsTheHeldCallRunOnce() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    ToolCall refund = ToolCall.of("refund", Map.of("charge", "ch_1", "amount", 50));
    CallContext agent = CallContext.of("agent-1");

    Guarded<String> held = engine.guard(refund, agent, () -> "refunded " + runs.incrementAndGet());
    assertThat(held.ran()).isFalse();
    String id = ((Decision.ApprovalRequired) held.decision()).approvalId();
    JsonNode pending = pending(id);
    assertThat(pending.path("tool").asText()).isEqualTo("refund");
    assertThat(pending.path("principal").asText()).isEqualTo("agent-1");

    JsonNode answer = send("POST", "/actuator/toolgate/" + id + "/approve", "{}", "alice", 200);
    assertThat(answer.path("done").asBoolean()).isTrue();
    assertThat(answer.path("approver").asText()).isEqualTo("alice");
    assertThat(pending(id)).isNull();

    Guarded<String> approved = engine.guard(refund, agent, () -> "refunded " + runs.incrementAndGet());
    assertThat(approved.ran()).isTrue();
    assertThat(approved.result()).isEqualTo("refunded 1");
    Guarded<String> again = engine.guard(refund, agent, () -> "refunded " + runs.incrementAndGet());
    assertThat(again.ran()).as("an approval is used once").isFalse();
    assertThat(((Decision.ApprovalRequired) again.decision()).approvalId()).isNotEqualTo(id);
    assertThat(runs).hasValue(1);
  }

  @Test
  void aRejectionThroughTheEndpointCarriesItsReason() throws Exception {
    ToolCall refund = ToolCall.of("refund", Map.of("charge", "ch_2"));
    CallContext agent = CallContext.of("agent-2");
    String id = ((Decision.ApprovalRequired) engine.evaluate(refund, agent)).approvalId();
    JsonNode answer = send("POST", "/actuator/toolgate/" + id + "/reject", "{\"reason\":\"not this one\"}", "alice", 200);
    assertThat(answer.path("done").asBoolean()).isTrue();
    Decision refused = engine.evaluate(refund, agent);
    assertThat(refused.reason()).contains("not this one");
  }

  @Test
  void theEndpointRefusesWhomSpringSecurityRefuses() throws Exception {
    String id = ((Decision.ApprovalRequired) engine.evaluate(ToolCall.of("refund", Map.of("n", 3)), CallContext.of("a"))).approvalId();
    send("POST", "/actuator/toolgate/" + id + "/approve", "{}", null, 401);
    send("POST", "/actuator/toolgate", null, null, 401);
    send("POST", "/actuator/toolgate/" + id + "/approve", "{\"principal\":\"alice\"}", null, 401);
    send("POST", "/actuator/toolgate/" + id + "/approve", "{}", "eve", 401);
    send("POST", "/actuator/toolgate/" + id + "/frobnicate", "{}", "alice", 400);
    assertThat(pending(id)).isNotNull();
    // The approver is the authenticated caller, whatever the body names.
    JsonNode answer = send("POST", "/actuator/toolgate/" + id + "/approve", "{\"principal\":\"mallory\"}", "alice", 200);
    assertThat(answer.path("approver").asText()).isEqualTo("alice");
  }

  @Test
  void anAgentWithoutTheAuthorityNeitherSeesNorAnswersApprovals() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    ToolCall refund = ToolCall.of("refund", Map.of("charge", "ch_b", "amount", 900));
    CallContext agentB = CallContext.of("agent-b");
    String id = ((Decision.ApprovalRequired) engine.guard(refund, agentB, () -> runs.incrementAndGet()).decision()).approvalId();

    JsonNode seen = send("GET", "/actuator/toolgate", null, "agent-a", 200);
    assertThat(seen.path("policy").path("digest").asText()).isEqualTo(engine.policy().digest());
    assertThat(seen.path("pendingApprovals").isArray()).isTrue();
    assertThat(seen.path("pendingApprovals")).isEmpty();
    assertThat(seen.path("approver").asBoolean(true)).isFalse();
    assertThat(seen.toString()).doesNotContain(id, "agent-b");

    for (String verb : new String[] {"approve", "reject", "APPROVE"}) {
      JsonNode refused = send("POST", "/actuator/toolgate/" + id + "/" + verb, "{\"reason\":\"mine now\"}", "agent-a", 403);
      assertThat(refused.path("done").asBoolean(true)).isFalse();
    }
    send("POST", "/actuator/toolgate/" + id + "/approve", "{}", null, 401);
    assertThat(pending(id)).as("still pending, unanswered").isNotNull();
    assertThat(get("/actuator/toolgate").path("approver").asBoolean()).isTrue();

    assertThat(engine.guard(refund, agentB, () -> runs.incrementAndGet()).ran()).isFalse();
    assertThat(runs).hasValue(0);
  }

  @Test
  void anApproverCannotApproveTheirOwnCallThroughTheEndpoint() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    ToolCall refund = ToolCall.of("refund", Map.of("charge", "ch_own", "amount", 5));
    CallContext bob = CallContext.of("bob");
    String id = ((Decision.ApprovalRequired) engine.guard(refund, bob, () -> runs.incrementAndGet()).decision()).approvalId();

    JsonNode own = send("POST", "/actuator/toolgate/" + id + "/approve", "{}", "bob", 403);
    assertThat(own.path("done").asBoolean(true)).isFalse();
    assertThat(own.path("message").asText()).contains("four eyes");
    assertThat(pending(id)).isNotNull();
    assertThat(engine.guard(refund, bob, () -> runs.incrementAndGet()).ran()).isFalse();

    JsonNode answer = send("POST", "/actuator/toolgate/" + id + "/approve", "{}", "alice", 200);
    assertThat(answer.path("done").asBoolean()).isTrue();
    assertThat(answer.path("approver").asText()).isEqualTo("alice");
    Guarded<Integer> approved = engine.guard(refund, bob, () -> runs.incrementAndGet());
    assertThat(approved.ran()).isTrue();
    assertThat(engine.guard(refund, bob, () -> runs.incrementAndGet()).ran()).isFalse();
    assertThat(runs).hasValue(1);
  }

  /** The pending approval {@code id} as the endpoint lists it, or null. */
  private JsonNode pending(String id) throws Exception {
    for (JsonNode p : get("/actuator/toolgate").path("pendingApprovals")) {
      if (p.path("id").asText().equals(id)) {
        return p;
      }
    }
    return null;
  }

  @Test
  void actuatorsMeterRegistryGetsTheEnginesMetrics() {
    assertThat(engine.isObserved()).isTrue();
    engine.evaluate(ToolCall.of("create_compile"), CallContext.of("metered"));
    assertThat(registry.get(ToolgateMetrics.DECISIONS).tag("tool", "create_compile").tag("kind", "allow").counter().count())
        .isGreaterThanOrEqualTo(1.0);
    assertThat(registry.get(ToolgateMetrics.POLICY_DIGEST).gauge()).isNotNull();
  }

  @Test
  void healthReportsThePolicyAndTheStore() throws Exception {
    JsonNode health = send("GET", "/actuator/health", null, "alice", 200);
    JsonNode toolgate = health.path("components").path("toolgate");
    assertThat(toolgate.path("status").asText()).isEqualTo("UP");
    assertThat(toolgate.path("details").path("digest").asText()).isEqualTo(engine.policy().digest());
    assertThat(toolgate.path("details").path("store").asText()).isEqualTo("InMemoryCounterStore");
  }

  private JsonNode get(String path) throws Exception {
    return send("GET", path, null, "alice", 200);
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

  private static Path policyFile() {
    try {
      Path file = Files.createTempFile("toolgate-endpoint-", ".yaml");
      file.toFile().deleteOnExit();
      Files.writeString(file, POLICY);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
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
          User.withUsername("alice").password("{noop}secret").roles("ADMIN", "APPROVER").build(),
          User.withUsername("bob").password("{noop}secret").roles("APPROVER").build(),
          User.withUsername("agent-a").password("{noop}secret").roles("AGENT").build());
    }
  }
}
