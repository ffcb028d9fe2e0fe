package io.toolgate.scenarios;

import io.toolgate.api.Decision;
import io.toolgate.api.Decision.Rules;
import io.toolgate.engine.Explanation;
import io.toolgate.engine.PolicyView;
import io.toolgate.engine.PolicyView.Action;
import io.toolgate.engine.PolicyView.Clause;
import io.toolgate.engine.PolicyView.Entry;
import io.toolgate.engine.PolicyView.Grant;
import io.toolgate.engine.PolicyView.Hide;
import io.toolgate.engine.PolicyView.Limit;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Credits the rules of one policy with the decisions made under it. Derived from each decision's
 * rule and matched entries; {@code when} clauses, which no decision names, from the explain trace.
 */
final class CoverageTracker {
  private final Map<String, Coverage.Rule> rules;
  private final Set<String> permitting = new HashSet<>();
  private final List<String> grants;
  private final boolean hasWhen;

  CoverageTracker(PolicyView model, Map<String, Coverage.Rule> rules) {
    this.rules = rules;
    for (Entry e : model.entries()) {
      if (e.action() != Action.DENY) {
        permitting.add(e.pointer());
      }
    }
    this.grants = model.grants().stream().map(Grant::pointer).toList();
    this.hasWhen = model.entries().stream().anyMatch(e -> !e.when().isEmpty());
  }

  /** Every rule of {@code model}, pointer to kind, in document order. */
  static Map<String, String> rulesOf(PolicyView model) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put(Rules.DEFAULT, "default");
    for (Hide h : model.hide()) {
      out.put(h.pointer(), "hide");
    }
    model.tools().forEach(e -> entry(e, out));
    for (Grant g : model.grants()) {
      out.put(g.pointer(), "grant");
      g.tools().forEach(e -> entry(e, out));
    }
    return out;
  }

  private static void entry(Entry e, Map<String, String> out) {
    out.put(e.pointer(), switch (e.action()) {
      case DENY -> "deny entry";
      case REQUIRE_APPROVAL -> "approval entry";
      default -> "allow entry";
    });
    if (e.arguments() != null) {
      out.put(e.arguments().pointer(), "arguments");
    }
    for (Clause c : e.when()) {
      out.put(c.pointer(), "when");
    }
    for (Clause c : e.conditions()) {
      out.put(c.pointer(), "condition");
    }
    for (Limit l : e.limits()) {
      out.put(l.pointer(), "limit");
    }
  }

  /** Whether crediting needs the explain trace (the policy has {@code when} clauses). */
  boolean needsTrace() {
    return hasWhen;
  }

  /** Credits the rules that decided {@code decision}; {@code trace} may be {@code null}. */
  void record(Decision decision, List<Explanation.Step> trace) {
    Set<String> credited = new HashSet<>();
    String rule = decision.rule();
    if (rule != null) {
      if (rules.containsKey(rule)) {
        credited.add(rule);
      }
      for (String entry : decision.matched()) {
        if (rule.startsWith(entry + "/")) {
          credited.add(entry);
        }
      }
    }
    if (decision.isAllowed() && !Rules.FAIL_OPEN.equals(rule)) {
      for (String entry : decision.matched()) {
        if (permitting.contains(entry)) {
          credited.add(entry);
        }
      }
    }
    if (trace != null) {
      for (Explanation.Step step : trace) {
        if (step.result().startsWith("fails") && "when".equals(kind(step.rule()))) {
          credited.add(step.rule());
        }
      }
    }
    for (String grant : grants) {
      if (credited.stream().anyMatch(p -> p.startsWith(grant + "/"))) {
        credited.add(grant);
      }
    }
    for (String pointer : credited) {
      Coverage.Rule r = rules.get(pointer);
      if (r != null) {
        r.decided.incrementAndGet();
      }
    }
  }

  private String kind(String pointer) {
    Coverage.Rule r = rules.get(pointer);
    return r == null ? null : r.kind;
  }
}
