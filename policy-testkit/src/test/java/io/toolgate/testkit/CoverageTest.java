package io.toolgate.testkit;

import static io.toolgate.testkit.ToolgateAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.toolgate.scenarios.CoverageReport;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** Which rules decided calls: entries, grants, schemas, conditions, when clauses, limits, hide, default. */
class CoverageTest {
  @Test
  void aFreshTesterHasCoveredNothing() {
    CoverageReport report = PolicyTester.load("policies/shop.yaml").coverage();
    assertThat(report.items()).extracting(CoverageReport.Item::pointer).containsExactly(
        "/default", "/hide/0",
        "/tools/create_compile", "/tools/create_compile/arguments", "/tools/create_compile/limits/0",
        "/tools/delete_project",
        "/tools/transfer", "/tools/transfer/conditions/0", "/tools/transfer/limits/0",
        "/tools/create_live_algorithm", "/tools/create_live_algorithm/when/0",
        "/tools/read_session_log", "/tools/read_session_log/limits/0",
        "/grants/ci-bot", "/grants/ci-bot/tools/backtest_*", "/grants/ci-bot/tools/backtest_*/rate_limit",
        "/grants/auditor", "/grants/auditor/tools/read_*");
    assertThat(report.items()).extracting(CoverageReport.Item::kind).containsExactly(
        "default", "hide", "allow entry", "arguments", "limit", "deny entry", "allow entry", "condition", "limit",
        "approval entry", "when", "allow entry", "limit", "grant", "allow entry", "limit", "grant", "allow entry");
    assertThat(report.percent()).isZero();
    assertThat(report.uncovered()).hasSize(18);
  }

  @Test
  void eachKindOfRuleIsCreditedOnlyWhenItDecides() {
    PolicyTester shop = PolicyTester.load("policies/shop.yaml");
    shop.as("agent-1").times(3).call("create_compile", Map.of("projectId", 7));
    CoverageReport afterAllows = shop.coverage();
    assertThat(afterAllows).covers("/tools/create_compile").doesNotCover("/tools/create_compile/limits/0")
        .doesNotCover("/tools/create_compile/arguments").doesNotCover("/default");
    assertThat(afterAllows.item("/tools/create_compile").decided()).isEqualTo(3);

    shop.as("agent-1").times(8).call("create_compile", Map.of("projectId", 7));
    shop.as("agent-1").call("create_compile", Map.of("projectId", -1));
    shop.as("agent-1").call("create_live_algorithm", Map.of("live", true));
    shop.as("agent-1").call("create_live_algorithm", Map.of("live", "no"));
    shop.as("bob").withRoles("ci-bot").call("backtest_x");
    shop.as("bob").call("admin_reset");
    shop.as("bob").call("unknown");
    CoverageReport report = shop.coverage();
    assertThat(report).covers("/tools/create_compile/limits/0").covers("/tools/create_compile/arguments")
        .covers("/tools/create_live_algorithm").covers("/tools/create_live_algorithm/when/0")
        .covers("/grants/ci-bot").covers("/grants/ci-bot/tools/backtest_*").doesNotCover("/grants/ci-bot/tools/backtest_*/rate_limit")
        .covers("/hide/0").covers("/default").doesNotCover("/tools/transfer").doesNotCover("/grants/auditor");
    assertThat(report.item("/tools/create_compile").decided()).as("10 allows, 1 limited, 1 bad argument").isEqualTo(12);
    assertThat(report.item("/tools/create_live_algorithm").decided()).as("held once, allowed once").isEqualTo(2);
    assertThat(report.item("/tools/create_live_algorithm/when/0").decided()).isEqualTo(1);
    assertThat(report.render())
        .startsWith("policies/shop.yaml: 9 of 18 rules decided a call\n")
        .contains("  decided 12   /tools/create_compile")
        .contains("  never        /tools/transfer/conditions/0")
        .endsWith("coverage: 9 of 18 rules decided at least one call (50.0%)\n");
    assertThatThrownBy(() -> assertThat(report).isAtLeast(60))
        .hasMessageContaining("Expected policy coverage of at least 60.0%, but it is 50.0%");
    assertThatThrownBy(() -> assertThat(report).covers("/tools/transfer")).hasMessageContaining("never did");
    assertThatThrownBy(() -> assertThat(report).covers("/nope")).hasMessageContaining("is not a rule of the policy");
    assertThatThrownBy(() -> assertThat(report).doesNotCover("/default")).hasMessageContaining("decided 1");
    assertThat(report).isAtLeast(50);
  }

  @Test
  void aSharedCollectorMergesTestersOfTheSamePolicy() {
    PolicyCoverage shared = PolicyCoverage.create();
    PolicyTester.load("policies/shop.yaml").recordCoverageIn(shared).as("a").call("delete_project");
    PolicyTester.load("policies/shop.yaml").recordCoverageIn(shared).as("a").call("delete_project");
    PolicyTester.load("quickstart/policy.yaml").recordCoverageIn(shared).as("a").call("delete_project");
    CoverageReport report = shared.report();
    assertThat(report.items()).filteredOn(i -> i.pointer().equals("/tools/delete_project"))
        .extracting(CoverageReport.Item::policy, CoverageReport.Item::decided)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("policies/shop.yaml", 2L),
            org.assertj.core.groups.Tuple.tuple("quickstart/policy.yaml", 1L));
    assertThatThrownBy(() -> PolicyCoverage.requireAtLeast(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void asAJUnitExtensionItReportsAfterTheClassAndFailsItBelowTheThreshold() {
    Events failing = EngineTestKit.engine("junit-jupiter").selectors(selectClass(UnderCovered.class)).execute().containerEvents();
    failing.assertStatistics(stats -> stats.failed(1));
    assertThat(failing.failed().stream().findFirst().orElseThrow().getPayload(org.junit.platform.engine.TestExecutionResult.class)
        .orElseThrow().getThrowable().orElseThrow())
        .hasMessageContaining("policy coverage 25.0% is below the required 90.0%")
        .hasMessageContaining("quickstart/policy.yaml /tools/create_compile/limits/0 (limit)");
    Events passing = EngineTestKit.engine("junit-jupiter").selectors(selectClass(WellCovered.class)).execute().containerEvents();
    passing.assertStatistics(stats -> stats.failed(0));
  }

  /** Run only through the engine test kit above. */
  static class UnderCovered {
    @RegisterExtension static final PolicyCoverage coverage = PolicyCoverage.requireAtLeast(90);

    @Test
    void deniesDeletion() {
      assertThat(PolicyTester.load("quickstart/policy.yaml").recordCoverageIn(coverage).as("a").call("delete_project")).isDenied();
    }
  }

  /** Run only through the engine test kit above. */
  static class WellCovered {
    @RegisterExtension static final PolicyCoverage coverage = PolicyCoverage.requireAtLeast(100);

    @Test
    void everyRule() {
      PolicyTester.Caller agent = PolicyTester.load("quickstart/policy.yaml").recordCoverageIn(coverage).as("a");
      assertThat(agent.times(11).call("create_compile")).has(1, io.toolgate.api.Decision.Kind.RATE_LIMITED);
      assertThat(agent.call("delete_project")).isDenied();
      assertThat(agent.call("other")).isDenied();
    }
  }
}
