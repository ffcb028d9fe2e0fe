package io.toolgate.engine.internal.eval;

import io.toolgate.api.CallContext;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.internal.eval.ApprovalStep.Claim;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * How the decision procedure ends, chosen by its caller: {@link Now} takes the counters with the
 * store's synchronous form and ends in the {@link Decision} itself, {@link Later} with the
 * asynchronous form and ends in a {@link CompletionStage}. The procedure hands its outcome to the
 * ending instead of returning a "decided or needs counters" value, so a synchronous decision
 * allocates nothing but the decision and its counter requests.
 *
 * @param <R> what the procedure returns
 */
sealed interface Ending<R> permits Ending.Now, Ending.Later {
  /** The decision, final before the store is asked. */
  R decided(Decision decision);

  /**
   * The call is admitted if the store grants its requests ({@code only}, or {@code several} when
   * not {@code null}) at {@code nowMillis}.
   */
  R take(Resolved r, CounterRequest only, Requests several, long nowMillis, ToolCall call, CallContext context, Trace trace);

  /** {@code outcome}, once the approval {@code claim} is settled by the decision it comes to. */
  R settled(R outcome, Claim claim, Trace trace);

  /**
   * A call held by an entry with {@code wait}: waits (see {@link ApprovalWait}) for step 5's
   * answer once the request is answered or the wait ends, and goes on with {@code resume}.
   */
  R held(ApprovalStep.Refused held, Resolved r, CallView view, Function<ApprovalStep.Asked, R> resume);

  /** Ends in the decision, taking the counters synchronously. */
  record Now(CounterStep counters, ApprovalStep approvals, ApprovalWait waits) implements Ending<Decision> {
    @Override
    public Decision held(ApprovalStep.Refused held, Resolved r, CallView view, Function<ApprovalStep.Asked, Decision> resume) {
      return resume.apply(waits.await(held, r, view));
    }

    @Override
    public Decision decided(Decision decision) {
      return decision;
    }

    @Override
    public Decision take(Resolved r, CounterRequest only, Requests several, long nowMillis, ToolCall call, CallContext context, Trace trace) {
      return counters.take(r, only, several, nowMillis, call, context, trace);
    }

    @Override
    public Decision settled(Decision outcome, Claim claim, Trace trace) {
      return approvals.settle(claim, outcome, trace);
    }
  }

  /** Ends in a stage of the decision, taking the counters with the store's asynchronous form. */
  record Later(CounterStep counters, ApprovalStep approvals, ApprovalWait waits) implements Ending<CompletionStage<Decision>> {
    @Override
    public CompletionStage<Decision> held(ApprovalStep.Refused held, Resolved r, CallView view,
        Function<ApprovalStep.Asked, CompletionStage<Decision>> resume) {
      CompletableFuture<ApprovalStep.Asked> waiting = waits.awaitAsync(held, r, view);
      return new Held(held.decision(), waiting, waiting.thenCompose(resume));
    }

    @Override
    public CompletionStage<Decision> decided(Decision decision) {
      return CompletableFuture.completedFuture(decision);
    }

    @Override
    public CompletionStage<Decision> take(
        Resolved r, CounterRequest only, Requests several, long nowMillis, ToolCall call, CallContext context, Trace trace) {
      return counters.takeAsync(r, only, several, nowMillis, call, context);
    }

    @Override
    public CompletionStage<Decision> settled(CompletionStage<Decision> outcome, Claim claim, Trace trace) {
      return outcome.thenApply(decision -> approvals.settle(claim, decision, Trace.NONE));
    }
  }

  /**
   * The stage of a call held for an answer: what it was decided while it waits ({@link #held}),
   * for a caller that records a call cancelled meanwhile; cancelling it cancels the wait, which
   * withdraws the request.
   */
  final class Held extends CompletableFuture<Decision> {
    private final Decision held;

    Held(Decision held, CompletableFuture<?> waiting, CompletionStage<Decision> decided) {
      this.held = held;
      decided.whenComplete((decision, error) -> {
        if (error == null) {
          complete(decision);
        } else {
          completeExceptionally(error);
        }
      });
      whenComplete((decision, error) -> {
        if (isCancelled()) {
          waiting.cancel(false);
        }
      });
    }

    /** The decision the call had while it waited: {@code APPROVAL_REQUIRED} with its request id. */
    Decision held() {
      return held;
    }
  }
}
