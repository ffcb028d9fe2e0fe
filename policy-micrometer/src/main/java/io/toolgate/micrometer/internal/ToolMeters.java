package io.toolgate.micrometer.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.toolgate.api.AuditEvent.Outcome;
import io.toolgate.api.CallObservation;
import io.toolgate.api.Decision;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The meters of one {@code tool} tag value, and the observation of every call that has it: it
 * keeps nothing per call, so one instance watches all of them and observing allocates nothing.
 * Each meter is registered the first time it is needed, then read from a table.
 */
public final class ToolMeters implements CallObservation {
  private static final int RULES = RuleKind.values().length;
  private static final Outcome[] OUTCOMES = Outcome.values();

  private final String tool;
  private final Meters meters;
  private final AtomicReferenceArray<Counter> decisions;
  private final AtomicReferenceArray<Timer> durations;

  ToolMeters(String tool, Meters meters) {
    this.tool = tool;
    this.meters = meters;
    this.decisions = new AtomicReferenceArray<>(Decision.Kind.values().length * RULES);
    this.durations = new AtomicReferenceArray<>(OUTCOMES.length);
  }

  /** The tag value. */
  public String tool() {
    return tool;
  }

  @Override
  public void decided(Decision decision, long decisionNanos) {
    Decision.Kind kind = decision.kind();
    RuleKind rule = RuleKind.of(decision.rule());
    int slot = kind.ordinal() * RULES + rule.ordinal();
    Counter counter = decisions.get(slot);
    if (counter == null) {
      counter = meters.decisions(tool, kind, rule); // the registry's own counter for this id
      decisions.set(slot, counter);
    }
    counter.increment();
  }

  @Override
  public void finished(Outcome outcome, long runNanos, Throwable failure) {
    if (outcome == Outcome.EVALUATED) {
      return; // nothing ran, and nothing will: evaluate-only calls are counted in decisions alone
    }
    Timer timer = durations.get(outcome.ordinal());
    if (timer == null) {
      timer = meters.call(tool, outcome);
      durations.set(outcome.ordinal(), timer);
    }
    timer.record(runNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public String toString() {
    return "ToolMeters[" + tool + "]";
  }
}
