package io.toolgate.testkit.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.toolgate.scenarios.CoverageReport;
import io.toolgate.testkit.PolicyCoverage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/** Scenario directories as JUnit dynamic tests, with coverage. */
class ScenariosTest {
  private static final String SHOP = "src/test/resources/scenarios/shop";

  /** The one line a user writes: every scenario a test, and every rule of the policy exercised. */
  @TestFactory
  Stream<DynamicTest> shopScenarios() {
    return Scenarios.in(SHOP).requireCoverage(100).dynamicTests();
  }

  @Test
  void oneTestPerScenarioNamedAfterItsFileWithItsSource() {
    List<DynamicTest> tests = Scenarios.dynamicTests(SHOP).collect(Collectors.toList());
    assertThat(tests).extracting(DynamicTest::getDisplayName)
        .containsExactly("01-compile-rate.yaml", "02-deny-and-hide.yaml", "03-transfer-budget.yaml", "04-going-live.yaml", "05-grants.yaml");
    assertThat(tests.get(0).getTestSourceUri()).hasValue(Path.of(SHOP, "01-compile-rate.yaml").toUri());
  }

  @Test
  void aFailureNamesTheFileTheStepAndExpectedVersusGot(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("wrong.yaml");
    Files.writeString(file, String.join("\n",
        "name: the author expected too much",
        "policy: {version: '1', tools: {t: {rate_limit: 1/minute}}}",
        "steps:",
        "  - {call: t, identity: a, expect: allow}",
        "  - {call: t, identity: a, expect: allow}",
        ""));
    DynamicTest test = Scenarios.in(dir).dynamicTests().findFirst().orElseThrow();
    assertThatThrownBy(() -> test.getExecutable().execute())
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageContaining("the author expected too much")
        .hasMessageContaining(file + ": step 2: expected allow, got rate_limited retry_after 60s")
        .satisfies(e -> {
          AssertionFailedError failure = (AssertionFailedError) e;
          assertThat(failure.getExpected().getValue()).isEqualTo("allow");
          assertThat((String) failure.getActual().getValue()).startsWith("rate_limited retry_after 60s (Policy denied t: rate limit");
        });
  }

  @Test
  void coverageBelowTheThresholdFailsTheLastTest() throws Throwable {
    Scenarios scenarios = Scenarios.in(Path.of(SHOP, "02-deny-and-hide.yaml")).requireCoverage(50);
    List<DynamicTest> tests = scenarios.dynamicTests().collect(Collectors.toList());
    assertThat(tests).hasSize(2);
    tests.get(0).getExecutable().execute();
    assertThat(tests.get(1).getDisplayName()).isEqualTo("policy coverage is at least 50.0%");
    assertThatThrownBy(() -> tests.get(1).getExecutable().execute())
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageContaining("policy coverage 16.7% is below 50.0%")
        .hasMessageContaining("never        /tools/create_compile/limits/0");
    assertThat(scenarios.coverage().covered()).extracting(CoverageReport.Item::pointer)
        .containsExactly("/default", "/hide/0", "/tools/delete_project");
  }

  @Test
  void sharedCoverageCollectsAcrossRuns() throws Throwable {
    PolicyCoverage shared = PolicyCoverage.create();
    for (DynamicTest test : Scenarios.in(Path.of(SHOP, "02-deny-and-hide.yaml")).recordCoverageIn(shared).dynamicTests().toList()) {
      test.getExecutable().execute();
    }
    assertThat(shared.report().item("/tools/delete_project").decided()).isEqualTo(1);
  }

  @Test
  void missingPathsAndEmptyDirectoriesAreClearErrors(@TempDir Path dir) {
    assertThatThrownBy(() -> Scenarios.in("no/such/dir").dynamicTests())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no such scenario file or directory");
    assertThatThrownBy(() -> Scenarios.in(dir).dynamicTests())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no scenario files");
    assertThatThrownBy(() -> Scenarios.in(dir).requireCoverage(101)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Scenarios.in(new Path[0])).isInstanceOf(IllegalArgumentException.class);
  }
}
