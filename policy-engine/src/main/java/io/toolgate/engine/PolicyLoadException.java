package io.toolgate.engine;

import java.util.List;
import java.util.stream.Collectors;

/** A policy could not be loaded. Carries every problem found, not only the first. */
public class PolicyLoadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient List<PolicyProblem> problems;

  public PolicyLoadException(List<PolicyProblem> problems) {
    super(message(problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem, in document order. */
  public List<PolicyProblem> problems() {
    return problems;
  }

  private static String message(List<PolicyProblem> problems) {
    return problems.size()
        + (problems.size() == 1 ? " problem" : " problems")
        + " in policy:\n  "
        + problems.stream().map(PolicyProblem::toString).collect(Collectors.joining("\n  "));
  }
}
