package io.toolgate.testkit;

import io.toolgate.scenarios.Coverage;
import io.toolgate.scenarios.CoverageReport;
import java.util.Locale;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Collects which policy rules decided calls, across every {@link PolicyTester} and scenario run
 * that records into it; {@link #report()} gives the {@link CoverageReport}. Thread-safe.
 *
 * <p>As a JUnit 5 extension it reports once the test class has run, and can fail the class when
 * coverage is below a threshold:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PolicyCoverage coverage = PolicyCoverage.requireAtLeast(80);
 *
 * PolicyTester tester = PolicyTester.load("policy.yaml").recordCoverageIn(coverage);
 * }</pre>
 */
public final class PolicyCoverage implements AfterAllCallback {
  private final double minimumPercent;
  private final Coverage collector = Coverage.create();

  private PolicyCoverage(double minimumPercent) {
    this.minimumPercent = minimumPercent;
  }

  /** A collector with no threshold. */
  public static PolicyCoverage create() {
    return new PolicyCoverage(0);
  }

  /**
   * A collector that, used as a JUnit extension, fails the test class when fewer than {@code
   * percent} of the rules decided a call.
   *
   * @throws IllegalArgumentException unless {@code 0 <= percent <= 100}
   */
  public static PolicyCoverage requireAtLeast(double percent) {
    if (!(percent >= 0 && percent <= 100)) {
      throw new IllegalArgumentException("a coverage threshold is a percentage from 0 to 100; got " + percent);
    }
    return new PolicyCoverage(percent);
  }

  /** The coverage so far. */
  public CoverageReport report() {
    return collector.report();
  }

  /** The framework-free collector underneath, for the scenario runner. */
  public Coverage collector() {
    return collector;
  }

  /**
   * Prints the report to standard output once the test class has run, and fails the class if
   * coverage is below the threshold given to {@link #requireAtLeast}.
   */
  @Override
  public void afterAll(ExtensionContext context) {
    CoverageReport report = report();
    System.out.print("Policy coverage of " + context.getDisplayName() + ":\n" + report.render());
    if (report.percent() < minimumPercent) {
      throw new AssertionError(String.format(Locale.ROOT,
          "policy coverage %.1f%% is below the required %.1f%%; rules that never decided a call:%n  %s",
          report.percent(), minimumPercent,
          String.join("\n  ", report.uncovered().stream().map(i -> i.policy() + " " + i.pointer() + " (" + i.kind() + ")").toList())));
    }
  }

  @Override
  public String toString() {
    return "PolicyCoverage[" + report().percent() + "%]";
  }
}
