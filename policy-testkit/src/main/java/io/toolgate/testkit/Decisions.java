package io.toolgate.testkit;

import io.toolgate.api.Decision;
import java.util.Iterator;
import java.util.List;

/**
 * The decisions of one call repeated with {@link PolicyTester.Caller#times(int)}, in order.
 * Assert on them with {@link ToolgateAssertions#assertThat(Decisions)}.
 *
 * @param all every decision, first to last
 */
public record Decisions(List<Decision> all) implements Iterable<Decision> {
  public Decisions {
    all = List.copyOf(all);
    if (all.isEmpty()) {
      throw new IllegalArgumentException("no decisions");
    }
  }

  /** The decision of the {@code n}th call, counting from 1. */
  public Decision get(int n) {
    return all.get(n - 1);
  }

  /** The last decision. */
  public Decision last() {
    return all.get(all.size() - 1);
  }

  /** How many calls were made. */
  public int size() {
    return all.size();
  }

  /** How many calls were decided {@code kind}. */
  public long count(Decision.Kind kind) {
    return all.stream().filter(d -> d.kind() == kind).count();
  }

  @Override
  public Iterator<Decision> iterator() {
    return all.iterator();
  }
}
