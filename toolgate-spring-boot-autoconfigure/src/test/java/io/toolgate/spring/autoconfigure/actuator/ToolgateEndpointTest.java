package io.toolgate.spring.autoconfigure.actuator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.toolgate.api.AgentText;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.spring.autoconfigure.ToolgateAutoConfiguration;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

class ToolgateEndpointTest {
  final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ToolgateAutoConfiguration.class, ToolgateActuatorAutoConfiguration.class))
      .withPropertyValues("toolgate.policy=classpath:policies/capped.yaml", "toolgate.actuator.approver-authority=ROLE_APPROVER");
  static final Principal ALICE = UsernamePasswordAuthenticationToken.authenticated(
      "alice", null, List.of(new SimpleGrantedAuthority("ROLE_APPROVER")));

  @Test
  void theEndpointExistsOnlyWhenExposed() {
    runner.run(context -> assertThat(context).doesNotHaveBean(ToolgateEndpoint.class));
    runner.withPropertyValues("management.endpoints.web.exposure.include=health")
        .run(context -> assertThat(context).doesNotHaveBean(ToolgateEndpoint.class));
    runner.withPropertyValues("management.endpoints.web.exposure.include=toolgate")
        .run(context -> assertThat(context).hasSingleBean(ToolgateEndpoint.class));
    runner.withPropertyValues("management.endpoints.web.exposure.include=*")
        .run(context -> assertThat(context).hasSingleBean(ToolgateEndpoint.class));
    runner.withPropertyValues("management.endpoints.web.exposure.include=toolgate", "management.endpoint.toolgate.access=NONE")
        .run(context -> assertThat(context).doesNotHaveBean(ToolgateEndpoint.class));
  }

  @Test
  void theHealthIndicatorIsOnUnlessDisabled() {
    runner.run(context -> assertThat(context).hasSingleBean(ToolgateHealthIndicator.class));
    runner.withPropertyValues("management.health.toolgate.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(ToolgateHealthIndicator.class));
  }

  @Test
  void statusDescribesThePolicyInForce() {
    runner.withPropertyValues("management.endpoints.web.exposure.include=toolgate").run(context -> {
      ToolgateEndpoint.Status status = context.getBean(ToolgateEndpoint.class).status(ALICE);
      PolicyEngine engine = context.getBean(PolicyEngine.class);
      assertThat(status.policy().digest()).isEqualTo(engine.policy().digest());
      assertThat(status.policy().source()).endsWith("capped.yaml");
      assertThat(status.policy().defaultAction()).isEqualTo("deny");
      assertThat(status.policy().tools()).extracting(ToolgateEndpoint.Tool::key).containsExactly("create_compile", "refund");
      assertThat(status.policy().tools().get(0).limits()).singleElement()
          .isEqualTo(new ToolgateEndpoint.Limit("create_compile_rate", 2.0, "PT1H", "grant", "sliding"));
      assertThat(status.policy().tools().get(1).action()).isEqualTo("require_approval");
      assertThat(status.pendingApprovals()).isEmpty();
    });
  }

  @Test
  void hostileAnswersChangeNothing() {
    runner.withPropertyValues("management.endpoints.web.exposure.include=toolgate").run(context -> {
      ToolgateEndpoint endpoint = context.getBean(ToolgateEndpoint.class);
      PolicyEngine engine = context.getBean(PolicyEngine.class);
      Decision held = engine.evaluate(ToolCall.of("refund", Map.of("id", 1)), CallContext.of("agent-1"));
      String id = ((Decision.ApprovalRequired) held).approvalId();
      String huge = "x".repeat(100_000);

      assertThatThrownBy(() -> endpoint.answer(id, "approve\u0000; drop", null, null))
          .isInstanceOf(InvalidEndpointRequestException.class);
      for (String bad : new String[] {"", "../../etc/passwd", "%00", id + "x", id.toUpperCase(), huge, "\u202e\n\r"}) {
        for (Principal caller : new Principal[] {() -> "mallory", ALICE}) {
          ToolgateEndpoint.Answer answer = endpoint.answer(bad, "approve", null, caller).getBody();
          assertThat(answer.done()).as(AgentText.excerpt(bad)).isFalse();
          assertThat(answer.id()).isEqualTo(AgentText.excerpt(bad)).hasSizeLessThan(AgentText.MAX_CHARS + 20);
        }
      }
      assertThat(endpoint.status(ALICE).pendingApprovals()).singleElement().extracting(ToolgateEndpoint.Pending::id).isEqualTo(id);

      // Nobody unauthenticated answers; a rejection keeps an excerpt of the reason, and the approver is the caller.
      assertThat(endpoint.answer(id, "REJECT", huge, null).getStatus()).isEqualTo(403);
      ToolgateEndpoint.Answer rejected = endpoint.answer(id, "REJECT", huge, ALICE).getBody();
      assertThat(rejected.done()).isTrue();
      assertThat(rejected.approver()).isEqualTo("alice");
      Decision again = engine.evaluate(ToolCall.of("refund", Map.of("id", 1)), CallContext.of("agent-1"));
      assertThat(again).isInstanceOf(Decision.Deny.class);
      assertThat(again.reason().length()).isLessThan(ToolgateEndpoint.MAX_REASON_CHARS + 1_000);
      assertThat(endpoint.answer(id, "approve", null, ALICE).getBody().done()).as("the first answer stands").isFalse();
    });
  }

  @Test
  void withAnotherApprovalServiceApprovalsAreNotAnsweredHere() {
    runner.withPropertyValues("management.endpoints.web.exposure.include=toolgate")
        .withBean(io.toolgate.api.ApprovalService.class, () -> request -> new ApprovalStatus.Pending("elsewhere"))
        .run(context -> {
          ToolgateEndpoint endpoint = context.getBean(ToolgateEndpoint.class);
          assertThat(endpoint.status(ALICE).pendingApprovals()).isEmpty();
          ToolgateEndpoint.Answer answer = endpoint.answer("elsewhere", "approve", null, ALICE).getBody();
          assertThat(answer.done()).isFalse();
          assertThat(answer.message()).contains("not the in-memory queue");
        });
  }
}
