package io.toolgate.spring.autoconfigure.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.approval.ApprovalQueue;
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
 * The inbox behind Spring Security with its CSRF protection turned off by the application: the
 * inbox's own token still guards every form post, and API answers still need a JSON body; every
 * user holding ROLE_OPS is an approver.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "toolgate.policy=classpath:policies/approvals.yaml",
    "toolgate.approvals.inbox.enabled=true",
    "toolgate.approvals.inbox.authority=ROLE_OPS"})
class ApprovalInboxCsrfDisabledWebTest {
  @LocalServerPort int port;
  @Autowired PolicyEngine engine;
  @Autowired ApprovalQueue queue;

  @Test
  void theInboxsOwnTokenStillGuardsItsForms() throws Exception {
    InboxClient client = new InboxClient(port);
    String id = InboxClient.hold(engine, "agent-5");
    InboxClient.Session carol = client.open("carol");
    assertThat(client.answer("carol", carol, id, "approve", null).statusCode()).isEqualTo(403);
    assertThat(client.answer("carol", carol, id, "approve", "f".repeat(64)).statusCode()).isEqualTo(403);
    assertThat(client.send("POST", "/approvals/api/pending/" + id + "/approve", "carol", "text/plain", "{}", null)
        .statusCode()).isEqualTo(415);
    assertThat(queue.pending(id)).isPresent();

    assertThat(client.answer("carol", carol, id, "reject", carol.csrf()).statusCode()).isEqualTo(303);
    assertThat(queue.history(10)).anySatisfy(a -> {
      assertThat(a.id()).isEqualTo(id);
      assertThat(a.approver()).isEqualTo("carol");
    });

    String next = InboxClient.hold(engine, "agent-6");
    assertThat(client.send("POST", "/approvals/api/pending/" + next + "/approve", "carol", "application/json",
        "{\"comment\":\"ok\"}", null).statusCode()).isEqualTo(200);
    assertThat(client.send("GET", "/approvals/api/pending", null, null, null, null).statusCode()).isEqualTo(401);
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
      return new InMemoryUserDetailsManager(User.withUsername("carol").password("{noop}secret").roles("OPS").build());
    }
  }
}
