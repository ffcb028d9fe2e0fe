package io.toolgate.engine.approval;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.api.CallContext;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.MutableClock;
import io.toolgate.engine.approval.ApprovalQueue.AnswerResult;
import io.toolgate.engine.approval.ApprovalQueue.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** What an inbox relies on: answers with comments, four eyes, the history and subscriptions. */
class ApprovalQueueAnswersTest {
  private final MutableClock clock = new MutableClock("2026-01-01T10:00:00Z");
  private final InMemoryApprovalQueue queue =
      InMemoryApprovalQueue.builder(clock).expireAfter(Duration.ofMinutes(10)).maximumHistory(2).build();

  private ApprovalRequest deploy(String principal, int algorithm) {
    return new ApprovalRequest(
        ToolCall.of("create_live_algorithm", Map.of("algorithmId", algorithm)),
        CallContext.of(principal), "/tools/create_live_algorithm", "live money", clock.instant());
  }

  private String ask(ApprovalRequest request) {
    return ((ApprovalStatus.Pending) queue.check(request)).approvalId();
  }

  @Test
  void nobodyApprovesTheirOwnCallButTheyMayRejectIt() {
    String id = ask(deploy("Alice", 1));

    assertThat(queue.answer(id, Verdict.APPROVED, "alice", null)).isEqualTo(AnswerResult.OWN_CALL);
    assertThat(queue.approve(id, "Alice")).isFalse();
    assertThat(queue.pending(id)).as("still pending").isPresent();

    assertThat(queue.answer(id, Verdict.REJECTED, "Alice", "changed my mind")).isEqualTo(AnswerResult.ANSWERED);
    assertThat(queue.check(deploy("Alice", 1)))
        .isEqualTo(new ApprovalStatus.Rejected(id, "Alice", "changed my mind"));
  }

  @Test
  void fourEyesCanBeTurnedOffForDevelopment() {
    InMemoryApprovalQueue solo = InMemoryApprovalQueue.builder(clock).fourEyes(false).build();
    String id = ((ApprovalStatus.Pending) solo.check(deploy("dev", 1))).approvalId();

    assertThat(solo.answer(id, Verdict.APPROVED, "dev", "ok")).isEqualTo(AnswerResult.ANSWERED);
  }

  @Test
  void theFirstAnswerStandsAndUnknownIdsAreSaidToBeUnknown() {
    String id = ask(deploy("agent", 2));

    assertThat(queue.answer(id, Verdict.APPROVED, "bob", "looks right")).isEqualTo(AnswerResult.ANSWERED);
    assertThat(queue.answer(id, Verdict.REJECTED, "carol", null)).isEqualTo(AnswerResult.ALREADY_ANSWERED);
    assertThat(queue.answer("no-such-id", Verdict.APPROVED, "bob", null)).isEqualTo(AnswerResult.UNKNOWN);
    assertThat(queue.pending(id)).isEmpty();

    String expiring = ask(deploy("agent", 3));
    clock.advance(Duration.ofMinutes(10));
    assertThat(queue.answer(expiring, Verdict.APPROVED, "bob", null)).isEqualTo(AnswerResult.UNKNOWN);
  }

  @Test
  void theHistoryKeepsTheLatestAnswersNewestFirstWithTheCallsDigest() {
    String first = ask(deploy("agent", 1));
    String second = ask(deploy("agent", 2));
    String third = ask(deploy("agent", 3));
    queue.answer(first, Verdict.APPROVED, "bob", null);
    clock.advance(Duration.ofSeconds(5));
    queue.answer(second, Verdict.REJECTED, "carol", "not today");
    clock.advance(Duration.ofSeconds(5));
    queue.answer(third, Verdict.APPROVED, "bob", "fine");

    List<ApprovalAnswer> history = queue.history(10);
    assertThat(history).extracting(ApprovalAnswer::id).containsExactly(third, second);
    ApprovalAnswer rejected = history.get(1);
    assertThat(rejected.verdict()).isEqualTo(Verdict.REJECTED);
    assertThat(rejected.approver()).isEqualTo("carol");
    assertThat(rejected.comment()).isEqualTo("not today");
    assertThat(rejected.requestedAt()).isEqualTo("2026-01-01T10:00:00Z");
    assertThat(rejected.answeredAt()).isEqualTo("2026-01-01T10:00:05Z");
    assertThat(rejected.argsDigest()).matches("[0-9a-f]{64}").isNotEqualTo(history.get(0).argsDigest());
    assertThat(queue.history(1)).extracting(ApprovalAnswer::id).containsExactly(third);
    assertThat(queue.history(0)).isEmpty();
  }

  @Test
  void subscribersHearOfNewRequestsAndAnswersUntilTheyClose() {
    List<String> heard = new CopyOnWriteArrayList<>();
    ApprovalQueue.Subscription subscription = queue.subscribe(new ApprovalQueue.Listener() {
      @Override
      public void pending(PendingApproval request) {
        heard.add("pending " + request.id());
      }

      @Override
      public void answered(ApprovalAnswer answer) {
        heard.add(answer.verdict() + " " + answer.id() + " by " + answer.approver());
      }
    });
    queue.subscribe(new ApprovalQueue.Listener() {
      @Override
      public void pending(PendingApproval request) {
        throw new IllegalStateException("a broken listener changes nothing");
      }
    });

    String id = ask(deploy("agent", 1));
    ask(deploy("agent", 1)); // the same call again: no second notice
    queue.approve(id, "bob");
    subscription.close();
    ask(deploy("agent", 2));

    assertThat(heard).containsExactly("pending " + id, "APPROVED " + id + " by bob");
  }
}
