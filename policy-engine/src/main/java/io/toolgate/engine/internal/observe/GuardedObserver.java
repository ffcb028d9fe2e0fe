package io.toolgate.engine.internal.observe;

import io.toolgate.api.AuditEvent.Outcome;
import io.toolgate.api.CallContext;
import io.toolgate.api.CallObservation;
import io.toolgate.api.CallObserver;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import java.util.List;

/**
 * The engine's observers as one: each guarded, so one that throws is reported through {@code
 * System.Logger} and changes no decision, stops no other observer. A single observer's
 * observation is returned as it is (a shared one costs nothing per call); callers tell it through
 * {@link #decided} and {@link #finished}, which guard it.
 */
public final class GuardedObserver implements CallObserver {
  private static final System.Logger LOG = System.getLogger(GuardedObserver.class.getName());

  private final CallObserver[] observers;

  private GuardedObserver(List<CallObserver> observers) {
    this.observers = observers.toArray(CallObserver[]::new);
  }

  /** {@link CallObserver#NONE} for no observers (or only {@code NONE}), else a guard around them. */
  public static CallObserver of(List<CallObserver> observers) {
    List<CallObserver> watching = observers.stream().filter(o -> o != CallObserver.NONE).toList();
    return watching.isEmpty() ? CallObserver.NONE : new GuardedObserver(watching);
  }

  @Override
  public CallObservation start(ToolCall call, CallContext context) {
    if (observers.length == 1) {
      return started(observers[0], call, context); // the caller guards it: see decided, finished
    }
    CallObservation[] all = new CallObservation[observers.length];
    for (int i = 0; i < observers.length; i++) {
      all[i] = started(observers[i], call, context);
    }
    return new Guarded(all);
  }

  private static CallObservation started(CallObserver observer, ToolCall call, CallContext context) {
    try {
      CallObservation observation = observer.start(call, context);
      return observation == null ? CallObservation.NONE : observation;
    } catch (RuntimeException | LinkageError e) {
      report(observer, e);
      return CallObservation.NONE;
    }
  }

  @Override
  public void storeCalled(String store, String operation, long nanos, Throwable failure) {
    for (CallObserver observer : observers) {
      try {
        observer.storeCalled(store, operation, nanos, failure);
      } catch (RuntimeException | LinkageError e) {
        report(observer, e);
      }
    }
  }

  /** Tells {@code observation} the decision; an exception it throws is reported and ignored. */
  public static void decided(CallObservation observation, Decision decision, long decisionNanos) {
    try {
      observation.decided(decision, decisionNanos);
    } catch (RuntimeException | LinkageError e) {
      report(observation, e);
    }
  }

  /**
   * Tells {@code observation} the tool is about to run; the scope it opens is closed guarded too.
   * {@link CallObservation.Scope#NONE}, at no cost, when it opens none.
   */
  public static CallObservation.Scope running(CallObservation observation) {
    CallObservation.Scope scope;
    try {
      scope = observation.running();
    } catch (RuntimeException | LinkageError e) {
      report(observation, e);
      return CallObservation.Scope.NONE;
    }
    if (scope == null || scope == CallObservation.Scope.NONE) {
      return CallObservation.Scope.NONE;
    }
    return () -> {
      try {
        scope.close();
      } catch (RuntimeException | LinkageError e) {
        report(observation, e);
      }
    };
  }

  /** Tells {@code observation} the outcome; an exception it throws is reported and ignored. */
  public static void finished(CallObservation observation, Outcome outcome, long runNanos, Throwable failure) {
    try {
      observation.finished(outcome, runNanos, failure);
    } catch (RuntimeException | LinkageError e) {
      report(observation, e);
    }
  }

  /**
   * Reports what an observer threw. {@link LinkageError}s are contained too: an observer whose
   * library cannot initialize (a class that fails to load on a server's worker thread, say) must
   * not take the call down with it.
   */
  private static void report(Object observer, Throwable e) {
    LOG.log(System.Logger.Level.WARNING, "observer " + observer + " failed; decision unchanged", e);
  }

  /** The observations of one call, each told in turn. */
  private record Guarded(CallObservation[] observations) implements CallObservation {
    @Override
    public void decided(Decision decision, long decisionNanos) {
      for (CallObservation observation : observations) {
        GuardedObserver.decided(observation, decision, decisionNanos);
      }
    }

    @Override
    public Scope running() {
      Scope[] scopes = new Scope[observations.length];
      for (int i = 0; i < observations.length; i++) {
        scopes[i] = GuardedObserver.running(observations[i]);
      }
      return () -> {
        for (int i = scopes.length - 1; i >= 0; i--) {
          scopes[i].close();
        }
      };
    }

    @Override
    public void finished(Outcome outcome, long runNanos, Throwable failure) {
      for (CallObservation observation : observations) {
        GuardedObserver.finished(observation, outcome, runNanos, failure);
      }
    }
  }
}
