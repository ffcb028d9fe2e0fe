package io.toolgate.engine.internal.audit;

import io.toolgate.api.ApprovalAnswerEvent;
import io.toolgate.api.AuditEvent;
import io.toolgate.api.AuditSink;
import java.util.List;

/**
 * Calls every configured sink, each guarded: a sink that throws is reported through {@code
 * System.Logger} and never changes a decision or stops the other sinks.
 */
public final class GuardedAuditSink implements AuditSink {
  private static final System.Logger LOG = System.getLogger(GuardedAuditSink.class.getName());

  private final AuditSink[] sinks;

  private GuardedAuditSink(List<AuditSink> sinks) {
    this.sinks = sinks.toArray(AuditSink[]::new);
  }

  /** {@link AuditSink#NONE} for no sinks, else a guard around them. */
  public static AuditSink of(List<AuditSink> sinks) {
    return sinks.isEmpty() ? AuditSink.NONE : new GuardedAuditSink(sinks);
  }

  @Override
  public void record(AuditEvent event) {
    for (AuditSink sink : sinks) {
      try {
        sink.record(event);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "audit sink " + sink + " failed; decision unchanged", e);
      }
    }
  }

  @Override
  public void approvalAnswered(ApprovalAnswerEvent event) {
    for (AuditSink sink : sinks) {
      try {
        sink.approvalAnswered(event);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "audit sink " + sink + " failed to record an approval answer", e);
      }
    }
  }
}
