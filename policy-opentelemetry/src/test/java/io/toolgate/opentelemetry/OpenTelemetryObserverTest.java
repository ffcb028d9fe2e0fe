package io.toolgate.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.toolgate.api.CallContext;
import io.toolgate.api.CallEnvelope;
import io.toolgate.api.PolicyViolationException;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Spans and MCP operation durations of calls decided by an engine observed by the SDK. */
class OpenTelemetryObserverTest {
  private static final String POLICY = String.join("\n",
      "version: '1'",
      "tools:",
      "  create_compile:",
      "    limits: [{counter: compiles, max: 1, window: minute}]",
      "  read_file: {}",
      "  'read_*': {}",
      "  delete_project: {action: deny, reason: never delete projects}",
      "  pay: {action: require_approval}",
      "");
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T10:00:30Z"), ZoneOffset.UTC);
  private static final CallContext AGENT = CallContext.of("agent-1");
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String PARENT_ID = "00f067aa0ba902b7";

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
  private final OpenTelemetrySdk sdk =
      OpenTelemetrySdk.builder()
          .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
          .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
          .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
          .build();

  @AfterEach
  void close() {
    sdk.close();
  }

  private PolicyEngine engine(OpenTelemetryObserver observer) {
    return PolicyEngine.builder(Policy.parse(POLICY))
        .observe(observer)
        .approvals(InMemoryApprovalQueue.builder(CLOCK).build())
        .clock(CLOCK)
        .build();
  }

  private PolicyEngine engine() {
    return engine(OpenTelemetryObserver.create(sdk));
  }

  private SpanData onlySpan() {
    assertThat(spans.getFinishedSpanItems()).hasSize(1);
    return spans.getFinishedSpanItems().get(0);
  }

  private static String attr(SpanData span, String key) {
    return span.getAttributes().get(AttributeKey.stringKey(key));
  }

  @Test
  void anAllowedCallMadeThroughTheEngineIsAnInternalExecuteToolSpan() {
    assertThat(engine().call(ToolCall.of("create_compile"), AGENT, () -> "done")).isEqualTo("done");

    SpanData span = onlySpan();
    assertThat(span.getName()).isEqualTo("execute_tool create_compile");
    assertThat(span.getKind()).isEqualTo(SpanKind.INTERNAL);
    assertThat(attr(span, "gen_ai.tool.name")).isEqualTo("create_compile");
    assertThat(attr(span, "gen_ai.operation.name")).isEqualTo("execute_tool");
    assertThat(attr(span, "toolgate.decision")).isEqualTo("allow");
    assertThat(attr(span, "toolgate.rule")).isEqualTo("/tools/create_compile");
    assertThat(attr(span, "mcp.method.name")).isNull();
    assertThat(attr(span, "error.type")).isNull();
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(span.getEvents()).isEmpty();
    assertThat(span.getParentSpanContext().isValid()).isFalse();
    assertThat(metrics.collectAllMetrics()).as("no MCP metric for a direct call").isEmpty();
  }

  @Test
  void spansTheToolStartsAreChildrenOfTheCallsSpan() {
    PolicyEngine engine = engine();
    engine.call(ToolCall.of("create_compile"), AGENT, () -> {
      sdk.getTracer("tool").spanBuilder("compile project").startSpan().end();
      return "done";
    });
    engine.callAsync(ToolCall.of("read_project"), AGENT, () -> {
      sdk.getTracer("tool").spanBuilder("read files").startSpan().end();
      return java.util.concurrent.CompletableFuture.completedFuture("read");
    }).toCompletableFuture().join();
    sdk.getTracer("tool").spanBuilder("after the calls").startSpan().end();

    java.util.Map<String, SpanData> byName = new java.util.HashMap<>();
    spans.getFinishedSpanItems().forEach(s -> byName.put(s.getName(), s));
    assertThat(byName.get("compile project").getParentSpanId())
        .isEqualTo(byName.get("execute_tool create_compile").getSpanId());
    assertThat(byName.get("read files").getParentSpanId())
        .isEqualTo(byName.get("execute_tool read_project").getSpanId());
    assertThat(byName.get("after the calls").getParentSpanContext().isValid())
        .as("the scope is closed once the tool returned").isFalse();
  }

  @Test
  void aRateLimitedCallNamesItsCounterAndRetryAfterAndCarriesARefusalEvent() {
    PolicyEngine engine = engine();
    engine.call(ToolCall.of("create_compile"), AGENT, () -> "first");
    assertThatThrownBy(() -> engine.call(ToolCall.of("create_compile"), AGENT, () -> "second"))
        .isInstanceOf(PolicyViolationException.class);

    SpanData span = spans.getFinishedSpanItems().get(1);
    assertThat(attr(span, "toolgate.decision")).isEqualTo("rate_limited");
    assertThat(attr(span, "toolgate.rule")).isEqualTo("/tools/create_compile/limits/0");
    assertThat(attr(span, "toolgate.counter")).isEqualTo("compiles");
    assertThat(span.getAttributes().get(AttributeKey.longKey("toolgate.retry_after_ms"))).isEqualTo(30_000L);
    assertThat(span.getStatus().getStatusCode()).as("a refusal is not an error").isEqualTo(StatusCode.UNSET);
    EventData event = span.getEvents().get(0);
    assertThat(event.getName()).isEqualTo("toolgate.refusal");
    assertThat(event.getAttributes().get(AttributeKey.stringKey("toolgate.decision"))).isEqualTo("rate_limited");
    assertThat(event.getAttributes().get(AttributeKey.stringKey("toolgate.reason"))).contains("compiles");
  }

  @Test
  void aDeniedCallsEventCarriesTheReason() {
    assertThatThrownBy(() -> engine().call(ToolCall.of("delete_project"), AGENT, () -> "ran"))
        .isInstanceOf(PolicyViolationException.class);

    SpanData span = onlySpan();
    assertThat(attr(span, "toolgate.decision")).isEqualTo("deny");
    assertThat(attr(span, "toolgate.rule")).isEqualTo("/tools/delete_project");
    assertThat(span.getEvents()).singleElement().satisfies(event -> {
      assertThat(event.getName()).isEqualTo("toolgate.refusal");
      assertThat(event.getAttributes().get(AttributeKey.stringKey("toolgate.reason"))).contains("never delete projects");
    });
  }

  @Test
  void aHeldCallNamesItsApprovalId() {
    assertThatThrownBy(() -> engine().call(ToolCall.of("pay"), AGENT, () -> "ran"))
        .isInstanceOf(PolicyViolationException.class);

    SpanData span = onlySpan();
    assertThat(attr(span, "toolgate.decision")).isEqualTo("approval_required");
    assertThat(attr(span, "toolgate.approval_id")).isNotBlank();
  }

  @Test
  void aCallAllowedOnAnApprovalNamesTheApprovalItUsed() {
    InMemoryApprovalQueue queue = InMemoryApprovalQueue.builder(CLOCK).build();
    PolicyEngine engine = PolicyEngine.builder(Policy.parse(POLICY))
        .observe(OpenTelemetryObserver.create(sdk)).approvals(queue).clock(CLOCK).build();
    assertThatThrownBy(() -> engine.call(ToolCall.of("pay"), AGENT, () -> "ran"))
        .isInstanceOf(PolicyViolationException.class);
    String pending = attr(onlySpan(), "toolgate.approval_id");
    assertThat(queue.approve(pending, "alice")).isTrue();
    spans.reset();

    assertThat(engine.call(ToolCall.of("pay"), AGENT, () -> "paid")).isEqualTo("paid");
    SpanData allowed = onlySpan();
    assertThat(attr(allowed, "toolgate.decision")).isEqualTo("allow");
    assertThat(attr(allowed, "toolgate.approval_id")).isEqualTo(pending);
    spans.reset();

    engine.call(ToolCall.of("read_file"), AGENT, () -> "read");
    assertThat(attr(onlySpan(), "toolgate.approval_id")).as("no approval used").isNull();
  }

  @Test
  void aToolThatThrowsSetsErrorTypeToTheExceptionClassAndStatusError() {
    assertThatThrownBy(() -> engine().call(ToolCall.of("read_file"), AGENT, () -> {
      throw new IllegalStateException("disk gone");
    })).isInstanceOf(IllegalStateException.class);

    SpanData span = onlySpan();
    assertThat(attr(span, "toolgate.decision")).isEqualTo("allow");
    assertThat(attr(span, "error.type")).isEqualTo("java.lang.IllegalStateException");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
  }

  @Test
  void aToolWhoseResultCountsAsFailedSetsErrorTypeToolError() {
    engine().call(ToolCall.of("read_file"), AGENT, () -> "isError", d -> "refused", result -> true);

    SpanData span = onlySpan();
    assertThat(attr(span, "error.type")).isEqualTo("tool_error");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
  }

  @Test
  void theAsynchronousPathGivesTheSameSpan() throws Exception {
    engine().callAsync(ToolCall.of("create_compile"), AGENT, () -> java.util.concurrent.CompletableFuture.completedFuture("ok"))
        .toCompletableFuture().get(20, java.util.concurrent.TimeUnit.SECONDS);

    SpanData span = onlySpan();
    assertThat(span.getName()).isEqualTo("execute_tool create_compile");
    assertThat(attr(span, "toolgate.decision")).isEqualTo("allow");
  }

  @Test
  void theKindOfDirectCallsIsConfigurable() {
    engine(OpenTelemetryObserver.builder(sdk).internalSpanKind(SpanKind.SERVER).build())
        .call(ToolCall.of("read_file"), AGENT, () -> "ok");

    assertThat(onlySpan().getKind()).isEqualTo(SpanKind.SERVER);
  }

  @Test
  void aLongOrHostileToolNameIsQuotedAsAnExcerpt() {
    String name = "evil\nname" + "x".repeat(500);
    assertThatThrownBy(() -> engine().call(ToolCall.of(name), AGENT, () -> "ran"))
        .isInstanceOf(PolicyViolationException.class);

    SpanData span = onlySpan();
    assertThat(attr(span, "gen_ai.tool.name")).startsWith("evil?name").hasSizeLessThan(160).doesNotContain("\n");
    assertThat(span.getName()).hasSizeLessThan(180).doesNotContain("\n");
  }

  @Test
  void aReceivedCallIsAServerSpanParentedOnTheTraceparentInItsMetadata() {
    Map<String, String> meta = Map.of("traceparent", "00-" + TRACE_ID + "-" + PARENT_ID + "-01", "progressToken", "7");
    engine().call(ToolCall.of("create_compile").withEnvelope(new Received(meta)), AGENT, () -> "ok");

    SpanData span = onlySpan();
    assertThat(span.getName()).isEqualTo("tools/call create_compile");
    assertThat(span.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(span.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(span.getParentSpanId()).isEqualTo(PARENT_ID);
    assertThat(span.getParentSpanContext().isRemote()).isTrue();
    assertThat(attr(span, "mcp.method.name")).isEqualTo("tools/call");
    assertThat(attr(span, "mcp.session.id")).isEqualTo("session-1");
  }

  @Test
  void aReceivedCallWithoutTraceContextStartsANewTrace() {
    engine().call(ToolCall.of("create_compile").withEnvelope(new Received(Map.of())), AGENT, () -> "ok");

    assertThat(onlySpan().getParentSpanContext().isValid()).isFalse();
  }

  @Test
  void aCallAboutToBeSentIsAClientSpanWhoseContextIsWrittenIntoItsMetadata() {
    Sent envelope = new Sent();
    engine().call(ToolCall.of("create_compile").withEnvelope(envelope), AGENT, () -> "ok");

    SpanData span = onlySpan();
    assertThat(span.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(span.getName()).isEqualTo("tools/call create_compile");
    assertThat(attr(span, "jsonrpc.request.id")).isEqualTo("42");
    assertThat(envelope.added.get("traceparent")).startsWith("00-" + span.getTraceId() + "-" + span.getSpanId() + "-");
  }

  @Test
  void withTheNoopOpenTelemetryNothingIsWrittenIntoTheMetadata() {
    Sent envelope = new Sent();
    engine(OpenTelemetryObserver.create(OpenTelemetry.noop()))
        .call(ToolCall.of("create_compile").withEnvelope(envelope), AGENT, () -> "ok");

    assertThat(envelope.added).isEmpty();
  }

  @Test
  void mcpCallsAreTimedInTheConventionsHistogramsWithToolNamesOnlyThePolicyNames() {
    PolicyEngine engine = engine();
    engine.call(ToolCall.of("read_file").withEnvelope(new Received(Map.of())), AGENT, () -> "ok");
    engine.call(ToolCall.of("read_other").withEnvelope(new Received(Map.of())), AGENT, () -> "glob");
    engine.call(ToolCall.of("random_1").withEnvelope(new Received(Map.of())), AGENT, () -> "x", d -> "refused");
    engine.call(ToolCall.of("random_2").withEnvelope(new Received(Map.of())), AGENT, () -> "x", d -> "refused");
    engine.call(ToolCall.of("read_file").withEnvelope(new Sent()), AGENT, () -> "ok", d -> "refused", r -> true);

    Collection<MetricData> all = metrics.collectAllMetrics();
    MetricData server = metric(all, "mcp.server.operation.duration");
    assertThat(server.getUnit()).isEqualTo("s");
    Map<Attributes, Long> counts = counts(server);
    assertThat(counts).containsOnly(
        Map.entry(attributes("read_file", "allow", null), 1L),
        Map.entry(attributes("other", "allow", null), 1L),
        Map.entry(attributes("other", "deny", null), 2L));
    assertThat(counts(metric(all, "mcp.client.operation.duration")))
        .containsOnly(Map.entry(attributes("read_file", "allow", "tool_error"), 1L));
  }

  @Test
  void metricsCanBeTurnedOff() {
    engine(OpenTelemetryObserver.builder(sdk).metrics(false).build())
        .call(ToolCall.of("read_file").withEnvelope(new Received(Map.of())), AGENT, () -> "ok");

    assertThat(metrics.collectAllMetrics()).isEmpty();
    assertThat(onlySpan().getKind()).isEqualTo(SpanKind.SERVER);
  }

  private static MetricData metric(Collection<MetricData> all, String name) {
    return all.stream().filter(m -> m.getName().equals(name)).findFirst().orElseThrow();
  }

  private static Map<Attributes, Long> counts(MetricData metric) {
    Map<Attributes, Long> out = new HashMap<>();
    for (HistogramPointData point : metric.getHistogramData().getPoints()) {
      out.put(point.getAttributes(), point.getCount());
    }
    return out;
  }

  private static Attributes attributes(String tool, String decision, String errorType) {
    var builder = Attributes.builder()
        .put("mcp.method.name", "tools/call")
        .put("gen_ai.operation.name", "execute_tool")
        .put("gen_ai.tool.name", tool)
        .put("toolgate.decision", decision);
    if (errorType != null) {
      builder.put("error.type", errorType);
    }
    return builder.build();
  }

  /** What the MCP server guard hands the engine. */
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
    public String sessionId() {
      return "session-1";
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

  /** What the MCP client transport hands the engine. */
  private static final class Sent implements CallEnvelope {
    final Map<String, String> added = new HashMap<>();

    @Override
    public Side side() {
      return Side.CLIENT;
    }

    @Override
    public String method() {
      return "tools/call";
    }

    @Override
    public String requestId() {
      return "42";
    }

    @Override
    public void putMetadata(String key, String value) {
      added.put(key, value);
    }
  }

}
