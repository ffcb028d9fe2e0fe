package io.toolgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterRequest.Algorithm;
import io.toolgate.api.CounterStore;
import io.toolgate.api.ReserveResult;
import io.toolgate.engine.store.InMemoryCounterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class InMemoryCounterStoreTest extends CounterStoreContract {

  @Override
  protected CounterStore newStore() {
    return InMemoryCounterStore.create();
  }

  private static CounterRequest request(String scope, long window) {
    return new CounterRequest("c", "grant", scope, window, Algorithm.FIXED, 1_000_000, 1_000_000);
  }

  @Test
  void idleCountersExpireAfterTheirWindowAndAMarginOnTheDecisionsClock() {
    InMemoryCounterStore store = InMemoryCounterStore.create();
    store.reserve(List.of(request("a", 60_000)), T0);
    store.reserve(List.of(request("b", 3_600_000)), T0);
    assertThat(store.keyCount()).isEqualTo(2);
    store.reserve(List.of(request("c", 3_600_000)), T0 + 61_000);
    assertThat(store.keyCount()).as("idle for its window, but not yet for the 2s margin").isEqualTo(3);
    store.reserve(List.of(request("c", 3_600_000)), T0 + 62_000);
    assertThat(store.keyCount()).as("a minute counter idle for a minute and the margin is gone").isEqualTo(2);
    store.reserve(List.of(request("c", 3_600_000)), T0 + 3_602_000);
    assertThat(store.keyCount()).as("b is gone; c was used at T0+62s").isEqualTo(1);
  }

  @Test
  void aCounterReadJustBeforeItWouldExpireIsKeptForAWholeWindowMore() {
    // Created late in one window, touched early in the next: the next read moves its expiry by
    // less than Caffeine's one-second tolerance, which must not drop it before the window ends.
    InMemoryCounterStore store = InMemoryCounterStore.create();
    long window = 7_000;
    CounterRequest one = new CounterRequest("c", "global", null, window, Algorithm.FIXED, 3_000_000, 1_000_000);
    CounterRequest three = new CounterRequest("c", "global", null, window, Algorithm.FIXED, 3_000_000, 3_000_000);
    long start = Math.floorDiv(T0, window) * window;
    assertThat(store.reserve(List.of(one), start + 6_345).isGranted()).isTrue();
    assertThat(store.reserve(List.of(one), start + 7_317).isGranted()).isTrue();
    ReserveResult over = store.reserve(List.of(three), start + 13_417);
    assertThat(over.isGranted()).as("1 + 3 > 3 within [start+7s, start+14s)").isFalse();
    assertThat(over.retryAfterMillis()).isEqualTo(583);
  }

  @Test
  void aFixedCountInUseIsKeptPastOneWindowFromItsCreation() {
    // A fixed-window entry expires a window (and the margin) after it was last written; a call
    // that starts the next window writes it, so a count in use is never dropped mid-window.
    InMemoryCounterStore store = InMemoryCounterStore.create();
    long window = 60_000;
    long start = Math.floorDiv(T0, window) * window;
    CounterRequest one = new CounterRequest("c", "grant", "a", window, Algorithm.FIXED, 2_000_000, 1_000_000);
    assertThat(store.reserve(List.of(one), start + 1_000).isGranted()).isTrue();
    assertThat(store.reserve(List.of(one), start + 60_500).isGranted()).as("the next window").isTrue();
    assertThat(store.reserve(List.of(one), start + 119_000).isGranted()).as("56 s past the first entry's expiry").isTrue();
    ReserveResult third = store.reserve(List.of(one), start + 119_500);
    assertThat(third.isGranted()).as("2 of 2 taken in [start+60s, start+120s)").isFalse();
    assertThat(third.retryAfterMillis()).isEqualTo(500);
  }

  @Test
  void aReservationOfSeveralCountersStartsTheirNextWindowsTogether() {
    InMemoryCounterStore store = InMemoryCounterStore.create();
    long window = 10_000;
    long start = Math.floorDiv(T0, window) * window;
    CounterRequest a = new CounterRequest("a", "global", null, window, Algorithm.FIXED, 1_000_000, 1_000_000);
    CounterRequest b = new CounterRequest("b", "grant", "p", 3 * window, Algorithm.FIXED, 2_000_000, 1_000_000);
    assertThat(store.reserve(List.of(a, b), start).isGranted()).isTrue();
    ReserveResult full = store.reserve(List.of(a, b), start + 1);
    assertThat(full.isGranted()).isFalse();
    assertThat(full.rejectedIndex()).isZero();
    assertThat(store.reserve(List.of(a, b), start + window).isGranted()).as("a's next window; b has room").isTrue();
    ReserveResult bFull = store.reserve(List.of(a, b), start + 2 * window);
    assertThat(bFull.isGranted()).as("a's third window; b holds 2 of 2").isFalse();
    assertThat(bFull.rejectedIndex()).isEqualTo(1);
    assertThat(store.reserve(List.of(a, b), start + 3 * window).isGranted()).as("both start again").isTrue();
  }

  @Test
  void concurrentCallersStartingNewWindowsNeverOverAdmit() throws Exception {
    // Every window, four threads race to be first (and so to start the window through the
    // cache) and then keep calling; each window admits exactly max, single and paired requests.
    InMemoryCounterStore store = InMemoryCounterStore.create();
    long window = 1_000;
    int windows = 40;
    int threads = 4;
    long start = Math.floorDiv(T0, window) * window;
    CounterRequest single = new CounterRequest("single", "grant", "p", window, Algorithm.FIXED, 25_000_000, 1_000_000);
    CounterRequest paired = new CounterRequest("paired", "global", null, window, Algorithm.FIXED, 30_000_000, 1_000_000);
    AtomicIntegerArray singles = new AtomicIntegerArray(windows);
    AtomicIntegerArray pairs = new AtomicIntegerArray(windows);
    CyclicBarrier everyWindow = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        runs.add(pool.submit(() -> {
          for (int w = 0; w < windows; w++) {
            everyWindow.await(10, TimeUnit.SECONDS);
            for (int call = 0; call < 20; call++) {
              long now = start + w * window + ThreadLocalRandom.current().nextLong(window);
              if (store.reserve(List.of(single), now).isGranted()) {
                singles.incrementAndGet(w);
              }
              if (store.reserve(List.of(paired, single), now).isGranted()) {
                pairs.incrementAndGet(w);
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> run : runs) {
        run.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (int w = 0; w < windows; w++) {
      assertThat(singles.get(w) + pairs.get(w)).as("window %d takes exactly single's max", w).isEqualTo(25);
    }
  }

  @Test
  void theKeyBoundHoldsUnderManyScopes() {
    InMemoryCounterStore store = InMemoryCounterStore.builder().maximumKeys(100).build();
    for (int i = 0; i < 10_000; i++) {
      assertThat(store.reserve(List.of(request("p" + i, 60_000)), T0).isGranted()).isTrue();
    }
    assertThat(store.keyCount()).isLessThanOrEqualTo(100);
  }

  @Test
  void theKeyBoundIsPerCounter() {
    InMemoryCounterStore store = InMemoryCounterStore.builder().maximumKeys(100).build();
    for (int i = 0; i < 100; i++) {
      store.reserve(List.of(request("p" + i, 60_000)), T0);
      store.reserve(List.of(new CounterRequest("other", "grant", "p" + i, 60_000, Algorithm.FIXED, 1_000_000, 1_000_000)), T0);
    }
    assertThat(store.keyCount()).isEqualTo(200);
    for (int i = 0; i < 100; i++) {
      assertThat(store.reserve(List.of(request("p" + i, 60_000)), T0).isGranted())
          .as("p%d's count in c is still held", i)
          .isFalse();
    }
  }

  @Test
  void aKeyBoundBelowOneIsRefused() {
    assertThatThrownBy(() -> InMemoryCounterStore.builder().maximumKeys(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maximumKeys");
  }
}
