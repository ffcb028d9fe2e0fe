package io.toolgate.benchmarks;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.toolgate.api.CallContext;
import io.toolgate.api.CallEnvelope;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.opentelemetry.OpenTelemetryObserver;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What tracing adds to one decision ({@code evaluate}) of the seed policy or a plain allow: no
 * observer (the engine's plain path), {@link OpenTelemetryObserver} over {@link
 * OpenTelemetry#noop()} (spans that record nothing), and over the SDK (every span sampled and
 * ended into an exporter that drops it); and, on the SDK, a call as {@code McpToolGuard} hands it
 * over: a server envelope whose {@code traceparent} parents the span, plus the {@code
 * mcp.server.operation.duration} histogram.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TracingBenchmark {
  @Param({"seed", "plain"})
  public String policy;

  private OpenTelemetrySdk sdk;
  private PolicyEngine none;
  private PolicyEngine noop;
  private PolicyEngine traced;
  private ToolCall call;
  private ToolCall received;
  private final CallContext context = CallContext.of("agent-1");

  @Setup
  public void setUp() {
    String text = "seed".equals(policy) ? Policies.SEED : Policies.PLAIN_ALLOW;
    String tool = "seed".equals(policy) ? "create_compile" : "read_file";
    call = ToolCall.of(tool);
    received = ToolCall.of(tool).withEnvelope(new Received(
        Map.of("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")));
    sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(new Dropping())).build())
        .setMeterProvider(SdkMeterProvider.builder().build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
    none = PolicyEngine.of(Policies.parse(text));
    noop = PolicyEngine.builder(Policies.parse(text)).observe(OpenTelemetryObserver.create(OpenTelemetry.noop())).build();
    traced = PolicyEngine.builder(Policies.parse(text)).observe(OpenTelemetryObserver.create(sdk)).build();
    for (PolicyEngine engine : new PolicyEngine[] {none, noop, traced}) {
      Checks.allowed(engine.evaluate(call, context));
    }
    Checks.allowed(traced.evaluate(received, context));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    sdk.close();
  }

  @Benchmark
  public Decision toolgate_noObserver() {
    return none.evaluate(call, context);
  }

  @Benchmark
  public Decision toolgate_otelNoop() {
    return noop.evaluate(call, context);
  }

  @Benchmark
  public Decision toolgate_otelSdk() {
    return traced.evaluate(call, context);
  }

  @Benchmark
  public Decision toolgate_otelSdkMcpServer() {
    return traced.evaluate(received, context);
  }

  /** The envelope of a call a server received with a trace context in its metadata. */
  private record Received(Map<String, String> meta) implements CallEnvelope {
    @Override
    public Side side() {
      return Side.SERVER;
    }

    @Override
    public String method() {
      return "tools/call";
    }

    @Override
    public String metadata(String key) {
      return meta.get(key);
    }

    @Override
    public Iterable<String> metadataKeys() {
      return meta.keySet();
    }
  }

  /** An exporter that drops every span: the SDK's cost without an exporter's. */
  private static final class Dropping implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
