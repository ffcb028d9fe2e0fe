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
import io.toolgate.testkit.CoverageReport;
import io.toolgate.testkit.PolicyCoverage;
import io.toolgate.testkit.ScenarioResult;
import io.toolgate.testkit.ScenarioRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * {@code java -jar toolgate.jar <command> ...}:
 *
 * <ul>
 *   <li>{@code validate <policy files>}: prints every problem with its location; exit 1 on any.
 *   <li>{@code test [--coverage] [--coverage-min P] <files or dirs>}: runs scenario files; one
 *       line per failure, then (with {@code --coverage} or {@code --coverage-min}) the policy
 *       coverage report, then {@code N passed, N failed} as the last line; exit 1 on any failure
 *       or when coverage is below {@code P} percent.
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
          "  test [--coverage] [--coverage-min PERCENT] <scenario files or dirs>",
          "                                 run scenarios; exit 1 on any failure; --coverage prints which",
          "                                 policy rules decided a call; --coverage-min also fails below PERCENT",
          "  explain <policy file> <tool> [--args JSON | --args-file FILE] [--identity ID] [--roles R1,R2]",
          "                               [--session ID] [--attributes JSON]",
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

  private int test(List<String> args) {
    boolean coverage = false;
    double minimum = -1;
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--coverage")) {
        coverage = true;
      } else if (arg.equals("--coverage-min") || arg.startsWith("--coverage-min=")) {
        String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : i + 1 < args.size() ? args.get(++i) : null;
        try {
          minimum = Double.parseDouble(value == null ? "" : value.endsWith("%") ? value.substring(0, value.length() - 1) : value);
        } catch (NumberFormatException e) {
          minimum = Double.NaN;
        }
        if (!(minimum >= 0 && minimum <= 100)) {
          err.println("--coverage-min needs a percentage from 0 to 100, not " + value + "\n" + USAGE_TEXT);
          return USAGE;
        }
        coverage = true;
      } else if (arg.startsWith("--")) {
        err.println("unknown option " + arg + "\n" + USAGE_TEXT);
        return USAGE;
      } else {
        paths.add(arg);
      }
    }
    if (paths.isEmpty()) {
      err.println("test needs scenario files or directories\n" + USAGE_TEXT);
      return USAGE;
    }
    List<Path> missing = paths.stream().map(Path::of).filter(p -> !Files.exists(p)).collect(Collectors.toList());
    if (!missing.isEmpty()) {
      err.println("no such file or directory: " + missing);
      return USAGE;
    }
    PolicyCoverage collected = coverage ? PolicyCoverage.create() : null;
    List<ScenarioResult> results = ScenarioRunner.runAll(paths.stream().map(Path::of).collect(Collectors.toList()), collected);
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
    return failed == 0 && covered ? OK : FAILED;
  }

  private static String number(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
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
        case "--args-file":
          try {
            String text = Files.readString(Path.of(value));
            arguments = (text.stripLeading().startsWith("{") ? Jackson.JSON : Jackson.YAML).readTree(text);
          } catch (JsonProcessingException e) {
            err.println("--args-file " + value + " is not JSON or YAML: " + e.getOriginalMessage());
            return USAGE;
          } catch (IOException e) {
            err.println("--args-file " + value + ": cannot read: " + e.getMessage());
            return USAGE;
          }
          break;
        case "--attributes":
          try {
            JsonNode attributes = Jackson.JSON.readTree(value);
            if (attributes == null || !attributes.isObject()) {
              err.println("--attributes must be a JSON object, e.g. {\"team\": \"red\"}");
              return USAGE;
            }
            context = context.withAttributes(Jackson.JSON.convertValue(attributes,
                Jackson.JSON.getTypeFactory().constructMapType(Map.class, String.class, Object.class)));
          } catch (JsonProcessingException e) {
            err.println("--attributes is not JSON: " + e.getOriginalMessage());
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
    ToolCall call = ToolCall.of(tool, arguments);
    Explanation explanation = engine.explain(call, context);
    out.println("call " + describe(call, context));
    out.print(explanation.render());
    return explanation.decision().isAllowed() ? OK : FAILED;
  }

  /** The call in one line: tool, arguments and who calls. */
  private static String describe(ToolCall call, CallContext context) {
    StringBuilder out = new StringBuilder().append('"').append(call.tool()).append("\" ").append(call.arguments());
    out.append(" as ").append(context.principal() == null ? "an anonymous caller" : context.principal());
    if (!context.roles().isEmpty()) {
      out.append(", roles ").append(new TreeSet<>(context.roles()));
    }
    if (!context.attributes().isEmpty()) {
      out.append(", attributes ").append(context.attributes());
    }
    if (context.sessionId() != null) {
      out.append(", session ").append(context.sessionId());
    }
    return out.toString();
  }
}
