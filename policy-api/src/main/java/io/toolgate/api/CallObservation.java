package io.toolgate.api;

import io.toolgate.api.AuditEvent.Outcome;

/**
 * One call as an observer watches it (see {@link CallObserver}): told its decision, then its
 * outcome, each exactly once and in that order, possibly on different threads.
 */
public interface CallObservation {

  /** Watches nothing. */
  CallObservation NONE = new CallObservation() {};

  /**
   * The call was decided.
   *
   * @param decisionNanos how long the decision took, the store included
   */
  default void decided(Decision decision, long decisionNanos) {}

  /**
   * What became of the call: {@link Outcome#EVALUATED} when only a decision was asked for, {@link
   * Outcome#NOT_RUN} when refused, else whether the tool succeeded.
   *
   * @param runNanos how long the tool ran; 0 when it did not run
   * @param failure what the tool threw, or {@code null} (also when a result counted as failed)
   */
  default void finished(Outcome outcome, long runNanos, Throwable failure) {}
}
