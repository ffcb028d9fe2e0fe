package io.toolgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterRequest.Algorithm;
import io.toolgate.api.CounterStore;
import io.toolgate.api.ReserveResult;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link CounterStore} must have (DESIGN.md section 4), as a JUnit 5 test
 * base: extend it, return a fresh store from {@link #newStore()}, and the store is checked against
 * exactly the cases the built-in stores pass. Each test uses counter names of its own, so a store
 * that outlives one test (a shared server) does not leak state into the next.
 *
 * <p>Times are passed to the store explicitly; a store under test must count on the caller's
 * clock (a store that can read its own clock must be configured not to).
 *
 * <p>One file on purpose (near 400 lines): the contract is one suite a store's test extends, and
 * its cases share the request builders above them; split, a store would have to extend several.
 */
@Timeout(60)
public abstract class CounterStoreContract {
  private static final AtomicLong RUN = new AtomicLong(System.nanoTime());
  /** 2026-01-01T10:00:00Z: on every calendar boundary up to the hour. */
  protected static final long T0 = Instant.parse("2026-01-01T10:00:00Z").toEpochMilli();

  private static final long SECOND = 1_000;
  private static final long MINUTE = 60 * SECOND;
  private static final long DAY = 24 * 60 * MINUTE;

  private CounterStore store;
  private String prefix;

  /** A store to test; called before each test. */
  protected abstract CounterStore newStore();

  @BeforeEach
  void createStore() {
    store = newStore();
    prefix = "contract-" + Long.toHexString(RUN.incrementAndGet()) + "-";
  }

  /** The store under test. */
  protected CounterStore store() {
    return store;
  }

  private CounterRequest fixed(String counter, long window, double max, double cost) {
    return new CounterRequest(prefix + counter, "grant", "agent-1", window, Algorithm.FIXED, millionths(max), millionths(cost));
  }

  private CounterRequest sliding(String counter, long window, double max, double cost) {
    return new CounterRequest(prefix + counter, "grant", "agent-1", window, Algorithm.SLIDING, millionths(max), millionths(cost));
  }

  private static CounterRequest scoped(CounterRequest r, String kind, String value) {
    return new CounterRequest(r.counter(), kind, value, r.windowMillis(), r.algorithm(), r.maxMillionths(), r.costMillionths());
  }

  /** {@code amount} (written as a decimal literal, e.g. 0.1) in millionths, exactly. */
  private static long millionths(double amount) {
    return BigDecimal.valueOf(amount).movePointRight(6).longValueExact();
  }

  private int admitted(CounterRequest request, int attempts, long now) {
    int admitted = 0;
    for (int i = 0; i < attempts; i++) {
      if (store.reserve(List.of(request), now).isGranted()) {
        admitted++;
      }
    }
    return admitted;
  }

  // ---- fixed windows -------------------------------------------------------------------------

  @Test
  void fixedWindowAdmitsMaxThenWaitsForTheNextAlignedWindow() {
    CounterRequest r = fixed("fixed", MINUTE, 10, 1);
    assertThat(admitted(r, 10, T0 + 30 * SECOND)).isEqualTo(10);
    ReserveResult over = store.reserve(List.of(r), T0 + 30 * SECOND);
    assertThat(over.isGranted()).isFalse();
    assertThat(over.rejectedIndex()).isZero();
    assertThat(over.retryAfterMillis()).isEqualTo(30 * SECOND);
    assertThat(store.reserve(List.of(r), T0 + MINUTE - 1).retryAfterMillis()).isEqualTo(1);
    assertThat(admitted(r, 11, T0 + MINUTE)).isEqualTo(10);
  }

  @Test
  void fixedWindowsOfOtherLengthsAlignOnMultiplesSinceTheEpoch() {
    long window = 7 * SECOND;
    long start = Math.floorDiv(T0, window) * window;
    CounterRequest r = fixed("seven", window, 1, 1);
    assertThat(store.reserve(List.of(r), start + 5 * SECOND).isGranted()).isTrue();
    assertThat(store.reserve(List.of(r), start + 6 * SECOND).retryAfterMillis()).isEqualTo(SECOND);
    assertThat(store.reserve(List.of(r), start + window).isGranted()).isTrue();
  }

  @Test
  void dayWindowsStartAtUtcMidnight() {
    CounterRequest r = fixed("daily", DAY, 100_000, 60_000);
    long noon = Instant.parse("2026-01-01T12:00:00Z").toEpochMilli();
    assertThat(store.reserve(List.of(r), noon).isGranted()).isTrue();
    ReserveResult over = store.reserve(List.of(r), noon);
    assertThat(over.retryAfterMillis()).isEqualTo(12 * 60 * MINUTE);
    long midnight = Instant.parse("2026-01-02T00:00:00Z").toEpochMilli();
    assertThat(store.reserve(List.of(r), midnight).isGranted()).isTrue();
  }

  /**
   * A counter that a refused call read a moment before its window ended, and that the next
   * window's first call then filled, still counts until that window ends: forgetting idle
   * counters must never forget one that is not idle. (Found by the testkit's over-admission
   * property: a cache that ignores small changes of an entry's expiry dropped it up to a second
   * early.)
   */
  @Test
  void aCounterReadJustBeforeItsWindowEndsIsNotForgottenInTheNext() {
    for (CounterRequest two : List.of(fixed("edge-fixed", MINUTE, 4, 2), sliding("edge-sliding", MINUTE, 4, 2))) {
      CounterRequest three = new CounterRequest(two.counter(), two.scopeKind(), two.scopeValue(), two.windowMillis(), two.algorithm(), millionths(4), millionths(3));
      assertThat(store.reserve(List.of(two), T0 + 500).isGranted()).isTrue();
      assertThat(store.reserve(List.of(three), T0 + 59_500).isGranted()).as("2 + 3 > 4").isFalse();
      long next = T0 + MINUTE + 500;
      assertThat(store.reserve(List.of(three), next).isGranted()).as("a new window").isTrue();
      assertThat(store.reserve(List.of(three), next + 59_000).isGranted())
          .as("%s: 3 + 3 > 4 within one window of the last reservation", two.algorithm()).isFalse();
    }
  }

  // ---- sliding windows -----------------------------------------------------------------------

  @Test
  void slidingWindowCountsEveryHalfOpenIntervalExactly() {
    CounterRequest r = sliding("sliding", 10 * SECOND, 3, 1);
    long t = T0 + 4_321;
    assertThat(store.reserve(List.of(r), t).isGranted()).isTrue();
    assertThat(store.reserve(List.of(r), t + 2_000).isGranted()).isTrue();
    assertThat(store.reserve(List.of(r), t + 5_000).isGranted()).isTrue();
    ReserveResult over = store.reserve(List.of(r), t + 9_999);
    assertThat(over.isGranted()).isFalse();
    assertThat(over.retryAfterMillis()).as("the oldest leaves at t + window").isEqualTo(1);
    assertThat(store.reserve(List.of(r), t + 10_000).isGranted()).as("[t, t+10s) is half-open").isTrue();
    ReserveResult next = store.reserve(List.of(r), t + 10_000);
    assertThat(next.retryAfterMillis()).isEqualTo(2_000);
    assertThat(store.reserve(List.of(r), t + 12_000).isGranted()).isTrue();
  }

  @Test
  void slidingWindowIsNotAlignedToTheClock() {
    CounterRequest r = sliding("unaligned", MINUTE, 2, 1);
    assertThat(store.reserve(List.of(r), T0 + 59 * SECOND).isGranted()).isTrue();
    assertThat(store.reserve(List.of(r), T0 + 59 * SECOND).isGranted()).isTrue();
    ReserveResult over = store.reserve(List.of(r), T0 + 61 * SECOND);
    assertThat(over.isGranted()).as("a fixed window would have reset at the minute").isFalse();
    assertThat(over.retryAfterMillis()).isEqualTo(58 * SECOND);
  }

  @Test
  void slidingRetryAfterWaitsForEnoughCostToLeave() {
    CounterRequest small = sliding("costly", MINUTE, 10, 3);
    store.reserve(List.of(small), T0);
    store.reserve(List.of(small), T0 + 10 * SECOND);
    store.reserve(List.of(small), T0 + 20 * SECOND);
    CounterRequest big = sliding("costly", MINUTE, 10, 7);
    ReserveResult over = store.reserve(List.of(big), T0 + 30 * SECOND);
    assertThat(over.retryAfterMillis()).as("two entries of 3 must leave: the second at T0+70s").isEqualTo(40 * SECOND);
    assertThat(store.reserve(List.of(big), T0 + 70 * SECOND).isGranted()).isTrue();
  }

  // ---- costs ---------------------------------------------------------------------------------

  @Test
  void costsAreSummedAndMayBeFractionalOrZero() {
    CounterRequest r = fixed("spend", MINUTE, 10, 2.5);
    assertThat(admitted(r, 5, T0)).isEqualTo(4);
    CounterRequest free = fixed("spend", MINUTE, 10, 0);
    assertThat(store.reserve(List.of(free), T0).isGranted()).as("a zero cost fits a full counter").isTrue();
    CounterRequest tail = fixed("spend", MINUTE, 10.5, 0.5);
    assertThat(store.reserve(List.of(tail), T0).isGranted()).isTrue();
  }

  @Test
  void decimalCostsAddUpExactlyInAFixedWindow() {
    CounterRequest tenth = fixed("tenths", MINUTE, 0.3, 0.1);
    assertThat(admitted(tenth, 3, T0)).as("0.1 three times reaches 0.3 exactly").isEqualTo(3);
    ReserveResult fourth = store.reserve(List.of(tenth), T0 + SECOND);
    assertThat(fourth.isGranted()).isFalse();
    assertThat(fourth.retryAfterMillis()).isEqualTo(59 * SECOND);
    CounterRequest mixed = fixed("mixed-tenths", MINUTE, 0.3, 0.2);
    assertThat(store.reserve(List.of(fixed("mixed-tenths", MINUTE, 0.3, 0.1)), T0).isGranted()).isTrue();
    assertThat(store.reserve(List.of(mixed), T0).isGranted()).as("0.1 + 0.2 is 0.3, not more").isTrue();
    CounterRequest millionth = fixed("mixed-tenths", MINUTE, 0.3, 0.000001);
    assertThat(store.reserve(List.of(millionth), T0).isGranted()).as("one millionth more is over").isFalse();
  }

  @Test
  void decimalCostsAddUpExactlyInASlidingWindow() {
    CounterRequest tenth = sliding("sliding-tenths", 10 * SECOND, 0.3, 0.1);
    assertThat(store.reserve(List.of(tenth), T0).isGranted()).isTrue();
    assertThat(store.reserve(List.of(tenth), T0 + SECOND).isGranted()).isTrue();
    assertThat(store.reserve(List.of(tenth), T0 + 2 * SECOND).isGranted()).as("0.1 three times reaches 0.3").isTrue();
    ReserveResult fourth = store.reserve(List.of(tenth), T0 + 3 * SECOND);
    assertThat(fourth.isGranted()).isFalse();
    assertThat(fourth.retryAfterMillis()).as("the first 0.1 leaves at T0 + 10s").isEqualTo(7 * SECOND);
    CounterRequest twoTenths = sliding("sliding-tenths", 10 * SECOND, 0.3, 0.2);
    assertThat(store.reserve(List.of(twoTenths), T0 + 3 * SECOND).retryAfterMillis())
        .as("0.2 fits once two entries of 0.1 have left").isEqualTo(8 * SECOND);
    assertThat(store.reserve(List.of(twoTenths), T0 + 11 * SECOND).isGranted()).isTrue();
  }

  @Test
  void refundsOfDecimalCostsGiveBackExactlyWhatWasTaken() {
    for (CounterRequest tenth : List.of(fixed("refund-tenths", MINUTE, 0.3, 0.1), sliding("refund-tenths", MINUTE, 0.3, 0.1))) {
      assertThat(admitted(tenth, 3, T0)).isEqualTo(3);
      store.refund(List.of(tenth), T0);
      store.refund(List.of(tenth), T0);
      assertThat(admitted(tenth, 3, T0 + SECOND)).as("%s: two refunds of 0.1 make room for two", tenth.algorithm()).isEqualTo(2);
      store.refund(List.of(tenth), T0);
      store.refund(List.of(tenth), T0);
      store.refund(List.of(tenth), T0);
      store.refund(List.of(tenth), T0);
      assertThat(admitted(tenth, 4, T0 + 2 * SECOND))
          .as("%s: refunding more than was taken never goes below zero", tenth.algorithm()).isEqualTo(3);
    }
  }

  @Test
  void aLoweredMaxAppliesToTheCountAlreadyTaken() {
    assertThat(admitted(fixed("lowered", MINUTE, 10, 1), 6, T0)).isEqualTo(6);
    CounterRequest lower = fixed("lowered", MINUTE, 5, 1);
    assertThat(store.reserve(List.of(lower), T0).isGranted()).isFalse();
    CounterRequest higher = fixed("lowered", MINUTE, 8, 1);
    assertThat(admitted(higher, 5, T0)).isEqualTo(2);
  }

  // ---- keys ----------------------------------------------------------------------------------

  @Test
  void scopeWindowAndAlgorithmEachMakeADistinctCounter() {
    CounterRequest r = fixed("keys", MINUTE, 1, 1);
    assertThat(store.reserve(List.of(r), T0).isGranted()).isTrue();
    assertThat(store.reserve(List.of(r), T0).isGranted()).isFalse();
    assertThat(store.reserve(List.of(scoped(r, "grant", "agent-2")), T0).isGranted()).isTrue();
    assertThat(store.reserve(List.of(scoped(r, "global", null)), T0).isGranted()).isTrue();
    assertThat(store.reserve(List.of(scoped(r, "session", "agent-1")), T0).isGranted()).isTrue();
    assertThat(store.reserve(List.of(fixed("keys", 2 * MINUTE, 1, 1)), T0).isGranted()).isTrue();
    assertThat(store.reserve(List.of(sliding("keys", MINUTE, 1, 1)), T0).isGranted()).isTrue();
    assertThat(store.reserve(List.of(fixed("other", MINUTE, 1, 1)), T0).isGranted()).isTrue();
  }

  @Test
  void hostileScopeValuesCannotCollideWithOthers() {
    CounterRequest a = scoped(fixed("hostile", MINUTE, 1, 1), "args.p", "a:b");
    CounterRequest b = scoped(fixed("hostile", MINUTE, 1, 1), "args.p", "a");
    CounterRequest c = scoped(fixed("hostile:b", MINUTE, 1, 1), "args.p", "a");
    CounterRequest d = scoped(fixed("hostile", MINUTE, 1, 1), "args.p", "a}{x\u0000\n*");
    for (CounterRequest r : List.of(a, b, c, d)) {
      assertThat(store.reserve(List.of(r), T0).isGranted()).as(r.toString()).isTrue();
    }
  }

  // ---- several counters in one reservation ---------------------------------------------------

  @Test
  void aReservationOfSeveralCountersIsAllOrNone() {
    CounterRequest small = fixed("small", MINUTE, 1, 1);
    CounterRequest big = fixed("big", MINUTE, 5, 1);
    assertThat(store.reserve(List.of(small, big), T0).isGranted()).isTrue();
    ReserveResult over = store.reserve(List.of(big, small), T0);
    assertThat(over.isGranted()).isFalse();
    assertThat(over.rejectedIndex()).isEqualTo(1);
    assertThat(admitted(big, 10, T0)).as("big gave up nothing to the refused call").isEqualTo(4);
  }

  @Test
  void theLongestWaitIsTheOneReported() {
    CounterRequest minute = fixed("a-minute", MINUTE, 1, 1);
    CounterRequest hour = fixed("an-hour", 60 * MINUTE, 1, 1);
    store.reserve(List.of(minute, hour), T0 + 10 * SECOND);
    ReserveResult over = store.reserve(List.of(minute, hour), T0 + 20 * SECOND);
    assertThat(over.rejectedIndex()).isEqualTo(1);
    assertThat(over.retryAfterMillis()).isEqualTo(60 * MINUTE - 20 * SECOND);
  }

  // ---- refunds -------------------------------------------------------------------------------

  @Test
  void aRefundGivesTheCostBackWithinItsWindow() {
    CounterRequest r = fixed("refund", MINUTE, 2, 1);
    assertThat(admitted(r, 2, T0)).isEqualTo(2);
    store.refund(List.of(r), T0);
    assertThat(store.reserve(List.of(r), T0 + SECOND).isGranted()).isTrue();
    assertThat(store.reserve(List.of(r), T0 + SECOND).isGranted()).isFalse();
  }

  @Test
  void aRefundFromAnEndedFixedWindowChangesNothing() {
    CounterRequest r = fixed("late-refund", MINUTE, 1, 1);
    store.reserve(List.of(r), T0);
    store.reserve(List.of(r), T0 + MINUTE);
    store.refund(List.of(r), T0);
    assertThat(store.reserve(List.of(r), T0 + MINUTE).isGranted()).isFalse();
  }

  @Test
  void aSlidingRefundRemovesItsReservation() {
    CounterRequest r = sliding("sliding-refund", MINUTE, 2, 1);
    store.reserve(List.of(r), T0);
    store.reserve(List.of(r), T0 + 10 * SECOND);
    store.refund(List.of(r), T0 + 10 * SECOND);
    assertThat(store.reserve(List.of(r), T0 + 20 * SECOND).isGranted()).isTrue();
    ReserveResult over = store.reserve(List.of(r), T0 + 30 * SECOND);
    assertThat(over.retryAfterMillis()).as("the T0 entry stays and leaves at T0+60s").isEqualTo(30 * SECOND);
  }

  @Test
  void refundingWhatWasNeverReservedHasNoEffect() {
    CounterRequest r = fixed("phantom", MINUTE, 1, 1);
    store.refund(List.of(r), T0);
    assertThat(store.reserve(List.of(r), T0).isGranted()).isTrue();
    assertThat(store.reserve(List.of(r), T0).isGranted()).isFalse();
  }

  // ---- async and concurrency -----------------------------------------------------------------

  @Test
  void asyncFormsAgreeWithSync() {
    CounterRequest r = sliding("async", MINUTE, 2, 1);
    assertThat(store.reserveAsync(List.of(r), T0).toCompletableFuture().join().isGranted()).isTrue();
    assertThat(store.reserveAsync(List.of(r), T0).toCompletableFuture().join().isGranted()).isTrue();
    ReserveResult over = store.reserveAsync(List.of(r), T0 + SECOND).toCompletableFuture().join();
    assertThat(over.retryAfterMillis()).isEqualTo(59 * SECOND);
    store.refundAsync(List.of(r), T0).toCompletableFuture().join();
    assertThat(store.reserve(List.of(r), T0 + SECOND).isGranted()).isTrue();
  }

  @Test
  void concurrentReservationsNeverOverAdmit() throws Exception {
    int threads = 8;
    int perThread = 50;
    CounterRequest fixed = fixed("contended-fixed", MINUTE, 37, 1);
    CounterRequest sliding = sliding("contended-sliding", MINUTE, 23, 1);
    CounterRequest pair = fixed("contended-pair", MINUTE, 1_000, 1);
    AtomicInteger fixedAdmitted = new AtomicInteger();
    AtomicInteger slidingAdmitted = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Callable<Void>> callers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        boolean async = t % 2 == 1;
        callers.add(() -> {
          for (int i = 0; i < perThread; i++) {
            List<CounterRequest> a = List.of(fixed, pair);
            List<CounterRequest> b = List.of(pair, sliding);
            if (granted(a, async)) {
              fixedAdmitted.incrementAndGet();
            }
            if (granted(b, async)) {
              slidingAdmitted.incrementAndGet();
            }
          }
          return null;
        });
      }
      for (Future<Void> f : pool.invokeAll(callers)) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(fixedAdmitted).hasValue(37);
    assertThat(slidingAdmitted).hasValue(23);
    assertThat(admitted(pair, 1_000, T0)).as("pair took exactly one per admitted call").isEqualTo(1_000 - 60);
  }

  private boolean granted(List<CounterRequest> requests, boolean async) {
    return async
        ? store.reserveAsync(requests, T0).toCompletableFuture().join().isGranted()
        : store.reserve(requests, T0).isGranted();
  }
}
