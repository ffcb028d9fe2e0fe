package io.toolgate.engine;

import io.toolgate.api.Decision;
import java.util.List;
import java.util.Objects;

/**
 * A decision with the path that led to it, for a person debugging a policy: the entries that
 * matched, and each check the decision procedure made, in order, with its result.
 *
 * @param decision the decision, as {@link PolicyEngine#evaluate} would have made it
 * @param steps the checks, in the order they were made
 */
public record Explanation(Decision decision, List<Step> steps) {
  public Explanation {
    Objects.requireNonNull(decision, "decision");
    steps = List.copyOf(steps);
  }

  /**
   * One check.
   *
   * @param rule JSON Pointer of the policy text checked ({@code ""} for the call as a whole)
   * @param check what was checked, in words
   * @param result what came of it
   */
  public record Step(String rule, String check, String result) {
    public Step {
      Objects.requireNonNull(rule, "rule");
      Objects.requireNonNull(check, "check");
      Objects.requireNonNull(result, "result");
    }
  }

  /** The explanation as lines of text: one per step, then the decision. */
  public String render() {
    StringBuilder out = new StringBuilder();
    int width = 0;
    for (Step step : steps) {
      width = Math.max(width, step.rule().length());
    }
    for (Step step : steps) {
      out.append(String.format("  %-" + Math.max(width, 1) + "s  %s: %s%n", step.rule(), step.check(), step.result()));
    }
    out.append(decision.kind()).append(" by ").append(decision.rule()).append(System.lineSeparator());
    out.append(decision.reason()).append(System.lineSeparator());
    return out.toString();
  }
}
