package io.toolgate.api;

/**
 * Receives one event per decision. A sink never changes a decision: the engine reports an
 * exception a sink throws (through {@code System.Logger}) and goes on.
 *
 * <p>Sinks are called on the calling thread, after the tool ran when the interceptor ran it, and
 * must be thread-safe.
 */
@FunctionalInterface
public interface AuditSink {

  /** A sink that records nothing, at no cost. */
  AuditSink NONE = event -> {};

  void record(AuditEvent event);
}
