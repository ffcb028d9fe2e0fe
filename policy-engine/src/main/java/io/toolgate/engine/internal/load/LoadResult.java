package io.toolgate.engine.internal.load;

import io.toolgate.engine.PolicyProblem;
import io.toolgate.engine.internal.model.PolicyModel;
import java.util.List;

/**
 * What loading produced: a model when there were no problems, else every problem.
 *
 * @param model the validated model, or {@code null} when {@link #problems()} is not empty
 * @param problems every problem found, in document order
 */
public record LoadResult(PolicyModel model, List<PolicyProblem> problems) {
  public LoadResult {
    problems = List.copyOf(problems);
    if ((model == null) == problems.isEmpty()) {
      throw new IllegalArgumentException("exactly one of model and problems");
    }
  }
}
