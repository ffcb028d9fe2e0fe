package io.toolgate.engine.internal.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.api.AgentText;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.CallContext;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterStore;
import io.toolgate.api.Decision;
import io.toolgate.api.Decision.Rules;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.internal.OrgJson;
import io.toolgate.engine.internal.audit.Redaction;
import io.toolgate.engine.internal.eval.ApprovalStep.Claim;
import io.toolgate.engine.internal.model.ArgumentSchema;
import io.toolgate.engine.internal.model.Condition;
import io.toolgate.engine.internal.model.Limit;
import io.toolgate.engine.internal.model.ToolEntry;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
 * {@link Trace#NONE} when nobody explains, whose steps build no text. One path also serves the
 * synchronous and the asynchronous forms: the procedure hands its outcome to an {@link Ending},
 * which either returns the decision made before the store is asked or takes the counters with
 * the store's synchronous or asynchronous form. Step 5 is {@link ApprovalStep}'s, the counter
 * requests and the store's answer {@link CounterStep}'s.
 */
public final class Evaluator {
  /** For {@code nowMillis}: no time read yet, read the clock if a limit needs it. */
  public static final long READ_CLOCK = Long.MIN_VALUE;
  private static final System.Logger LOG = System.getLogger(Evaluator.class.getName());
  private static final Validator FAIL_EARLY = Validator.builder().failEarly().build();
  private static final Redaction SECRETS = Redaction.withExtraFragments(List.of());

  private final Clock clock;
  private final ApprovalStep approvals;
  private final Ending<Decision> now;
  private final Ending<CompletionStage<Decision>> later;

  public Evaluator(CounterStore store, ApprovalService approvals, Clock clock, boolean failOpen) {
    this.clock = clock;
    this.approvals = new ApprovalStep(approvals, clock);
    CounterStep counters = new CounterStep(store, failOpen);
    ApprovalWait waits = new ApprovalWait(this.approvals);
    this.now = new Ending.Now(counters, this.approvals, waits);
    this.later = new Ending.Later(counters, this.approvals, waits);
  }

  /**
   * Decides {@code call} at {@code nowMillis}, a time the caller already read from the clock (so
   * one reading serves the decision and its audit), or {@link #READ_CLOCK}; takes its counters
   * from the store synchronously and notes every check in {@code trace} ({@link Trace#NONE} when
   * nobody explains the decision).
   */
  public Decision decide(CompiledPolicy policy, ToolCall call, CallContext context, long nowMillis, Trace trace) {
    try {
      return decide(policy, call, context, nowMillis, trace, now);
    } catch (RuntimeException | StackOverflowError e) {
      return internalError(call, context, e);
    }
  }

  /** Decides {@code call}, taking its counters with the store's asynchronous form. */
  public CompletionStage<Decision> decideAsync(CompiledPolicy policy, ToolCall call, CallContext context) {
    try {
      return decide(policy, call, context, READ_CLOCK, Trace.NONE, later);
    } catch (RuntimeException | StackOverflowError e) {
      return CompletableFuture.completedFuture(internalError(call, context, e));
    }
  }

  /** Steps 1 to 6, the store asked through {@code end}. */
  private <R> R decide(CompiledPolicy policy, ToolCall call, CallContext context, long nowMillis, Trace trace, Ending<R> end) {
    String tool = call.tool();
    ToolPlan plan = policy.planFor(tool);
    Resolved r = plan.resolve(context);
    String principal = context.principal();
    trace.step("", tool, r,
        (t, res) -> "entries whose key matches " + quote(t), (t, res) -> res.matched.isEmpty() ? "none" : String.join(", ", res.matched));
    trace.step(Rules.HIDE, plan, null, (p, x) -> "hidden", (p, x) -> p.hiddenBy == null ? "no" : "yes, by " + p.hiddenBy.pointer());
    if (plan.hiddenBy != null) {
      return end.decided(new Decision.Deny(tool, principal, r.matched, plan.hiddenBy.pointer(), Reasons.hidden(tool)));
    }
    if (r.denies.isEmpty() && (r.unconditional || r.onlyLimits)) {
      // Shortcuts for plans that read nothing of the call before their limits (most plans): the
      // same steps and outcome as the full path below, without its view of the call and loops.
      permitStep(policy, r, trace);
      if (!r.permitted) {
        return end.decided(defaultDecision(policy, tool, principal, r));
      }
      return r.unconditional
          ? end.decided(new Decision.Allow(tool, principal, r.matched, r.allowRule, r.allowReason, null))
          : counters(r, call, context, null, trace, nowMillis, null, end);
    }
    CallView view = new CallView(call, context);
    try {
      for (ToolEntry deny : r.denies) {
        boolean applies = whenApplies(deny.when(), view, trace);
        trace.step(deny.pointer(), applies, null, (a, x) -> "deny entry applies", (a, x) -> a ? "yes" : "no");
        if (applies) {
          return end.decided(new Decision.Deny(
              tool, principal, r.matched, deny.pointer(), Reasons.denyEntry(tool, deny.reason(), deny.pointer())));
        }
      }
      permitStep(policy, r, trace);
      if (!r.permitted) {
        return end.decided(defaultDecision(policy, tool, principal, r));
      }
      Decision refused = checkArguments(r, view, trace);
      if (refused != null) {
        return end.decided(refused);
      }
      ApprovalStep.Asked asked = approvals.approve(r, view, trace);
      if (asked instanceof ApprovalStep.Refused held && held.waits() && trace == Trace.NONE) {
        // explain never waits: it shows what the call gets now
        return end.held(held, r, view, again -> approved(r, call, context, view, Trace.NONE, READ_CLOCK, again, end));
      }
      return approved(r, call, context, view, trace, nowMillis, asked, end);
    } catch (UnreadableArguments e) {
      return end.decided(unreadable(tool, principal, r, e));
    }
  }

  private static Decision unreadable(String tool, String principal, Resolved r, UnreadableArguments e) {
    return new Decision.Deny(tool, principal, r.matched, Rules.ARGUMENTS, Reasons.unreadableArguments(tool, e.getMessage()));
  }

  /** Steps 5 (what the approval service said: {@code asked}, or {@code null}) and 6. */
  private <R> R approved(Resolved r, ToolCall call, CallContext context, CallView view, Trace trace, long nowMillis,
      ApprovalStep.Asked asked, Ending<R> end) {
    String tool = call.tool();
    String principal = context.principal();
    try {
      if (asked instanceof ApprovalStep.Refused held) {
        return end.decided(held.decision());
      }
      Claim claim = asked instanceof Claim approved ? approved : null;
      if (r.limits.isEmpty()) {
        return end.decided(approvals.settle(claim, new Decision.Allow(tool, principal, r.matched, r.allowRule, r.allowReason, null), trace));
      }
      return counters(r, call, context, view, trace, nowMillis, claim, end);
    } catch (UnreadableArguments e) {
      return end.decided(unreadable(tool, principal, r, e));
    } catch (RuntimeException | StackOverflowError e) {
      return end.decided(internalError(call, context, e));
    }
  }

  private static void permitStep(CompiledPolicy policy, Resolved r, Trace trace) {
    trace.step(r.permitted ? r.allowRule : Rules.DEFAULT, policy, r, (p, res) -> "an allow or require_approval entry matches",
        (p, res) -> res.permitted ? "yes" : "no; default " + (p.defaultAllow() ? "allow" : "deny"));
  }

  private static String quote(String text) {
    return "\"" + AgentText.excerpt(text) + "\"";
  }

  private static Decision defaultDecision(CompiledPolicy policy, String tool, String principal, Resolved r) {
    return policy.defaultAllow()
        ? new Decision.Allow(tool, principal, r.matched, Rules.DEFAULT, r.allowedByDefault, null)
        : new Decision.Deny(tool, principal, r.matched, Rules.DEFAULT, r.notPermitted);
  }

  /** Step 4: the first argument schema or condition that fails, as a denial; {@code null} when all hold. */
  private static Decision checkArguments(Resolved r, CallView view, Trace trace) {
    String tool = view.call.tool();
    String principal = view.context.principal();
    for (ArgumentSchema schema : r.schemas) {
      String failure = validate(schema, view.arguments());
      trace.step(schema.pointer(), failure, null, (f, x) -> "arguments match the schema", (f, x) -> f == null ? "yes" : "no: " + f);
      if (failure != null) {
        return new Decision.Deny(tool, principal, r.matched, schema.pointer(), Reasons.schema(tool, schema.pointer(), failure));
      }
    }
    for (Condition condition : r.conditions) {
      Truth truth = truth(condition, view, trace);
      if (truth != Truth.TRUE) {
        String reason = truth == Truth.FALSE
            ? Reasons.condition(tool, condition)
            : Reasons.uncomparable(tool, condition, view.resolve(condition.path()));
        return new Decision.Deny(tool, principal, r.matched, condition.pointer(), reason);
      }
    }
    return null;
  }

  /**
   * Whether a {@code when} applies: every clause holds or cannot compare its value (fail closed,
   * see {@link Conditions}); a clause that definitely fails, a missing value included, stops it.
   */
  static boolean whenApplies(List<Condition> when, CallView view, Trace trace) {
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
    // The words test again (a step's functions capture nothing): only when someone explains.
    trace.step(c.pointer(), c, actual, (cond, value) -> cond.path().text() + " " + cond.op().text() + " " + cond.value(),
        (cond, value) -> switch (Conditions.test(cond, value)) {
          case TRUE -> "holds";
          case FALSE -> "fails";
          case UNKNOWN -> "cannot compare";
        } + " (" + cond.path().text() + " is " + Reasons.value(value) + ")");
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

  /**
   * Step 6: the counter request of every limit (or a denial naming a limit), then the store,
   * through {@code end}. {@code view} may be {@code null} when no limit reads the arguments
   * ({@link Resolved#onlyLimits}); {@code claim} (or {@code null}) is settled by the decision this
   * comes to, or released if deciding fails.
   */
  private <R> R counters(Resolved r, ToolCall call, CallContext context, CallView view, Trace trace, long nowMillis,
      Claim claim, Ending<R> end) {
    R outcome;
    try {
      outcome = counters(r, call, context, view, trace, nowMillis, end);
    } catch (RuntimeException | StackOverflowError e) {
      approvals.settle(claim, null, trace);
      throw e;
    }
    return claim == null ? outcome : end.settled(outcome, claim, trace);
  }

  private <R> R counters(Resolved r, ToolCall call, CallContext context, CallView view, Trace trace, long nowMillis,
      Ending<R> end) {
    int n = r.limits.size();
    CounterRequest only = null;
    CounterRequest[] each = n == 1 ? null : new CounterRequest[n];
    for (int i = 0; i < n; i++) {
      Limit limit = r.limits.get(i);
      CounterRequest request = CounterStep.request(limit, context, view);
      if (request == null) {
        return end.decided(CounterStep.refusal(r, limit, call, context, view));
      }
      trace.step(limit.pointer(), limit, request,
          (l, q) -> "counter " + l.counter() + " [" + l.scope().text()
              + (q.scopeValue() == null ? "" : ":" + AgentText.excerpt(q.scopeValue())) + "]",
          (l, q) -> "cost " + Reasons.amount(q.costMillionths()) + " of max " + Reasons.amount(l.maxMillionths())
              + " per " + Reasons.window(l.windowMillis()));
      if (each == null) {
        only = request;
      } else {
        each[i] = request;
      }
    }
    // Most plans have a single limit: a request of its own, nothing to merge.
    Requests several = each == null ? null : Requests.of(List.of(each));
    if (several != null && several.neverFits >= 0) {
      Limit limit = r.limits.get(several.neverFits);
      trace.step(limit.pointer(), limit, null, (l, x) -> "limits on counter " + l.counter(), (l, x) -> "their costs together exceed its max");
      return end.decided(new Decision.Deny(call.tool(), context.principal(), r.matched, limit.pointer(), Reasons.neverFits(call.tool(), limit)));
    }
    long at = nowMillis == READ_CLOCK ? clock.millis() : nowMillis;
    return end.take(r, only, several, at, call, context, trace);
  }

  /**
   * {@code derived}, such that cancelling it cancels {@code upstream} too: a stage of {@link
   * #decideAsync} held for approval withdraws the request when cancelled, through every stage
   * derived from it.
   */
  public static <T> CompletableFuture<T> cancelling(CompletionStage<?> upstream, CompletionStage<T> derived) {
    return ApprovalWait.cancelling(upstream, derived);
  }

  /**
   * The decision a stage of {@link #decideAsync} had while it was held for an approval ({@code
   * APPROVAL_REQUIRED}), or {@code null} for a stage that was never held: what a call cancelled
   * while held is recorded as.
   */
  public static Decision heldDecision(CompletionStage<Decision> stage) {
    return stage instanceof Ending.Held held ? held.held() : null;
  }

  static Decision internalError(ToolCall call, CallContext context, Throwable error) {
    LOG.log(System.Logger.Level.ERROR, "policy evaluation failed for tool " + AgentText.excerpt(call.tool()) + "; the call is denied", error);
    return new Decision.Deny(call.tool(), context.principal(), List.of(), Rules.ERROR, Reasons.internalError(call.tool(), error));
  }
}
