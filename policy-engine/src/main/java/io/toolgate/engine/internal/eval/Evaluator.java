package io.toolgate.engine.internal.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.api.AgentText;
import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.api.CallContext;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterStore;
import io.toolgate.api.Decision;
import io.toolgate.api.Decision.Rules;
import io.toolgate.api.Reservation;
import io.toolgate.api.ReserveResult;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.internal.OrgJson;
import io.toolgate.engine.internal.audit.Redaction;
import io.toolgate.engine.internal.model.ArgumentSchema;
import io.toolgate.engine.internal.model.Condition;
import io.toolgate.engine.internal.model.Limit;
import io.toolgate.engine.internal.model.Millionths;
import io.toolgate.engine.internal.model.Scope;
import io.toolgate.engine.internal.model.ToolEntry;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.everit.json.schema.ValidationException;
import org.everit.json.schema.Validator;

/**
 * The decision procedure of DESIGN.md section 3, in order, first outcome wins: hidden, deny
 * entries, default, arguments (schema and conditions), approval, limits, allow. It never throws:
 * whatever goes wrong becomes a denial with a reason (rule {@code arguments} only when the call's
 * arguments could not be read, rule {@code error} for anything else).
 *
 * <p>One path serves {@code evaluate} and {@code explain}: each check is noted in a {@link Trace},
 * {@link Trace#NONE} when nobody explains, whose steps build no text. Steps 1 to 5 and the counter
 * requests come to a {@code Prepared}: decided, or the counters to take, which the synchronous
 * and the asynchronous forms then take from the store.
 */
public final class Evaluator {
  /** For {@code nowMillis}: no time read yet, read the clock if a limit needs it. */
  public static final long READ_CLOCK = Long.MIN_VALUE;
  private static final System.Logger LOG = System.getLogger(Evaluator.class.getName());
  private static final Validator FAIL_EARLY = Validator.builder().failEarly().build();
  private static final Redaction SECRETS = Redaction.withExtraFragments(List.of());

  private final CounterStore store;
  private final ApprovalService approvals;
  private final Clock clock;
  private final boolean failOpen;
  /** Whether the store wants commits; else an allowance without refunds holds nothing. */
  private final boolean storeConfirms;

  public Evaluator(CounterStore store, ApprovalService approvals, Clock clock, boolean failOpen) {
    this.store = store;
    this.storeConfirms = store.confirmsReservations();
    this.approvals = approvals;
    this.clock = clock;
    this.failOpen = failOpen;
  }

  /**
   * Decides {@code call} at {@code nowMillis}, a time the caller already read from the clock (so
   * one reading serves the decision and its audit), or {@link #READ_CLOCK}; takes its counters
   * from the store synchronously and notes every check in {@code trace} ({@link Trace#NONE} when
   * nobody explains the decision).
   */
  public Decision decide(CompiledPolicy policy, ToolCall call, CallContext context, long nowMillis, Trace trace) {
    try {
      Prepared prepared = prepare(policy, call, context, nowMillis, trace);
      if (prepared instanceof Decided decided) {
        return decided.decision();
      }
      if (prepared instanceof NeedsCounters needs) {
        Decision decision;
        try {
          decision = take(needs, call, context, trace);
        } catch (RuntimeException | StackOverflowError e) {
          settle(needs.claim(), null, trace);
          throw e;
        }
        return settle(needs.claim(), decision, trace);
      }
      throw new AssertionError("unknown " + prepared);
    } catch (RuntimeException | StackOverflowError e) {
      return internalError(call, context, e);
    }
  }

  /** Decides {@code call}, taking its counters with the store's asynchronous form. */
  public CompletionStage<Decision> decideAsync(CompiledPolicy policy, ToolCall call, CallContext context) {
    try {
      Prepared prepared = prepare(policy, call, context, READ_CLOCK, Trace.NONE);
      if (prepared instanceof Decided decided) {
        return CompletableFuture.completedFuture(decided.decision());
      }
      if (prepared instanceof NeedsCounters needs) {
        return takeAsync(needs, call, context);
      }
      throw new AssertionError("unknown " + prepared);
    } catch (RuntimeException | StackOverflowError e) {
      return CompletableFuture.completedFuture(internalError(call, context, e));
    }
  }

  private CompletionStage<Decision> takeAsync(NeedsCounters needs, ToolCall call, CallContext context) {
    CompletionStage<ReserveResult> stage;
    try {
      stage = store.reserveAsync(needs.distinct(), needs.nowMillis());
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(
          settle(needs.claim(), storeFailed(needs.resolved(), call, context, e), Trace.NONE));
    }
    return stage.handle(
        (result, error) -> {
          Decision decision;
          if (error != null) {
            decision = storeFailed(needs.resolved(), call, context, unwrap(error));
          } else {
            try {
              decision = finish(needs, call, context, result);
            } catch (RuntimeException e) {
              decision = internalError(call, context, e);
            }
          }
          return settle(needs.claim(), decision, Trace.NONE);
        });
  }

  /** What steps 1 to 6 came to before the store is asked: a decision, or counters to take. */
  private sealed interface Prepared permits Decided, NeedsCounters {}

  /** Decided without the store. */
  private record Decided(Decision decision) implements Prepared {}

  /**
   * The call is admitted if the store grants {@code requests} at {@code nowMillis}; {@code claim}
   * is the approval to settle when the store answers, or {@code null}.
   */
  private record NeedsCounters(Resolved resolved, CounterRequest only, Requests several, long nowMillis, Claim claim)
      implements Prepared {
    NeedsCounters withClaim(Claim approval) {
      return approval == null ? this : new NeedsCounters(resolved, only, several, nowMillis, approval);
    }

    /**
     * What the store is asked for. A single limit's request is kept bare, its list and {@link
     * Requests} built only when used: on the common path both then stay out of the heap.
     */
    List<CounterRequest> distinct() {
      return several == null ? Collections.singletonList(only) : several.distinct;
    }

    Requests requests() {
      return several == null ? Requests.one(only) : several;
    }

    int limitOf(int index) {
      return several == null ? index : several.limitOf(index);
    }
  }

  /** Steps 1 to 6, up to asking the store. */
  private Prepared prepare(CompiledPolicy policy, ToolCall call, CallContext context, long nowMillis, Trace trace) {
    String tool = call.tool();
    ToolPlan plan = policy.planFor(tool);
    Resolved r = plan.resolve(context);
    String principal = context.principal();
    trace.step("", () -> "entries whose key matches " + quote(tool), () -> r.matched.isEmpty() ? "none" : String.join(", ", r.matched));
    trace.step(Rules.HIDE, () -> "hidden", () -> plan.hiddenBy == null ? "no" : "yes, by " + plan.hiddenBy.pointer());
    if (plan.hiddenBy != null) {
      return new Decided(new Decision.Deny(tool, principal, r.matched, plan.hiddenBy.pointer(), Reasons.hidden(tool)));
    }
    if (r.denies.isEmpty() && (r.unconditional || r.onlyLimits)) {
      // Shortcuts for plans that read nothing of the call before their limits (most plans): the
      // same steps and outcome as the full path below, without its view of the call and loops.
      permitStep(policy, r, trace);
      if (!r.permitted) {
        return new Decided(defaultDecision(policy, tool, principal, r));
      }
      return r.unconditional
          ? new Decided(new Decision.Allow(tool, principal, r.matched, r.allowRule, r.allowReason, null))
          : counters(r, call, context, null, trace, nowMillis);
    }
    CallView view = new CallView(call, context);
    try {
      for (ToolEntry deny : r.denies) {
        boolean applies = whenApplies(deny.when(), view, trace);
        trace.step(deny.pointer(), () -> "deny entry applies", () -> applies ? "yes" : "no");
        if (applies) {
          return new Decided(new Decision.Deny(
              tool, principal, r.matched, deny.pointer(), Reasons.denyEntry(tool, deny.reason(), deny.pointer())));
        }
      }
      permitStep(policy, r, trace);
      if (!r.permitted) {
        return new Decided(defaultDecision(policy, tool, principal, r));
      }
      for (ArgumentSchema schema : r.schemas) {
        String failure = validate(schema, view.arguments());
        trace.step(schema.pointer(), () -> "arguments match the schema", () -> failure == null ? "yes" : "no: " + failure);
        if (failure != null) {
          return new Decided(new Decision.Deny(
              tool, principal, r.matched, schema.pointer(), Reasons.schema(tool, schema.pointer(), failure)));
        }
      }
      for (Condition condition : r.conditions) {
        Truth truth = truth(condition, view, trace);
        if (truth != Truth.TRUE) {
          String reason = truth == Truth.FALSE
              ? Reasons.condition(tool, condition)
              : Reasons.uncomparable(tool, condition, view.resolve(condition.path()));
          return new Decided(new Decision.Deny(tool, principal, r.matched, condition.pointer(), reason));
        }
      }
      Asked asked = approve(r, view, trace);
      if (asked instanceof Refused refused) {
        return new Decided(refused.decision());
      }
      Claim claim = asked instanceof Claim approved ? approved : null;
      if (r.limits.isEmpty()) {
        return new Decided(settle(claim, new Decision.Allow(tool, principal, r.matched, r.allowRule, r.allowReason, null), trace));
      }
      Prepared counters;
      try {
        counters = counters(r, call, context, view, trace, nowMillis);
      } catch (RuntimeException | StackOverflowError e) {
        settle(claim, null, trace);
        throw e;
      }
      if (counters instanceof NeedsCounters needs) {
        return needs.withClaim(claim); // settled when the store answers
      }
      if (counters instanceof Decided decided) {
        return new Decided(settle(claim, decided.decision(), trace));
      }
      throw new AssertionError("unknown " + counters);
    } catch (UnreadableArguments e) {
      return new Decided(new Decision.Deny(tool, principal, r.matched, Rules.ARGUMENTS, Reasons.unreadableArguments(tool, e.getMessage())));
    }
  }

  private static void permitStep(CompiledPolicy policy, Resolved r, Trace trace) {
    trace.step(r.permitted ? r.allowRule : Rules.DEFAULT, () -> "an allow or require_approval entry matches",
        () -> r.permitted ? "yes" : "no; default " + (policy.defaultAllow() ? "allow" : "deny"));
  }

  private static String quote(String text) {
    return "\"" + AgentText.excerpt(text) + "\"";
  }

  private static Decision defaultDecision(CompiledPolicy policy, String tool, String principal, Resolved r) {
    return policy.defaultAllow()
        ? new Decision.Allow(tool, principal, r.matched, Rules.DEFAULT, r.allowedByDefault, null)
        : new Decision.Deny(tool, principal, r.matched, Rules.DEFAULT, r.notPermitted);
  }

  /**
   * Whether a {@code when} applies: every clause holds or cannot compare its value (fail closed,
   * see {@link Conditions}); a clause that definitely fails, a missing value included, stops it.
   */
  private static boolean whenApplies(List<Condition> when, CallView view, Trace trace) {
    for (Condition c : when) {
      if (truth(c, view, trace) == Truth.FALSE) {
        return false;
      }
    }
    return true;
  }

  private static Truth truth(Condition c, CallView view, Trace trace) {
    JsonNode actual = view.resolve(c.path());
    Truth truth = Conditions.test(c, actual);
    trace.step(c.pointer(), () -> c.path().text() + " " + c.op().text() + " " + c.value(),
        () -> switch (truth) {
          case TRUE -> "holds";
          case FALSE -> "fails";
          case UNKNOWN -> "cannot compare";
        } + " (" + c.path().text() + " is " + Reasons.value(actual) + ")");
    return truth;
  }

  /** The first violation's message, or {@code null} when the arguments are valid. */
  private static String validate(ArgumentSchema schema, JsonNode arguments) {
    try {
      FAIL_EARLY.performValidation(schema.schema(), OrgJson.convert(arguments));
      return null;
    } catch (ValidationException e) {
      ValidationException first = e;
      while (!first.getCausingExceptions().isEmpty()) {
        first = first.getCausingExceptions().get(0);
      }
      String pointer = first.getPointerToViolation();
      for (String segment : pointer.split("/")) {
        if (SECRETS.isSecret(segment)) {
          // Everit quotes the value it rejected; the reason is audited and shown to the agent.
          return Reasons.schemaViolation(pointer, "does not satisfy " + first.getKeyword() + " (value withheld: the key looks secret)", null);
        }
      }
      // Everit quotes the value (and the keys) it rejected: cut, so a reason stays short.
      return Reasons.schemaViolation(pointer, first.getErrorMessage(), first.getKeyword());
    }
  }

  /** What step 5 came to when an approval was asked for: a refusal, or a claim to settle. */
  private sealed interface Asked permits Refused, Claim {}

  /** The approval service held or refused the call. */
  private record Refused(Decision decision) implements Asked {}

  /** The service approved the call: confirmed if the call is admitted, else released. */
  private record Claim(ApprovalRequest request, ApprovalStatus.Approved approved) implements Asked {}

  /**
   * Step 5: the first require_approval entry whose {@code when} holds asks the service; {@code
   * null} when none does.
   */
  private Asked approve(Resolved r, CallView view, Trace trace) {
    for (ToolEntry entry : r.approvals) {
      if (!whenApplies(entry.when(), view, trace)) {
        trace.step(entry.pointer(), () -> "needs approval", () -> "no: its when does not hold");
        continue;
      }
      String tool = view.call.tool();
      String principal = view.context.principal();
      ApprovalRequest request = new ApprovalRequest(view.call, view.context, entry.pointer(), entry.reason(), clock.instant());
      ApprovalStatus status;
      try {
        status = approvals.check(request);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "approval service failed; the call is denied", e);
        status = new ApprovalStatus.Rejected(null, null, "the approval service failed (" + e.getClass().getSimpleName() + ")");
      }
      ApprovalStatus answer = status;
      trace.step(entry.pointer(), () -> "approval service answers", () -> String.valueOf(answer));
      if (status instanceof ApprovalStatus.Pending pending) {
        String id = pending.approvalId();
        return new Refused(new Decision.ApprovalRequired(
            tool, principal, r.matched, entry.pointer(), Reasons.awaitingApproval(tool, entry.reason(), id), id));
      }
      if (status instanceof ApprovalStatus.Rejected rejected) {
        return new Refused(new Decision.Deny(
            tool, principal, r.matched, entry.pointer(),
            Reasons.approvalRejected(tool, rejected.approvalId(), rejected.approver(), rejected.reason())));
      }
      if (status instanceof ApprovalStatus.Approved approved) {
        return new Claim(request, approved); // one approval covers the call, whatever else holds it
      }
      return new Refused(new Decision.Deny(tool, principal, r.matched, entry.pointer(),
          Reasons.approvalRejected(tool, null, null, "the approval service gave no answer")));
    }
    return null;
  }

  /**
   * Settles an approval claimed for a call once its decision is final: confirmed (used up) when
   * the call is allowed, else released, so it covers the same call again. {@code decision} is
   * {@code null} when deciding failed. Returns {@code decision}.
   */
  private Decision settle(Claim claim, Decision decision, Trace trace) {
    if (claim == null) {
      return decision;
    }
    boolean admitted = decision != null && decision.isAllowed();
    try {
      if (admitted) {
        approvals.confirm(claim.request(), claim.approved());
      } else {
        approvals.release(claim.request(), claim.approved());
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "approval service failed to " + (admitted ? "confirm" : "release")
          + " approval " + claim.approved().approvalId() + "; the decision stands", e);
    }
    trace.step(claim.request().rule(), () -> "approval", () -> admitted ? "used by this call" : "given back: the call was not admitted");
    return decision;
  }

  /**
   * Step 6, first half: the counter request of every limit, or a denial naming a limit. {@code
   * view} may be {@code null} when no limit reads the arguments ({@link Resolved#onlyLimits}).
   */
  private Prepared counters(
      Resolved r, ToolCall call, CallContext context, CallView view, Trace trace, long nowMillis) {
    String tool = call.tool();
    int n = r.limits.size();
    CounterRequest only = null;
    CounterRequest[] several = n == 1 ? null : new CounterRequest[n];
    for (int i = 0; i < n; i++) {
      Limit limit = r.limits.get(i);
      String scope = scopeValue(limit, context, view);
      if (scope == null && limit.scope().kind() != Scope.Kind.GLOBAL) {
        return new Decided(new Decision.Deny(tool, context.principal(), r.matched, limit.pointer(), Reasons.missingScope(tool, limit)));
      }
      long cost = limit.costMillionths();
      if (limit.costFrom() != null) {
        JsonNode value = view.resolve(limit.costFrom());
        String problem = costProblem(limit, value);
        if (problem != null) {
          return new Decided(new Decision.Deny(tool, context.principal(), r.matched, limit.pointer(), Reasons.badCost(tool, limit, problem)));
        }
        // More than 6 decimals round up: a cost never counts for less than it says.
        cost = Millionths.ceiling(value, limit.maxMillionths());
        if (cost == Millionths.OVER) {
          return new Decided(new Decision.Deny(tool, context.principal(), r.matched, limit.pointer(), Reasons.badCost(tool, limit,
              "cost " + AgentText.excerpt(value.toString()) + " exceeds its max " + Reasons.amount(limit.maxMillionths()))));
        }
      }
      if (cost > limit.maxMillionths()) {
        return new Decided(new Decision.Deny(tool, context.principal(), r.matched, limit.pointer(), Reasons.badCost(tool, limit,
            "cost " + Reasons.amount(cost) + " exceeds its max " + Reasons.amount(limit.maxMillionths()))));
      }
      long taken = cost;
      trace.step(limit.pointer(),
          () -> "counter " + limit.counter() + " [" + limit.scope().text() + (scope == null ? "" : ":" + AgentText.excerpt(scope)) + "]",
          () -> "cost " + Reasons.amount(taken) + " of max " + Reasons.amount(limit.maxMillionths()) + " per " + Reasons.window(limit.windowMillis()));
      CounterRequest request = new CounterRequest(
          limit.counter(), limit.scope().text(), scope, limit.windowMillis(), limit.algorithm(), limit.maxMillionths(), cost);
      if (several == null) {
        only = request;
      } else {
        several[i] = request;
      }
    }
    // Most plans have a single limit: a list of one, nothing to merge.
    Requests requests = several == null ? null : Requests.of(List.of(several));
    if (requests != null && requests.neverFits >= 0) {
      Limit limit = r.limits.get(requests.neverFits);
      trace.step(limit.pointer(), () -> "limits on counter " + limit.counter(), () -> "their costs together exceed its max");
      return new Decided(new Decision.Deny(tool, context.principal(), r.matched, limit.pointer(), Reasons.neverFits(tool, limit)));
    }
    long now = nowMillis == READ_CLOCK ? clock.millis() : nowMillis;
    return new NeedsCounters(r, only, requests, now, null);
  }

  /** Step 6, taking the counters with the store's synchronous form. */
  private Decision take(NeedsCounters needs, ToolCall call, CallContext context, Trace trace) {
    List<CounterRequest> distinct = needs.distinct();
    ReserveResult result;
    try {
      result = store.reserve(distinct, needs.nowMillis());
    } catch (RuntimeException e) {
      return storeFailed(needs.resolved(), call, context, e);
    }
    trace.step(Rules.STORE, () -> "reserve " + distinct.size() + " counter(s)", result::toString);
    return finish(needs, call, context, result);
  }

  /** Step 6, second half: the store's answer turned into a decision. */
  private Decision finish(NeedsCounters needs, ToolCall call, CallContext context, ReserveResult result) {
    Resolved r = needs.resolved();
    String tool = call.tool();
    String principal = context.principal();
    if (result.isGranted()) {
      // Nothing to settle when no limit refunds and the store confirms nothing: no object to hold.
      Reservation held = r.anyLimitRefunds || storeConfirms ? new HeldReservation(store, storeConfirms, r, needs.requests(), needs.nowMillis()) : null;
      return new Decision.Allow(tool, principal, r.matched, r.allowRule, r.allowReason, held);
    }
    Limit limit = r.limits.get(needs.limitOf(result.rejectedIndex()));
    if (result.retryAfterMillis() == Long.MAX_VALUE) {
      return new Decision.Deny(tool, principal, r.matched, limit.pointer(), Reasons.neverFits(tool, limit));
    }
    Duration retryAfter = Duration.ofMillis(result.retryAfterMillis());
    return new Decision.RateLimited(tool, principal, r.matched, limit.pointer(),
        Reasons.rateLimited(tool, limit, retryAfter), limit.counter(), Millionths.toDouble(limit.maxMillionths()),
        Duration.ofMillis(limit.windowMillis()), limit.scope().text(), retryAfter);
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

  private Decision storeFailed(Resolved r, ToolCall call, CallContext context, Throwable error) {
    String tool = call.tool();
    String principal = context.principal();
    String cause = "counter store failed: " + describe(error);
    if (failOpen) {
      return new Decision.Allow(tool, principal, r.matched, Rules.FAIL_OPEN, Reasons.failOpen(tool, cause), null);
    }
    return new Decision.Deny(tool, principal, r.matched, Rules.STORE, Reasons.stateUnavailable(tool, cause));
  }

  private static Decision internalError(ToolCall call, CallContext context, Throwable error) {
    LOG.log(System.Logger.Level.ERROR, "policy evaluation failed for tool " + AgentText.excerpt(call.tool()) + "; the call is denied", error);
    return new Decision.Deny(call.tool(), context.principal(), List.of(), Rules.ERROR, Reasons.internalError(call.tool(), error));
  }

  private static String describe(Throwable error) {
    String message = error.getMessage();
    return error.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException completion && completion.getCause() != null ? completion.getCause() : error;
  }
}
