package io.toolgate.benchmarks;

import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.PolicyEngine;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cost of a decision against policies of 1, 100 and 10,000 tool entries, half exact names and
 * half globs. {@code match=exact} calls a tool its own exact key allows; {@code match=glob} calls
 * one that only a glob key ({@code read_*}) allows. Goal: within 1.2 x of each other per match.
 * The differences are small, so these rows run with 4 forks ({@code run.sh} runs them apart from
 * the rest of the suite in its full mode; a {@code -f} given on the command line wins over the
 * annotation).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(PolicySizeBenchmark.FORKS)
public class PolicySizeBenchmark {
  /** Forks of these rows in a full run. */
  public static final int FORKS = 4;

  @Param({"1", "100", "10000"})
  public int entries;

  @Param({"exact", "glob"})
  public String match;

  private PolicyEngine engine;
  private ToolCall call;
  private final CallContext context = CallContext.of("agent-1");

  @Setup
  public void setUp() {
    engine = PolicyEngine.of(Policies.parse(policy(entries, match)));
    call = ToolCall.of(match.equals("exact") ? "read_0" : "read_report");
    Checks.allowed(engine.evaluate(call, context));
  }

  /** {@code entries} keys: the one the call matches, then exact names and globs in turn. */
  static String policy(int entries, String match) {
    StringBuilder tools = new StringBuilder(match.equals("exact") ? "\"read_0\":{}" : "\"read_*\":{}");
    for (int i = 1; i < entries; i++) {
      tools.append(',').append(i % 2 == 0 ? "\"tool_" + i + "\":{}" : "\"group_" + i + "_*\":{}");
    }
    return "{\"version\":\"1\",\"default\":\"deny\",\"tools\":{" + tools + "}}";
  }

  @Benchmark
  public Decision toolgate() {
    return engine.evaluate(call, context);
  }
}
