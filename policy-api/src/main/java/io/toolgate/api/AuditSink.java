package io.toolgate.api;

/**
 * Receives one event per decision. A sink never changes a decision: the engine reports an
 * exception a sink throws (through {@code System.Logger}) and goes on.
 *
 * <p>Sinks are called on the calling thread, after the tool ran when the interceptor ran it, and
 * must be thread-safe. A sink that does I/O holds up the call it records (and, if it locks, every
 * other call): wrap it in the engine's {@code AsyncAuditSink}, which records on a thread of its
 * own.
 */
@FunctionalInterface
public interface AuditSink {

  /** A sink that records nothing, at no cost. */
  AuditSink NONE = event -> {};

  void record(AuditEvent event);

  /**
   * A person answered an approval request. The engine reports the answers of an approval queue
   * it was built with (every answer the queue hears of, from any process); like {@link #record},
   * an exception is reported and changes nothing. Default: nothing, so a sink written before
   * answers were audited keeps working.
   */
  default void approvalAnswered(ApprovalAnswerEvent event) {}
}
