package io.toolgate.engine.internal.observe;

import io.toolgate.api.CallObserver;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterStore;
import io.toolgate.api.ReserveResult;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The engine's store (already bounded by its timeout) with every call timed for the observer:
 * how long the engine waited, and whether the store failed. Only engines with an observer have one.
 */
public final class ObservedCounterStore implements CounterStore {
  private final CounterStore store;
  private final String name;
  private final CallObserver observer;

  private ObservedCounterStore(CounterStore store, String name, CallObserver observer) {
    this.store = store;
    this.name = name;
    this.observer = observer;
  }

  /**
   * {@code store} itself when {@code observer} is {@link CallObserver#NONE}, else {@code store}
   * timed, its calls reported under {@code name}.
   */
  public static CounterStore around(CounterStore store, String name, CallObserver observer) {
    return observer == CallObserver.NONE ? store : new ObservedCounterStore(store, name, observer);
  }

  @Override
  public ReserveResult reserve(List<CounterRequest> requests, long nowMillis) {
    long start = System.nanoTime();
    try {
      ReserveResult result = store.reserve(requests, nowMillis);
      report("reserve", start, null);
      return result;
    } catch (RuntimeException e) {
      report("reserve", start, e);
      throw e;
    }
  }

  @Override
  public CompletionStage<ReserveResult> reserveAsync(List<CounterRequest> requests, long nowMillis) {
    long start = System.nanoTime();
    return store.reserveAsync(requests, nowMillis).whenComplete((result, error) -> report("reserve", start, error));
  }

  @Override
  public void commit(List<CounterRequest> requests, long reservedAtMillis) {
    long start = System.nanoTime();
    try {
      store.commit(requests, reservedAtMillis);
      report("commit", start, null);
    } catch (RuntimeException e) {
      report("commit", start, e);
      throw e;
    }
  }

  @Override
  public boolean confirmsReservations() {
    return store.confirmsReservations();
  }

  @Override
  public void refund(List<CounterRequest> requests, long reservedAtMillis) {
    long start = System.nanoTime();
    try {
      store.refund(requests, reservedAtMillis);
      report("refund", start, null);
    } catch (RuntimeException e) {
      report("refund", start, e);
      throw e;
    }
  }

  @Override
  public CompletionStage<Void> refundAsync(List<CounterRequest> requests, long reservedAtMillis) {
    long start = System.nanoTime();
    return store.refundAsync(requests, reservedAtMillis).whenComplete((done, error) -> report("refund", start, error));
  }

  @Override
  public Blocking blocking() {
    return store.blocking();
  }

  private void report(String operation, long start, Throwable failure) {
    observer.storeCalled(name, operation, System.nanoTime() - start, failure);
  }
}
