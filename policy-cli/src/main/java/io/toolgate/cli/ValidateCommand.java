package io.toolgate.cli;

import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyProblem;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code toolgate validate <policy files...>}: every problem with its location; exit 1 on any. */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Check policy files: print every problem with its location; exit 1 if any file has problems.")
final class ValidateCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "POLICY", description = "policy files (YAML or JSON)")
  private List<String> files;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
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
        problems.forEach(out::println);
        out.println(name + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems"));
      }
    }
    return bad == 0 ? Main.OK : Main.FAILED;
  }
}
