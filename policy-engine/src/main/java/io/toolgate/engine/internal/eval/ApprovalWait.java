package io.toolgate.engine.internal.eval;

import io.toolgate.api.ApprovalService;
import io.toolgate.api.CallEnvelope;
import io.toolgate.engine.internal.eval.ApprovalStep.Asked;
import io.toolgate.engine.internal.eval.ApprovalStep.Claim;
import io.toolgate.engine.internal.eval.ApprovalStep.Refused;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A call held by a {@code require_approval} entry with {@code wait}: the engine waits, by its own
 * timer, until the service says the request is answered ({@link ApprovalService#whenAnswered}) or
 * the wait ends, then asks step 5 again once and goes on with whatever it answers. The
 * synchronous form blocks the calling thread (interruptibly); the asynchronous form blocks none,
 * and cancelling its stage withdraws the request ({@link ApprovalService#withdraw}).
 */
final class ApprovalWait {
  private static final System.Logger LOG = System.getLogger(Evaluator.class.getName());

  private final ApprovalStep step;

  ApprovalWait(ApprovalStep step) {
    this.step = step;
  }

  /** Waits on this thread, then asks again; interrupted, withdraws and keeps the call held. */
  Asked await(Refused held, Resolved r, CallView view) {
    tell(held, view);
    CompletionStage<Void> answered = answered(held);
    try {
      answered.toCompletableFuture().get(held.waitMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException | CancellationException e) {
      // the wait ended, or the service failed to tell: ask again all the same
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop(answered);
      withdraw(held);
      return held;
    }
    stop(answered);
    return again(held, r, view);
  }

  /**
   * A stage of what step 5 answers once the request is answered or the wait ends. Cancelling it
   * withdraws the request; no thread is blocked meanwhile (the JDK's delayer times the wait).
   */
  CompletableFuture<Asked> awaitAsync(Refused held, Resolved r, CallView view) {
    tell(held, view);
    CompletionStage<Void> answered = answered(held);
    CompletableFuture<Void> ended = new CompletableFuture<>();
    answered.whenComplete((v, e) -> ended.complete(null));
    ended.completeOnTimeout(null, held.waitMillis(), TimeUnit.MILLISECONDS);
    CompletableFuture<Asked> result = new CompletableFuture<>();
    ended.thenRun(() -> {
      stop(answered);
      if (result.isDone()) {
        return; // cancelled meanwhile
      }
      Asked asked = again(held, r, view);
      if (!result.complete(asked) && asked instanceof Claim claim) {
        step.settle(claim, null, Trace.NONE); // cancelled while asking: give the approval back
      }
    });
    result.whenComplete((asked, e) -> {
      if (e instanceof CancellationException) {
        ended.complete(null);
        stop(answered);
        withdraw(held);
      }
    });
    return result;
  }

  /**
   * {@code derived}, such that cancelling it cancels {@code upstream} too (a stage derived with
   * {@code thenApply} or {@code thenCompose} does not pass its cancellation back by itself).
   */
  static <T> CompletableFuture<T> cancelling(CompletionStage<?> upstream, CompletionStage<T> derived) {
    CompletableFuture<T> future = derived.toCompletableFuture();
    CompletableFuture<?> source = upstream.toCompletableFuture();
    if (source.isDone()) {
      return future; // decided already (most calls): nothing left to withdraw
    }
    future.whenComplete((v, e) -> {
      if (future.isCancelled()) {
        source.cancel(false);
      }
    });
    return future;
  }

  /** Tells the protocol that carried the call that it is held ({@link CallEnvelope#held}). */
  private void tell(Refused held, CallView view) {
    try {
      view.call.envelope().held(held.approvalId(), step.clock().instant().plusMillis(held.waitMillis()));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "the call's envelope failed to hear that it is held", e);
    }
  }

  private Asked again(Refused held, Resolved r, CallView view) {
    try {
      Asked asked = step.approve(r, view, Trace.NONE);
      return asked == null ? held : asked;
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "asking for approval again failed; the call stays held", e);
      return held;
    }
  }

  private CompletionStage<Void> answered(Refused held) {
    try {
      CompletionStage<Void> stage = step.service().whenAnswered(held.request(), held.approvalId());
      return stage != null ? stage : CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "approval service failed to wait for " + held.approvalId(), e);
      return CompletableFuture.completedFuture(null);
    }
  }

  private static void stop(CompletionStage<Void> answered) {
    try {
      answered.toCompletableFuture().cancel(false);
    } catch (RuntimeException e) {
      // a stage that cannot be cancelled: the service forgets the waiter when it completes
    }
  }

  private void withdraw(Refused held) {
    try {
      step.service().withdraw(held.request(), held.approvalId());
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "approval service failed to withdraw " + held.approvalId(), e);
    }
  }
}
