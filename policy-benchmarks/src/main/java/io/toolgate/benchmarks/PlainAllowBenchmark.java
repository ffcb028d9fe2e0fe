package io.toolgate.benchmarks;

import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.PolicyEngine;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A plain allow: an exact tool name, no counters, no conditions, no audit. Goal: at most 50 ns.
 * There is no peer doing the same work; the floor is one allocation of the decision.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PlainAllowBenchmark {
  private PolicyEngine engine;
  private final ToolCall call = ToolCall.of("read_file");
  private final CallContext context = CallContext.of("agent-1");

  @Setup
  public void setUp() {
    engine = PolicyEngine.of(Policies.parse(Policies.PLAIN_ALLOW));
    Checks.allowed(engine.evaluate(call, context));
  }

  @Benchmark
  public Decision toolgate() {
    return engine.evaluate(call, context);
  }
}
