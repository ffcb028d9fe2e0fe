package io.toolgate.testkit;

import io.toolgate.api.Decision;
import io.toolgate.engine.PolicyLoadException;
import io.toolgate.scenarios.CoverageReport;

/**
 * AssertJ entry point for policy tests; import it statically next to AssertJ's own.
 *
 * <pre>{@code
 * import static io.toolgate.testkit.ToolgateAssertions.assertThat;
 *
 * assertThat(agent.call("delete_project")).isDenied().hasReasonContaining("not permitted for agents");
 * assertThat(agent.call("create_compile", args)).isRateLimited().hasRetryAfter(Duration.ofSeconds(30));
 * assertThat(PolicyLoad.of(Path.of("bad.yaml"))).hasErrorAt("/tools/x/limits/0/window");
 * }</pre>
 */
public final class ToolgateAssertions {
  private ToolgateAssertions() {}

  /** Assertions on one decision. */
  public static DecisionAssert assertThat(Decision actual) {
    return new DecisionAssert(actual);
  }

  /** Assertions on the decisions of a repeated call. */
  public static DecisionsAssert assertThat(Decisions actual) {
    return new DecisionsAssert(actual);
  }

  /** Assertions on the outcome of loading a policy. */
  public static PolicyLoadAssert assertThat(PolicyLoad actual) {
    return new PolicyLoadAssert(actual);
  }

  /** Assertions on the problems a failed load reported. */
  public static PolicyLoadAssert assertThat(PolicyLoadException actual) {
    return new PolicyLoadAssert(actual == null ? null : PolicyLoad.of(actual));
  }

  /** Assertions on a coverage report. */
  public static CoverageAssert assertThat(CoverageReport actual) {
    return new CoverageAssert(actual);
  }
}
