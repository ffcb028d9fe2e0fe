package io.toolgate.benchmarks;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.toolgate.api.CallContext;
import io.toolgate.api.CallObservation;
import io.toolgate.api.CallObserver;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Guarded;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.micrometer.ToolgateMetrics;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What observing a call costs: one decision with no observer ({@code none}: the plain path), with
 * an observer that records nothing ({@code noop}: the engine's own cost of reporting to an
 * observer), and with {@link ToolgateMetrics} on a Prometheus registry ({@code micrometer}, its
 * default settings: no histogram). Rows: a plain allow ({@code evaluate}, no counters), the seed
 * policy's one-limit allow ({@code evaluate}), and the same call through the interceptor ({@code
 * guard}, a tool that returns at once), where the run is also timed. Goal: Micrometer adds tens of
 * nanoseconds to {@code none} and no allocation to {@code noop}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ObserverBenchmark {
  /** An observer that watches every call and records nothing. */
  static final CallObserver NOOP = (call, context) -> new CallObservation() {};

  @Param({"none", "noop", "micrometer"})
  public String observer;

  private PolicyEngine plain;
  private PolicyEngine seed;
  private final ToolCall read = ToolCall.of("read_file");
  private final ToolCall compile = ToolCall.of("create_compile");
  private final CallContext context = CallContext.of("agent-1");

  @Setup
  public void setUp() {
    plain = engine(Policies.PLAIN_ALLOW);
    seed = engine(Policies.SEED);
    Checks.allowed(plain.evaluate(read, context));
    Checks.allowed(seed.evaluate(compile, context));
  }

  private PolicyEngine engine(String policy) {
    PolicyEngine.Builder b = PolicyEngine.builder(Policies.parse(policy));
    ToolgateMetrics metrics = null;
    switch (observer) {
      case "none" -> { }
      case "noop" -> b.observe(NOOP);
      case "micrometer" -> {
        metrics = ToolgateMetrics.builder(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).build();
        b.observe(metrics);
      }
      default -> throw new IllegalArgumentException("unknown observer " + observer);
    }
    PolicyEngine engine = b.build();
    if (metrics != null) {
      metrics.bindTo(engine);
    }
    return engine;
  }

  @Benchmark
  public Decision toolgate_plainAllow() {
    return plain.evaluate(read, context);
  }

  @Benchmark
  public Decision toolgate_seedAllow() {
    return seed.evaluate(compile, context);
  }

  @Benchmark
  public Guarded<String> toolgate_seedGuard() {
    return seed.guard(compile, context, () -> "ok");
  }
}
