package io.toolgate.examples.quickstart;

import io.toolgate.api.CallContext;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;

/**
 * The quick start in plain Java: a tool invoker, wrapped by one interceptor call. An agent asks
 * for twelve compiles and one project deletion; the policy ({@code policy.yaml} beside this class)
 * allows ten compiles a minute and no deletions.
 *
 * <p>Run: {@code java -cp examples/target/toolgate-demo.jar io.toolgate.examples.quickstart.QuickStart}
 */
public final class QuickStart {
  private QuickStart() {}

  /** A stand-in for the real tool. */
  static final class Compiler {
    private int compiles;

    String compile(int projectId) {
      compiles++;
      return "compiled project " + projectId + " (compile " + compiles + ")";
    }

    int compiles() {
      return compiles;
    }
  }

  public static void main(String[] args) {
    run(System.out, Clock.systemUTC());
  }

  /**
   * Runs the example, printing one line per call; returns how often the real tool ran. The clock
   * is the engine's (windows are read from it).
   */
  public static int run(PrintStream out, Clock clock) {
    PolicyEngine engine =
        PolicyEngine.builder(Policy.fromResource("io/toolgate/examples/quickstart/policy.yaml"))
            .clock(clock)
            .build();
    Compiler compiler = new Compiler();
    CallContext agent = CallContext.of("agent-1");

    for (int i = 1; i <= 12; i++) {
      String result =
          engine.call(
              ToolCall.of("create_compile", Map.of("projectId", 7)),
              agent,
              () -> compiler.compile(7), // runs only if the policy allows the call
              refusal -> "error: " + refusal.reason()); // what the agent reads otherwise
      out.println(i + ". " + result);
    }
    String deleted =
        engine.call(
            ToolCall.of("delete_project", Map.of("projectId", 7)),
            agent,
            () -> "deleted project 7",
            refusal -> "error: " + refusal.reason());
    out.println("13. " + deleted);
    return compiler.compiles();
  }
}
