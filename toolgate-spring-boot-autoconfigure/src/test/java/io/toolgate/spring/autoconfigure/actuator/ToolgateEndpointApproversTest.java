package io.toolgate.spring.autoconfigure.actuator;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.spring.autoconfigure.ToolgateAutoConfiguration;
import io.toolgate.spring.autoconfigure.ToolgateConfigurationException;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** Who answers approvals through the endpoint: the property, its inbox default, a bean, no Spring Security. */
class ToolgateEndpointApproversTest {
  final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ToolgateAutoConfiguration.class, ToolgateActuatorAutoConfiguration.class))
      .withPropertyValues("toolgate.policy=classpath:policies/capped.yaml", "management.endpoints.web.exposure.include=toolgate");

  static Authentication user(String name, String... authorities) {
    return UsernamePasswordAuthenticationToken.authenticated(name, null,
        List.of(authorities).stream().map(SimpleGrantedAuthority::new).toList());
  }

  @Test
  void exposedWithSpringSecurityButNoAuthorityFailsStartupReadably() {
    runner.run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).hasRootCauseInstanceOf(ToolgateConfigurationException.class);
      var failure = (ToolgateConfigurationException) org.assertj.core.util.Throwables.getRootCause(context.getStartupFailure());
      assertThat(failure.description()).contains("toolgate.actuator.approver-authority", "could list and approve");
      assertThat(failure.action()).contains("Set toolgate.actuator.approver-authority", "ActuatorApprover bean");
    });
    runner.withPropertyValues("toolgate.actuator.approver-authority=  ")
        .run(context -> assertThat(context).hasFailed());
    // Not exposed: nothing to secure, nothing fails.
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ToolgateAutoConfiguration.class, ToolgateActuatorAutoConfiguration.class))
        .withPropertyValues("toolgate.policy=classpath:policies/capped.yaml")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ActuatorApprover.class));
  }

  @Test
  void theAuthorityDecidesWhoAnswersAndWhoSeesPendingApprovals() {
    runner.withPropertyValues("toolgate.actuator.approver-authority=SCOPE_approvals").run(context -> {
      ActuatorApprover approvers = context.getBean(ActuatorApprover.class);
      assertThat(approvers.approver(user("olga", "SCOPE_approvals"))).isEqualTo("olga");
      assertThat(approvers.approver(user("agent", "ROLE_USER", "ROLE_SCOPE_approvals", "scope_approvals"))).isNull();
      assertThat(approvers.approver(null)).isNull();
      assertThat(approvers.approver((Principal) () -> "olga")).as("a bare principal holds no authority").isNull();
      assertThat(approvers.approver(new AnonymousAuthenticationToken("k", "anonymousUser",
          AuthorityUtils.createAuthorityList("SCOPE_approvals")))).isNull();
      assertThat(approvers.approver(UsernamePasswordAuthenticationToken.unauthenticated("olga", "pw"))).isNull();
      assertThat(approvers.approver(user(" ", "SCOPE_approvals"))).isNull();

      PolicyEngine engine = context.getBean(PolicyEngine.class);
      ToolgateEndpoint endpoint = context.getBean(ToolgateEndpoint.class);
      String id = ((Decision.ApprovalRequired) engine.evaluate(ToolCall.of("refund", Map.of("n", 1)), CallContext.of("agent")))
          .approvalId();
      ToolgateEndpoint.Status agentView = endpoint.status(user("agent", "ROLE_USER"));
      assertThat(agentView.pendingApprovals()).isEmpty();
      assertThat(agentView.approver()).isFalse();
      assertThat(agentView.policy().digest()).isEqualTo(engine.policy().digest());
      assertThat(endpoint.status(null).pendingApprovals()).isEmpty();
      ToolgateEndpoint.Status olgaView = endpoint.status(user("olga", "SCOPE_approvals"));
      assertThat(olgaView.approver()).isTrue();
      assertThat(olgaView.pendingApprovals()).extracting(ToolgateEndpoint.Pending::id).containsExactly(id);

      var refused = endpoint.answer(id, "approve", null, user("agent", "ROLE_USER"));
      assertThat(refused.getStatus()).isEqualTo(403);
      assertThat(refused.getBody().done()).isFalse();
      assertThat(refused.getBody().approver()).isNull();
      assertThat(endpoint.status(user("olga", "SCOPE_approvals")).pendingApprovals()).hasSize(1);
    });
  }

  @Test
  void theInboxAuthorityIsTheDefaultAndTheEndpointsOwnWins() {
    runner.withPropertyValues("toolgate.approvals.inbox.authority=ROLE_APPROVER").run(context -> {
      assertThat(context).hasNotFailed();
      ActuatorApprover approvers = context.getBean(ActuatorApprover.class);
      assertThat(approvers.approver(user("ann", "ROLE_APPROVER"))).isEqualTo("ann");
    });
    runner.withPropertyValues("toolgate.approvals.inbox.authority=ROLE_APPROVER", "toolgate.actuator.approver-authority=ROLE_OPS")
        .run(context -> {
          ActuatorApprover approvers = context.getBean(ActuatorApprover.class);
          assertThat(approvers.approver(user("ann", "ROLE_APPROVER"))).isNull();
          assertThat(approvers.approver(user("otto", "ROLE_OPS"))).isEqualTo("otto");
        });
  }

  @Test
  void anApplicationsApproverBeanWinsAndNeedsNoAuthority() {
    ActuatorApprover own = principal -> principal != null && principal.getName().equals("root") ? "root" : null;
    runner.withBean(ActuatorApprover.class, () -> own).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(ActuatorApprover.class)).isSameAs(own);
      PolicyEngine engine = context.getBean(PolicyEngine.class);
      String id = ((Decision.ApprovalRequired) engine.evaluate(ToolCall.of("refund", Map.of("n", 2)), CallContext.of("agent")))
          .approvalId();
      var answer = context.getBean(ToolgateEndpoint.class).answer(id, "approve", null, () -> "root");
      assertThat(answer.getStatus()).isEqualTo(200);
      assertThat(answer.getBody().done()).isTrue();
    });
  }

  @Test
  void withoutSpringSecurityNobodyAnswersUnlessABeanSaysWho() {
    ApplicationContextRunner noSecurity = runner.withClassLoader(new FilteredClassLoader(Authentication.class));
    noSecurity.run(context -> {
      assertThat(context).hasNotFailed();
      PolicyEngine engine = context.getBean(PolicyEngine.class);
      ToolgateEndpoint endpoint = context.getBean(ToolgateEndpoint.class);
      String id = ((Decision.ApprovalRequired) engine.evaluate(ToolCall.of("refund", Map.of("n", 3)), CallContext.of("agent")))
          .approvalId();
      assertThat(endpoint.status((Principal) () -> "admin").pendingApprovals()).isEmpty();
      assertThat(endpoint.answer(id, "approve", null, () -> "admin").getStatus()).isEqualTo(403);
      assertThat(endpoint.answer(id, "reject", "no", null).getStatus()).isEqualTo(403);
    });
    noSecurity.withPropertyValues("toolgate.actuator.approver-authority=ROLE_APPROVER").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).hasRootCauseInstanceOf(ToolgateConfigurationException.class)
          .rootCause().hasMessageContaining("no Spring Security");
    });
  }
}
