package io.toolgate.scenarios;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The result of running one scenario file.
 *
 * @param file the scenario file
 * @param name the scenario's {@code name}, or the file name when it has none
 * @param failures what went wrong; empty when the scenario passed
 */
public record ScenarioResult(Path file, String name, List<Failure> failures) {
  public ScenarioResult {
    failures = List.copyOf(failures);
  }

  /**
   * One failed expectation.
   *
   * @param step the 1-based step number, or 0 for the scenario as a whole (it could not be read,
   *     or its load errors did not match)
   * @param expected what the scenario expected
   * @param got what happened
   */
  public record Failure(int step, String expected, String got) {
    @Override
    public String toString() {
      return (step > 0 ? "step " + step : "scenario") + ": expected " + expected + ", got " + got;
    }
  }

  public boolean passed() {
    return failures.isEmpty();
  }

  /** One line per failure: {@code file: step N: expected X, got Y}. */
  public String describeFailures() {
    return failures.stream().map(f -> file + ": " + f).collect(Collectors.joining("\n"));
  }
}
