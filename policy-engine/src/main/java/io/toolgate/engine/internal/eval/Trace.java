package io.toolgate.engine.internal.eval;

import io.toolgate.engine.Explanation;
import java.util.ArrayList;
import java.util.List;

/** Collects the steps of one explained decision. Only {@code explain} creates one. */
public final class Trace {
  private final List<Explanation.Step> steps = new ArrayList<>();

  void step(String rule, String check, String result) {
    steps.add(new Explanation.Step(rule, check, result));
  }

  public List<Explanation.Step> steps() {
    return steps;
  }
}
