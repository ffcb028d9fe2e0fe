package io.toolgate.engine.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.api.CallContext;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.MutableClock;
import io.toolgate.engine.internal.Jackson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InMemoryApprovalQueueTest {
  private static final Duration TTL = Duration.ofMinutes(10);

  private final MutableClock clock = new MutableClock("2026-01-01T10:00:00Z");
  private final List<PendingApproval> notified = new CopyOnWriteArrayList<>();
  private final InMemoryApprovalQueue queue =
      InMemoryApprovalQueue.builder(clock).expireAfter(TTL).onPending(notified::add).build();

  private static JsonNode json(String text) {
    try {
      return Jackson.JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private ApprovalRequest request(String tool, String principal, JsonNode args) {
    return new ApprovalRequest(
        ToolCall.of(tool, args), CallContext.of(principal), "/tools/" + tool, "needs a human", clock.instant());
  }

  private ApprovalRequest charge(String principal, String args) {
    return request("create_charge", principal, json(args));
  }

  private String pendingId(ApprovalStatus status) {
    assertThat(status).isInstanceOf(ApprovalStatus.Pending.class);
    return ((ApprovalStatus.Pending) status).approvalId();
  }

  @Test
  void aNewCallIsPendingWithARandomIdAndTheSameCallKeepsIt() {
    String id = pendingId(queue.check(charge("a", "{\"amount\":50000}")));
    assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

    clock.advance(Duration.ofMinutes(5));
    assertThat(queue.check(charge("a", "{\"amount\":50000}"))).isEqualTo(new ApprovalStatus.Pending(id));
    assertThat(queue.size()).isEqualTo(1);
  }

  @Test
  void argumentsCompareCanonically() {
    String id = pendingId(queue.check(charge("a", "{\"amount\":7,\"memo\":{\"x\":1,\"y\":[1,2.50]}}")));

    assertThat(queue.check(charge("a", "{\"memo\":{\"y\":[1.0,2.5],\"x\":1},\"amount\":7.0}")))
        .isEqualTo(new ApprovalStatus.Pending(id));
    assertThat(queue.check(charge("a", "{\"memo\":{\"y\":[1,2.5],\"x\":1e0},\"amount\":70e-1}")))
        .isEqualTo(new ApprovalStatus.Pending(id));
    // A map of arguments is the same call as the JSON it converts to.
    ApprovalRequest asMap =
        new ApprovalRequest(
            ToolCall.of("create_charge", Map.of("memo", Map.of("x", 1L, "y", List.of(1.0, 2.5)), "amount", 7.0)),
            CallContext.of("a"), "/tools/create_charge", null, clock.instant());
    assertThat(queue.check(asMap)).isEqualTo(new ApprovalStatus.Pending(id));
    assertThat(notified).hasSize(1);
  }

  @Test
  void aDifferentToolPrincipalOrArgumentIsADifferentRequest() {
    Set<String> ids = new HashSet<>();
    ids.add(pendingId(queue.check(charge("a", "{\"amount\":7}"))));
    ids.add(pendingId(queue.check(charge("b", "{\"amount\":7}"))));
    ids.add(pendingId(queue.check(request("create_charge", null, json("{\"amount\":7}")))));
    ids.add(pendingId(queue.check(request("refund_charge", "a", json("{\"amount\":7}")))));
    ids.add(pendingId(queue.check(charge("a", "{\"amount\":8}"))));
    ids.add(pendingId(queue.check(charge("a", "{\"amount\":\"7\"}"))));
    ids.add(pendingId(queue.check(charge("a", "{\"amount\":7,\"memo\":null}"))));
    ids.add(pendingId(queue.check(charge("a", "{}"))));

    assertThat(ids).hasSize(8);
    assertThat(notified).hasSize(8);
    assertThat(queue.pending()).extracting(PendingApproval::id).containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  void theSessionAndRolesDoNotCount() {
    ApprovalRequest plain = charge("a", "{\"amount\":7}");
    ApprovalRequest other =
        new ApprovalRequest(
            plain.call(), CallContext.of("a").withSession("s-2").withRoles("admin"), plain.rule(), null, clock.instant());

    assertThat(queue.check(other)).isEqualTo(queue.check(plain));
  }

  @Test
  void anApprovalLetsTheNextIdenticalCallPassOnce() {
    String id = pendingId(queue.check(charge("a", "{\"amount\":7}")));
    assertThat(queue.approve(id, "alice")).isTrue();

    assertThat(queue.check(charge("b", "{\"amount\":7}"))).isInstanceOf(ApprovalStatus.Pending.class);
    assertThat(queue.check(charge("a", "{\"amount\":8}"))).isInstanceOf(ApprovalStatus.Pending.class);
    ApprovalRequest call = charge("a", "{\"amount\":7.0}");
    ApprovalStatus.Approved approved = new ApprovalStatus.Approved(id, "alice");
    assertThat(queue.check(call)).isEqualTo(approved);
    queue.confirm(call, approved);

    String next = pendingId(queue.check(charge("a", "{\"amount\":7}")));
    assertThat(next).isNotEqualTo(id);
    assertThat(queue.approve(id, "alice")).as("a used approval is gone").isFalse();
  }

  @Test
  void aRejectionStaysUntilItExpires() {
    String id = pendingId(queue.check(charge("a", "{\"amount\":7}")));
    clock.advance(Duration.ofMinutes(9));
    assertThat(queue.reject(id, "bob", "too large")).isTrue();
    ApprovalStatus.Rejected rejected = new ApprovalStatus.Rejected(id, "bob", "too large");

    assertThat(queue.check(charge("a", "{\"amount\":7}"))).isEqualTo(rejected);
    // The rejection lives TTL from the moment it was given, not from the request.
    clock.advance(TTL.minusSeconds(1));
    assertThat(queue.check(charge("a", "{\"amount\":7}"))).isEqualTo(rejected);
    assertThat(queue.pending()).isEmpty();

    clock.advance(Duration.ofSeconds(1));
    String again = pendingId(queue.check(charge("a", "{\"amount\":7}")));
    assertThat(again).isNotEqualTo(id);
    assertThat(notified).extracting(PendingApproval::id).containsExactly(id, again);
  }

  @Test
  void aPendingRequestExpires() {
    String id = pendingId(queue.check(charge("a", "{\"amount\":7}")));
    clock.advance(TTL.minusMillis(1));
    assertThat(queue.check(charge("a", "{\"amount\":7}"))).isEqualTo(new ApprovalStatus.Pending(id));
    assertThat(queue.pending()).hasSize(1);

    clock.advance(Duration.ofMillis(1));
    assertThat(queue.pending()).isEmpty();
    assertThat(queue.size()).isZero();
    assertThat(queue.approve(id, "alice")).as("an expired id is unknown").isFalse();
    assertThat(pendingId(queue.check(charge("a", "{\"amount\":7}")))).isNotEqualTo(id);
  }

  @Test
  void anUnusedApprovalExpires() {
    String id = pendingId(queue.check(charge("a", "{\"amount\":7}")));
    clock.advance(Duration.ofMinutes(9));
    assertThat(queue.approve(id, "alice")).isTrue();

    clock.advance(TTL.minusMillis(1));
    assertThat(queue.size()).isEqualTo(1);
    clock.advance(Duration.ofMillis(1));
    assertThat(queue.size()).isZero();
    assertThat(pendingId(queue.check(charge("a", "{\"amount\":7}")))).isNotEqualTo(id);
  }

  @Test
  void anEntryFoundExpiredAfterTheClockWentBackIsStillForgotten() {
    String first = pendingId(queue.check(charge("a", "{\"amount\":1}")));
    clock.advance(Duration.ofMinutes(-5));
    String second = pendingId(queue.check(charge("a", "{\"amount\":2}"))); // expires before the first
    clock.advance(Duration.ofMinutes(5).plus(TTL).minusSeconds(1)); // second expired, first not

    assertThat(queue.check(charge("a", "{\"amount\":1}"))).isEqualTo(new ApprovalStatus.Pending(first));
    assertThat(pendingId(queue.check(charge("a", "{\"amount\":2}")))).isNotEqualTo(second);
    assertThat(queue.approve(second, "alice")).isFalse();
  }

  @Test
  void unknownAndAnsweredIdsAreRefused() {
    assertThat(queue.approve("no-such-id", "alice")).isFalse();
    assertThat(queue.reject("no-such-id", "alice", "no")).isFalse();

    String approved = pendingId(queue.check(charge("a", "{\"amount\":1}")));
    assertThat(queue.approve(approved, "alice")).isTrue();
    assertThat(queue.approve(approved, "carol")).as("first answer stands").isFalse();
    assertThat(queue.reject(approved, "bob", "no")).as("first answer stands").isFalse();
    assertThat(queue.check(charge("a", "{\"amount\":1}"))).isEqualTo(new ApprovalStatus.Approved(approved, "alice"));

    String rejected = pendingId(queue.check(charge("a", "{\"amount\":2}")));
    assertThat(queue.reject(rejected, "bob", null)).isTrue();
    assertThat(queue.approve(rejected, "alice")).as("first answer stands").isFalse();
    assertThat(queue.check(charge("a", "{\"amount\":2}"))).isEqualTo(new ApprovalStatus.Rejected(rejected, "bob", null));

    assertThatThrownBy(() -> queue.approve(null, "alice")).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> queue.approve(approved, null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void pendingListsUnansweredRequestsOldestFirst() {
    ApprovalRequest first = charge("a", "{\"amount\":1}");
    String id1 = pendingId(queue.check(first));
    clock.advance(Duration.ofMinutes(1));
    String id2 = pendingId(queue.check(charge("a", "{\"amount\":2}")));
    clock.advance(Duration.ofMinutes(1));
    String id3 = pendingId(queue.check(charge("a", "{\"amount\":3}")));
    queue.approve(id2, "alice");

    List<PendingApproval> pending = queue.pending();
    assertThat(pending).extracting(PendingApproval::id).containsExactly(id1, id3);
    PendingApproval p = pending.get(0);
    assertThat(p.request()).isSameAs(first);
    assertThat(p.requestedAt()).isEqualTo("2026-01-01T10:00:00Z");
    assertThat(p.expiresAt()).isEqualTo(p.requestedAt().plus(TTL));
    assertThat(notified).extracting(PendingApproval::id).containsExactly(id1, id2, id3);
    assertThat(notified.get(0)).isEqualTo(p);
  }

  @Test
  void theListenerMayAnswerAtOnceAndMayFail() {
    InMemoryApprovalQueue[] self = new InMemoryApprovalQueue[1];
    self[0] =
        InMemoryApprovalQueue.builder(clock)
            .onPending(p -> self[0].approve(p.id(), "auto"))
            .build();
    String id = pendingId(self[0].check(charge("a", "{}")));
    assertThat(self[0].check(charge("a", "{}"))).isEqualTo(new ApprovalStatus.Approved(id, "auto"));

    InMemoryApprovalQueue failing =
        InMemoryApprovalQueue.builder(clock)
            .onPending(p -> { throw new IllegalStateException("slack is down"); })
            .build();
    String kept = pendingId(failing.check(charge("a", "{}")));
    assertThat(failing.check(charge("a", "{}"))).isEqualTo(new ApprovalStatus.Pending(kept));
  }

  @Test
  void concurrentIdenticalCallsGetOneIdAndOneNotification() throws Exception {
    int threads = 16;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int round = 0; round < 20; round++) {
        notified.clear();
        String args = "{\"round\":" + round + "}";
        CountDownLatch start = new CountDownLatch(1);
        List<Future<ApprovalStatus>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          futures.add(
              pool.submit(
                  () -> {
                    start.await();
                    return queue.check(charge("a", args));
                  }));
        }
        start.countDown();
        Set<ApprovalStatus> answers = new HashSet<>();
        for (Future<ApprovalStatus> f : futures) {
          answers.add(f.get(10, TimeUnit.SECONDS));
        }
        assertThat(answers).hasSize(1);
        assertThat(notified).hasSize(1);
        assertThat(answers).containsExactly(new ApprovalStatus.Pending(notified.get(0).id()));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void anApprovalPassesExactlyOneOfManyConcurrentCalls() throws Exception {
    String id = pendingId(queue.check(charge("a", "{}")));
    queue.approve(id, "alice");
    int threads = 16;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<ApprovalStatus>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  return queue.check(charge("a", "{}"));
                }));
      }
      start.countDown();
      int approved = 0;
      for (Future<ApprovalStatus> f : futures) {
        if (f.get(10, TimeUnit.SECONDS) instanceof ApprovalStatus.Approved) {
          approved++;
        }
      }
      assertThat(approved).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFloodOfDistinctCallsIsBoundedAndFailsClosed() {
    InMemoryApprovalQueue small =
        InMemoryApprovalQueue.builder(clock).expireAfter(TTL).maximumEntries(100).build();
    String kept = pendingId(small.check(charge("a", "{\"n\":-1}")));
    for (int i = 0; i < 99; i++) {
      pendingId(small.check(charge("a", "{\"n\":" + i + "}")));
    }
    for (int i = 99; i < 5_000; i++) {
      ApprovalStatus status = small.check(charge("a", "{\"n\":" + i + "}"));
      assertThat(status).isInstanceOf(ApprovalStatus.Rejected.class);
      ApprovalStatus.Rejected r = (ApprovalStatus.Rejected) status;
      assertThat(r.approvalId()).isNull();
      assertThat(r.reason()).contains("full");
    }
    assertThat(small.size()).isEqualTo(100);
    // What the queue holds is still answered.
    assertThat(small.check(charge("a", "{\"n\":-1}"))).isEqualTo(new ApprovalStatus.Pending(kept));
    assertThat(small.approve(kept, "alice")).isTrue();
    assertThat(small.check(charge("a", "{\"n\":-1}"))).isEqualTo(new ApprovalStatus.Approved(kept, "alice"));
    small.confirm(charge("a", "{\"n\":-1}"), new ApprovalStatus.Approved(kept, "alice"));
    // A used approval frees its place, and expiry frees them all.
    assertThat(small.check(charge("a", "{\"n\":1000}"))).isInstanceOf(ApprovalStatus.Pending.class);
    clock.advance(TTL);
    assertThat(small.check(charge("a", "{\"n\":2000}"))).isInstanceOf(ApprovalStatus.Pending.class);
    assertThat(small.size()).isEqualTo(1);
  }

  @Test
  void aClaimedApprovalHoldsIdenticalCallsUntilConfirmedOrReleased() {
    String id = pendingId(queue.check(charge("a", "{}")));
    queue.approve(id, "alice");
    ApprovalStatus.Approved approved = new ApprovalStatus.Approved(id, "alice");
    assertThat(queue.check(charge("a", "{}"))).isEqualTo(approved);
    assertThat(queue.check(charge("a", "{}"))).as("claimed by the first call").isEqualTo(new ApprovalStatus.Pending(id));
    assertThat(queue.pending()).isEmpty();

    queue.release(charge("a", "{}"), approved);
    assertThat(queue.check(charge("a", "{}"))).as("released: covers the same call again").isEqualTo(approved);
    queue.confirm(charge("a", "{}"), approved);
    queue.release(charge("a", "{}"), approved); // too late: used up
    assertThat(pendingId(queue.check(charge("a", "{}")))).isNotEqualTo(id);
  }

  @Test
  void aReleasedApprovalStillExpires() {
    String id = pendingId(queue.check(charge("a", "{}")));
    queue.approve(id, "alice");
    ApprovalStatus.Approved approved = new ApprovalStatus.Approved(id, "alice");
    assertThat(queue.check(charge("a", "{}"))).isEqualTo(approved);
    clock.advance(TTL);
    queue.release(charge("a", "{}"), approved);
    assertThat(pendingId(queue.check(charge("a", "{}")))).isNotEqualTo(id);
  }

  @Test
  void onePrincipalCannotFillTheQueueForOthers() {
    InMemoryApprovalQueue capped =
        InMemoryApprovalQueue.builder(clock).expireAfter(TTL).maximumPendingPerPrincipal(3).build();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(pendingId(capped.check(charge("mallory", "{\"n\":" + i + "}"))));
    }
    for (int i = 3; i < 1_000; i++) {
      ApprovalStatus status = capped.check(charge("mallory", "{\"n\":" + i + "}"));
      assertThat(status).isInstanceOf(ApprovalStatus.Rejected.class);
      ApprovalStatus.Rejected r = (ApprovalStatus.Rejected) status;
      assertThat(r.approvalId()).isNull();
      assertThat(r.reason()).isEqualTo(
          "too many approval requests pending for this principal (at most 3 at once); wait for an answer or for one to expire");
    }
    assertThat(capped.size()).isEqualTo(3);
    // her pending requests are still answered, and other principals are unaffected
    assertThat(capped.check(charge("mallory", "{\"n\":0}"))).isEqualTo(new ApprovalStatus.Pending(ids.get(0)));
    for (int i = 0; i < 3; i++) {
      pendingId(capped.check(charge("alice", "{\"n\":" + i + "}")));
    }
    // an answer frees a place; so does expiry
    capped.reject(ids.get(0), "bob", "no");
    pendingId(capped.check(charge("mallory", "{\"n\":3}")));
    assertThat(capped.check(charge("mallory", "{\"n\":4}"))).isInstanceOf(ApprovalStatus.Rejected.class);
    clock.advance(TTL);
    pendingId(capped.check(charge("mallory", "{\"n\":5}")));
  }

  @Test
  void theDefaultCapPerPrincipalIsAHundred() {
    InMemoryApprovalQueue defaults = InMemoryApprovalQueue.builder(clock).build();
    for (int i = 0; i < InMemoryApprovalQueue.DEFAULT_MAXIMUM_PENDING_PER_PRINCIPAL; i++) {
      pendingId(defaults.check(charge("mallory", "{\"n\":" + i + "}")));
    }
    assertThat(defaults.check(charge("mallory", "{\"n\":-1}"))).isInstanceOf(ApprovalStatus.Rejected.class);
    pendingId(defaults.check(charge("alice", "{\"n\":-1}")));
    assertThat(InMemoryApprovalQueue.DEFAULT_MAXIMUM_PENDING_PER_PRINCIPAL).isEqualTo(100);
  }

  @Test
  void argumentsThatAreNotJsonAreRefused() {
    ApprovalRequest bad =
        new ApprovalRequest(
            ToolCall.of("t", Map.of("x", new Object())), CallContext.of("a"), "/tools/t", null, clock.instant());
    assertThatThrownBy(() -> queue.check(bad)).isInstanceOf(IllegalArgumentException.class);
    assertThat(queue.size()).isZero();
  }

  @Test
  void theBuilderValidatesItsSettings() {
    InMemoryApprovalQueue.Builder b = InMemoryApprovalQueue.builder(clock);
    assertThatThrownBy(() -> b.expireAfter(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.expireAfter(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.maximumEntries(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.maximumPendingPerPrincipal(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> InMemoryApprovalQueue.builder(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void theDefaultExpiryIsOneHour() {
    InMemoryApprovalQueue defaults = InMemoryApprovalQueue.builder(clock).build();
    String id = pendingId(defaults.check(charge("a", "{}")));
    assertThat(defaults.pending().get(0).expiresAt()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
    clock.advance(Duration.ofHours(1));
    assertThat(defaults.approve(id, "alice")).isFalse();
  }

  @Test
  void pendingCountCountsTheUnansweredRequestsThatHaveNotExpired() {
    InMemoryApprovalQueue capped =
        InMemoryApprovalQueue.builder(clock).expireAfter(TTL).maximumPendingPerPrincipal(2).build();
    assertThat(capped.pendingCount()).isZero();
    String first = pendingId(capped.check(charge("a", "{\"n\":1}")));
    pendingId(capped.check(charge("a", "{\"n\":1}"))); // the same call: the same request
    assertThat(capped.pendingCount()).isEqualTo(1);
    clock.advance(Duration.ofMinutes(1));
    String second = pendingId(capped.check(charge("a", "{\"n\":2}")));
    assertThat(capped.check(charge("a", "{\"n\":3}"))).as("over the cap: not counted").isInstanceOf(ApprovalStatus.Rejected.class);
    String third = pendingId(capped.check(charge("b", "{\"n\":1}")));
    assertThat(capped.pendingCount()).isEqualTo(3).isEqualTo(capped.pending().size());

    capped.approve(first, "alice");
    capped.reject(second, "alice", "no");
    assertThat(capped.pendingCount()).as("answered requests are not pending").isEqualTo(1);
    ApprovalStatus.Approved approved = new ApprovalStatus.Approved(first, "alice");
    assertThat(capped.check(charge("a", "{\"n\":1}"))).isEqualTo(approved);
    assertThat(capped.pendingCount()).as("a claimed approval is not pending").isEqualTo(1);
    capped.confirm(charge("a", "{\"n\":1}"), approved);
    pendingId(capped.check(charge("a", "{\"n\":1}"))); // used up: a new request
    assertThat(capped.pendingCount()).isEqualTo(2).isEqualTo(capped.pending().size());

    clock.advance(TTL.minusMinutes(1));
    assertThat(capped.pendingCount()).as("the request for b, made a minute in, is still live").isEqualTo(2);
    assertThat(capped.approve(third, "alice")).isTrue();
    assertThat(capped.pendingCount()).isEqualTo(1);
    clock.advance(TTL);
    assertThat(capped.pendingCount()).as("expired requests are not pending").isZero();
    assertThat(capped.pending()).isEmpty();
  }
}
