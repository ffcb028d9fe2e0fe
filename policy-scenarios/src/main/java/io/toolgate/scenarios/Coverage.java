package io.toolgate.scenarios;

import io.toolgate.engine.PolicyView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Collects which policy rules decided calls, across every {@link TestEngine} that records into
 * it; {@link #report()} gives the {@link CoverageReport}. Thread-safe. The testkit's JUnit
 * extension {@code PolicyCoverage} wraps one.
 */
public final class Coverage {
  private final Map<String, Map<String, Rule>> policies = new LinkedHashMap<>();

  private Coverage() {}

  /** An empty collector. */
  public static Coverage create() {
    return new Coverage();
  }

  /** The coverage so far. */
  public synchronized CoverageReport report() {
    List<CoverageReport.Item> items = new ArrayList<>();
    policies.forEach((policy, rules) -> rules.forEach((pointer, rule) ->
        items.add(new CoverageReport.Item(policy, pointer, rule.kind, rule.decided.get()))));
    return new CoverageReport(items);
  }

  /** Registers a policy's rules (merging with a policy of the same name) and returns its tracker. */
  synchronized CoverageTracker track(String policyName, PolicyView model) {
    Map<String, Rule> rules = policies.computeIfAbsent(policyName, k -> new LinkedHashMap<>());
    CoverageTracker.rulesOf(model).forEach((pointer, kind) -> rules.putIfAbsent(pointer, new Rule(kind)));
    return new CoverageTracker(model, rules);
  }

  /** One rule's counter. */
  static final class Rule {
    final String kind;
    final AtomicLong decided = new AtomicLong();

    Rule(String kind) {
      this.kind = kind;
    }
  }

  @Override
  public String toString() {
    return "Coverage[" + report().percent() + "%]";
  }
}
