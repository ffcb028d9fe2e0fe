package io.toolgate.testkit;

import static io.toolgate.testkit.ToolgateAssertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuickstartPolicyTest {
  @Test
  void aRunawayAgentIsCappedAndCannotDeleteProjects() {
    PolicyTester.Caller agent = PolicyTester.load("quickstart/policy.yaml").startingAt("2026-01-01T10:00:30Z").as("agent-1");
    assertThat(agent.times(10).call("create_compile", Map.of("projectId", 7))).allAllowed();
    assertThat(agent.call("create_compile", Map.of("projectId", 7))).isRateLimited().hasRetryAfter(Duration.ofSeconds(30));
    assertThat(agent.call("delete_project")).isDenied().hasReasonContaining("not permitted for agents");
  }
}
