package io.toolgate.micrometer.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.toolgate.api.AuditEvent.Outcome;
import io.toolgate.api.Decision;
import java.util.Locale;

/**
 * Registers the per-call meters, each once: the registry is asked for a meter only the first time
 * a (tool, kind, rule) or (tool, outcome) is seen, and the meter is then kept by the caller.
 *
 * @param registry where the meters live
 * @param percentiles the client-side percentiles of the timers (empty: none)
 * @param histogram whether the timers publish a percentile histogram (Prometheus buckets)
 */
public record Meters(MeterRegistry registry, double[] percentiles, boolean histogram) {
  public static final String DECISIONS = "toolgate.decisions";
  public static final String CALL_DURATION = "toolgate.call.duration";
  public static final String STORE_DURATION = "toolgate.store.duration";
  public static final String STORE_FAILURES = "toolgate.store.failures";

  public Meters {
    percentiles = percentiles.clone();
  }

  /** The tag value of a decision kind: {@code allow}, {@code deny}, {@code rate_limited}, {@code approval_required}. */
  public static String tag(Decision.Kind kind) {
    return kind.name().toLowerCase(Locale.ROOT);
  }

  /** The tag value of an outcome: {@code evaluated}, {@code not_run}, {@code succeeded}, {@code failed}. */
  public static String tag(Outcome outcome) {
    return outcome.name().toLowerCase(Locale.ROOT);
  }

  Counter decisions(String tool, Decision.Kind kind, RuleKind rule) {
    return Counter.builder(DECISIONS)
        .description("Tool calls decided, by decision kind, tool and the kind of rule that decided")
        .tag("kind", tag(kind))
        .tag("tool", tool)
        .tag("rule", rule.tag())
        .register(registry);
  }

  Timer call(String tool, Outcome outcome) {
    return timer(Timer.builder(CALL_DURATION)
        .description("How long the tool ran, by tool and outcome (0 for calls that did not run)")
        .tag("tool", tool)
        .tag("outcome", tag(outcome)));
  }

  /** The store's timer for {@code operation}. */
  public Timer store(String store, String operation) {
    return timer(Timer.builder(STORE_DURATION)
        .description("How long the engine waited for the counter store, by store and operation")
        .tag("store", store)
        .tag("operation", operation));
  }

  /** The store's failure counter for {@code operation}. */
  public Counter storeFailures(String store, String operation) {
    return Counter.builder(STORE_FAILURES)
        .description("Counter store calls that failed or timed out, by store and operation")
        .tag("store", store)
        .tag("operation", operation)
        .register(registry);
  }

  private Timer timer(Timer.Builder builder) {
    if (percentiles.length > 0) {
      builder.publishPercentiles(percentiles);
    }
    return builder.publishPercentileHistogram(histogram).register(registry);
  }
}
