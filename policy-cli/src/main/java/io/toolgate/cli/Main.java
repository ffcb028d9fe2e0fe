package io.toolgate.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

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
 *   <li>{@code scan (--command CMD | -- CMD... | --url URL) [-o FILE] [--check POLICY] ...}: writes
 *       a first policy from an MCP server's {@code tools/list}, or reports drift between a policy
 *       and the server (exit 1 on drift); exit 2 when the server cannot be listed.
 *   <li>{@code help [command]}, {@code --help} on every command, {@code --version}, and {@code
 *       generate-completion} (a bash/zsh completion script).
 * </ul>
 *
 * <p>A usage error (unknown command or option, missing or bad argument) exits 2.
 */
@Command(
    name = "toolgate",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Validate Toolgate policies, run scenario files, explain a decision, scan an MCP server for a first policy.",
    subcommands = {
      ValidateCommand.class,
      TestCommand.class,
      ExplainCommand.class,
      ScanCommand.class,
      HelpCommand.class,
      AutoComplete.GenerateCompletion.class
    })
public final class Main implements Runnable {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  @Spec private CommandSpec spec;

  private final PrintStream out;
  private final PrintStream err;

  Main(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    System.exit(new Main(System.out, System.err).run(args));
  }

  /** Runs a command and returns the exit status. */
  int run(String... args) {
    PrintWriter outWriter = new PrintWriter(out, true, StandardCharsets.UTF_8);
    PrintWriter errWriter = new PrintWriter(err, true, StandardCharsets.UTF_8);
    CommandLine commandLine = new CommandLine(this)
        .setOut(outWriter)
        .setErr(errWriter)
        .setParameterExceptionHandler(Main::usageError);
    commandLine.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
    try {
      return commandLine.execute(args);
    } finally {
      outWriter.flush();
      errWriter.flush();
    }
  }

  /** Without a command: the usage, as an error. */
  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing command");
  }

  /** Prints what was wrong and the command's usage to standard error; exit 2. */
  private static int usageError(ParameterException e, String[] args) {
    CommandLine commandLine = e.getCommandLine();
    PrintWriter err = commandLine.getErr();
    err.println(message(e));
    commandLine.usage(err);
    return USAGE;
  }

  private static String message(ParameterException e) {
    if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
      String first = unmatched.getUnmatched().get(0);
      if (first.startsWith("-")) {
        return "unknown option " + first;
      }
      return e.getCommandLine().getParent() == null ? "unknown command \"" + first + "\"" : "unexpected argument \"" + first + "\"";
    }
    return e.getMessage();
  }

  /** The version from the build, e.g. {@code toolgate 0.1.0}. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      Properties properties = new Properties();
      try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          properties.load(in);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new String[] {"toolgate " + properties.getProperty("version", "(unknown version)")};
    }
  }
}
