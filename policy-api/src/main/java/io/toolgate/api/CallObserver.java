package io.toolgate.api;

/**
 * Watches tool calls as the engine decides and runs them: the SPI behind metrics and traces. Audit
 * ({@link AuditSink}) stays the record of what was decided; an observer measures and traces.
 *
 * <p>The engine calls {@link #start} on the calling thread when it begins to decide a call, then
 * the returned {@link CallObservation} once with the decision and once with the outcome. An
 * observer that keeps nothing per call returns one shared observation, so observing allocates
 * nothing. An engine with no observer makes none of these calls.
 *
 * <p>Observers must be thread-safe and quick; they never change a decision. An exception an
 * observer throws is reported (through {@code System.Logger}) and ignored.
 */
@FunctionalInterface
public interface CallObserver {

  /** An observer that watches nothing; an engine given only this one pays nothing for it. */
  CallObserver NONE = (call, context) -> CallObservation.NONE;

  /**
   * Begins watching one call, before it is decided.
   *
   * @return what watches this call; {@link CallObservation#NONE} to ignore it
   */
  CallObservation start(ToolCall call, CallContext context);

  /**
   * One call to the counter store ended: a reservation, refund or commit, from the engine's point
   * of view (a store timeout is a failure). Called on the thread that saw the store answer.
   *
   * @param store the store's class simple name, for example {@code RedisCounterStore}
   * @param operation {@code reserve}, {@code refund} or {@code commit}
   * @param nanos how long the engine waited for the store
   * @param failure what failed, or {@code null} when the store answered
   */
  default void storeCalled(String store, String operation, long nanos, Throwable failure) {}
}
