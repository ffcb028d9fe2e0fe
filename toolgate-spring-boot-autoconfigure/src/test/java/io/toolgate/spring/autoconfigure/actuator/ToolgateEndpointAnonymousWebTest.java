package io.toolgate.spring.autoconfigure.actuator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.PolicyEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
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

/**
 * The endpoint behind a Spring Security chain that lets anonymous requests through: an anonymous
 * caller sees no pending approval and answers none (403), an approver still answers.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "toolgate.policy=classpath:policies/approvals.yaml",
    "management.endpoints.web.exposure.include=toolgate",
    "toolgate.approvals.inbox.authority=ROLE_APPROVER"})
class ToolgateEndpointAnonymousWebTest {
  @LocalServerPort int port;
  @Autowired PolicyEngine engine;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
  final ObjectMapper json = new ObjectMapper();

  @Test
  void anonymousCallersNeitherSeeNorAnswerApprovals() throws Exception {
    ToolCall call = ToolCall.of("create_live_algorithm", Map.of("project", 7));
    String id = ((Decision.ApprovalRequired) engine.evaluate(call, CallContext.of("agent-1"))).approvalId();

    JsonNode seen = send("GET", "/actuator/toolgate", null, null, 200);
    assertThat(seen.path("pendingApprovals")).isEmpty();
    assertThat(seen.path("approver").asBoolean(true)).isFalse();
    for (String verb : new String[] {"approve", "reject"}) {
      JsonNode refused = send("POST", "/actuator/toolgate/" + id + "/" + verb, "{}", null, 403);
      assertThat(refused.path("done").asBoolean(true)).isFalse();
      assertThat(refused.path("message").asText()).contains("not an approver");
      // A principal named in the body is not a Principal: actuator refuses to convert it.
      send("POST", "/actuator/toolgate/" + id + "/" + verb, "{\"principal\":\"alice\"}", null, 400);
    }
    assertThat(engine.evaluate(call, CallContext.of("agent-1"))).isInstanceOf(Decision.ApprovalRequired.class);

    // The inbox's authority is the endpoint's by default.
    assertThat(send("GET", "/actuator/toolgate", null, "alice", 200).path("pendingApprovals").findValuesAsText("id"))
        .contains(id);
    JsonNode answer = send("POST", "/actuator/toolgate/" + id + "/approve", "{}", "alice", 200);
    assertThat(answer.path("done").asBoolean()).isTrue();
    assertThat(engine.evaluate(call, CallContext.of("agent-1")).isAllowed()).isTrue();
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
    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
          .httpBasic(Customizer.withDefaults())
          .csrf(csrf -> csrf.disable())
          .build();
    }

    @Bean
    UserDetailsService users() {
      return new InMemoryUserDetailsManager(User.withUsername("alice").password("{noop}secret").roles("APPROVER").build());
    }
  }
}
