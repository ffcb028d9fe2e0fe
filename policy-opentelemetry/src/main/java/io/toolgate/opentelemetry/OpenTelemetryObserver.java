package io.toolgate.opentelemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.toolgate.api.AgentText;
import io.toolgate.api.CallContext;
import io.toolgate.api.CallEnvelope;
import io.toolgate.api.CallObservation;
import io.toolgate.api.CallObserver;
import io.toolgate.api.ToolCall;
import io.toolgate.opentelemetry.internal.EnvelopeCarrier;
import io.toolgate.opentelemetry.internal.Names;
import io.toolgate.opentelemetry.internal.ToolSpan;
import java.util.Objects;

/**
 * Every tool call the engine decides as an OpenTelemetry span, named and attributed as the
 * semantic conventions for MCP say, with Toolgate's decision on it; and, for calls that cross MCP,
 * the conventions' {@code mcp.server.operation.duration} or {@code mcp.client.operation.duration}.
 *
 * <pre>{@code
 * PolicyEngine engine = PolicyEngine.builder(policy)
 *     .observe(OpenTelemetryObserver.create(openTelemetry))   // GlobalOpenTelemetry.get(), say
 *     .build();
 * }</pre>
 *
 * <p>What a span is depends on the call's {@link CallEnvelope} ({@link ToolCall#envelope()}):
 *
 * <ul>
 *   <li>a call {@code McpToolGuard} received: kind {@code SERVER}, named {@code tools/call
 *       <tool>}, its parent the trace context the client put in {@code params._meta} ({@code
 *       traceparent}, {@code tracestate}, read through the configured propagators), else the
 *       current context;
 *   <li>a call {@code PolicyClientTransport} sends: kind {@code CLIENT}, named {@code tools/call
 *       <tool>}, a child of the current context; its own context is written into the request's
 *       {@code params._meta} before it is sent (a refused call is never sent);
 *   <li>a call made directly through the engine: kind {@link Builder#internalSpanKind} ({@code
 *       INTERNAL} by default), named {@code execute_tool <tool>} as the GenAI conventions name
 *       tool execution.
 * </ul>
 *
 * <p>Each span has {@code gen_ai.tool.name} (the name as an {@link AgentText#excerpt}), {@code
 * gen_ai.operation.name=execute_tool}, {@code mcp.method.name}, {@code mcp.session.id} and {@code
 * jsonrpc.request.id} when known, and once decided {@code toolgate.decision}, {@code
 * toolgate.rule}, and {@code toolgate.counter} with {@code toolgate.retry_after_ms} for a rate
 * limit or {@code toolgate.approval_id} for a held call (the pending request) and for a call
 * allowed on an approval (the approval it used up). A refused call gets an event {@code
 * toolgate.refusal} (decision, rule, reason); a tool that failed sets {@code error.type} (the
 * exception's class name, or {@code tool_error} for an {@code isError} result or error response)
 * and the status {@code ERROR}. The span lasts from the start of the decision until the tool
 * returns (the server) or the response arrives (the client).
 *
 * <p>The span is current while the tool runs (until a synchronous tool returns, or an asynchronous
 * one hands back its stage), so spans the tool starts, and calls it makes through instrumented
 * clients, are its children.
 *
 * <p>Thread-safe. An engine without this observer pays nothing for it.
 */
public final class OpenTelemetryObserver implements CallObserver {
  /** The instrumentation scope of the tracer and the meter. */
  public static final String SCOPE = "io.toolgate.opentelemetry";

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final SpanKind internalKind;
  private final DoubleHistogram serverDuration;
  private final DoubleHistogram clientDuration;

  private OpenTelemetryObserver(Builder b) {
    this.tracer = b.openTelemetry.getTracer(SCOPE);
    this.propagator = b.openTelemetry.getPropagators().getTextMapPropagator();
    this.internalKind = b.internalKind;
    if (b.metrics) {
      Meter meter = b.openTelemetry.getMeter(SCOPE);
      this.serverDuration = histogram(meter, Names.SERVER_DURATION, "received from the client until the result is sent");
      this.clientDuration = histogram(meter, Names.CLIENT_DURATION, "sent until the response is received");
    } else {
      this.serverDuration = null;
      this.clientDuration = null;
    }
  }

  private static DoubleHistogram histogram(Meter meter, String name, String span) {
    return meter.histogramBuilder(name)
        .setUnit("s")
        .setDescription("Duration of an MCP tools/call, from the time it was " + span + ".")
        .setExplicitBucketBoundariesAdvice(Names.DURATION_BUCKETS)
        .build();
  }

  /** An observer with spans and MCP operation durations from {@code openTelemetry}. */
  public static OpenTelemetryObserver create(OpenTelemetry openTelemetry) {
    return builder(openTelemetry).build();
  }

  /** A builder for an observer reporting to {@code openTelemetry}. */
  public static Builder builder(OpenTelemetry openTelemetry) {
    return new Builder(openTelemetry);
  }

  @Override
  public CallObservation start(ToolCall call, CallContext context) {
    long startNanos = System.nanoTime();
    CallEnvelope envelope = call.envelope();
    String tool = AgentText.excerpt(call.tool());
    String method = envelope.method();
    Context parent = Context.current();
    SpanKind kind;
    DoubleHistogram duration;
    switch (envelope.side()) {
      case SERVER -> {
        parent = propagator.extract(parent, envelope, EnvelopeCarrier.INSTANCE);
        kind = SpanKind.SERVER;
        duration = serverDuration;
      }
      case CLIENT -> {
        kind = SpanKind.CLIENT;
        duration = clientDuration;
      }
      default -> {
        kind = internalKind;
        duration = null;
      }
    }
    SpanBuilder builder =
        tracer.spanBuilder((method != null ? method : Names.EXECUTE_TOOL) + " " + tool)
            .setParent(parent)
            .setSpanKind(kind)
            .setAttribute(Names.GEN_AI_TOOL_NAME, tool)
            .setAttribute(Names.GEN_AI_OPERATION_NAME, Names.EXECUTE_TOOL);
    if (method != null) {
      builder.setAttribute(Names.MCP_METHOD_NAME, method);
    }
    String session = envelope.sessionId();
    if (session != null) {
      builder.setAttribute(Names.MCP_SESSION_ID, AgentText.excerpt(session));
    }
    String requestId = envelope.requestId();
    if (requestId != null) {
      builder.setAttribute(Names.JSONRPC_REQUEST_ID, AgentText.excerpt(requestId));
    }
    Span span = builder.startSpan();
    if (kind == SpanKind.CLIENT) {
      propagator.inject(parent.with(span), envelope, EnvelopeCarrier.INSTANCE);
    }
    return new ToolSpan(span, duration, method, tool, startNanos);
  }

  @Override
  public String toString() {
    return "OpenTelemetryObserver[" + tracer + "]";
  }

  /** Configures an {@link OpenTelemetryObserver}. */
  public static final class Builder {
    private final OpenTelemetry openTelemetry;
    private SpanKind internalKind = SpanKind.INTERNAL;
    private boolean metrics = true;

    private Builder(OpenTelemetry openTelemetry) {
      this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
    }

    /**
     * The kind of the span of a call made directly through the engine, not through an MCP adapter
     * (default {@code INTERNAL}): {@code SERVER}, say, for an engine in front of a protocol of the
     * application's own.
     */
    public Builder internalSpanKind(SpanKind kind) {
      this.internalKind = Objects.requireNonNull(kind, "kind");
      return this;
    }

    /**
     * Whether calls through the MCP adapters are also recorded in the histograms {@code
     * mcp.server.operation.duration} and {@code mcp.client.operation.duration} (default {@code
     * true}). Their {@code gen_ai.tool.name} is the tool's name only when a policy key names it
     * exactly, else {@code other}, so that an agent cannot add series.
     */
    public Builder metrics(boolean metrics) {
      this.metrics = metrics;
      return this;
    }

    public OpenTelemetryObserver build() {
      // The context storage loads its provider through the thread's context class loader when
      // first used. Load it here, on the thread that configures the application, not on a
      // server's worker thread, whose context class loader may belong to a web application that
      // has stopped since (the call would then fail before it is decided).
      Context.current();
      return new OpenTelemetryObserver(this);
    }
  }
}
