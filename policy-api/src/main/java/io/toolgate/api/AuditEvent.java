package io.toolgate.api;

import java.time.Instant;
import java.util.Objects;

/**
 * One decision as an audit sees it.
 *
 * @param time when the call was decided
 * @param call the tool call
 * @param context who called
 * @param decision what was decided
 * @param outcome what became of the tool
 * @param latencyNanos how long the decision took, tool excluded
 */
public record AuditEvent(
    Instant time,
    ToolCall call,
    CallContext context,
    Decision decision,
    Outcome outcome,
    long latencyNanos) {

  /** What became of the tool after the decision. */
  public enum Outcome {
    /** Only a decision was asked for ({@code evaluate}); the engine did not run the tool. */
    EVALUATED,
    /** The call was refused; the tool did not run. */
    NOT_RUN,
    /** The tool ran and returned. */
    SUCCEEDED,
    /** The tool ran and failed. */
    FAILED
  }

  public AuditEvent {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(call, "call");
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(decision, "decision");
    Objects.requireNonNull(outcome, "outcome");
  }
}
