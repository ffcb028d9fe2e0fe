package io.toolgate.engine.internal.eval;

import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterStore;
import io.toolgate.api.Reservation;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

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
  private final Resolved resolved;
  private final Requests requests;
  private final long reservedAtMillis;
  /** Whether the store wants {@link CounterStore#commit} called: it is called only then. */
  private final boolean storeConfirms;
  private volatile boolean settled;

  HeldReservation(CounterStore store, boolean storeConfirms, Resolved resolved, Requests requests, long reservedAtMillis) {
    this.store = store;
    this.storeConfirms = storeConfirms;
    this.resolved = resolved;
    this.requests = requests;
    this.reservedAtMillis = reservedAtMillis;
  }

  @Override
  public void commit() {
    if (settleOnce() && storeConfirms) {
      try {
        store.commit(requests.distinct, reservedAtMillis);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "counter store failed to commit a reservation", e);
      }
    }
  }

  @Override
  public void rollback() {
    if (!settleOnce() || !resolved.anyLimitRefunds) {
      return;
    }
    List<CounterRequest> refundable = refundable();
    try {
      store.refund(refundable, reservedAtMillis);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "counter store failed to refund " + refundable, e);
    }
  }

  @Override
  public CompletionStage<Void> rollbackAsync() {
    if (!settleOnce() || !resolved.anyLimitRefunds) {
      return CompletableFuture.completedFuture(null);
    }
    List<CounterRequest> refundable = refundable();
    return store.refundAsync(refundable, reservedAtMillis)
        .exceptionally(
            e -> {
              LOG.log(System.Logger.Level.WARNING, "counter store failed to refund " + refundable, e);
              return null;
            });
  }

  /** The requests of the limits with {@code refund_on_error}, one per counter. */
  private List<CounterRequest> refundable() {
    List<CounterRequest> out = new ArrayList<>();
    for (int i = 0; i < requests.perLimit.size(); i++) {
      if (resolved.limits.get(i).refundOnError()) {
        out.add(requests.perLimit.get(i));
      }
    }
    return Requests.merged(out);
  }

  private boolean settleOnce() {
    return !settled && SETTLED.compareAndSet(this, false, true);
  }

  @Override
  public String toString() {
    return "Reservation" + requests + " at " + reservedAtMillis;
  }
}
