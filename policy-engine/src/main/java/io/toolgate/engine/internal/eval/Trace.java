package io.toolgate.engine.internal.eval;

import io.toolgate.engine.Explanation;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Where the evaluator notes each check of one decision. {@link #NONE} notes nothing and builds no
 * text (each step's words are functions of the values the step names, called only by a {@linkplain
 * #recording() recording} trace), so {@code evaluate} and {@code explain} run the same code.
 */
public sealed interface Trace permits Trace.None, Trace.Recording {
  /** Notes nothing: the trace of every decision nobody explains. */
  Trace NONE = new None();

  /** A trace that keeps every step, for {@code explain}. */
  static Trace recording() {
    return new Recording();
  }

  /**
   * Notes one check of the policy text at {@code rule}. Its words are built from {@code a} and
   * {@code b} by {@code check} and {@code result}, only if kept. Pass functions that capture
   * nothing (every value they read comes in {@code a} and {@code b}): such a lambda is a constant,
   * so a step noted in {@link #NONE} allocates nothing, however the compiler inlines the caller.
   */
  <A, B> void step(String rule, A a, B b, BiFunction<? super A, ? super B, String> check,
      BiFunction<? super A, ? super B, String> result);

  /** The steps noted, in order; none for {@link #NONE}. */
  List<Explanation.Step> steps();

  /** The trace that notes nothing. */
  final class None implements Trace {
    private None() {}

    @Override
    public <A, B> void step(String rule, A a, B b, BiFunction<? super A, ? super B, String> check,
        BiFunction<? super A, ? super B, String> result) {}

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
    public <A, B> void step(String rule, A a, B b, BiFunction<? super A, ? super B, String> check,
        BiFunction<? super A, ? super B, String> result) {
      steps.add(new Explanation.Step(rule, check.apply(a, b), result.apply(a, b)));
    }

    @Override
    public List<Explanation.Step> steps() {
      return steps;
    }
  }
}
