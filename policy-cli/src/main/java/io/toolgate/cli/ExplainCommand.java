package io.toolgate.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.toolgate.api.CallContext;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Explanation;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyDocuments;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.PolicyLoadException;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.scenarios.TestEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code toolgate explain <policy> <tool> [options]}: decides one call on a fresh engine and
 * prints each check that led to the decision; exit 0 when allowed, 1 when refused.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
    description = "Decide one call on a fresh engine and print each check that led to the decision; exit 0 when"
        + " allowed, 1 when refused.")
final class ExplainCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = PolicyDocuments.jsonMapper();

  @Spec private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "POLICY", description = "the policy file")
  private Path policyFile;

  @Parameters(index = "1", paramLabel = "TOOL", description = "the tool's name")
  private String tool;

  @ArgGroup(exclusive = true)
  private Arguments arguments;

  @Option(names = "--identity", paramLabel = "ID", description = "the caller's principal id")
  private String identity;

  @Option(names = "--roles", paramLabel = "R1,R2", split = ",", description = "the caller's roles")
  private String[] roles;

  @Option(names = "--session", paramLabel = "ID", description = "the session id")
  private String session;

  @Option(names = "--attributes", paramLabel = "JSON", description = "the caller's attributes, a JSON object")
  private String attributes;

  /** {@code --args} or {@code --args-file}, not both. */
  static final class Arguments {
    @Option(names = "--args", paramLabel = "JSON", description = "the call's arguments as JSON")
    String json;

    @Option(names = "--args-file", paramLabel = "FILE", description = "a file with the call's arguments, JSON or YAML")
    Path file;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    JsonNode args;
    CallContext context = CallContext.of(identity);
    try {
      args = arguments();
      if (attributes != null) {
        JsonNode node = JSON.readTree(attributes);
        if (node == null || !node.isObject()) {
          err.println("--attributes must be a JSON object, e.g. {\"team\": \"red\"}");
          return Main.USAGE;
        }
        context = context.withAttributes(JSON.convertValue(node,
            JSON.getTypeFactory().constructMapType(Map.class, String.class, Object.class)));
      }
    } catch (UsageProblem e) {
      err.println(e.getMessage());
      return Main.USAGE;
    } catch (JsonProcessingException e) {
      err.println("--attributes is not JSON: " + e.getOriginalMessage());
      return Main.USAGE;
    }
    if (roles != null) {
      context = context.withRoles(roles);
    }
    if (session != null) {
      context = context.withSession(session);
    }
    Policy policy;
    try {
      policy = Policy.load(policyFile);
    } catch (PolicyLoadException e) {
      e.problems().forEach(out::println);
      return Main.FAILED;
    } catch (UncheckedIOException e) {
      err.println(policyFile + ": cannot read: " + e.getCause().getMessage());
      return Main.FAILED;
    }
    PolicyEngine engine = PolicyEngine.builder(policy)
        .approvals(InMemoryApprovalQueue.builder(Clock.systemUTC()).build())
        .build();
    ToolCall call = ToolCall.of(tool, args);
    Explanation explanation = engine.explain(call, context);
    out.println("call " + TestEngine.describe(call, context, null, false));
    out.print(explanation.render());
    return explanation.decision().isAllowed() ? Main.OK : Main.FAILED;
  }

  /** The call's arguments from {@code --args} or {@code --args-file}; {@code null} without either. */
  private JsonNode arguments() {
    if (arguments == null) {
      return null;
    }
    if (arguments.json != null) {
      try {
        return JSON.readTree(arguments.json);
      } catch (JsonProcessingException e) {
        throw new UsageProblem("--args is not JSON: " + e.getOriginalMessage());
      }
    }
    try {
      String text = Files.readString(arguments.file);
      return PolicyDocuments.readTree(text);
    } catch (JsonProcessingException e) {
      throw new UsageProblem("--args-file " + arguments.file + " is not JSON or YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UsageProblem("--args-file " + arguments.file + ": cannot read: " + e.getMessage());
    }
  }

  /** An option value that cannot be used; exit 2 with its message. */
  private static final class UsageProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageProblem(String message) {
      super(message, null, false, false);
    }
  }
}
