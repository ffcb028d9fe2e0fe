package io.toolgate.engine;

import io.toolgate.api.AuditEvent;
import io.toolgate.api.AuditEvent.Outcome;
import io.toolgate.api.AuditSink;
import io.toolgate.api.CallContext;
import io.toolgate.api.CallObservation;
import io.toolgate.api.CallObserver;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.internal.eval.CompiledPolicy;
import io.toolgate.engine.internal.eval.Evaluator;
import io.toolgate.engine.internal.eval.Trace;
import io.toolgate.engine.internal.observe.GuardedObserver;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;

/**
 * How an engine decides a call and reports what became of it: {@link Plain}, or {@link Reported}
 * around the plain path when the engine has audit sinks or observers. Chosen once, when the engine
 * is built, so {@link PolicyEngine}'s methods read the same either way.
 */
abstract sealed class DecisionPath permits DecisionPath.Plain, DecisionPath.Reported {
  final Evaluator evaluator;

  private DecisionPath(Evaluator evaluator) {
    this.evaluator = evaluator;
  }

  /**
   * The path of an engine with {@code sink} ({@link AuditSink#NONE}: no audit) and {@code observer}
   * ({@link CallObserver#NONE}: none).
   */
  static DecisionPath of(Evaluator evaluator, AuditSink sink, CallObserver observer, Clock clock) {
    return sink == AuditSink.NONE && observer == CallObserver.NONE
        ? new Plain(evaluator)
        : new Reported(evaluator, sink, observer, clock);
  }

  /** Decides {@code call} without running anything, noting each check in {@code trace}. */
  abstract Decision evaluate(CompiledPolicy policy, ToolCall call, CallContext context, Trace trace);

  /** {@link #evaluate} with the store's asynchronous form. */
  abstract CompletionStage<Decision> evaluateAsync(CompiledPolicy policy, ToolCall call, CallContext context);

  /** Decides {@code call} for the interceptor, which reports the outcome on the ticket. */
  abstract Ticket decide(CompiledPolicy policy, ToolCall call, CallContext context);

  /** {@link #decide} with the store's asynchronous form. */
  abstract CompletionStage<Ticket> decideAsync(CompiledPolicy policy, ToolCall call, CallContext context);

  /** A decision the interceptor acts on, and where it reports what became of the call. */
  interface Ticket {
    Decision decision();

    /**
     * The tool is about to run on this thread: a ticket that times the run starts its clock, and
     * its observers may open a scope, which the caller closes on this thread when the tool
     * returned (or handed back its stage).
     */
    CallObservation.Scope running();

    /**
     * Reports the call's outcome once it is known: not run, succeeded or failed ({@code failure}
     * what the tool threw, or {@code null}).
     */
    void report(Outcome outcome, Throwable failure);
  }

  /** No audit, no observer: the evaluator alone. */
  static final class Plain extends DecisionPath {
    Plain(Evaluator evaluator) {
      super(evaluator);
    }

    @Override
    Decision evaluate(CompiledPolicy policy, ToolCall call, CallContext context, Trace trace) {
      return evaluator.decide(policy, call, context, Evaluator.READ_CLOCK, trace);
    }

    @Override
    CompletionStage<Decision> evaluateAsync(CompiledPolicy policy, ToolCall call, CallContext context) {
      return evaluator.decideAsync(policy, call, context);
    }

    @Override
    Ticket decide(CompiledPolicy policy, ToolCall call, CallContext context) {
      return new Unreported(evaluate(policy, call, context, Trace.NONE));
    }

    @Override
    CompletionStage<Ticket> decideAsync(CompiledPolicy policy, ToolCall call, CallContext context) {
      CompletionStage<Decision> deciding = evaluator.decideAsync(policy, call, context);
      return Evaluator.cancelling(deciding, deciding.thenApply(Unreported::new));
    }

    private record Unreported(Decision decision) implements Ticket {
      @Override
      public CallObservation.Scope running() {
        return CallObservation.Scope.NONE;
      }

      @Override
      public void report(Outcome outcome, Throwable failure) {}
    }
  }

  /**
   * Every decision recorded in the sink with its outcome and latency, and shown to the observer. A
   * synchronous decision reads the clock once, for its counters and its audit; an asynchronous one
   * is audited at the time its outcome is known.
   */
  static final class Reported extends DecisionPath {
    private final AuditSink sink;
    private final CallObserver observer;
    private final Clock clock;

    Reported(Evaluator evaluator, AuditSink sink, CallObserver observer, Clock clock) {
      super(evaluator);
      this.sink = sink;
      this.observer = observer;
      this.clock = clock;
    }

    @Override
    Decision evaluate(CompiledPolicy policy, ToolCall call, CallContext context, Trace trace) {
      Ticket ticket = decide(policy, call, context, trace);
      ticket.report(Outcome.EVALUATED, null);
      return ticket.decision();
    }

    @Override
    CompletionStage<Decision> evaluateAsync(CompiledPolicy policy, ToolCall call, CallContext context) {
      CompletionStage<Ticket> deciding = decideAsync(policy, call, context);
      return Evaluator.cancelling(deciding, deciding.thenApply(ticket -> {
        ticket.report(Outcome.EVALUATED, null);
        return ticket.decision();
      }));
    }

    @Override
    Ticket decide(CompiledPolicy policy, ToolCall call, CallContext context) {
      return decide(policy, call, context, Trace.NONE);
    }

    private Ticket decide(CompiledPolicy policy, ToolCall call, CallContext context, Trace trace) {
      CallObservation observation = observer.start(call, context);
      long decidedAt = sink == AuditSink.NONE ? Evaluator.READ_CLOCK : clock.millis(); // one reading for the counters and the audit
      long start = System.nanoTime();
      Decision decision = evaluator.decide(policy, call, context, decidedAt, trace);
      return new Recorded(decidedAt, call, context, observation, decision, System.nanoTime() - start);
    }

    @Override
    CompletionStage<Ticket> decideAsync(CompiledPolicy policy, ToolCall call, CallContext context) {
      CallObservation observation = observer.start(call, context);
      long start = System.nanoTime();
      CompletionStage<Decision> deciding = evaluator.decideAsync(policy, call, context);
      Decision held = Evaluator.heldDecision(deciding);
      if (held != null) { // cancelled while it waits: recorded as it stood, and not run
        deciding.whenComplete((decision, error) -> {
          if (error instanceof CancellationException) {
            new Recorded(Evaluator.READ_CLOCK, call, context, observation, held, System.nanoTime() - start)
                .report(Outcome.NOT_RUN, null);
          }
        });
      }
      return Evaluator.cancelling(deciding, deciding
          .thenApply(decision -> new Recorded(
              Evaluator.READ_CLOCK, call, context, observation, decision, System.nanoTime() - start)));
    }

    /**
     * A decision to record at {@code decidedAt} (epoch milliseconds), or at the clock's time when
     * it is {@link Evaluator#READ_CLOCK}. {@code Clock.millis} rather than {@code Clock.instant}:
     * the latter is not an intrinsic and costs more than the rest of an audit to a fast sink.
     */
    private final class Recorded implements Ticket {
      private static final long NOT_RUNNING = Long.MIN_VALUE;
      private final long decidedAt;
      private final ToolCall call;
      private final CallContext context;
      private final CallObservation observation;
      private final Decision decision;
      private final long latencyNanos;
      private long runningSince = NOT_RUNNING;

      Recorded(
          long decidedAt,
          ToolCall call,
          CallContext context,
          CallObservation observation,
          Decision decision,
          long latencyNanos) {
        this.decidedAt = decidedAt;
        this.call = call;
        this.context = context;
        this.observation = observation;
        this.decision = decision;
        this.latencyNanos = latencyNanos;
        GuardedObserver.decided(observation, decision, latencyNanos);
      }

      @Override
      public Decision decision() {
        return decision;
      }

      @Override
      public CallObservation.Scope running() {
        if (observation == CallObservation.NONE) {
          return CallObservation.Scope.NONE;
        }
        runningSince = System.nanoTime();
        return GuardedObserver.running(observation);
      }

      @Override
      public void report(Outcome outcome, Throwable failure) {
        if (observation != CallObservation.NONE) {
          long runNanos = runningSince == NOT_RUNNING ? 0 : System.nanoTime() - runningSince;
          GuardedObserver.finished(observation, outcome, runNanos, failure);
        }
        if (sink != AuditSink.NONE) {
          long millis = decidedAt == Evaluator.READ_CLOCK ? clock.millis() : decidedAt;
          sink.record(new AuditEvent(Instant.ofEpochMilli(millis), call, context, decision, outcome, latencyNanos));
        }
      }
    }
  }
}
