package io.toolgate.api;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where counts live. One {@link #reserve} call takes every counter of one decision, all or none
 * (one round trip for a remote store); {@link #refund} gives back what a failed tool took.
 *
 * <p>Time is passed in by the engine as epoch milliseconds, so a store need not read a clock, and
 * a store that keeps its own time (a server's clock) documents that it does. Implementations must
 * be thread-safe, and a failure is thrown (synchronously, or as a failed stage): the engine turns
 * it into a denial, or an allowance where fail-open is configured.
 *
 * <p>The engine bounds every call with its store timeout and denies (or fails open) when a store
 * does not answer in time; {@link #blocking()} tells it how it can do that for this store.
 *
 * <p>Every implementation must pass the {@code CounterStoreContract} suite in {@code
 * policy-testkit}.
 */
public interface CounterStore {

  /**
   * Takes its cost from every requested counter if each then holds at most its max; otherwise
   * takes nothing. Amounts are integer millionths (see {@link CounterRequest}): a store adds them
   * exactly, never as doubles.
   *
   * <p>The engine asks for distinct counters in one call: two requests never share counter name,
   * scope and scope value (limits that name one counter are merged into one request with the
   * summed cost before the store is asked), so a store need not merge. The same holds for {@link
   * #refund} and {@link #commit}.
   *
   * @param requests distinct counters, none of whose costs exceeds its max
   * @param nowMillis the decision's time, epoch milliseconds
   */
  ReserveResult reserve(List<CounterRequest> requests, long nowMillis);

  /**
   * {@link #reserve} without blocking the calling thread on I/O. The default runs the synchronous
   * form in the caller's thread; remote stores override it.
   */
  default CompletionStage<ReserveResult> reserveAsync(List<CounterRequest> requests, long nowMillis) {
    try {
      return CompletableFuture.completedFuture(reserve(requests, nowMillis));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Confirms a granted reservation once the tool returned. Stores that count at reserve time, as
   * both built-in stores do, have nothing to do; a store that holds tentative reservations makes
   * them final here. Called only when {@link #confirmsReservations()} is true.
   */
  default void commit(List<CounterRequest> requests, long reservedAtMillis) {}

  /**
   * Whether this store wants {@link #commit} called for every granted reservation. Default true,
   * always safe: the engine then holds every allowance's requests and tells the store when the tool
   * returned. A store whose {@code commit} does nothing (it counts at reserve time, as both
   * built-in stores do) returns false, and an allowance with no {@code refund_on_error} limit then
   * holds {@link Reservation#NONE}. A store that wraps another returns the wrapped store's answer.
   */
  default boolean confirmsReservations() {
    return true;
  }

  /**
   * Gives back the costs a granted reservation took at {@code reservedAtMillis}. For a fixed
   * window the cost is returned only while that window is current; for a sliding window the
   * logged reservation is removed. Refunding what was never reserved has no effect.
   */
  void refund(List<CounterRequest> requests, long reservedAtMillis);

  /** {@link #refund} without blocking the calling thread on I/O. */
  default CompletionStage<Void> refundAsync(List<CounterRequest> requests, long reservedAtMillis) {
    try {
      refund(requests, reservedAtMillis);
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Which of this store's calls may wait on I/O or on a lock held across I/O, so that the engine
   * knows how to stop waiting for them. Default {@link Blocking#ANY_FORM}, right for any store;
   * override it only with what is true of every call.
   */
  default Blocking blocking() {
    return Blocking.ANY_FORM;
  }

  /** Which of a store's calls may wait, as {@link #blocking()} declares it. */
  enum Blocking {
    /**
     * No call waits (counts in this process's memory): the engine calls the store directly, with
     * no timeout and no thread hop.
     */
    NONE,
    /**
     * The asynchronous forms return at once and complete later; the synchronous ones may wait (a
     * store on a non-blocking client). The engine uses the asynchronous forms only, waiting for
     * them up to its timeout on synchronous paths, and runs {@link #commit} on a thread of its own.
     */
    SYNC_FORMS,
    /**
     * Any call may wait, the asynchronous forms included (as their defaults do, running the
     * synchronous forms in the caller's thread): the engine runs the synchronous forms on threads
     * of its own, on synchronous and asynchronous paths alike, and stops waiting at its timeout.
     */
    ANY_FORM
  }
}
