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
  /** Per decision kind, the last rule seen and its counter: one identity check on the usual path. */
  private final AtomicReferenceArray<Last> last;

  ToolMeters(String tool, Meters meters) {
    this.tool = tool;
    this.meters = meters;
    this.decisions = new AtomicReferenceArray<>(Decision.Kind.values().length * RULES);
    this.durations = new AtomicReferenceArray<>(OUTCOMES.length);
    this.last = new AtomicReferenceArray<>(Decision.Kind.values().length);
  }

  /** The tag value. */
  public String tool() {
    return tool;
  }

  /**
   * Counts the decision. The engine's rules are the policy's own strings, so a tool's calls
   * decided the same way carry the same instance: the counter of the last rule seen for the kind
   * is found by one identity check, and the pointer is parsed only when the rule changes. This
   * keeps the usual path small enough for the JIT to inline it into the engine's, which then
   * allocates no ticket per call (ObserverBenchmark, -prof gc).
   */
  @Override
  public void decided(Decision decision, long decisionNanos) {
    Decision.Kind kind = decision.kind();
    String rule = decision.rule();
    Last seen = last.get(kind.ordinal());
    if (seen != null && seen.rule == rule) {
      seen.counter.increment();
      return;
    }
    counted(kind, rule);
  }

  private void counted(Decision.Kind kind, String rule) {
    RuleKind ruleKind = RuleKind.of(rule);
    int slot = kind.ordinal() * RULES + ruleKind.ordinal();
    Counter counter = decisions.get(slot);
    if (counter == null) {
      counter = meters.decisions(tool, kind, ruleKind); // the registry's own counter for this id
      decisions.set(slot, counter);
    }
    last.set(kind.ordinal(), new Last(rule, counter));
    counter.increment();
  }

  /** A rule string and the counter its decisions go to. */
  private record Last(String rule, Counter counter) {}

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
