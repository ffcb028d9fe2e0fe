package io.toolgate.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The counters an allowed call holds. Counts are taken when the call is decided; {@link
 * #commit()} confirms them when the tool returns, and {@link #rollback()} gives back the cost of
 * every limit that refunds on error when the tool failed. Calling either more than once, or both,
 * has the effect of the first call only.
 */
public interface Reservation {

  /** Holds nothing: commit and rollback do nothing. */
  Reservation NONE =
      new Reservation() {
        @Override
        public void commit() {}

        @Override
        public void rollback() {}

        @Override
        public String toString() {
          return "Reservation.NONE";
        }
      };

  /** The tool returned: the counts stand. */
  void commit();

  /** The tool failed: refund what limits with {@code refund_on_error} took. */
  void rollback();

  /** {@link #rollback()} without blocking the caller on a remote store. */
  default CompletionStage<Void> rollbackAsync() {
    try {
      rollback();
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
