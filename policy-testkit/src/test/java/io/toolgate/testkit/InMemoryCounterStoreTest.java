package io.toolgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterRequest.Algorithm;
import io.toolgate.api.CounterStore;
import io.toolgate.api.ReserveResult;
import io.toolgate.engine.store.InMemoryCounterStore;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryCounterStoreTest extends CounterStoreContract {

  @Override
  protected CounterStore newStore() {
    return InMemoryCounterStore.create();
  }

  private static CounterRequest request(String scope, long window) {
    return new CounterRequest("c", "grant", scope, window, Algorithm.FIXED, 1, 1);
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
    CounterRequest one = new CounterRequest("c", "global", null, window, Algorithm.FIXED, 3, 1);
    CounterRequest three = new CounterRequest("c", "global", null, window, Algorithm.FIXED, 3, 3);
    long start = Math.floorDiv(T0, window) * window;
    assertThat(store.reserve(List.of(one), start + 6_345).isGranted()).isTrue();
    assertThat(store.reserve(List.of(one), start + 7_317).isGranted()).isTrue();
    ReserveResult over = store.reserve(List.of(three), start + 13_417);
    assertThat(over.isGranted()).as("1 + 3 > 3 within [start+7s, start+14s)").isFalse();
    assertThat(over.retryAfterMillis()).isEqualTo(583);
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
      store.reserve(List.of(new CounterRequest("other", "grant", "p" + i, 60_000, Algorithm.FIXED, 1, 1)), T0);
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
