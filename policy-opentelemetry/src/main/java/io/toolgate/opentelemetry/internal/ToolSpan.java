package io.toolgate.opentelemetry.internal;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.toolgate.api.AuditEvent.Outcome;
import io.toolgate.api.CallObservation;
import io.toolgate.api.Decision;
import io.toolgate.engine.audit.DecisionFields;
import java.util.concurrent.CompletionException;

/**
 * One call's span: given the decision's attributes (and a refusal event) once decided, its error
 * once finished, then ended; and the call's duration recorded in {@code duration} when the call
 * crossed MCP (null for a call made directly through the engine).
 */
public final class ToolSpan implements CallObservation {
  private final Span span;
  private final DoubleHistogram duration;
  private final String method;
  private final String tool;
  private final long startNanos;
  private volatile Decision decision;

  public ToolSpan(Span span, DoubleHistogram duration, String method, String tool, long startNanos) {
    this.span = span;
    this.duration = duration;
    this.method = method;
    this.tool = tool;
    this.startNanos = startNanos;
  }

  /** The span is current while the tool runs, so spans the tool starts are its children. */
  @Override
  public Scope running() {
    io.opentelemetry.context.Scope current = span.makeCurrent();
    return current::close;
  }

  @Override
  public void decided(Decision decision, long decisionNanos) {
    this.decision = decision;
    if (!span.isRecording()) {
      return;
    }
    String kind = DecisionFields.kind(decision);
    span.setAttribute(Names.DECISION, kind);
    span.setAttribute(Names.RULE, decision.rule());
    if (decision instanceof Decision.RateLimited limited) {
      span.setAttribute(Names.COUNTER, limited.counter());
      Long millis = DecisionFields.retryAfterMillis(limited.retryAfter());
      if (millis != null) {
        span.setAttribute(Names.RETRY_AFTER_MS, millis);
      }
    } else if (decision instanceof Decision.ApprovalRequired held) {
      span.setAttribute(Names.APPROVAL_ID, held.approvalId());
    } else if (decision instanceof Decision.Allow allow && allow.approvalId() != null) {
      span.setAttribute(Names.APPROVAL_ID, allow.approvalId()); // the approval the call used up
    }
    if (!decision.isAllowed()) {
      span.addEvent(
          Names.REFUSAL_EVENT,
          Attributes.of(Names.DECISION, kind, Names.RULE, decision.rule(), Names.REASON, decision.reason()));
    }
  }

  @Override
  public void finished(Outcome outcome, long runNanos, Throwable failure) {
    String errorType = null;
    if (outcome == Outcome.FAILED) {
      errorType = errorType(failure);
      span.setAttribute(Names.ERROR_TYPE, errorType);
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
    if (duration != null) {
      duration.record((System.nanoTime() - startNanos) / 1e9, metricAttributes(errorType));
    }
  }

  private Attributes metricAttributes(String errorType) {
    Decision decided = decision;
    AttributesBuilder attributes =
        Attributes.builder()
            .put(Names.MCP_METHOD_NAME, method)
            .put(Names.GEN_AI_OPERATION_NAME, Names.EXECUTE_TOOL)
            .put(Names.GEN_AI_TOOL_NAME, decided != null && PolicyNames.names(decided) ? tool : Names.OTHER_TOOL);
    if (decided != null) {
      attributes.put(Names.DECISION, DecisionFields.kind(decided));
    }
    if (errorType != null) {
      attributes.put(Names.ERROR_TYPE, errorType);
    }
    return attributes.build();
  }

  /** The failure's class name; {@code tool_error} for a tool that failed without throwing. */
  private static String errorType(Throwable failure) {
    Throwable cause = failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
    return cause == null ? Names.TOOL_ERROR : cause.getClass().getName();
  }
}
