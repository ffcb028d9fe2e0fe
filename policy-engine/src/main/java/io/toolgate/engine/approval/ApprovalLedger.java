package io.toolgate.engine.approval;

import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.engine.approval.ApprovalEntries.Entry;
import io.toolgate.engine.approval.ApprovalEntries.Key;
import io.toolgate.engine.approval.ApprovalEntries.State;
import io.toolgate.engine.approval.ApprovalQueue.AnswerResult;
import io.toolgate.engine.approval.ApprovalQueue.Verdict;
import io.toolgate.engine.internal.CanonicalJson;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The rules an {@link InMemoryApprovalQueue} applies to its entries: which new calls may be held
 * (the size, queue and per-principal caps), how one call's entry goes from pending to approved,
 * claimed, used up or rejected, and who may answer it (four eyes). Not thread-safe, and it tells
 * no listener: the queue calls it under its lock and tells listeners after.
 */
final class ApprovalLedger {
  private final Duration expireAfter;
  private final int maximumEntries;
  private final int maximumPendingPerPrincipal;
  private final int maximumRequestBytes;
  private final boolean fourEyes;
  private final ApprovalEntries entries = new ApprovalEntries();

  ApprovalLedger(Duration expireAfter, int maximumEntries, int maximumPendingPerPrincipal, int maximumRequestBytes,
      boolean fourEyes) {
    this.expireAfter = expireAfter;
    this.maximumEntries = maximumEntries;
    this.maximumPendingPerPrincipal = maximumPendingPerPrincipal;
    this.maximumRequestBytes = maximumRequestBytes;
    this.fourEyes = fourEyes;
  }

  /** What {@link #check} answers, and the request it made pending ({@code null} if none) for the listeners. */
  record Checked(ApprovalStatus status, PendingApproval created) {}

  /** What {@link #answer} did, and the answer ({@code null} unless {@link AnswerResult#ANSWERED}). */
  record Answered(AnswerResult result, ApprovalAnswer answer) {}

  /**
   * The call's identity: tool, principal and the digest of its canonical arguments.
   *
   * @throws IllegalArgumentException if the arguments cannot be read as JSON
   */
  static Key key(ApprovalRequest request) {
    return new Key(request.call().tool(), request.context().principal(),
        CanonicalJson.sha256Hex(request.call().arguments()));
  }

  /**
   * A rejection with no id if {@code request}, as JSON, is larger than the cap; {@code null} if it
   * may be held. Reads no entry, so it needs no lock.
   *
   * @throws IllegalArgumentException if the request cannot be written as JSON
   */
  ApprovalStatus.Rejected tooLarge(ApprovalRequest request) {
    long bytes = RequestSize.of(request);
    return bytes > maximumRequestBytes
        ? new ApprovalStatus.Rejected(null, null, RequestSize.tooLarge(bytes, maximumRequestBytes))
        : null;
  }

  /** What the queue says about the call {@code key} now; a new pending request if it holds none and has room. */
  Checked check(Key key, ApprovalRequest request, Instant now) {
    Entry entry = entries.byKey(key, now);
    if (entry != null) {
      return new Checked(switch (entry.state) {
        case PENDING -> new ApprovalStatus.Pending(entry.id);
        case APPROVED -> {
          entry.state = State.CLAIMED;
          yield new ApprovalStatus.Approved(entry.id, entry.approver);
        }
        case CLAIMED -> new ApprovalStatus.Pending(entry.id); // an identical call is using it now
        case REJECTED -> new ApprovalStatus.Rejected(entry.id, entry.approver, entry.reason);
      }, null);
    }
    if (entries.size() >= maximumEntries) {
      return new Checked(new ApprovalStatus.Rejected(
          null, null, "the approval queue is full (" + maximumEntries + " requests); try again later"), null);
    }
    if (entries.pendingOf(key.principal()) >= maximumPendingPerPrincipal) {
      return new Checked(new ApprovalStatus.Rejected(
          null, null, "too many approval requests pending for this principal (at most "
              + maximumPendingPerPrincipal + " at once); wait for an answer or for one to expire"), null);
    }
    PendingApproval created = entries.add(key, request, now, now.plus(expireAfter)).pending();
    return new Checked(new ApprovalStatus.Pending(created.id()), created);
  }

  /** The call {@code approved} was claimed for was admitted: the approval is used up. */
  void confirm(ApprovalStatus.Approved approved) {
    Entry entry = claimed(approved);
    if (entry != null) {
      entries.remove(entry);
    }
  }

  /** The call {@code approved} was claimed for was refused: the approval covers the same call again. */
  void release(ApprovalStatus.Approved approved) {
    Entry entry = claimed(approved);
    if (entry != null) {
      entry.state = State.APPROVED;
    }
  }

  /** The claimed entry {@code approved} names, or {@code null} (expired, or not from this queue). */
  private Entry claimed(ApprovalStatus.Approved approved) {
    Entry entry = approved.approvalId() == null ? null : entries.byId(approved.approvalId());
    return entry != null && entry.state == State.CLAIMED ? entry : null;
  }

  /** Whether {@code id} names a live pending request. */
  boolean isPending(String id, Instant now) {
    return pendingEntry(id, now) != null;
  }

  /** Removes the pending request {@code id} unless {@code awaited} says a call still waits for it. */
  void withdraw(String id, Instant now, Predicate<String> awaited) {
    Entry entry = pendingEntry(id, now);
    if (entry != null && !awaited.test(id)) {
      entries.remove(entry);
    }
  }

  /** Answers the pending request {@code id}, unless it is unknown, answered, or the approver's own call. */
  Answered answer(String id, Verdict verdict, String approver, String comment, Instant now) {
    Entry entry = entries.byId(id, now);
    if (entry == null) {
      return new Answered(AnswerResult.UNKNOWN, null);
    }
    if (entry.state != State.PENDING) {
      return new Answered(AnswerResult.ALREADY_ANSWERED, null);
    }
    if (verdict == Verdict.APPROVED && fourEyes && approver.equalsIgnoreCase(entry.key.principal())) {
      return new Answered(AnswerResult.OWN_CALL, null);
    }
    entries.answer(entry, verdict == Verdict.APPROVED ? State.APPROVED : State.REJECTED,
        approver, comment, now.plus(expireAfter));
    return new Answered(AnswerResult.ANSWERED, new ApprovalAnswer(entry.id, entry.request, verdict, approver,
        comment, entry.key.argumentsDigest(), entry.requestedAt, now));
  }

  Optional<PendingApproval> pending(String id, Instant now) {
    return Optional.ofNullable(pendingEntry(id, now)).map(Entry::pending);
  }

  List<PendingApproval> pending(Instant now) {
    return entries.pending(now);
  }

  int pendingCount(Instant now) {
    return entries.pendingCount(now);
  }

  int size(Instant now) {
    return entries.size(now);
  }

  /** The live pending entry {@code id} names, or {@code null}. */
  private Entry pendingEntry(String id, Instant now) {
    Entry entry = id == null ? null : entries.byId(id, now);
    return entry != null && entry.state == State.PENDING ? entry : null;
  }

  /** The settings, as the queue's {@code toString} shows them. */
  @Override
  public String toString() {
    return "expireAfter=" + expireAfter + ", maximumEntries=" + maximumEntries
        + ", maximumPendingPerPrincipal=" + maximumPendingPerPrincipal + ", maximumRequestBytes=" + maximumRequestBytes
        + ", fourEyes=" + fourEyes;
  }
}
