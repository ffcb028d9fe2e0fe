package io.toolgate.examples;

import static io.toolgate.testkit.ToolgateAssertions.assertThat;

import io.toolgate.testkit.PolicyTester;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A user's policy test: the quick start's policy, proven in a few lines. */
class QuickstartPolicyTest {
  @Test
  void aRunawayAgentIsCappedAndCannotDeleteProjects() {
    PolicyTester.Caller agent = PolicyTester.load("io/toolgate/examples/quickstart/policy.yaml").startingAt("2026-01-01T10:00:30Z").as("agent-1");
    assertThat(agent.times(10).call("create_compile", Map.of("projectId", 7))).allAllowed();
    assertThat(agent.call("create_compile", Map.of("projectId", 7))).isRateLimited().hasRetryAfter(Duration.ofSeconds(30));
    assertThat(agent.call("delete_project")).isDenied().hasReasonContaining("not permitted for agents");
  }
}
