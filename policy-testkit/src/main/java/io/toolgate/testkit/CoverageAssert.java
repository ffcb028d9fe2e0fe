package io.toolgate.testkit;

import io.toolgate.scenarios.CoverageReport;
import java.util.Locale;
import org.assertj.core.api.AbstractAssert;

/** Assertions on a {@link CoverageReport}. */
public final class CoverageAssert extends AbstractAssert<CoverageAssert, CoverageReport> {
  CoverageAssert(CoverageReport actual) {
    super(actual, CoverageAssert.class);
  }

  /** At least {@code percent} of the rules decided a call. */
  public CoverageAssert isAtLeast(double percent) {
    isNotNull();
    if (actual.percent() < percent) {
      failWithMessage("%nExpected policy coverage of at least %s%%, but it is %s%%:%n%s",
          String.format(Locale.ROOT, "%.1f", percent), String.format(Locale.ROOT, "%.1f", actual.percent()), actual.render());
    }
    return this;
  }

  /** The rule at {@code pointer} decided at least one call. */
  public CoverageAssert covers(String pointer) {
    isNotNull();
    CoverageReport.Item item = actual.item(pointer);
    if (item == null || !item.covered()) {
      failWithMessage("%nExpected %s to have decided a call, but it %s:%n%s", pointer,
          item == null ? "is not a rule of the policy" : "never did", actual.render());
    }
    return this;
  }

  /** The rule at {@code pointer} never decided a call. */
  public CoverageAssert doesNotCover(String pointer) {
    isNotNull();
    CoverageReport.Item item = actual.item(pointer);
    if (item == null || item.covered()) {
      failWithMessage("%nExpected %s never to have decided a call, but it %s:%n%s", pointer,
          item == null ? "is not a rule of the policy" : "decided " + item.decided(), actual.render());
    }
    return this;
  }
}
