package io.toolgate.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.api.CallContext;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Explanation;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.PolicyLoadException;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.internal.Jackson;
import io.toolgate.engine.PolicyProblem;
import io.toolgate.testkit.ScenarioResult;
import io.toolgate.testkit.ScenarioRunner;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
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
 *   <li>{@code explain <policy> <tool> [options]}: decides one call on a fresh engine and prints
 *       the checks that led to the decision; exit 0 when allowed, 1 when refused.
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
          "  test <scenario files or dirs>  run conformance scenarios; exit 1 on any failure",
          "  explain <policy file> <tool> [--args JSON] [--identity ID] [--roles R1,R2] [--session ID]",
          "                                 decide one call and print each check that led to the decision");

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
      case "explain":
        return explain(rest);
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

  private int explain(List<String> args) {
    if (args.size() < 2) {
      err.println("explain needs a policy file and a tool name\n" + USAGE_TEXT);
      return USAGE;
    }
    Path file = Path.of(args.get(0));
    String tool = args.get(1);
    JsonNode arguments = null;
    CallContext context = CallContext.anonymous();
    for (int i = 2; i < args.size(); i += 2) {
      String option = args.get(i);
      if (i + 1 >= args.size()) {
        err.println(option + " needs a value\n" + USAGE_TEXT);
        return USAGE;
      }
      String value = args.get(i + 1);
      switch (option) {
        case "--args":
          try {
            arguments = Jackson.JSON.readTree(value);
          } catch (JsonProcessingException e) {
            err.println("--args is not JSON: " + e.getOriginalMessage());
            return USAGE;
          }
          break;
        case "--identity":
          context = new CallContext(value, context.roles(), context.attributes(), context.sessionId());
          break;
        case "--roles":
          context = context.withRoles(value.split(","));
          break;
        case "--session":
          context = context.withSession(value);
          break;
        default:
          err.println("unknown option " + option + "\n" + USAGE_TEXT);
          return USAGE;
      }
    }
    Policy policy;
    try {
      policy = Policy.load(file);
    } catch (PolicyLoadException e) {
      e.problems().forEach(out::println);
      return FAILED;
    } catch (UncheckedIOException e) {
      err.println(file + ": cannot read: " + e.getCause().getMessage());
      return FAILED;
    }
    PolicyEngine engine = PolicyEngine.builder(policy)
        .approvals(InMemoryApprovalQueue.builder(Clock.systemUTC()).build())
        .build();
    Explanation explanation = engine.explain(ToolCall.of(tool, arguments), context);
    out.print(explanation.render());
    return explanation.decision().isAllowed() ? OK : FAILED;
  }
}
