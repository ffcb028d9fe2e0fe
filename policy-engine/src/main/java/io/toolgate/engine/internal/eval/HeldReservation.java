package io.toolgate.engine.internal.eval;

import io.toolgate.api.CallContext;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterStore;
import io.toolgate.api.Decision;
import io.toolgate.api.Reservation;
import io.toolgate.api.ReserveResult;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.internal.model.Limit;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The counters one decision asks the store for (step 6) and, once the store granted them, what
 * the allowed call holds, settled once by commit or rollback. One object serves both, so a
 * granted decision allocates nothing more for its reservation.
 */
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

  final ToolCall call;
  final CallContext context;
  final Resolved resolved;
  final List<CounterRequest> requests;
  final long reservedAtMillis;
  private final CounterStore store;
  private volatile boolean settled;

  HeldReservation(
      CounterStore store,
      ToolCall call,
      CallContext context,
      Resolved resolved,
      List<CounterRequest> requests,
      long reservedAtMillis) {
    this.store = store;
    this.call = call;
    this.context = context;
    this.resolved = resolved;
    this.requests = requests;
    this.reservedAtMillis = reservedAtMillis;
  }

  /** The store's answer turned into a decision: an allowance holding this reservation, or a refusal. */
  Decision finish(ReserveResult result) {
    String tool = call.tool();
    String principal = context.principal();
    if (result.isGranted()) {
      return new Decision.Allow(tool, principal, resolved.matched, resolved.allowRule, resolved.allowReason, this);
    }
    Limit limit = resolved.limits.get(result.rejectedIndex());
    if (result.retryAfterMillis() == Long.MAX_VALUE) {
      return new Decision.Deny(tool, principal, resolved.matched, limit.pointer(), Reasons.neverFits(tool, limit));
    }
    Duration retryAfter = Duration.ofMillis(result.retryAfterMillis());
    return new Decision.RateLimited(tool, principal, resolved.matched, limit.pointer(),
        Reasons.rateLimited(tool, limit, retryAfter), limit.counter(), limit.max(),
        Duration.ofMillis(limit.windowMillis()), limit.scope().text(), retryAfter);
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

  /** The requests of the limits with {@code refund_on_error}. */
  private List<CounterRequest> refundable() {
    List<CounterRequest> out = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      if (resolved.limits.get(i).refundOnError()) {
        out.add(requests.get(i));
      }
    }
    return out;
  }

  private boolean settleOnce() {
    return !settled && SETTLED.compareAndSet(this, false, true);
  }

  @Override
  public String toString() {
    return "Reservation" + requests + " at " + reservedAtMillis;
  }
}
