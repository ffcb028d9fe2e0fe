package io.toolgate.testkit.scenario;

import io.toolgate.scenarios.CoverageReport;
import io.toolgate.scenarios.ScenarioResult;
import io.toolgate.scenarios.ScenarioRunner;
import io.toolgate.testkit.PolicyCoverage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.opentest4j.AssertionFailedError;

/**
 * Scenario files (DESIGN.md section 7) as JUnit 5 dynamic tests: one test per file, named after
 * the scenario, whose failure names the file, the step, what was expected and what happened.
 *
 * <pre>{@code
 * @TestFactory
 * Stream<DynamicTest> scenarios() {
 *   return Scenarios.in("src/test/scenarios").requireCoverage(80).dynamicTests();
 * }
 * }</pre>
 *
 * <p>With {@link #requireCoverage}, a last test prints the {@link CoverageReport} of the policies
 * the scenarios exercised and fails when coverage is below the threshold.
 */
public final class Scenarios {
  private final List<Path> paths;
  private final PolicyCoverage coverage;
  private final double minimumCoverage;

  private Scenarios(List<Path> paths, PolicyCoverage coverage, double minimumCoverage) {
    this.paths = List.copyOf(paths);
    this.coverage = coverage;
    this.minimumCoverage = minimumCoverage;
  }

  /** The scenario files under these files and directories (directories searched for *.yaml, *.yml). */
  public static Scenarios in(String... paths) {
    return in(Arrays.stream(paths).map(Path::of).toArray(Path[]::new));
  }

  /** The scenario files under these files and directories. */
  public static Scenarios in(Path... paths) {
    if (paths.length == 0) {
      throw new IllegalArgumentException("name at least one scenario file or directory");
    }
    return new Scenarios(Arrays.asList(paths), PolicyCoverage.create(), -1);
  }

  /** One dynamic test per scenario under {@code paths}: the one-line form of {@code in(paths).dynamicTests()}. */
  public static Stream<DynamicTest> dynamicTests(String... paths) {
    return in(paths).dynamicTests();
  }

  /**
   * Adds a last test that prints the policy coverage and fails when fewer than {@code percent} of
   * the rules decided a call.
   */
  public Scenarios requireCoverage(double percent) {
    if (!(percent >= 0 && percent <= 100)) {
      throw new IllegalArgumentException("a coverage threshold is a percentage from 0 to 100; got " + percent);
    }
    return new Scenarios(paths, coverage, percent);
  }

  /** Records coverage into {@code shared} as well, e.g. a {@link PolicyCoverage} extension of the class. */
  public Scenarios recordCoverageIn(PolicyCoverage shared) {
    return new Scenarios(paths, Objects.requireNonNull(shared, "shared"), minimumCoverage);
  }

  /** The coverage of the scenarios run so far. */
  public CoverageReport coverage() {
    return coverage.report();
  }

  /**
   * One test per scenario file, in file-name order, then the coverage test if one was asked for.
   *
   * @throws IllegalArgumentException if a path does not exist or no scenario file is found
   */
  public Stream<DynamicTest> dynamicTests() {
    List<Path> missing = paths.stream().filter(p -> !Files.exists(p)).collect(Collectors.toList());
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("no such scenario file or directory: "
          + missing.stream().map(p -> p.toAbsolutePath().toString()).collect(Collectors.joining(", ")));
    }
    List<Path> files = ScenarioRunner.discover(paths);
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no scenario files (*.yaml, *.yml) under " + paths);
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (Path file : files) {
      tests.add(DynamicTest.dynamicTest(file.getFileName().toString(), file.toUri(), () -> check(ScenarioRunner.run(file, coverage.collector()))));
    }
    if (minimumCoverage >= 0) {
      tests.add(DynamicTest.dynamicTest(String.format(Locale.ROOT, "policy coverage is at least %.1f%%", minimumCoverage), () -> {
        CoverageReport report = coverage.report();
        System.out.print(report.render());
        if (report.percent() < minimumCoverage) {
          throw new AssertionFailedError(String.format(Locale.ROOT, "policy coverage %.1f%% is below %.1f%%:%n%s",
              report.percent(), minimumCoverage, report.render()));
        }
      }));
    }
    return tests.stream();
  }

  /** Fails with the scenario's file, step, expected and got when it did not pass. */
  static void check(ScenarioResult result) {
    if (result.passed()) {
      return;
    }
    ScenarioResult.Failure first = result.failures().get(0);
    throw new AssertionFailedError(result.name() + "\n" + result.describeFailures(), first.expected(), first.got());
  }
}
