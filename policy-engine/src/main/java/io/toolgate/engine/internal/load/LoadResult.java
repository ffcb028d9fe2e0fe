package io.toolgate.engine.internal.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.engine.PolicyProblem;
import io.toolgate.engine.internal.model.PolicyModel;
import java.util.List;

/**
 * What loading produced: a model when there were no problems, else every problem.
 *
 * @param model the validated model, or {@code null} when {@link #problems()} is not empty
 * @param problems every problem found, in document order
 * @param document the document tree the model was built from, or {@code null} with problems
 */
public record LoadResult(PolicyModel model, List<PolicyProblem> problems, JsonNode document) {
  /** A failed load. */
  public LoadResult(PolicyModel model, List<PolicyProblem> problems) {
    this(model, problems, null);
  }

  public LoadResult {
    problems = List.copyOf(problems);
    if ((model == null) == problems.isEmpty()) {
      throw new IllegalArgumentException("exactly one of model and problems");
    }
  }
}
