package io.toolgate.engine;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.toolgate.api.CallContext;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterStore;
import io.toolgate.api.ReserveResult;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.store.InMemoryCounterStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * {@code callAsync} gives back a failed tool's cost through the store's asynchronous refund: the
 * thread that completes the tool (a client's event loop) never waits for the store.
 */
class AsyncRefundTest {
  private static final String POLICY = String.join("\n",
      "version: '1'",
      "tools:",
      "  compile:",
      "    limits: [{counter: compiles, max: 1, window: hour, refund_on_error: true}]",
      "");
  private static final CallContext AGENT = CallContext.of("agent-1");
  private static final ToolCall COMPILE = ToolCall.of("compile");

  /** Counts in memory; the blocking refund fails the test, the asynchronous one is the test's to finish. */
  private static final class Store implements CounterStore {
    final InMemoryCounterStore counts = InMemoryCounterStore.create();
    final Blocking blocking;
    final CompletableFuture<Void> refundDone = new CompletableFuture<>();
    volatile boolean refundAsked;

    Store(Blocking blocking) {
      this.blocking = blocking;
    }

    @Override
    public Blocking blocking() {
      return blocking;
    }

    @Override
    public ReserveResult reserve(List<CounterRequest> requests, long nowMillis) {
      return counts.reserve(requests, nowMillis);
    }

    @Override
    public CompletionStage<ReserveResult> reserveAsync(List<CounterRequest> requests, long nowMillis) {
      return CompletableFuture.completedFuture(counts.reserve(requests, nowMillis));
    }

    @Override
    public void refund(List<CounterRequest> requests, long reservedAtMillis) {
      throw new AssertionError("callAsync refunded through the blocking refund");
    }

    @Override
    public CompletionStage<Void> refundAsync(List<CounterRequest> requests, long reservedAtMillis) {
      refundAsked = true;
      return refundDone.thenRun(() -> counts.refund(requests, reservedAtMillis));
    }
  }

  private static PolicyEngine engine(Store store) {
    // A timeout far beyond the hang guard: a thread that waited for the refund would fail the test.
    return PolicyEngine.builder(Policy.parse(POLICY)).counterStore(store).storeTimeout(Duration.ofHours(1)).build();
  }

  @Test
  void aFailedToolIsRefundedWithRefundAsyncNotTheBlockingRefund() throws Exception {
    for (CounterStore.Blocking blocking : List.of(CounterStore.Blocking.NONE, CounterStore.Blocking.SYNC_FORMS)) {
      Store store = new Store(blocking);
      PolicyEngine e = engine(store);
      CompletableFuture<String> tool = new CompletableFuture<>();
      CompletableFuture<String> result = e.callAsync(COMPILE, AGENT, () -> tool).toCompletableFuture();

      // The tool fails on "the client's event loop": that thread must not wait for the store.
      CompletableFuture.runAsync(() -> tool.completeExceptionally(new IllegalStateException("tool broke")))
          .get(30, SECONDS);
      assertThat(store.refundAsked).as("refund asked through refundAsync (%s)", blocking).isTrue();
      assertThat(result).as("the call completes once its refund is done").isNotDone();

      store.refundDone.complete(null);
      assertThatThrownBy(() -> result.get(30, SECONDS)).isInstanceOf(ExecutionException.class)
          .hasRootCauseMessage("tool broke");
      assertThat(e.evaluate(COMPILE, AGENT).isAllowed()).as("the failed call's count was given back").isTrue();
    }
  }

  @Test
  void aToolThatThrowsBeforeReturningAStageIsRefundedAsynchronouslyToo() throws Exception {
    Store store = new Store(CounterStore.Blocking.NONE);
    store.refundDone.complete(null);
    PolicyEngine e = engine(store);
    CompletableFuture<String> result = e.<String>callAsync(COMPILE, AGENT, () -> {
      throw new IllegalStateException("no stage");
    }).toCompletableFuture();
    assertThatThrownBy(() -> result.get(30, SECONDS)).hasRootCauseMessage("no stage");
    assertThat(store.refundAsked).isTrue();
    assertThat(e.evaluate(COMPILE, AGENT).isAllowed()).isTrue();
  }
}
