package io.toolgate.testkit;

import io.toolgate.api.Decision;
import org.assertj.core.api.AbstractAssert;

/** Assertions on the {@link Decisions} of a repeated call. */
public final class DecisionsAssert extends AbstractAssert<DecisionsAssert, Decisions> {
  DecisionsAssert(Decisions actual) {
    super(actual, DecisionsAssert.class);
  }

  /** Every call was allowed. */
  public DecisionsAssert allAllowed() {
    return all(Decision.Kind.ALLOW);
  }

  /** Every call was denied. */
  public DecisionsAssert allDenied() {
    return all(Decision.Kind.DENY);
  }

  /** Every call was rate-limited. */
  public DecisionsAssert allRateLimited() {
    return all(Decision.Kind.RATE_LIMITED);
  }

  /** Every call was decided {@code kind}. */
  public DecisionsAssert all(Decision.Kind kind) {
    isNotNull();
    for (int i = 1; i <= actual.size(); i++) {
      Decision d = actual.get(i);
      if (d.kind() != kind) {
        String call = CallLog.callOf(d);
        failWithMessage("%nExpected all %d calls to be %s, but call %d of %d was not%n  call:     %s%n  decision: %s",
            actual.size(), kind, i, actual.size(), call == null ? "(not made by a PolicyTester)" : call, DecisionAssert.describe(d));
      }
    }
    return this;
  }

  /** Exactly {@code count} calls were decided {@code kind}. */
  public DecisionsAssert has(long count, Decision.Kind kind) {
    isNotNull();
    if (actual.count(kind) != count) {
      failWithMessage("%nExpected %d of the %d calls to be %s, but %d were; decisions:%n%s", count, actual.size(), kind,
          actual.count(kind), kinds());
    }
    return this;
  }

  /** Assertions on the last decision. */
  public DecisionAssert last() {
    isNotNull();
    return new DecisionAssert(actual.last());
  }

  private String kinds() {
    StringBuilder out = new StringBuilder();
    for (int i = 1; i <= actual.size(); i++) {
      out.append("  ").append(i).append(": ").append(actual.get(i).kind()).append(" by ").append(actual.get(i).rule())
          .append('\n');
    }
    return out.toString();
  }
}
