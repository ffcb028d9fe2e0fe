package io.toolgate.testkit;

import static io.toolgate.testkit.ToolgateAssertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.testkit.properties.PolicyProperties;
import io.toolgate.testkit.properties.SchemaArguments;
import io.toolgate.testkit.scenario.Scenarios;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The code of the "Testing your policy" section of {@code docs/testing.md} (linked from the README), verbatim,
 * so that it keeps compiling and passing.
 */
class ReadmeExamplesTest {
  @RegisterExtension
  static final PolicyCoverage coverage = PolicyCoverage.requireAtLeast(80);

  PolicyTester policy = PolicyTester.load("policy.yaml")        // a file, or a classpath resource
      .startingAt("2026-01-01T10:00:30Z")
      .recordCoverageIn(coverage);

  @Test
  void aRunawayAgentIsCappedAtTenCompilesAMinute() {
    PolicyTester.Caller agent = policy.as("agent-1");
    assertThat(agent.times(10).call("create_compile", Map.of("projectId", 7))).allAllowed();
    assertThat(agent.call("create_compile", Map.of("projectId", 7)))
        .isRateLimited().hasRetryAfter(Duration.ofSeconds(30)).decidedBy("/tools/create_compile/limits/0");
    policy.advance(Duration.ofSeconds(30));
    assertThat(agent.call("create_compile", Map.of("projectId", 7))).isAllowed();
    assertThat(policy.as("agent-2").inSession("s1").call("delete_project"))
        .isDenied().hasReasonContaining("not permitted for agents").decidedBy("delete_project");
  }

  @Test
  void goingLiveWaitsForAHumanAndFailedTransfersAreRefunded() {
    PolicyTester.Caller agent = policy.as("agent-1");
    assertThat(agent.call("create_live_algorithm")).requiresApproval();
    policy.approveLast();
    assertThat(agent.call("create_live_algorithm")).isAllowed();

    Map<String, Object> transfer = Map.of("account", "acc-1", "amount", 600);
    assertThat(agent.toolFails().call("transfer", transfer)).isAllowed();   // the tool throws: refunded
    assertThat(agent.call("transfer", transfer)).isAllowed();
    assertThat(agent.call("transfer", transfer)).isRateLimited().hasCounter("spend");
    assertThat(policy.as("someone").withRoles("ci-bot").call("backtest_momentum")).isAllowed();
    assertThat(policy.as("agent-1").call("backtest_momentum")).isDenied().decidedBy("/default");
  }

  @Test
  void aBadPolicyFailsWhereExpected() {
    assertThat(PolicyLoad.parse("version: '1'\ntools: {x: {limits: [{max: 10, window: minit}]}}"))
        .hasErrorAt("/tools/x/limits/0/window", "is not a window");
  }

  @TestFactory
  Stream<DynamicTest> scenarios() {
    return Scenarios.in("src/test/resources/scenarios").requireCoverage(80).dynamicTests();
  }

  @Test
  void propertiesHoldForThisPolicy() {
    PolicyProperties properties = PolicyProperties.of(policy).withExamples(100);
    properties.countersNeverOverAdmit();
    properties.onlyAllows("create_compile", "create_live_algorithm", "transfer", "backtest_*");
    properties.decisionsIgnoreKeyOrder();
  }

  @Test
  void transferArgumentsAreCheckedAgainstTheSchema() {
    JsonNode schema = policy.argumentSchema("transfer");
    qt().withExamples(100).forAll(SchemaArguments.valid(schema)).checkAssert(args ->
        assertThat(policy.as("agent-1").call("transfer", args)).isNotDecidedBy("/tools/transfer/arguments"));
    qt().withExamples(100).forAll(SchemaArguments.invalid(schema)).checkAssert(bad ->
        assertThat(policy.as("agent-1").call("transfer", bad.arguments()))
            .isDenied().decidedBy("/tools/transfer/arguments").hasReasonContaining("#" + bad.pointer()));  // e.g. #/amount
  }
}
