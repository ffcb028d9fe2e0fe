package io.toolgate.cli;

import io.toolgate.api.AgentText;
import io.toolgate.cli.scan.Drift;
import io.toolgate.cli.scan.RiskClass;
import io.toolgate.cli.scan.ScanException;
import io.toolgate.cli.scan.ScanPolicyWriter;
import io.toolgate.cli.scan.ScannedTool;
import io.toolgate.cli.scan.ServerTools;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyLoadException;
import io.toolgate.engine.ToolGlob;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code toolgate scan}: writes a first policy from an MCP server's own {@code tools/list}, or with
 * {@code --check} reports the drift between a policy and the server (exit 1 on drift).
 */
@Command(name = "scan", mixinStandardHelpOptions = true,
    description = {
      "Write a first policy from an MCP server's tools/list: default deny, one entry per tool with a comment"
          + " naming its risk class (read, write, execute, financial, destructive) and the rule the class recommends.",
      "With --check POLICY: report tools the policy does not mention, entries for tools that are gone, and tools"
          + " whose inputSchema changed since their arguments were taken; exit 1 on drift, 0 when clean.",
      "Exit 2 on a usage error or when the server cannot be listed."},
    usageHelpWidth = 110)
final class ScanCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(names = "--command", paramLabel = "\"CMD ARGS\"",
      description = "the server's stdio command, one string split at spaces (quotes group words)")
  private String command;

  @Parameters(paramLabel = "CMD", description = "after --: the server's stdio command, word by word")
  private List<String> commandWords = new ArrayList<>();

  @Option(names = "--url", paramLabel = "URL", description = "the server's streamable HTTP endpoint, e.g. http://127.0.0.1:8080/mcp")
  private String url;

  @Option(names = "--header", paramLabel = "NAME=VALUE", description = "an HTTP header sent on every request (with --url); repeatable")
  private Map<String, String> headers = new LinkedHashMap<>();

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write the policy to FILE (default: standard output)")
  private Path output;

  @Option(names = "--only", paramLabel = "GLOB", description = "only tools whose name matches; repeatable")
  private List<String> only = new ArrayList<>();

  @Option(names = "--exclude", paramLabel = "GLOB", description = "leave out tools whose name matches; repeatable")
  private List<String> exclude = new ArrayList<>();

  @Option(names = "--approve-destructive", description = "hold destructive tools for approval instead of denying them")
  private boolean approveDestructive;

  @Option(names = "--check", paramLabel = "POLICY", description = "report drift between POLICY and the server instead of writing a policy")
  private Path check;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
      description = "how long to wait for the server to start and for each reply (default: ${DEFAULT-VALUE})")
  private int timeoutSeconds;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ServerTools.Server server = server();
    Predicate<String> inScope = scope();
    if (check != null && (output != null || approveDestructive)) {
      throw new ParameterException(spec.commandLine(), "--check reads a policy: -o and --approve-destructive do not apply");
    }
    Policy policy = null;
    if (check != null) {
      try {
        policy = Policy.load(check);
      } catch (PolicyLoadException e) {
        e.problems().forEach(err::println);
        err.println(check + ": does not load; nothing checked");
        return Main.USAGE;
      } catch (UncheckedIOException e) {
        err.println(check + ": cannot read: " + e.getCause().getMessage());
        return Main.USAGE;
      }
    }
    List<ScannedTool> tools;
    try {
      tools = ServerTools.list(server, Duration.ofSeconds(timeoutSeconds));
    } catch (ScanException e) {
      err.println("toolgate scan: " + e.getMessage());
      return Main.USAGE;
    }
    if (policy != null) {
      List<String> drift = Drift.find(policy, tools, inScope);
      drift.forEach(out::println);
      long count = tools.stream().map(ScannedTool::name).filter(inScope).distinct().count();
      out.println(drift.isEmpty()
          ? "no drift: " + count + " tools listed, all in " + check
          : "drift: " + drift.size() + (drift.size() == 1 ? " finding" : " findings") + " between " + check + " and the server");
      return drift.isEmpty() ? Main.OK : Main.FAILED;
    }
    ScanPolicyWriter.Written written;
    try {
      written = ScanPolicyWriter.write(tools.stream().filter(t -> inScope.test(t.name())).toList(), approveDestructive);
    } catch (ScanException e) {
      err.println("toolgate scan: " + e.getMessage());
      return Main.USAGE;
    }
    written.skipped().forEach(name -> err.println("left out, default deny refuses it: " + name));
    if (output == null) {
      out.print(written.yaml());
      out.flush(); // the policy before the summary, where both go to one terminal
      err.println(summary(written));
      return Main.OK;
    }
    try {
      Files.writeString(output, written.yaml(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      err.println(output + ": cannot write: " + e.getMessage());
      return Main.USAGE;
    }
    out.println(output + ": " + summary(written));
    return Main.OK;
  }

  private static String summary(ScanPolicyWriter.Written written) {
    Map<RiskClass, Integer> counts = new EnumMap<>(RiskClass.class);
    written.entries().forEach(e -> counts.merge(e.classification().risk(), 1, Integer::sum));
    List<String> parts = new ArrayList<>();
    counts.forEach((risk, n) -> parts.add(n + " " + risk.label()));
    return written.entries().size() + (written.entries().size() == 1 ? " tool" : " tools")
        + (parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")");
  }

  private ServerTools.Server server() {
    int given = (command != null ? 1 : 0) + (commandWords.isEmpty() ? 0 : 1) + (url != null ? 1 : 0);
    if (given != 1) {
      throw new ParameterException(spec.commandLine(), "name the server once: --command \"CMD ARGS\", -- CMD ARGS, or --url URL");
    }
    if (url == null && !headers.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--header applies to --url only");
    }
    if (timeoutSeconds < 1) {
      throw new ParameterException(spec.commandLine(), "--timeout needs a number of seconds of at least 1");
    }
    if (url != null) {
      try {
        URI uri = new URI(url);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getRawAuthority() == null) {
          throw new ParameterException(spec.commandLine(), "--url needs an http or https URL, e.g. http://127.0.0.1:8080/mcp");
        }
        return new ServerTools.Url(uri, headers);
      } catch (URISyntaxException e) {
        throw new ParameterException(spec.commandLine(), "--url is not a URL: " + AgentText.excerpt(e.getMessage()));
      }
    }
    List<String> words = command != null ? words(command) : commandWords;
    if (words.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--command is empty");
    }
    return new ServerTools.Command(words);
  }

  private Predicate<String> scope() {
    List<ToolGlob> onlyGlobs = globs("--only", only);
    List<ToolGlob> excludeGlobs = globs("--exclude", exclude);
    return name -> (onlyGlobs.isEmpty() || onlyGlobs.stream().anyMatch(g -> g.matches(name)))
        && excludeGlobs.stream().noneMatch(g -> g.matches(name));
  }

  private List<ToolGlob> globs(String option, List<String> patterns) {
    List<ToolGlob> globs = new ArrayList<>();
    for (String pattern : patterns) {
      try {
        globs.add(ToolGlob.compile(pattern));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), option + " " + pattern + ": " + e.getMessage());
      }
    }
    return globs;
  }

  /** Splits a command line at unquoted spaces; single or double quotes group words and are removed. */
  static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }
}
