package io.toolgate.testkit;

import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyLoadException;
import io.toolgate.engine.PolicyProblem;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The outcome of loading a policy: the policy, or every problem found. Assert on it with {@link
 * ToolgateAssertions#assertThat(PolicyLoad)}.
 *
 * <pre>{@code
 * assertThat(PolicyLoad.parse("version: '1'\ntools: {x: {rate_limit: 10/minit}}"))
 *     .hasErrorAt("/tools/x/rate_limit");
 * }</pre>
 *
 * @param source the file, resource or {@code "inline policy"}
 * @param policy the policy, or {@code null} when it did not load
 * @param problems every problem; empty when it loaded
 */
public record PolicyLoad(String source, Policy policy, List<PolicyProblem> problems) {
  public PolicyLoad {
    Objects.requireNonNull(source, "source");
    problems = List.copyOf(problems);
  }

  /**
   * Loads a policy file.
   *
   * @throws UncheckedIOException if the file cannot be read
   */
  public static PolicyLoad of(Path file) {
    return attempt(file.toString(), () -> Policy.load(file));
  }

  /** Loads a classpath resource. */
  public static PolicyLoad ofResource(String resource) {
    return attempt(resource, () -> Policy.fromResource(resource));
  }

  /** Loads policy text: JSON when it starts with <code>{</code>, else YAML. */
  public static PolicyLoad parse(String text) {
    return attempt("inline policy", () -> Policy.parse(text));
  }

  /** The problems a {@link PolicyLoadException} carries. */
  public static PolicyLoad of(PolicyLoadException e) {
    return new PolicyLoad("policy", null, e.problems());
  }

  private static PolicyLoad attempt(String source, Supplier<Policy> load) {
    try {
      return new PolicyLoad(source, load.get(), List.of());
    } catch (PolicyLoadException e) {
      return new PolicyLoad(source, null, e.problems());
    }
  }

  /** Whether the policy loaded. */
  public boolean loaded() {
    return policy != null;
  }
}
