package io.toolgate.engine.approval;

import io.toolgate.api.ApprovalService;
import java.util.List;
import java.util.Optional;

/**
 * An {@link ApprovalService} that holds requests until a person answers them by id: what an
 * approvals inbox, a chat bot or an operator's script works with. Built in: {@link
 * InMemoryApprovalQueue}; a shared one lives in Redis.
 *
 * <p>Answers are final: the first answer to a request stands, and later ones return {@link
 * AnswerResult#ALREADY_ANSWERED}. Unless the queue is configured otherwise, nobody may approve a
 * call they made themselves ({@link AnswerResult#OWN_CALL}: four eyes); rejecting it is allowed.
 *
 * <p>Implementations are thread-safe. Listeners run outside the queue's locks and may answer a
 * request themselves; a listener that throws is logged and changes nothing.
 */
public interface ApprovalQueue extends ApprovalService {

  /** The requests no one has answered yet and that have not expired, oldest first. */
  List<PendingApproval> pending();

  /** How many requests are pending; cheap enough for a metrics gauge. */
  int pendingCount();

  /** The pending request {@code id}, or empty if it is unknown, answered or expired. */
  Optional<PendingApproval> pending(String id);

  /**
   * Answers the pending request {@code id}. Approved: the next call identical to it passes, once.
   * Rejected: identical calls are rejected with this approver and comment until the rejection
   * expires.
   *
   * @param approver who answers, as the host authenticated them
   * @param comment why, shown to the agent on a rejection and kept in the history; may be {@code
   *     null}
   */
  AnswerResult answer(String id, Verdict verdict, String approver, String comment);

  /** {@code answer(id, APPROVED, approver, null) == ANSWERED}. */
  default boolean approve(String id, String approver) {
    return answer(id, Verdict.APPROVED, approver, null) == AnswerResult.ANSWERED;
  }

  /** {@code answer(id, REJECTED, approver, reason) == ANSWERED}. */
  default boolean reject(String id, String approver, String reason) {
    return answer(id, Verdict.REJECTED, approver, reason) == AnswerResult.ANSWERED;
  }

  /** The most recent answers, newest first, at most {@code max} of them (the queue keeps a bounded history). */
  List<ApprovalAnswer> history(int max);

  /**
   * Tells {@code listener} of every request that becomes pending and every answer given from now
   * on, until the returned handle is closed. A queue shared by several processes tells every
   * process's listeners.
   */
  Subscription subscribe(Listener listener);

  /** A person's answer. */
  enum Verdict {
    APPROVED,
    REJECTED
  }

  /** What {@link #answer} did. */
  enum AnswerResult {
    /** The answer was recorded. */
    ANSWERED,
    /** No such request: the id is unknown or the request expired. */
    UNKNOWN,
    /** The request was answered before; the first answer stands. */
    ALREADY_ANSWERED,
    /** The approver is the call's own principal, and four eyes are required. */
    OWN_CALL
  }

  /** What happens in a queue. Both methods default to doing nothing. */
  interface Listener {
    /** A new request is pending (not told again when an identical call asks again). */
    default void pending(PendingApproval request) {}

    /** A request was answered. */
    default void answered(ApprovalAnswer answer) {}
  }

  /** A listener's registration; closing it stops the listener being told. */
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }
}
