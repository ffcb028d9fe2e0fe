package io.toolgate.engine;

import io.toolgate.api.AuditEvent.Outcome;
import io.toolgate.api.CallContext;
import io.toolgate.api.CallObservation;
import io.toolgate.api.Decision;
import io.toolgate.api.Reservation;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.internal.eval.CompiledPolicy;
import io.toolgate.engine.internal.eval.Evaluator;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The interceptor behind {@link PolicyEngine#guard} and {@link PolicyEngine#callAsync}: decide,
 * run the tool only if allowed (or in shadow mode), then commit the call's counters when the tool
 * returns or refund them when it fails, and report the outcome on the decision's ticket.
 */
final class Interceptor {
  private final DecisionPath path;
  private final boolean shadow;

  Interceptor(DecisionPath path, boolean shadow) {
    this.path = path;
    this.shadow = shadow;
  }

  <R> Guarded<R> guard(
      CompiledPolicy policy,
      ToolCall call,
      CallContext context,
      ToolInvoker<? extends R> tool,
      Predicate<? super R> failed) {
    DecisionPath.Ticket ticket = path.decide(policy, call, context);
    Decision decision = ticket.decision();
    if (!decision.isAllowed() && !shadow) {
      ticket.report(Outcome.NOT_RUN, null);
      return Guarded.refused(decision);
    }
    Reservation reservation = reservation(decision);
    R result;
    try (CallObservation.Scope running = ticket.running()) {
      result = tool.invoke();
    } catch (RuntimeException | Error e) {
      settle(ticket, reservation, false, e);
      throw e;
    } catch (Exception e) {
      settle(ticket, reservation, false, e);
      throw new ToolInvocationException(call.tool(), e);
    }
    settle(ticket, reservation, !failed.test(result), null);
    return Guarded.ran(decision, result);
  }

  <R> CompletionStage<R> callAsync(
      CompiledPolicy policy,
      ToolCall call,
      CallContext context,
      Supplier<? extends CompletionStage<R>> tool,
      Function<? super Decision, ? extends R> onRefusal,
      Predicate<? super R> failed) {
    CompletionStage<DecisionPath.Ticket> deciding = path.decideAsync(policy, call, context);
    return Evaluator.cancelling(deciding, deciding
        .thenCompose(
            ticket -> {
              Decision decision = ticket.decision();
              if (!decision.isAllowed() && !shadow) {
                ticket.report(Outcome.NOT_RUN, null);
                return completedOrFailed(() -> onRefusal.apply(decision));
              }
              return run(ticket, reservation(decision), tool, failed);
            }));
  }

  private static <R> CompletionStage<R> run(
      DecisionPath.Ticket ticket,
      Reservation reservation,
      Supplier<? extends CompletionStage<R>> tool,
      Predicate<? super R> failed) {
    CompletionStage<R> running;
    try (CallObservation.Scope scope = ticket.running()) {
      running = Objects.requireNonNull(tool.get(), "the tool returned no stage");
    } catch (RuntimeException e) {
      return refund(reservation, ticket, e).thenCompose(settled -> CompletableFuture.failedFuture(e));
    }
    CompletableFuture<R> done = new CompletableFuture<>();
    running.whenComplete(
        (result, error) -> {
          Throwable failure = error;
          boolean succeeded;
          try {
            succeeded = error == null && !failed.test(result);
          } catch (RuntimeException e) {
            succeeded = false;
            failure = e;
          }
          if (succeeded) {
            settle(ticket, reservation, true, null);
            done.complete(result);
            return;
          }
          Throwable outcome = failure;
          Throwable cause = outcome instanceof CompletionException c && c.getCause() != null ? c.getCause() : outcome;
          refund(reservation, ticket, cause)
              .whenComplete(
                  (settled, ignored) -> {
                    if (outcome != null) {
                      done.completeExceptionally(outcome);
                    } else {
                      done.complete(result);
                    }
                  });
        });
    return done;
  }

  /**
   * {@link #settle} of a failed tool on the asynchronous path: the refund goes through {@link
   * Reservation#rollbackAsync()}, so a remote store is never waited for on the thread that
   * completed the tool (a client's event loop, say). Completes once the refund is done or failed.
   */
  private static CompletionStage<Void> refund(Reservation reservation, DecisionPath.Ticket ticket, Throwable failure) {
    return reservation.rollbackAsync()
        .handle(
            (refunded, error) -> {
              ticket.report(Outcome.FAILED, failure);
              return null;
            });
  }

  private static <R> CompletionStage<R> completedOrFailed(Supplier<? extends R> answer) {
    try {
      return CompletableFuture.completedFuture(answer.get());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e instanceof CompletionException ? e.getCause() : e);
    }
  }

  private static Reservation reservation(Decision decision) {
    return decision instanceof Decision.Allow allow ? allow.reservation() : Reservation.NONE;
  }

  /** Commits the call's counters when the tool succeeded, else refunds them; then reports. */
  private static void settle(
      DecisionPath.Ticket ticket, Reservation reservation, boolean succeeded, Throwable failure) {
    if (succeeded) {
      reservation.commit();
    } else {
      reservation.rollback();
    }
    ticket.report(succeeded ? Outcome.SUCCEEDED : Outcome.FAILED, failure);
  }
}
