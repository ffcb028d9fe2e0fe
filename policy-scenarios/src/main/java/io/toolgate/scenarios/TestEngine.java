package io.toolgate.scenarios;

import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.store.InMemoryCounterStore;
import java.time.Instant;

/**
 * The one place that wires an engine for tests: the policy on a {@link TestClock}, a fresh
 * in-memory counter store, an in-memory approval queue on the same clock, and every call made
 * through the engine's interceptor (so a failing tool is refunded exactly as in production).
 * Steps run one after another on a test clock, so nothing can answer while a call waits: a {@code
 * wait} on a require_approval entry ends at once, and the held call is {@code approval_required}
 * as without it (a later step answers, and the call is sent again).
 * Used by {@link ScenarioRunner} and the testkit's {@code PolicyTester}; not meant for users' code.
 */
public final class TestEngine {
  private final TestClock clock;
  private final InMemoryApprovalQueue approvals;
  private final PolicyEngine engine;
  private final CoverageTracker coverage;
  private final PolicyEngine tracer;
  private volatile String lastApprovalId;

  /** An engine for {@code source} on a clock at {@code start}, crediting {@code coverage} (may be {@code null}). */
  public TestEngine(PolicySource source, Instant start, Coverage coverage) {
    this.clock = TestClock.at(start);
    this.approvals = InMemoryApprovalQueue.builder(clock).build();
    this.engine =
        PolicyEngine.builder(source.policy())
            .clock(clock)
            .counterStore(InMemoryCounterStore.create())
            .approvals(withoutWaiting(approvals))
            .build();
    this.coverage = coverage == null ? null : coverage.track(source.name(), source.view());
    // when clauses are named by no decision: a side engine explains the same call for coverage.
    // Everything it traces up to the approval and the counters is a pure function of the call,
    // so its own store and approval answer do not change what it reports about them.
    this.tracer =
        this.coverage == null || !this.coverage.needsTrace()
            ? null
            : PolicyEngine.builder(source.policy())
                .clock(clock)
                .counterStore(InMemoryCounterStore.create())
                .approvals(request -> new ApprovalStatus.Pending("coverage"))
                .build();
  }

  /** {@code queue}, except that it never says when a request is answered: a wait ends at once. */
  private static ApprovalService withoutWaiting(InMemoryApprovalQueue queue) {
    return new ApprovalService() {
      @Override
      public ApprovalStatus check(ApprovalRequest request) {
        return queue.check(request);
      }

      @Override
      public void confirm(ApprovalRequest request, ApprovalStatus.Approved approved) {
        queue.confirm(request, approved);
      }

      @Override
      public void release(ApprovalRequest request, ApprovalStatus.Approved approved) {
        queue.release(request, approved);
      }
    };
  }

  /**
   * Decides and runs one call through the interceptor. When {@code toolFails}, the tool fails
   * after an allowance, so limits with {@code refund_on_error} give their cost back.
   */
  public Decision call(ToolCall call, CallContext context, boolean toolFails) {
    // A failed result counts as the tool's failure: refund_on_error applies as if it had thrown.
    Decision decision = engine.guard(call, context, () -> Boolean.TRUE, result -> toolFails).decision();
    if (decision instanceof Decision.ApprovalRequired held) {
      lastApprovalId = held.approvalId();
    }
    if (coverage != null) {
      coverage.record(decision, tracer == null ? null : tracer.explain(call, context).steps());
    }
    return decision;
  }

  /**
   * Approves the most recent APPROVAL_REQUIRED decision's request.
   *
   * @throws IllegalStateException if no call has been held yet, or its request is no longer pending
   */
  public void approveLast(String approver) {
    if (!approvals.approve(lastApprovalId(), approver)) {
      throw new IllegalStateException("approval " + lastApprovalId + " is no longer pending (expired or answered)");
    }
  }

  /** Rejects the most recent APPROVAL_REQUIRED decision's request. */
  public void rejectLast(String approver, String reason) {
    if (!approvals.reject(lastApprovalId(), approver, reason)) {
      throw new IllegalStateException("approval " + lastApprovalId + " is no longer pending (expired or answered)");
    }
  }

  /** The approval id of the most recent held call. */
  public String lastApprovalId() {
    String id = lastApprovalId;
    if (id == null) {
      throw new IllegalStateException("no call has been held for approval yet");
    }
    return id;
  }

  /** Whether any call has been held for approval. */
  public boolean hasHeldCall() {
    return lastApprovalId != null;
  }

  /** The clock the engine and the approval queue run on. */
  public TestClock clock() {
    return clock;
  }

  /** The approval queue held calls wait in. */
  public InMemoryApprovalQueue approvals() {
    return approvals;
  }

  /** The engine. */
  public PolicyEngine engine() {
    return engine;
  }

  /** A call in one line for failure messages: tool, arguments, who calls, when, and whether the tool fails. */
  public static String describe(ToolCall call, CallContext context, Instant at, boolean toolFails) {
    StringBuilder out = new StringBuilder();
    out.append('"').append(call.tool()).append("\" ");
    try {
      out.append(call.arguments());
    } catch (IllegalArgumentException e) {
      out.append("(arguments that are not JSON)");
    }
    out.append(" as ").append(context.principal() == null ? "an anonymous caller" : context.principal());
    if (!context.roles().isEmpty()) {
      out.append(", roles ").append(new java.util.TreeSet<>(context.roles()));
    }
    if (!context.attributes().isEmpty()) {
      out.append(", attributes ").append(context.attributes());
    }
    if (context.sessionId() != null) {
      out.append(", session ").append(context.sessionId());
    }
    if (at != null) {
      out.append(", at ").append(at);
    }
    if (toolFails) {
      out.append(", the tool failing");
    }
    return out.toString();
  }
}
