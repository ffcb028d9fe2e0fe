package io.toolgate.engine;

import io.toolgate.api.Decision;
import java.util.Objects;

/**
 * What became of one guarded call: the decision, and the tool's result when the tool ran. Returned
 * by {@link PolicyEngine#guard}, for callers that want both (a test asserting on the decision, an
 * adapter that puts the decision beside the result).
 *
 * <p>The tool runs when the decision allows the call, or in {@linkplain
 * PolicyEngine.Builder#shadowMode shadow mode} whatever the decision; so {@code ran} with a refusal
 * means shadow mode ran a call the policy would refuse.
 *
 * @param decision the decision, as {@link PolicyEngine#evaluate} would have made it
 * @param result what the tool returned; {@code null} when it did not run (or returned null)
 * @param ran whether the tool ran
 * @param <R> the tool's result type
 */
public record Guarded<R>(Decision decision, R result, boolean ran) {
  public Guarded {
    Objects.requireNonNull(decision, "decision");
    if (!ran && result != null) {
      throw new IllegalArgumentException("a tool that did not run has no result");
    }
  }

  /** The call was refused and the tool did not run. */
  public static <R> Guarded<R> refused(Decision decision) {
    return new Guarded<>(decision, null, false);
  }

  /** The tool ran under {@code decision} and returned {@code result}. */
  public static <R> Guarded<R> ran(Decision decision, R result) {
    return new Guarded<>(decision, result, true);
  }
}
