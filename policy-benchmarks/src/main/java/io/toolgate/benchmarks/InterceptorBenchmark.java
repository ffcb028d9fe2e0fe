package io.toolgate.benchmarks;

import io.toolgate.api.AuditSink;
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
 * The full interceptor path, {@code PolicyEngine.call}: evaluate the seed policy, run a no-op
 * tool, commit the reservation, audit to a sink that does nothing (a sink, not {@link
 * AuditSink#NONE}, so the engine takes the audit path: timing, the event, the guard). Beside it,
 * {@code evaluate} alone on an engine without audit, and the cost of one {@link System#nanoTime}
 * read (row {@code Interceptor/nanoTime}, column {@code jdk}): the audit's latency field costs two
 * clock reads. Goal, from the same run: {@code call - evaluate <= 2 x nanoTime + 20 ns}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class InterceptorBenchmark {
  private PolicyEngine evaluating;
  private PolicyEngine intercepting;
  private final ToolCall call = ToolCall.of("create_compile");
  private final CallContext context = CallContext.of("agent-1");
  private volatile boolean audited;

  @Setup
  public void setUp() {
    evaluating = PolicyEngine.of(Policies.parse(Policies.SEED));
    intercepting =
        PolicyEngine.builder(Policies.parse(Policies.SEED)).audit(event -> {}).build();
    Checks.allowed(evaluating.evaluate(call, context));
    Checks.isTrue("ok".equals(intercepting.call(call, context, () -> "ok")), "the tool runs");
    PolicyEngine probe = PolicyEngine.builder(Policies.parse(Policies.SEED)).audit(event -> audited = true).build();
    probe.call(call, context, () -> "ok");
    Checks.isTrue(audited, "the interceptor audits");
  }

  @Benchmark
  public Decision toolgate_evaluate() {
    return evaluating.evaluate(call, context);
  }

  @Benchmark
  public String toolgate_call() {
    return intercepting.call(call, context, () -> "ok", refusal -> "refused");
  }

  @Benchmark
  public long jdk_nanoTime() {
    return System.nanoTime();
  }
}
