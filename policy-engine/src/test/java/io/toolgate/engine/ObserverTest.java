package io.toolgate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.toolgate.api.AuditEvent.Outcome;
import io.toolgate.api.CallContext;
import io.toolgate.api.CallObservation;
import io.toolgate.api.CallObserver;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterStore;
import io.toolgate.api.Decision;
import io.toolgate.api.Decision.Kind;
import io.toolgate.api.ReserveResult;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.store.InMemoryCounterStore;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Observers see each call's decision, then its outcome, and every call to the store. */
class ObserverTest {
  private static final String POLICY = String.join("\n",
      "version: '1'",
      "tools:",
      "  compile:",
      "    limits: [{counter: compiles, max: 1, window: hour, refund_on_error: true}]",
      "  delete: {action: deny, reason: never}",
      "");
  private static final CallContext AGENT = CallContext.of("agent-1");

  private final MutableClock clock = new MutableClock("2026-01-01T00:00:00Z");
  private final List<String> seen = new CopyOnWriteArrayList<>();

  /** Notes every hook as one line. */
  private final CallObserver recording = new CallObserver() {
    @Override
    public CallObservation start(ToolCall call, CallContext context) {
      seen.add("start " + call.tool() + " " + context.principal());
      return new CallObservation() {
        @Override
        public void decided(Decision decision, long decisionNanos) {
          seen.add("decided " + decision.kind() + (decisionNanos >= 0 ? "" : " negative"));
        }

        @Override
        public Scope running() {
          Thread opened = Thread.currentThread();
          seen.add("running");
          return () -> seen.add(Thread.currentThread() == opened ? "closed" : "closed elsewhere");
        }

        @Override
        public void finished(Outcome outcome, long runNanos, Throwable failure) {
          seen.add("finished " + outcome + (runNanos > 0 ? " ran" : "") + (failure == null ? "" : " " + failure.getMessage()));
        }
      };
    }

    @Override
    public void storeCalled(String store, String operation, long nanos, Throwable failure) {
      seen.add("store " + store + " " + operation + (failure == null ? "" : " failed"));
    }
  };

  private PolicyEngine engine(CounterStore store, CallObserver... observers) {
    PolicyEngine.Builder b = PolicyEngine.builder(Policy.parse(POLICY)).clock(clock).counterStore(store);
    for (CallObserver o : observers) {
      b.observe(o);
    }
    return b.build();
  }

  @Test
  void anAllowedCallIsSeenDecidedThenFinishedWithItsStoreCall() {
    PolicyEngine e = engine(InMemoryCounterStore.create(), recording);
    assertThat(e.call(ToolCall.of("compile"), AGENT, () -> {
      seen.add("tool ran");
      return "ok";
    })).isEqualTo("ok");
    assertThat(seen).containsExactly(
        "start compile agent-1", "store InMemoryCounterStore reserve", "decided ALLOW",
        "running", "tool ran", "closed", "finished SUCCEEDED ran");
  }

  @Test
  void refusalsEvaluationsAndFailuresEachFinishOnce() {
    PolicyEngine e = engine(InMemoryCounterStore.create(), recording);
    e.call(ToolCall.of("delete"), AGENT, () -> "ok", d -> "no");
    e.evaluate(ToolCall.of("delete"), AGENT);
    assertThatThrownBy(() -> e.call(ToolCall.of("compile"), AGENT, () -> { throw new IOException("disk"); }))
        .isInstanceOf(ToolInvocationException.class);
    assertThat(seen).containsExactly(
        "start delete agent-1", "decided DENY", "finished NOT_RUN",
        "start delete agent-1", "decided DENY", "finished EVALUATED",
        "start compile agent-1", "store InMemoryCounterStore reserve", "decided ALLOW", "running", "closed",
        "store InMemoryCounterStore refund", "finished FAILED ran disk");
  }

  @Test
  void theAsynchronousPathReportsTheSameAndTheToolsFailure() {
    PolicyEngine e = engine(InMemoryCounterStore.create(), recording);
    CompletableFuture<String> failed = e.callAsync(ToolCall.of("compile"), AGENT,
            () -> CompletableFuture.<String>failedFuture(new IllegalStateException("boom")))
        .toCompletableFuture();
    assertThat(failed).isCompletedExceptionally();
    assertThat(e.callAsync(ToolCall.of("compile"), AGENT, () -> CompletableFuture.completedFuture("ok"))
            .toCompletableFuture().join()).isEqualTo("ok");
    assertThat(seen).containsExactly(
        "start compile agent-1", "store InMemoryCounterStore reserve", "decided ALLOW", "running", "closed",
        "store InMemoryCounterStore refund", "finished FAILED ran boom",
        "start compile agent-1", "store InMemoryCounterStore reserve", "decided ALLOW", "running", "closed",
        "finished SUCCEEDED ran");
  }

  @Test
  void aFailingStoreIsReportedAsAFailedStoreCall() {
    CounterStore broken = new CounterStore() {
      @Override
      public ReserveResult reserve(List<CounterRequest> requests, long nowMillis) {
        throw new IllegalStateException("down");
      }

      @Override
      public void refund(List<CounterRequest> requests, long reservedAtMillis) {}

      @Override
      public Blocking blocking() {
        return Blocking.NONE;
      }
    };
    PolicyEngine e = engine(broken, recording);
    assertThat(e.evaluate(ToolCall.of("compile"), AGENT).kind()).isEqualTo(Kind.DENY);
    assertThat(seen).contains("store " + broken.getClass().getSimpleName() + " reserve failed", "decided DENY");
  }

  @Test
  void anObserverThatThrowsChangesNothingAndTheOthersStillSeeTheCall() {
    CallObserver throwing = new CallObserver() {
      @Override
      public CallObservation start(ToolCall call, CallContext context) {
        return new CallObservation() {
          @Override
          public void decided(Decision decision, long decisionNanos) {
            throw new IllegalStateException("observer bug");
          }

          @Override
          public Scope running() {
            return () -> {
              throw new IllegalStateException("observer bug");
            };
          }

          @Override
          public void finished(Outcome outcome, long runNanos, Throwable failure) {
            throw new IllegalStateException("observer bug");
          }
        };
      }

      @Override
      public void storeCalled(String store, String operation, long nanos, Throwable failure) {
        throw new IllegalStateException("observer bug");
      }
    };
    CallObserver throwsAtStart = (call, context) -> { throw new NoClassDefFoundError("observer library cannot load"); };
    PolicyEngine e = engine(InMemoryCounterStore.create(), throwing, throwsAtStart, recording);
    assertThat(e.call(ToolCall.of("compile"), AGENT, () -> "ok")).isEqualTo("ok");
    assertThat(seen).containsExactly(
        "start compile agent-1", "store InMemoryCounterStore reserve", "decided ALLOW", "running", "closed",
        "finished SUCCEEDED ran");
  }

  @Test
  void withoutObserversTheEngineTakesThePlainPathAndTheStoreUnwrapped() {
    PolicyEngine none = engine(InMemoryCounterStore.create(), CallObserver.NONE);
    assertThat(none).extracting("path").isInstanceOf(DecisionPath.Plain.class);
    PolicyEngine observed = engine(InMemoryCounterStore.create(), recording);
    assertThat(observed).extracting("path").isInstanceOf(DecisionPath.Reported.class);
  }
}
