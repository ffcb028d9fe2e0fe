package io.toolgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.engine.approval.ApprovalAnswer;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.ApprovalQueue.AnswerResult;
import io.toolgate.engine.approval.ApprovalQueue.Verdict;
import io.toolgate.engine.approval.ArgumentsDigest;
import io.toolgate.engine.approval.PendingApproval;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link ApprovalQueueContract} for an {@link ApprovalQueue}, the API an inbox works with: pending
 * requests by id, answers with comments, four eyes, the first answer stands, a bounded history
 * newest first, subscriptions told once per new request and per answer (possibly on another
 * thread, so the tests wait for them), and a full queue that refuses new calls. The service must
 * be built with four eyes on, {@link #maximumEntries()} entries at most (at least six) and a
 * history of at least ten.
 */
public abstract class ApprovalQueueAdminContract extends ApprovalQueueContract {
  private static final long WAIT_SECONDS = 30;

  /** The most requests, approvals and rejections the queue holds (at least six). */
  protected abstract int maximumEntries();

  /** The queue under test. */
  protected ApprovalQueue queue() {
    return (ApprovalQueue) service();
  }

  @Override
  protected void approve(ApprovalService service, ApprovalRequest request, ApprovalStatus asked) {
    assertThat(((ApprovalQueue) service).answer(idOf(asked), Verdict.APPROVED, "alice", null))
        .isEqualTo(AnswerResult.ANSWERED);
  }

  @Override
  protected void reject(ApprovalService service, ApprovalRequest request, ApprovalStatus asked, String reason) {
    ((ApprovalQueue) service).answer(idOf(asked), Verdict.REJECTED, "alice", reason);
  }

  @Test
  void aPendingRequestIsShownByIdAndARejectionCarriesItsComment() {
    ApprovalRequest request = charge(200);
    String id = idOf(queue().check(request));

    PendingApproval shown = queue().pending(id).orElseThrow();
    assertThat(shown.request().call().tool()).isEqualTo("create_charge");
    assertThat(shown.request().call().arguments()).isEqualTo(request.call().arguments());
    assertThat(shown.request().context().principal()).isEqualTo("agent-1");
    assertThat(shown.request().rule()).isEqualTo(request.rule());
    assertThat(shown.request().reason()).isEqualTo(request.reason());
    assertThat(shown.expiresAt()).isEqualTo(shown.requestedAt().plus(expireAfter()));
    assertThat(queue().pendingCount()).isOne();

    assertThat(queue().answer(id, Verdict.REJECTED, "bob", "too much")).isEqualTo(AnswerResult.ANSWERED);
    assertThat(queue().check(request)).isEqualTo(new ApprovalStatus.Rejected(id, "bob", "too much"));
    assertThat(queue().pending(id)).isEmpty();
    assertThat(queue().pendingCount()).isZero();
  }

  @Test
  void nobodyApprovesTheirOwnCallButMayRejectIt() {
    String id = idOf(queue().check(charge(210)));

    assertThat(queue().answer(id, Verdict.APPROVED, "AGENT-1", "mine")).isEqualTo(AnswerResult.OWN_CALL);
    assertThat(queue().pending(id)).as("still pending").isPresent();
    assertThat(queue().answer(id, Verdict.REJECTED, "agent-1", "changed my mind")).isEqualTo(AnswerResult.ANSWERED);
  }

  @Test
  void theFirstAnswerStands() {
    ApprovalRequest request = charge(220);
    String id = idOf(queue().check(request));

    assertThat(queue().answer(id, Verdict.APPROVED, "alice", "ok")).isEqualTo(AnswerResult.ANSWERED);
    assertThat(queue().answer(id, Verdict.REJECTED, "bob", "no")).isEqualTo(AnswerResult.ALREADY_ANSWERED);
    assertThat(queue().answer(id, Verdict.APPROVED, "carol", null)).isEqualTo(AnswerResult.ALREADY_ANSWERED);
    assertThat(queue().check(request)).isEqualTo(new ApprovalStatus.Approved(id, "alice"));
  }

  @Test
  void anExpiredOrUnknownRequestCannotBeAnswered() {
    String id = idOf(queue().check(charge(230)));
    advance(expireAfter());

    assertThat(queue().answer(id, Verdict.APPROVED, "alice", null)).isEqualTo(AnswerResult.UNKNOWN);
    assertThat(queue().answer("no-such-id", Verdict.REJECTED, "alice", null)).isEqualTo(AnswerResult.UNKNOWN);
    assertThat(queue().pending()).isEmpty();
    assertThat(queue().pendingCount()).isZero();
  }

  @Test
  void pendingRequestsAreListedOldestFirst() {
    String first = idOf(queue().check(charge(240)));
    advance(Duration.ofSeconds(1));
    String second = idOf(queue().check(charge(241)));

    assertThat(queue().pending()).extracting(PendingApproval::id).containsExactly(first, second);
    assertThat(queue().pendingCount()).isEqualTo(2);
  }

  @Test
  void theHistoryKeepsAnswersNewestFirstWithTheArgumentsDigest() {
    ApprovalRequest a = charge(250);
    ApprovalRequest b = charge(251);
    String idA = idOf(queue().check(a));
    String idB = idOf(queue().check(b));
    queue().answer(idA, Verdict.APPROVED, "alice", "fine");
    advance(Duration.ofSeconds(1));
    queue().answer(idB, Verdict.REJECTED, "bob", null);

    List<ApprovalAnswer> history = queue().history(10);
    assertThat(history).extracting(ApprovalAnswer::id).containsExactly(idB, idA);
    ApprovalAnswer newest = history.get(0);
    assertThat(newest.verdict()).isEqualTo(Verdict.REJECTED);
    assertThat(newest.approver()).isEqualTo("bob");
    assertThat(newest.comment()).isNull();
    assertThat(newest.argsDigest()).isEqualTo(ArgumentsDigest.of(b.call().arguments()));
    assertThat(newest.request().call().tool()).isEqualTo("create_charge");
    assertThat(newest.answeredAt()).isAfter(newest.requestedAt());
    assertThat(history.get(1).comment()).isEqualTo("fine");
    assertThat(history.get(1).argsDigest()).isEqualTo(ArgumentsDigest.of(a.call().arguments()));
    assertThat(queue().history(1)).extracting(ApprovalAnswer::id).containsExactly(idB);
    assertThat(queue().history(0)).isEmpty();
    assertThatThrownBy(() -> queue().history(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void subscribersAreToldOncePerNewRequestAndPerAnswer() throws Exception {
    Events events = new Events();
    Events closed = new Events();
    ApprovalQueue.Subscription closedSubscription = queue().subscribe(closed);
    try (ApprovalQueue.Subscription subscription = queue().subscribe(events)) {
      ApprovalRequest request = charge(260);
      String id = idOf(queue().check(request));
      queue().check(request);
      String other = idOf(queue().check(charge(261)));
      assertThat(closed.pending.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isNotNull();
      closedSubscription.close();
      queue().answer(id, Verdict.REJECTED, "bob", "no");

      ApprovalAnswer answer = events.answered.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(answer).as("told of the answer").isNotNull();
      assertThat(answer.id()).isEqualTo(id);
      assertThat(answer.approver()).isEqualTo("bob");
      assertThat(answer.comment()).isEqualTo("no");
      assertThat(events.pending).extracting(PendingApproval::id).containsExactly(id, other);
      assertThat(events.answered).isEmpty();
      assertThat(closed.answered).as("a closed subscription hears nothing more").isEmpty();
    }
  }

  @Test
  void aFullQueueRefusesNewCallsAndAnswersHeldOnes() {
    int max = maximumEntries();
    for (int i = 0; i < max; i++) {
      assertThat(queue().check(request("t", "p" + i, Map.of()))).isInstanceOf(ApprovalStatus.Pending.class);
    }

    ApprovalStatus over = queue().check(request("t", "newcomer", Map.of()));
    assertThat(over).isInstanceOf(ApprovalStatus.Rejected.class);
    assertThat(idOf(over)).isNull();
    assertThat(((ApprovalStatus.Rejected) over).reason()).contains("full");
    assertThat(queue().check(request("t", "p0", Map.of()))).isInstanceOf(ApprovalStatus.Pending.class);
  }

  /** A listener that keeps what it is told. */
  private static final class Events implements ApprovalQueue.Listener {
    final BlockingQueue<PendingApproval> pending = new LinkedBlockingQueue<>();
    final BlockingQueue<ApprovalAnswer> answered = new LinkedBlockingQueue<>();

    @Override
    public void pending(PendingApproval request) {
      pending.add(request);
    }

    @Override
    public void answered(ApprovalAnswer answer) {
      answered.add(answer);
    }
  }
}
