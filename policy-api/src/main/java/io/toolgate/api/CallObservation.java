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
   * The tool is about to run, on the calling thread. The engine closes the returned scope on this
   * same thread once the tool returned (synchronous calls) or handed back its stage (asynchronous
   * ones); a tracing observer makes its span current in between, so that spans the tool starts
   * are children of the call's. Not called for refused calls.
   */
  default Scope running() {
    return Scope.NONE;
  }

  /**
   * What became of the call: {@link Outcome#EVALUATED} when only a decision was asked for, {@link
   * Outcome#NOT_RUN} when refused, else whether the tool succeeded.
   *
   * @param runNanos how long the tool ran; 0 when it did not run
   * @param failure what the tool threw, or {@code null} (also when a result counted as failed)
   */
  default void finished(Outcome outcome, long runNanos, Throwable failure) {}

  /** What {@link #running} opened: closed once, on the thread that opened it. */
  @FunctionalInterface
  interface Scope extends AutoCloseable {
    /** Opens nothing. */
    Scope NONE = () -> {};

    @Override
    void close();
  }
}
