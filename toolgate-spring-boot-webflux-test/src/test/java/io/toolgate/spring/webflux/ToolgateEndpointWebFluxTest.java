package io.toolgate.spring.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Guarded;
import io.toolgate.engine.PolicyEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.userdetails.MapReactiveUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.web.server.SecurityWebFilterChain;

/**
 * The {@code toolgate} actuator endpoint in a WebFlux application behind reactive Spring Security
 * (HTTP basic): the principal of the reactive request is the approver. A user holding {@code
 * toolgate.actuator.approver-authority} lists the pending approvals and answers them under their
 * own name, and the held call then runs once; a user without it sees an empty list and gets 403
 * for every answer; an approver approving their own call gets 403; an anonymous request gets 401.
 */
@SpringBootTest(
    classes = ToolgateEndpointWebFluxTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.ai.mcp.server.protocol=STREAMABLE",
      "spring.ai.mcp.server.name=quant",
      "toolgate.policy=classpath:io/toolgate/spring/webflux/policy.yaml",
      "management.endpoints.web.exposure.include=toolgate",
      "toolgate.actuator.approver-authority=ROLE_APPROVER"
    })
class ToolgateEndpointWebFluxTest {
  static final ToolCall LIVE = ToolCall.of("create_live_algorithm", Map.of("projectId", 7, "compileId", "c-1"));

  @LocalServerPort int port;
  @Autowired PolicyEngine engine;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
  final ObjectMapper json = new ObjectMapper();

  @Test
  void anApproverListsAndApprovesAndTheHeldCallRunsOnce() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    CallContext agent = CallContext.of("agent-1");
    ToolCall call = ToolCall.of("create_live_algorithm", Map.of("projectId", 1, "compileId", "c-approve"));
    Guarded<Integer> held = engine.guard(call, agent, runs::incrementAndGet);
    assertThat(held.ran()).isFalse();
    String id = ((Decision.ApprovalRequired) held.decision()).approvalId();

    JsonNode status = send("GET", "/actuator/toolgate", null, "alice", 200);
    assertThat(status.path("approver").asBoolean()).isTrue();
    JsonNode pending = pending(status, id);
    assertThat(pending).isNotNull();
    assertThat(pending.path("tool").asText()).isEqualTo("create_live_algorithm");
    assertThat(pending.path("principal").asText()).isEqualTo("agent-1");

    // The approver is the authenticated caller, whatever the body names.
    JsonNode answer = send("POST", "/actuator/toolgate/" + id + "/approve", "{\"principal\":\"mallory\"}", "alice", 200);
    assertThat(answer.path("done").asBoolean()).isTrue();
    assertThat(answer.path("approver").asText()).isEqualTo("alice");
    assertThat(pending(send("GET", "/actuator/toolgate", null, "alice", 200), id)).isNull();

    Guarded<Integer> approved = engine.guard(call, agent, runs::incrementAndGet);
    assertThat(approved.ran()).isTrue();
    assertThat(engine.guard(call, agent, runs::incrementAndGet).ran()).as("an approval is used once").isFalse();
    assertThat(runs).hasValue(1);
  }

  @Test
  void anApproversRejectionCarriesItsReason() throws Exception {
    CallContext agent = CallContext.of("agent-2");
    String id = ((Decision.ApprovalRequired) engine.evaluate(LIVE, agent)).approvalId();
    JsonNode answer = send("POST", "/actuator/toolgate/" + id + "/reject", "{\"reason\":\"not on a Sunday\"}", "alice", 200);
    assertThat(answer.path("done").asBoolean()).isTrue();
    assertThat(engine.evaluate(LIVE, agent).reason()).contains("not on a Sunday");
  }

  @Test
  void aUserWithoutTheAuthorityNeitherSeesNorAnswers() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    CallContext agentB = CallContext.of("agent-b");
    ToolCall call = ToolCall.of("create_live_algorithm", Map.of("projectId", 2, "compileId", "c-hidden"));
    String id = ((Decision.ApprovalRequired) engine.guard(call, agentB, runs::incrementAndGet).decision()).approvalId();

    JsonNode seen = send("GET", "/actuator/toolgate", null, "agent-a", 200);
    assertThat(seen.path("policy").path("digest").asText()).isEqualTo(engine.policy().digest());
    assertThat(seen.path("approver").asBoolean(true)).isFalse();
    assertThat(seen.path("pendingApprovals").isArray()).isTrue();
    assertThat(seen.path("pendingApprovals")).isEmpty();
    assertThat(seen.toString()).doesNotContain(id, "agent-b");

    for (String verb : new String[] {"approve", "reject", "Approve"}) {
      JsonNode refused = send("POST", "/actuator/toolgate/" + id + "/" + verb, "{\"reason\":\"mine now\"}", "agent-a", 403);
      assertThat(refused.path("done").asBoolean(true)).isFalse();
      assertThat(refused.path("message").asText()).contains("not an approver");
    }
    send("GET", "/actuator/toolgate", null, null, 401);
    send("POST", "/actuator/toolgate/" + id + "/approve", "{}", null, 401);
    send("POST", "/actuator/toolgate/" + id + "/approve", "{}", "mallory", 401); // wrong password
    assertThat(pending(send("GET", "/actuator/toolgate", null, "alice", 200), id)).as("still pending").isNotNull();
    assertThat(engine.guard(call, agentB, runs::incrementAndGet).ran()).isFalse();
    assertThat(runs).hasValue(0);
  }

  @Test
  void anApproverCannotApproveTheirOwnCall() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    CallContext bob = CallContext.of("bob");
    ToolCall call = ToolCall.of("create_live_algorithm", Map.of("projectId", 3, "compileId", "c-own"));
    String id = ((Decision.ApprovalRequired) engine.guard(call, bob, runs::incrementAndGet).decision()).approvalId();

    JsonNode own = send("POST", "/actuator/toolgate/" + id + "/approve", "{}", "bob", 403);
    assertThat(own.path("done").asBoolean(true)).isFalse();
    assertThat(own.path("message").asText()).contains("four eyes");
    assertThat(engine.guard(call, bob, runs::incrementAndGet).ran()).isFalse();

    assertThat(send("POST", "/actuator/toolgate/" + id + "/approve", "{}", "alice", 200).path("done").asBoolean()).isTrue();
    assertThat(engine.guard(call, bob, runs::incrementAndGet).ran()).isTrue();
    assertThat(runs).hasValue(1);
  }

  @Test
  void aHostileIdOrAnswerChangesNothingAndIsEchoedShort() throws Exception {
    String id = ((Decision.ApprovalRequired) engine.evaluate(LIVE, CallContext.of("agent-3"))).approvalId();
    String longId = "x".repeat(3_000); // under Netty's 4 KiB request line
    JsonNode unknown = send("POST", "/actuator/toolgate/" + longId + "/approve", "{}", "alice", 200);
    assertThat(unknown.path("done").asBoolean(true)).isFalse();
    assertThat(unknown.path("id").asText().length()).isLessThan(1_000);
    send("POST", "/actuator/toolgate/" + id + "/frobnicate", "{}", "alice", 400);
    assertThat(pending(send("GET", "/actuator/toolgate", null, "alice", 200), id)).isNotNull();
  }

  private static JsonNode pending(JsonNode status, String id) {
    for (JsonNode p : status.path("pendingApprovals")) {
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
      String password = user.equals("mallory") ? "guess" : "secret";
      request.header("Authorization", "Basic "
          + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(status);
    return response.body().isEmpty() ? json.nullNode() : json.readTree(response.body());
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {
    @Bean
    SecurityWebFilterChain security(ServerHttpSecurity http) {
      return http.csrf(ServerHttpSecurity.CsrfSpec::disable)
          .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
          .httpBasic(Customizer.withDefaults())
          .authorizeExchange(exchanges -> exchanges.anyExchange().authenticated())
          .build();
    }

    @Bean
    MapReactiveUserDetailsService users() {
      return new MapReactiveUserDetailsService(
          User.withUsername("alice").password("{noop}secret").roles("ADMIN", "APPROVER").build(),
          User.withUsername("bob").password("{noop}secret").roles("APPROVER").build(),
          User.withUsername("agent-a").password("{noop}secret").roles("AGENT").build(),
          User.withUsername("mallory").password("{noop}secret").roles("APPROVER").build());
    }
  }
}
