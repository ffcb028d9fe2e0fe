package io.toolgate.scenarios;

import io.toolgate.api.Decision;
import io.toolgate.engine.Explanation;
import io.toolgate.engine.internal.model.Action;
import io.toolgate.engine.internal.model.Condition;
import io.toolgate.engine.internal.model.Grant;
import io.toolgate.engine.internal.model.HideRule;
import io.toolgate.engine.internal.model.Limit;
import io.toolgate.engine.internal.model.PolicyModel;
import io.toolgate.engine.internal.model.ToolEntry;
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

  CoverageTracker(PolicyModel model, Map<String, Coverage.Rule> rules) {
    this.rules = rules;
    for (ToolEntry e : entries(model)) {
      if (e.action() != Action.DENY) {
        permitting.add(e.pointer());
      }
    }
    this.grants = model.grants().stream().map(Grant::pointer).toList();
    this.hasWhen = entries(model).stream().anyMatch(e -> !e.when().isEmpty());
  }

  /** Every rule of {@code model}, pointer to kind, in document order. */
  static Map<String, String> rulesOf(PolicyModel model) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("/default", "default");
    for (HideRule h : model.hide()) {
      out.put(h.pointer(), "hide");
    }
    model.tools().forEach(e -> entry(e, out));
    for (Grant g : model.grants()) {
      out.put(g.pointer(), "grant");
      g.tools().forEach(e -> entry(e, out));
    }
    return out;
  }

  private static void entry(ToolEntry e, Map<String, String> out) {
    out.put(e.pointer(), switch (e.action()) {
      case DENY -> "deny entry";
      case REQUIRE_APPROVAL -> "approval entry";
      default -> "allow entry";
    });
    if (e.arguments() != null) {
      out.put(e.arguments().pointer(), "arguments");
    }
    for (Condition c : e.when()) {
      out.put(c.pointer(), "when");
    }
    for (Condition c : e.conditions()) {
      out.put(c.pointer(), "condition");
    }
    for (Limit l : e.limits()) {
      out.put(l.pointer(), "limit");
    }
  }

  private static List<ToolEntry> entries(PolicyModel model) {
    List<ToolEntry> all = new java.util.ArrayList<>(model.tools());
    model.grants().forEach(g -> all.addAll(g.tools()));
    return all;
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
    if (decision.isAllowed() && !"fail-open".equals(rule)) {
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
