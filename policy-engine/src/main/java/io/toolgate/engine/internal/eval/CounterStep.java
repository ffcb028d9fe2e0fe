package io.toolgate.engine.internal.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.api.AgentText;
import io.toolgate.api.CallContext;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterStore;
import io.toolgate.api.Decision;
import io.toolgate.api.Decision.Rules;
import io.toolgate.api.Reservation;
import io.toolgate.api.ReserveResult;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.internal.model.Limit;
import io.toolgate.engine.internal.model.Millionths;
import io.toolgate.engine.internal.model.Scope;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Step 6 of the decision procedure: each limit's counter request (or the denial naming a limit
 * the call cannot count against), the store's synchronous or asynchronous reservation, and its
 * answer turned into a decision. The requests of one call are {@code only} (a single limit's
 * request, kept bare: no list, no {@link Requests} on the common path) or {@code several}.
 */
final class CounterStep {
  private final CounterStore store;
  /** Whether the store wants commits; else an allowance without refunds holds nothing. */
  private final boolean storeConfirms;
  private final boolean failOpen;

  CounterStep(CounterStore store, boolean failOpen) {
    this.store = store;
    this.storeConfirms = store.confirmsReservations();
    this.failOpen = failOpen;
  }

  /**
   * The request of {@code limit} for this call, or {@code null} when the call cannot count
   * against it ({@link #refusal} says why). {@code view} may be {@code null} when no limit reads
   * the arguments ({@link Resolved#onlyLimits}).
   */
  static CounterRequest request(Limit limit, CallContext context, CallView view) {
    String scope = scopeValue(limit, context, view);
    if (scope == null && limit.scope().kind() != Scope.Kind.GLOBAL) {
      return null;
    }
    long cost = limit.costMillionths();
    if (limit.costFrom() != null) {
      JsonNode value = view.resolve(limit.costFrom());
      // More than 6 decimals round up: a cost never counts for less than it says.
      cost = costProblem(limit, value) == null ? Millionths.ceiling(value, limit.maxMillionths()) : Millionths.OVER;
    }
    if (cost == Millionths.OVER || cost > limit.maxMillionths()) {
      return null;
    }
    return new CounterRequest(
        limit.counter(), limit.scope().text(), scope, limit.windowMillis(), limit.algorithm(), limit.maxMillionths(), cost);
  }

  /** Why {@link #request} found no request for {@code limit}: a denial naming the limit. */
  static Decision refusal(Resolved r, Limit limit, ToolCall call, CallContext context, CallView view) {
    String tool = call.tool();
    String scope = scopeValue(limit, context, view);
    String reason;
    if (scope == null && limit.scope().kind() != Scope.Kind.GLOBAL) {
      reason = Reasons.missingScope(tool, limit);
    } else if (limit.costFrom() == null) {
      reason = Reasons.badCost(tool, limit, exceeds(Reasons.amount(limit.costMillionths()), limit));
    } else {
      JsonNode value = view.resolve(limit.costFrom());
      String problem = costProblem(limit, value);
      long cost = problem == null ? Millionths.ceiling(value, limit.maxMillionths()) : Millionths.OVER;
      reason = Reasons.badCost(tool, limit, problem != null ? problem
          : exceeds(cost == Millionths.OVER ? AgentText.excerpt(value.toString()) : Reasons.amount(cost), limit));
    }
    return new Decision.Deny(tool, context.principal(), r.matched, limit.pointer(), reason);
  }

  private static String exceeds(String cost, Limit limit) {
    return "cost " + cost + " exceeds its max " + Reasons.amount(limit.maxMillionths());
  }

  private static String costProblem(Limit limit, JsonNode value) {
    String path = limit.costFrom().text();
    if (value == null) {
      return "its cost " + path + " is missing";
    }
    if (!value.isNumber() || !Double.isFinite(value.doubleValue())) {
      return "its cost " + path + " is not a number";
    }
    if (value.doubleValue() < 0) {
      return "its cost " + path + " is negative (" + value + ")";
    }
    return null;
  }

  /**
   * The value a limit counts for: none for global, else the principal, session id or argument
   * text, {@code null} when missing. {@code view} is needed only for an args scope.
   */
  private static String scopeValue(Limit limit, CallContext context, CallView view) {
    return switch (limit.scope().kind()) {
      case GLOBAL -> null;
      case GRANT -> context.principal();
      case SESSION -> context.sessionId();
      case ARGS -> {
        JsonNode value = view.resolve(limit.scope().argument());
        yield value == null ? null : Json.scopeText(value);
      }
    };
  }

  /** Takes the counters with the store's synchronous form. */
  Decision take(Resolved r, CounterRequest only, Requests several, long nowMillis, ToolCall call, CallContext context, Trace trace) {
    List<CounterRequest> distinct = distinct(only, several);
    ReserveResult result;
    try {
      result = store.reserve(distinct, nowMillis);
    } catch (RuntimeException e) {
      return storeFailed(r, call, context, e);
    }
    trace.step(Rules.STORE, distinct, result, (d, res) -> "reserve " + d.size() + " counter(s)", (d, res) -> res.toString());
    return finish(r, only, several, nowMillis, call, context, result);
  }

  /** Takes the counters with the store's asynchronous form; a failure becomes a decision. */
  CompletionStage<Decision> takeAsync(Resolved r, CounterRequest only, Requests several, long nowMillis, ToolCall call, CallContext context) {
    CompletionStage<ReserveResult> stage;
    try {
      stage = store.reserveAsync(distinct(only, several), nowMillis);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(storeFailed(r, call, context, e));
    }
    return stage.handle(
        (result, error) -> {
          if (error != null) {
            return storeFailed(r, call, context, unwrap(error));
          }
          try {
            return finish(r, only, several, nowMillis, call, context, result);
          } catch (RuntimeException e) {
            return Evaluator.internalError(call, context, e);
          }
        });
  }

  /** The store's answer turned into a decision. */
  private Decision finish(
      Resolved r, CounterRequest only, Requests several, long nowMillis, ToolCall call, CallContext context, ReserveResult result) {
    String tool = call.tool();
    String principal = context.principal();
    if (result.isGranted()) {
      // Nothing to settle when no limit refunds and the store confirms nothing: no object to hold.
      Reservation held = r.anyLimitRefunds || storeConfirms
          ? new HeldReservation(store, storeConfirms, r, several == null ? Requests.one(only) : several, nowMillis)
          : null;
      return new Decision.Allow(tool, principal, r.matched, r.allowRule, r.allowReason, held);
    }
    int index = result.rejectedIndex();
    Limit limit = r.limits.get(several == null ? index : several.limitOf(index));
    if (result.retryAfterMillis() == Long.MAX_VALUE) {
      return new Decision.Deny(tool, principal, r.matched, limit.pointer(), Reasons.neverFits(tool, limit));
    }
    Duration retryAfter = Duration.ofMillis(result.retryAfterMillis());
    return new Decision.RateLimited(tool, principal, r.matched, limit.pointer(),
        Reasons.rateLimited(tool, limit, retryAfter), limit.counter(), Millionths.toDouble(limit.maxMillionths()),
        Duration.ofMillis(limit.windowMillis()), limit.scope().text(), retryAfter);
  }

  /** What the store is asked for: a single limit's request as a list of one, built only here. */
  private static List<CounterRequest> distinct(CounterRequest only, Requests several) {
    return several == null ? Collections.singletonList(only) : several.distinct;
  }

  private Decision storeFailed(Resolved r, ToolCall call, CallContext context, Throwable error) {
    String tool = call.tool();
    String principal = context.principal();
    String cause = "counter store failed: " + describe(error);
    if (failOpen) {
      return new Decision.Allow(tool, principal, r.matched, Rules.FAIL_OPEN, Reasons.failOpen(tool, cause), null);
    }
    return new Decision.Deny(tool, principal, r.matched, Rules.STORE, Reasons.stateUnavailable(tool, cause));
  }

  private static String describe(Throwable error) {
    String message = error.getMessage();
    return error.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException completion && completion.getCause() != null ? completion.getCause() : error;
  }
}
