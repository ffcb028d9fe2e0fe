package io.toolgate.engine.internal.eval;

import io.toolgate.engine.Explanation;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Where the evaluator notes each check of one decision. {@link #NONE} notes nothing and builds no
 * text (each step's words are suppliers, called only by a {@linkplain #recording() recording}
 * trace), so {@code evaluate} and {@code explain} run the same code.
 */
public sealed interface Trace permits Trace.None, Trace.Recording {
  /** Notes nothing: the trace of every decision nobody explains. */
  Trace NONE = new None();

  /** A trace that keeps every step, for {@code explain}. */
  static Trace recording() {
    return new Recording();
  }

  /** Notes one check of the policy text at {@code rule}; the words are built only if kept. */
  void step(String rule, Supplier<String> check, Supplier<String> result);

  /** The steps noted, in order; none for {@link #NONE}. */
  List<Explanation.Step> steps();

  /** The trace that notes nothing. */
  final class None implements Trace {
    private None() {}

    @Override
    public void step(String rule, Supplier<String> check, Supplier<String> result) {}

    @Override
    public List<Explanation.Step> steps() {
      return List.of();
    }
  }

  /** The trace that keeps every step. */
  final class Recording implements Trace {
    private final List<Explanation.Step> steps = new ArrayList<>();

    private Recording() {}

    @Override
    public void step(String rule, Supplier<String> check, Supplier<String> result) {
      steps.add(new Explanation.Step(rule, check.get(), result.get()));
    }

    @Override
    public List<Explanation.Step> steps() {
      return steps;
    }
  }
}
