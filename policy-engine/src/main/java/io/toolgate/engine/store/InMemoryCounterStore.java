package io.toolgate.engine.store;

import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterStore;
import io.toolgate.api.ReserveResult;
import java.util.List;

/** PLACEHOLDER: being written. */
public final class InMemoryCounterStore implements CounterStore {
  public static InMemoryCounterStore create() {
    return new InMemoryCounterStore();
  }

  @Override
  public ReserveResult reserve(List<CounterRequest> requests, long nowMillis) {
    throw new IllegalStateException("placeholder");
  }

  @Override
  public void refund(List<CounterRequest> requests, long reservedAtMillis) {
    throw new IllegalStateException("placeholder");
  }
}
