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
 * <p>Every implementation must pass the {@code CounterStoreContract} suite in {@code
 * policy-testkit}.
 */
public interface CounterStore {

  /**
   * Takes its cost from every requested counter if each then holds at most its max; otherwise
   * takes nothing. Requests that address the same counter are counted together. Amounts are
   * integer millionths (see {@link CounterRequest}): a store adds them exactly, never as doubles.
   *
   * @param requests the counters, none of whose costs exceeds its max
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
   * them final here.
   */
  default void commit(List<CounterRequest> requests, long reservedAtMillis) {}

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
}
