package io.toolgate.testkit.junit5check;

import static io.toolgate.testkit.ToolgateAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.CounterStore;
import io.toolgate.engine.store.InMemoryCounterStore;
import io.toolgate.testkit.PolicyCoverage;
import io.toolgate.testkit.PolicyTester;
import io.toolgate.testkit.contract.CounterStoreContract;
import io.toolgate.testkit.scenario.Scenarios;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The testkit's JUnit-facing features, run by JUnit 5.10 (the module imports its BOM). */
class TestkitOnJUnit510Test {
  @RegisterExtension
  static final PolicyCoverage coverage = PolicyCoverage.requireAtLeast(50);

  private final PolicyTester policy = PolicyTester.load("../policy-testkit/src/test/resources/quickstart/policy.yaml")
      .startingAt("2026-01-01T10:00:30Z")
      .recordCoverageIn(coverage);

  @Test
  void theJUnitOnTheClasspathIs510() {
    assertThat(Test.class.getPackage().getImplementationVersion()).startsWith("5.10.");
  }

  @Test
  void policyTesterAndAssertions() {
    PolicyTester.Caller agent = policy.as("agent-1");
    assertThat(agent.times(10).call("create_compile", Map.of("projectId", 7))).allAllowed();
    assertThat(agent.call("create_compile", Map.of("projectId", 7))).isRateLimited().hasRetryAfter(Duration.ofSeconds(30));
    assertThat(agent.call("delete_project")).isDenied().hasReasonContaining("not permitted for agents");
  }

  @TestFactory
  Stream<DynamicTest> conformanceScenariosAsDynamicTests() {
    return Scenarios.in("../policy-testkit/src/test/resources/conformance").dynamicTests();
  }

  /** The counter store contract suite, as a store author runs it. */
  @Nested
  class InMemoryStoreContract extends CounterStoreContract {
    @Override
    protected CounterStore newStore() {
      return InMemoryCounterStore.create();
    }
  }
}
