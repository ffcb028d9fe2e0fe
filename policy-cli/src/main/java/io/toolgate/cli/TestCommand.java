package io.toolgate.cli;

import io.toolgate.scenarios.Coverage;
import io.toolgate.scenarios.CoverageReport;
import io.toolgate.scenarios.ScenarioResult;
import io.toolgate.scenarios.ScenarioRunner;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code toolgate test [--coverage] [--coverage-min P] <files or dirs>}: one line per failure,
 * the coverage report when asked for, then {@code N passed, N failed} as the last line.
 */
@Command(name = "test", mixinStandardHelpOptions = true,
    description = "Run scenario files: one line per failure, then 'N passed, N failed'; exit 1 on any failure,"
        + " or when coverage is below --coverage-min.")
final class TestCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(names = "--coverage", description = "print which policy rules decided a call")
  private boolean coverage;

  @Option(names = "--coverage-min", paramLabel = "PERCENT",
      description = "print the coverage and fail when it is below PERCENT (0 to 100)")
  private String coverageMin;

  @Parameters(arity = "1..*", paramLabel = "SCENARIOS", description = "scenario files, or directories searched for *.yaml and *.yml")
  private List<Path> paths;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    double minimum = coverageMin == null ? -1 : percent(coverageMin);
    List<Path> missing = paths.stream().filter(p -> !Files.exists(p)).toList();
    if (!missing.isEmpty()) {
      spec.commandLine().getErr().println("no such file or directory: " + missing);
      return Main.USAGE;
    }
    Coverage collected = coverage || coverageMin != null ? Coverage.create() : null;
    List<ScenarioResult> results = ScenarioRunner.runAll(paths, collected);
    long failed = results.stream().filter(r -> !r.passed()).count();
    results.stream().filter(r -> !r.passed()).forEach(r -> out.println(r.describeFailures()));
    boolean covered = true;
    if (collected != null) {
      CoverageReport report = collected.report();
      out.print(report.render());
      if (report.percent() < minimum) {
        covered = false;
        out.println(String.format(Locale.ROOT, "coverage %.1f%% is below the minimum %s%%", report.percent(), number(minimum)));
      }
    }
    out.println((results.size() - failed) + " passed, " + failed + " failed");
    return failed == 0 && covered ? Main.OK : Main.FAILED;
  }

  /** {@code 80} or {@code 80%}, from 0 to 100. */
  private double percent(String value) {
    double percent;
    try {
      percent = Double.parseDouble(value.endsWith("%") ? value.substring(0, value.length() - 1) : value);
    } catch (NumberFormatException e) {
      percent = Double.NaN;
    }
    if (!(percent >= 0 && percent <= 100)) {
      throw new ParameterException(spec.commandLine(), "--coverage-min needs a percentage from 0 to 100, not " + value);
    }
    return percent;
  }

  private static String number(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }
}
