package io.toolgate.engine;

import io.toolgate.api.ApprovalAnswerEvent;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.AuditEvent.Outcome;
import io.toolgate.api.AuditSink;
import io.toolgate.api.CallContext;
import io.toolgate.api.CallObserver;
import io.toolgate.api.CounterStore;
import io.toolgate.api.Decision;
import io.toolgate.api.PolicyViolationException;
import io.toolgate.api.Reservation;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.approval.ApprovalAnswer;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.ApprovalServices;
import io.toolgate.engine.internal.audit.GuardedAuditSink;
import io.toolgate.engine.internal.eval.Evaluator;
import io.toolgate.engine.internal.eval.Trace;
import io.toolgate.engine.internal.observe.GuardedObserver;
import io.toolgate.engine.internal.observe.ObservedCounterStore;
import io.toolgate.engine.internal.store.TimedCounterStore;
import io.toolgate.engine.store.InMemoryCounterStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The front door: decides tool calls against a {@link Policy} and, in one call, guards a tool
 * invocation with the decision.
 *
 * <pre>{@code
 * PolicyEngine engine = PolicyEngine.builder(Policy.load(Path.of("policy.yaml"))).build();
 *
 * // Refusals returned as the caller's own result type:
 * String out = engine.call(ToolCall.of("create_compile", args), CallContext.of("agent-1"),
 *     () -> compiler.compile(args),
 *     refusal -> "error: " + refusal.reason());
 * }</pre>
 *
 * <p>The interceptor: evaluate, run the tool only if allowed, then commit the call's counters when
 * the tool returns or give back the cost of limits with {@code refund_on_error} when it fails,
 * then audit. {@link #evaluate} decides without running anything.
 *
 * <p>No method throws because of its call's content: any tool name, any arguments and any context
 * get a {@link Decision} with a reason. A counter store that fails, or does not answer within the
 * {@linkplain Builder#storeTimeout store timeout}, denies the call ("policy state unavailable")
 * unless {@link Builder#failOpen(boolean) fail-open} is configured. The policy can be
 * {@linkplain #reload replaced} while calls run; each call sees one whole policy. Thread-safe.
 */
public final class PolicyEngine {
  private volatile Policy policy;
  /** The evaluator, audited or not: chosen once, here. */
  private final DecisionPath path;
  /** Runs tools around the path's decisions. */
  private final Interceptor interceptor;
  private final boolean observed;

  private PolicyEngine(Builder b) {
    this.policy = b.policy;
    CallObserver observer = GuardedObserver.of(b.observers);
    this.observed = observer != CallObserver.NONE;
    CounterStore store = ObservedCounterStore.around(
        TimedCounterStore.around(b.store, b.storeTimeout), b.store.getClass().getSimpleName(), observer);
    Evaluator evaluator = new Evaluator(store, b.approvals, b.clock, b.failOpen);
    AuditSink audit = GuardedAuditSink.of(b.sinks);
    this.path = DecisionPath.of(evaluator, audit, observer, b.clock);
    if (audit != AuditSink.NONE && b.approvals instanceof ApprovalQueue queue) {
      queue.subscribe(new ApprovalQueue.Listener() {
        @Override
        public void answered(ApprovalAnswer answer) {
          audit.approvalAnswered(new ApprovalAnswerEvent(answer.answeredAt(), answer.id(),
              answer.request().call().tool(), answer.request().context().principal(),
              answer.verdict() == ApprovalQueue.Verdict.APPROVED, answer.approver(), answer.comment(),
              answer.argsDigest()));
        }
      });
    }
    this.interceptor = new Interceptor(path, b.shadow);
  }

  /** A builder for an engine enforcing {@code policy}. */
  public static Builder builder(Policy policy) {
    return new Builder(policy);
  }

  /** An engine with the in-memory store, deny-until-approved approvals and no audit. */
  public static PolicyEngine of(Policy policy) {
    return builder(policy).build();
  }

  /** The policy in force. */
  public Policy policy() {
    return policy;
  }

  /**
   * Replaces the policy atomically: calls that already started finish under the old one, later
   * calls see the new one. Counters survive: a limit keeps its count while its counter name,
   * window and algorithm stay the same.
   */
  public void reload(Policy next) {
    this.policy = Objects.requireNonNull(next, "policy");
  }

  /**
   * Loads {@code file} and, if it loads, puts it in force.
   *
   * @throws PolicyLoadException if the file has problems; the policy in force stays in force
   */
  public Policy reload(Path file) {
    Policy next = Policy.load(file);
    reload(next);
    return next;
  }

  /**
   * Whether the engine has {@linkplain Builder#observe observers}. A protocol adapter attaches a
   * {@link io.toolgate.api.CallEnvelope} to its calls only then, so an engine nobody observes gets
   * plain calls.
   */
  public boolean isObserved() {
    return observed;
  }

  /**
   * Whether {@code tool} belongs in the tool list a caller sees: false when the policy hides it,
   * when a deny entry with no {@code when} matches it, or when nothing would permit it under
   * {@code default: deny}. A listed tool can still be refused for its arguments or limits.
   */
  public boolean isListed(String tool, CallContext context) {
    return policy.compiled().lists(tool, context);
  }

  /**
   * Decides {@code call} without running anything. An allowed call holds its counters: callers
   * who run the tool themselves {@linkplain Reservation#rollback() roll back} when it fails, if
   * they want refunds. The decision is audited with outcome {@link Outcome#EVALUATED}.
   */
  public Decision evaluate(ToolCall call, CallContext context) {
    return path.evaluate(policy.compiled(), call, context, Trace.NONE);
  }

  /**
   * Decides {@code call} as {@link #evaluate} does, counters, approvals and audit included, and
   * returns the decision with every check that led to it, for a person debugging a policy. Slower
   * than {@code evaluate}: not for the hot path.
   */
  public Explanation explain(ToolCall call, CallContext context) {
    Trace trace = Trace.recording();
    Decision decision = path.evaluate(policy.compiled(), call, context, trace);
    return new Explanation(decision, trace.steps());
  }

  /** {@link #evaluate} with the counter store's asynchronous form. */
  public CompletionStage<Decision> evaluateAsync(ToolCall call, CallContext context) {
    return path.evaluateAsync(policy.compiled(), call, context);
  }

  /**
   * Runs {@code tool} if the policy allows the call.
   *
   * @return the tool's result
   * @throws PolicyViolationException if the call is refused
   * @throws ToolInvocationException if the tool threw a checked exception (unchecked ones pass
   *     through)
   */
  public <R> R call(ToolCall call, CallContext context, ToolInvoker<? extends R> tool) {
    return call(call, context, tool, PolicyEngine::refuse, result -> false);
  }

  /**
   * Runs {@code tool} if the policy allows the call; otherwise returns {@code onRefusal}'s
   * answer to the refusal (for example an error result the agent reads).
   */
  public <R> R call(
      ToolCall call,
      CallContext context,
      ToolInvoker<? extends R> tool,
      Function<? super Decision, ? extends R> onRefusal) {
    return call(call, context, tool, onRefusal, result -> false);
  }

  /**
   * As {@link #call(ToolCall, CallContext, ToolInvoker, Function)}, where {@code failed} also
   * counts some results as failures (for example an MCP result with {@code isError}), for
   * {@code refund_on_error} and the audit.
   */
  public <R> R call(
      ToolCall call,
      CallContext context,
      ToolInvoker<? extends R> tool,
      Function<? super Decision, ? extends R> onRefusal,
      Predicate<? super R> failed) {
    Guarded<R> guarded = guard(call, context, tool, failed);
    return guarded.ran() ? guarded.result() : onRefusal.apply(guarded.decision());
  }

  /**
   * Runs {@code tool} if the policy allows the call, as {@link #call} does, and returns the
   * decision with the tool's result.
   *
   * @throws ToolInvocationException if the tool threw a checked exception (unchecked ones pass
   *     through)
   */
  public <R> Guarded<R> guard(ToolCall call, CallContext context, ToolInvoker<? extends R> tool) {
    return guard(call, context, tool, result -> false);
  }

  /**
   * As {@link #guard(ToolCall, CallContext, ToolInvoker)}, where {@code failed} also counts some
   * results as failures, for {@code refund_on_error} and the audit. A refusal is returned, never
   * thrown.
   *
   * @throws ToolInvocationException if the tool threw a checked exception (unchecked ones pass
   *     through)
   */
  public <R> Guarded<R> guard(
      ToolCall call, CallContext context, ToolInvoker<? extends R> tool, Predicate<? super R> failed) {
    return interceptor.guard(policy.compiled(), call, context, tool, failed);
  }

  /**
   * Runs the asynchronous {@code tool} if the policy allows the call; a refusal fails the stage
   * with a {@link PolicyViolationException}.
   */
  public <R> CompletionStage<R> callAsync(
      ToolCall call, CallContext context, Supplier<? extends CompletionStage<R>> tool) {
    return callAsync(call, context, tool, PolicyEngine::refuse, result -> false);
  }

  /** Runs the asynchronous {@code tool} if allowed; otherwise completes with {@code onRefusal}'s answer. */
  public <R> CompletionStage<R> callAsync(
      ToolCall call,
      CallContext context,
      Supplier<? extends CompletionStage<R>> tool,
      Function<? super Decision, ? extends R> onRefusal) {
    return callAsync(call, context, tool, onRefusal, result -> false);
  }

  /**
   * Runs the asynchronous {@code tool} if allowed, counting results that {@code failed} accepts
   * as failures. The counter store is used through its asynchronous form, so a remote store
   * never blocks the calling thread.
   */
  public <R> CompletionStage<R> callAsync(
      ToolCall call,
      CallContext context,
      Supplier<? extends CompletionStage<R>> tool,
      Function<? super Decision, ? extends R> onRefusal,
      Predicate<? super R> failed) {
    return interceptor.callAsync(policy.compiled(), call, context, tool, onRefusal, failed);
  }

  private static <R> R refuse(Decision decision) {
    throw new PolicyViolationException(decision);
  }

  /**
   * Configures an engine. Every setting has a default: the in-memory counter store, approvals
   * that deny until a person approves (so configure an approval service if the policy has {@code
   * require_approval} entries), no audit, the system UTC clock, fail closed, enforcing, a store
   * timeout of {@link #DEFAULT_STORE_TIMEOUT}.
   *
   * <p>The store timeout bounds every call to the counter store, whatever the store: the engine
   * reads the store's {@link CounterStore#blocking()} once, at {@link #build()}. A store that
   * never blocks (the in-memory one) is called directly, with nothing added to its path. A store
   * whose asynchronous forms never block (Redis) is used through them, with a timer on the
   * asynchronous paths and a bounded wait on the synchronous ones. Any other store is called on a
   * pool of 16 daemon threads per engine (idle ones exit), 1,024 calls queued at most before a
   * call is refused at once; those calls do not see the caller's thread-locals (a store that needs
   * them, and answers at once, may declare {@link CounterStore.Blocking#NONE}). A reservation the
   * store grants after the engine stopped waiting is refunded, so the denied call takes no count.
   */
  public static final class Builder {
    /** The {@linkplain #storeTimeout store timeout} unless another is set: 2 seconds. */
    public static final Duration DEFAULT_STORE_TIMEOUT = Duration.ofSeconds(2);

    private final Policy policy;
    private CounterStore store;
    private Duration storeTimeout = DEFAULT_STORE_TIMEOUT;
    private ApprovalService approvals = ApprovalServices.denyUntilApproved();
    private final List<AuditSink> sinks = new ArrayList<>();
    private final List<CallObserver> observers = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private boolean failOpen;
    private boolean shadow;

    private Builder(Policy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** Where counts live; default a fresh {@link InMemoryCounterStore}. */
    public Builder counterStore(CounterStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * How long a call waits for the counter store (to reserve, refund or commit) before it is
     * decided as for a failed store: denied with "policy state unavailable", or allowed if {@link
     * #failOpen fail-open}. Default {@link #DEFAULT_STORE_TIMEOUT}. Not applied to a store that
     * declares it never blocks ({@link CounterStore.Blocking#NONE}).
     *
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    public Builder storeTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("storeTimeout must be positive, was " + timeout);
      }
      this.storeTimeout = timeout;
      return this;
    }

    /**
     * Who approves calls that {@code require_approval} entries hold. If it is an {@link
     * ApprovalQueue} and the engine has audit sinks, the engine subscribes to it for the engine's
     * life and every answer reaches the sinks' {@link AuditSink#approvalAnswered}.
     */
    public Builder approvals(ApprovalService approvals) {
      this.approvals = Objects.requireNonNull(approvals, "approvals");
      return this;
    }

    /** Adds a sink that receives one event per decision; may be called more than once. */
    public Builder audit(AuditSink sink) {
      sinks.add(Objects.requireNonNull(sink, "sink"));
      return this;
    }

    /**
     * Adds an observer that watches every call's decision, outcome and durations, and every call
     * to the counter store: for metrics and traces (see {@code policy-micrometer} and {@code
     * policy-opentelemetry}). May be called more than once. An engine with no observer pays
     * nothing for the feature.
     */
    public Builder observe(CallObserver observer) {
      observers.add(Objects.requireNonNull(observer, "observer"));
      return this;
    }

    /** The clock windows, approvals and audit read; default the system clock in UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Whether a call whose counter store fails (or times out) is allowed without its limits
     * instead of denied. Default false: fail closed. Fail-open allowances name the rule {@code
     * fail-open} and are audited as such.
     */
    public Builder failOpen(boolean failOpen) {
      this.failOpen = failOpen;
      return this;
    }

    /**
     * Shadow mode: every call is decided and audited as usual, but the interceptor runs the tool
     * even when the decision refuses it, so a new policy can be watched on real traffic before it
     * is enforced. The audit shows a refusal whose outcome is not {@code NOT_RUN}. {@link
     * PolicyEngine#evaluate} still returns the real decision. Default false.
     */
    public Builder shadowMode(boolean shadow) {
      this.shadow = shadow;
      return this;
    }

    public PolicyEngine build() {
      if (store == null) {
        store = InMemoryCounterStore.create();
      }
      return new PolicyEngine(this);
    }
  }
}
