package io.toolgate.testkit;

import java.util.stream.Collectors;
import org.assertj.core.api.AbstractAssert;

/** Assertions on a {@link PolicyLoad}: whether it loaded, and where its problems are. */
public final class PolicyLoadAssert extends AbstractAssert<PolicyLoadAssert, PolicyLoad> {
  PolicyLoadAssert(PolicyLoad actual) {
    super(actual, PolicyLoadAssert.class);
  }

  /** The policy loaded with no problem. */
  public PolicyLoadAssert loads() {
    isNotNull();
    if (!actual.loaded()) {
      failWithMessage("Expected %s to load, but it has problems:%n%s", actual.source(), problems());
    }
    return this;
  }

  /** The policy failed to load. */
  public PolicyLoadAssert fails() {
    isNotNull();
    if (actual.loaded()) {
      failWithMessage("Expected %s to fail to load, but it loaded", actual.source());
    }
    return this;
  }

  /** One of the problems is located exactly at {@code pointer}, e.g. {@code /tools/x/window}. */
  public PolicyLoadAssert hasErrorAt(String pointer) {
    fails();
    if (actual.problems().stream().noneMatch(p -> p.pointer().equals(pointer))) {
      failWithMessage("Expected a load problem at %s in %s, but the problems are:%n%s", pointer, actual.source(), problems());
    }
    return this;
  }

  /** One problem is located at {@code pointer} and its message contains {@code text}. */
  public PolicyLoadAssert hasErrorAt(String pointer, String text) {
    hasErrorAt(pointer);
    if (actual.problems().stream().noneMatch(p -> p.pointer().equals(pointer) && p.message().contains(text))) {
      failWithMessage("Expected the load problem at %s to say \"%s\", but the problems are:%n%s", pointer, text, problems());
    }
    return this;
  }

  /** Exactly {@code count} problems were found. */
  public PolicyLoadAssert hasErrorCount(int count) {
    isNotNull();
    if (actual.problems().size() != count) {
      failWithMessage("Expected %d load problem(s) in %s, but found %d:%n%s", count, actual.source(),
          actual.problems().size(), problems());
    }
    return this;
  }

  private String problems() {
    return actual.problems().isEmpty()
        ? "  (none)"
        : actual.problems().stream().map(p -> "  " + p).collect(Collectors.joining("\n"));
  }
}
