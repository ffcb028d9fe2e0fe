package io.toolgate.engine.internal.eval;

import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.api.Decision;
import io.toolgate.engine.internal.model.ToolEntry;
import java.time.Clock;

/**
 * Step 5 of the decision procedure: a held call asks the engine's {@link ApprovalService}. An
 * approval it grants is a {@link Claim}, settled once the call's decision is final: confirmed
 * (used up) when the call is admitted, else released so that it covers the same call again.
 */
final class ApprovalStep {
  /** The evaluator's logger: one for the whole procedure. */
  private static final System.Logger LOG = System.getLogger(Evaluator.class.getName());

  private final ApprovalService approvals;
  private final Clock clock;

  /** The engine's approval service, for {@link ApprovalWait}. */
  ApprovalService service() {
    return approvals;
  }

  /** The engine's clock, for {@link ApprovalWait}. */
  Clock clock() {
    return clock;
  }

  ApprovalStep(ApprovalService approvals, Clock clock) {
    this.approvals = approvals;
    this.clock = clock;
  }

  /** What step 5 came to when an approval was asked for: a refusal, or a claim to settle. */
  sealed interface Asked permits Refused, Claim {}

  /**
   * The approval service held or refused the call; a held call whose entry says {@code wait} has
   * its {@code request}, pending id and wait in milliseconds (else {@code null}, {@code null}, 0).
   */
  record Refused(Decision decision, ApprovalRequest request, String approvalId, long waitMillis) implements Asked {
    Refused(Decision decision) {
      this(decision, null, null, 0);
    }

    /** Whether the engine holds the call for an answer before deciding. */
    boolean waits() {
      return waitMillis > 0 && approvalId != null;
    }
  }

  /** The service approved the call: confirmed if the call is admitted, else released. */
  record Claim(ApprovalRequest request, ApprovalStatus.Approved approved) implements Asked {}

  /**
   * The first require_approval entry whose {@code when} holds asks the service; {@code null} when
   * none does.
   */
  Asked approve(Resolved r, CallView view, Trace trace) {
    for (ToolEntry entry : r.approvals) {
      if (!Evaluator.whenApplies(entry.when(), view, trace)) {
        trace.step(entry.pointer(), null, null, (x, y) -> "needs approval", (x, y) -> "no: its when does not hold");
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
      trace.step(entry.pointer(), status, null, (s, x) -> "approval service answers", (s, x) -> String.valueOf(s));
      if (status instanceof ApprovalStatus.Pending pending) {
        String id = pending.approvalId();
        return new Refused(new Decision.ApprovalRequired(
            tool, principal, r.matched, entry.pointer(), Reasons.awaitingApproval(tool, entry.reason(), id), id),
            request, id, entry.waitMillis());
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
   * Settles {@code claim} (if any) once the call's decision is final: confirmed when the call is
   * allowed, else released. {@code decision} is {@code null} when deciding failed. Returns {@code
   * decision}, an allow naming the approval it used ({@link Decision.Allow#approvalId()}).
   */
  Decision settle(Claim claim, Decision decision, Trace trace) {
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
    trace.step(claim.request().rule(), admitted, null,
        (a, x) -> "approval", (a, x) -> a ? "used by this call" : "given back: the call was not admitted");
    if (decision instanceof Decision.Allow allow) {
      return new Decision.Allow(allow.tool(), allow.principal(), allow.matched(), allow.rule(), allow.reason(),
          allow.reservation(), claim.approved().approvalId());
    }
    return decision;
  }
}
