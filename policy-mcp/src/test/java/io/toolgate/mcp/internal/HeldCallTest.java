package io.toolgate.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.spec.McpSchema.ProgressNotification;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HeldCallTest {
  private final BlockingQueue<ProgressNotification> sent = new LinkedBlockingQueue<>();

  private ProgressNotification next() throws InterruptedException {
    ProgressNotification n = sent.poll(30, TimeUnit.SECONDS);
    assertThat(n).as("a progress notification").isNotNull();
    return n;
  }

  @Test
  void onlyAStringOrAnIntegerTokenIsEchoedAndNothingIsParsedOutOfIt() {
    assertThat(HeldCall.token("t-1")).isEqualTo("t-1");
    assertThat(HeldCall.token("{\"a\":1}")).isEqualTo("{\"a\":1}");
    assertThat(HeldCall.token(7)).isEqualTo(7);
    assertThat(HeldCall.token(7L)).isEqualTo(7L);
    BigInteger huge = BigInteger.TEN.pow(40);
    assertThat(HeldCall.token(huge)).isSameAs(huge);
    assertThat(HeldCall.token(1.5)).isNull();
    assertThat(HeldCall.token(Map.of("a", 1))).isNull();
    assertThat(HeldCall.token(List.of(1))).isNull();
    assertThat(HeldCall.token(true)).isNull();
    assertThat(HeldCall.token(null)).isNull();
    String longest = "t".repeat(1024);
    assertThat(HeldCall.token(longest)).isSameAs(longest);
    assertThat(HeldCall.token(longest + "t")).isNull(); // hostile: a huge token is not echoed
  }

  @Test
  void nothingIsAllocatedForACallWithoutAValidTokenOrSlotOrWhenTheServerCannotNotify() {
    assertThat(HeldCall.of(null, sent::add, Duration.ofSeconds(10), null)).isNull();
    assertThat(HeldCall.of(Map.of("x", 1), sent::add, Duration.ofSeconds(10), null)).isNull();
    assertThat(HeldCall.of("t", null, Duration.ofSeconds(10), null)).isNull(); // stateless
    assertThat(HeldCall.of(null, null, Duration.ofSeconds(10), new CancelSlot())).isNotNull();
  }

  @Test
  void progressComesAtOnceThenEachPeriodIncreasingAndStopsWhenDecided() throws Exception {
    HeldCall held = HeldCall.of("tok", sent::add, Duration.ofMillis(5), null);
    // an hour's wait: the first notification is under 1% of it even if its send is 30 s late on a loaded machine
    held.held("a-1", Instant.now().plus(Duration.ofHours(1)));

    List<ProgressNotification> seen = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      seen.add(next());
    }
    assertThat(seen).allSatisfy(n -> {
      assertThat(n.progressToken()).isEqualTo("tok");
      assertThat(n.message()).startsWith("waiting for approval a-1, ").endsWith(" left");
      assertThat(n.total()).isNull();
      assertThat(n.progress()).isGreaterThanOrEqualTo(0).isLessThan(1);
    });
    assertThat(seen.get(0).progress()).isLessThan(0.01); // a fraction of the wait: 0 at once
    assertThat(seen.get(1).progress()).isGreaterThan(seen.get(0).progress());
    assertThat(seen.get(2).progress()).isGreaterThan(seen.get(1).progress());

    assertThat(held.decided()).isFalse();
    assertThat(HeldCall.scheduled()).isZero(); // no task left behind
    held.held("a-2", Instant.now()); // told again after the decision: nothing starts
    assertThat(HeldCall.scheduled()).isZero();
  }

  @Test
  void aNotifierThatFailsDoesNotStopTheOthers() throws Exception {
    CountDownLatch failed = new CountDownLatch(1);
    HeldCall failing = HeldCall.of(1, n -> {
      failed.countDown();
      throw new IllegalStateException("the client went away");
    }, Duration.ofMillis(5), null);
    HeldCall fine = HeldCall.of(2, sent::add, Duration.ofMillis(5), null);
    failing.held("a", Instant.now().plusSeconds(60));
    fine.held("b", Instant.now().plusSeconds(60));
    assertThat(failed.await(30, TimeUnit.SECONDS)).as("the failing notifier was asked").isTrue();
    next();
    next();
    failing.decided();
    fine.decided();
    assertThat(HeldCall.scheduled()).isZero();
  }

  @Test
  void aClientWhoseSendBlocksDoesNotStallTheProgressOfOthers() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    HeldCall stuck = HeldCall.of("stuck", n -> {
      entered.countDown();
      awaitUninterruptibly(release); // a client that never reads: the write blocks
    }, Duration.ofMillis(5), null);
    HeldCall fine = HeldCall.of("fine", sent::add, Duration.ofMillis(5), null);
    stuck.held("a", Instant.now().plusSeconds(60));
    assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();

    try {
      fine.held("b", Instant.now().plusSeconds(60));
      assertThat(next().progressToken()).isEqualTo("fine");
    } finally {
      release.countDown();
    }
    stuck.decided();
    fine.decided();
    assertThat(HeldCall.scheduled()).isZero();
  }

  @Test
  void noProgressIsSentOnceTheDecisionIsMade() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean decidedReturned = new AtomicBoolean();
    BlockingQueue<Boolean> sentAfterDecision = new LinkedBlockingQueue<>();
    HeldCall held = HeldCall.of("tok", n -> {
      entered.countDown();
      awaitUninterruptibly(release);
      sentAfterDecision.add(decidedReturned.get());
    }, Duration.ofMillis(5), null);
    held.held("a-1", Instant.now().plusSeconds(60));
    assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue(); // a send is under way

    Thread deciding = new Thread(() -> {
      held.decided();
      decidedReturned.set(true);
    });
    deciding.start();
    while (!decidedReturned.get() && deciding.getState() != Thread.State.BLOCKED) {
      Thread.onSpinWait(); // decided() either returned or waits for the send
    }
    release.countDown();
    deciding.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(decidedReturned).isTrue();
    assertThat(sentAfterDecision).isNotEmpty().containsOnly(false);
    assertThat(HeldCall.scheduled()).isZero();
  }

  @Test
  void progressIsTheFractionOfTheWaitAndStaysBelowOne() throws Exception {
    HeldCall held = HeldCall.of(9, sent::add, Duration.ofMillis(1), null);
    held.held("a-9", Instant.now().plusSeconds(60));
    double last = -1;
    for (int i = 0; i < 3; i++) {
      ProgressNotification n = next();
      assertThat(n.progress()).isGreaterThan(last).isLessThan(1);
      assertThat(n.total()).isNull();
      last = n.progress();
    }
    held.decided();
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void timeLeftReadsAsMinutesAndSeconds() {
    assertThat(HeldCall.format(Duration.ofSeconds(100))).isEqualTo("1m40s");
    assertThat(HeldCall.format(Duration.ofMinutes(2))).isEqualTo("2m");
    assertThat(HeldCall.format(Duration.ofSeconds(3723))).isEqualTo("1h2m3s");
    assertThat(HeldCall.format(Duration.ofMinutes(120))).isEqualTo("2h");
    assertThat(HeldCall.format(Duration.ofMillis(39_001))).isEqualTo("40s");
    assertThat(HeldCall.format(Duration.ofSeconds(-5))).isEqualTo("0s");
  }

  @Test
  void aCancellationCountsOnlyUntilTheDecision() {
    AtomicInteger fired = new AtomicInteger();

    CancelSlot early = new CancelSlot();
    early.onCancel(fired::incrementAndGet);
    early.cancel(); // before the call is held: takes effect once it is
    assertThat(fired).hasValue(0);
    early.held();
    assertThat(fired).hasValue(1);
    early.cancel();
    assertThat(fired).hasValue(1);
    assertThat(early.decided()).isTrue();

    CancelSlot late = new CancelSlot();
    late.onCancel(fired::incrementAndGet);
    late.held();
    assertThat(late.decided()).isFalse();
    late.cancel(); // after the decision: nothing
    assertThat(fired).hasValue(1);

    CancelSlot unbound = new CancelSlot(); // cancelled while held, before the action is known
    unbound.held();
    unbound.cancel();
    unbound.onCancel(fired::incrementAndGet);
    assertThat(fired).hasValue(2);
  }

  @Test
  void aCancelledCallIsAnsweredOnlyOnceTheEngineHasWithdrawnItsRequest() {
    CancelSlot slot = new CancelSlot();
    HeldCall held = HeldCall.of(null, null, Duration.ofSeconds(10), slot);
    CompletableFuture<String> engine = new CompletableFuture<>();
    AtomicBoolean withdrawn = new AtomicBoolean();
    engine.whenComplete((result, e) -> withdrawn.set(engine.isCancelled())); // as the engine's wait does
    CompletableFuture<String> answer = held.cancels(engine);
    AtomicBoolean withdrawnWhenAnswered = new AtomicBoolean();
    answer.whenComplete((result, e) -> withdrawnWhenAnswered.set(withdrawn.get()));

    held.held("approval-1", Instant.now().plusSeconds(10));
    slot.cancel();

    assertThat(answer).isCompletedExceptionally();
    assertThat(withdrawnWhenAnswered).isTrue();
    assertThat(held.decided()).isTrue();
  }

  @Test
  void anAnswerThatCameFirstIsKeptWhenACancellationFollows() {
    CancelSlot slot = new CancelSlot();
    HeldCall held = HeldCall.of(null, null, Duration.ofSeconds(10), slot);
    CompletableFuture<String> engine = new CompletableFuture<>();
    CompletableFuture<String> answer = held.cancels(engine);
    held.held("approval-1", Instant.now().plusSeconds(10));

    engine.complete("ran");
    slot.cancel();

    assertThat(answer).isCompletedWithValue("ran");
  }
}
