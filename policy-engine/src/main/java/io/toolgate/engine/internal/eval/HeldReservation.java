package io.toolgate.engine.internal.eval;

import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterStore;
import io.toolgate.api.Reservation;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** The counters an allowed call took; settled once, by commit or rollback. */
final class HeldReservation implements Reservation {
  private static final System.Logger LOG = System.getLogger(HeldReservation.class.getName());
  private static final VarHandle SETTLED;

  static {
    try {
      SETTLED = MethodHandles.lookup().findVarHandle(HeldReservation.class, "settled", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final CounterStore store;
  private final List<CounterRequest> requests;
  private final List<CounterRequest> refundable;
  private final long reservedAtMillis;
  private volatile boolean settled;

  HeldReservation(
      CounterStore store,
      List<CounterRequest> requests,
      List<CounterRequest> refundable,
      long reservedAtMillis) {
    this.store = store;
    this.requests = requests;
    this.refundable = refundable;
    this.reservedAtMillis = reservedAtMillis;
  }

  @Override
  public void commit() {
    if (settleOnce()) {
      try {
        store.commit(requests, reservedAtMillis);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "counter store failed to commit a reservation", e);
      }
    }
  }

  @Override
  public void rollback() {
    if (settleOnce() && !refundable.isEmpty()) {
      try {
        store.refund(refundable, reservedAtMillis);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "counter store failed to refund " + refundable, e);
      }
    }
  }

  @Override
  public CompletionStage<Void> rollbackAsync() {
    if (!settleOnce() || refundable.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return store.refundAsync(refundable, reservedAtMillis)
        .exceptionally(
            e -> {
              LOG.log(System.Logger.Level.WARNING, "counter store failed to refund " + refundable, e);
              return null;
            });
  }

  private boolean settleOnce() {
    return SETTLED.compareAndSet(this, false, true);
  }

  @Override
  public String toString() {
    return "Reservation" + requests + " at " + reservedAtMillis;
  }
}
