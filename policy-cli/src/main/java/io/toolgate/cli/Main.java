package io.toolgate.cli;

import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyProblem;
import io.toolgate.testkit.ScenarioResult;
import io.toolgate.testkit.ScenarioRunner;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code java -jar toolgate.jar <command> ...}:
 *
 * <ul>
 *   <li>{@code validate <policy files>}: prints every problem with its location; exit 1 on any.
 *   <li>{@code test <files or dirs>}: runs scenario files; one line per failure, then {@code N
 *       passed, N failed}; exit 1 on any failure.
 * </ul>
 */
public final class Main {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  private static final String USAGE_TEXT =
      String.join(
          "\n",
          "usage: toolgate <command> [args]",
          "  validate <policy files...>     check policy files; exit 1 if any has problems",
          "  test <scenario files or dirs>  run conformance scenarios; exit 1 on any failure");

  private final PrintStream out;
  private final PrintStream err;

  Main(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    System.exit(new Main(System.out, System.err).run(args));
  }

  /** Runs a command and returns the exit status. */
  int run(String... args) {
    if (args.length == 0) {
      err.println(USAGE_TEXT);
      return USAGE;
    }
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    switch (args[0]) {
      case "validate":
        return validate(rest);
      case "test":
        return test(rest);
      case "-h":
      case "--help":
      case "help":
        out.println(USAGE_TEXT);
        return OK;
      default:
        err.println("unknown command \"" + args[0] + "\"\n" + USAGE_TEXT);
        return USAGE;
    }
  }

  private int validate(List<String> files) {
    if (files.isEmpty()) {
      err.println("validate needs at least one policy file\n" + USAGE_TEXT);
      return USAGE;
    }
    int bad = 0;
    for (String name : files) {
      Path file = Path.of(name);
      List<PolicyProblem> problems;
      try {
        problems = Policy.check(file);
      } catch (UncheckedIOException e) {
        err.println(name + ": cannot read: " + e.getCause().getMessage());
        bad++;
        continue;
      }
      if (problems.isEmpty()) {
        out.println(name + ": ok");
      } else {
        bad++;
        problems.forEach(p -> out.println(p));
        out.println(name + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems"));
      }
    }
    return bad == 0 ? OK : FAILED;
  }

  private int test(List<String> paths) {
    if (paths.isEmpty()) {
      err.println("test needs scenario files or directories\n" + USAGE_TEXT);
      return USAGE;
    }
    List<Path> missing = paths.stream().map(Path::of).filter(p -> !Files.exists(p)).collect(Collectors.toList());
    if (!missing.isEmpty()) {
      err.println("no such file or directory: " + missing);
      return USAGE;
    }
    List<ScenarioResult> results = ScenarioRunner.runAll(paths.stream().map(Path::of).collect(Collectors.toList()));
    long failed = results.stream().filter(r -> !r.passed()).count();
    results.stream().filter(r -> !r.passed()).forEach(r -> out.println(r.describeFailures()));
    out.println((results.size() - failed) + " passed, " + failed + " failed");
    return failed == 0 ? OK : FAILED;
  }
}
