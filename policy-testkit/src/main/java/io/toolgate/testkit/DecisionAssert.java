package io.toolgate.testkit;

import io.toolgate.api.Decision;
import io.toolgate.engine.Windows;
import java.time.Duration;
import java.util.Locale;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on one {@link Decision}. A failure shows the whole decision and, for decisions a
 * {@link PolicyTester} made, the call that led to it.
 */
public final class DecisionAssert extends AbstractAssert<DecisionAssert, Decision> {
  DecisionAssert(Decision actual) {
    super(actual, DecisionAssert.class);
  }

  /** The call was allowed. */
  public DecisionAssert isAllowed() {
    return hasKind(Decision.Kind.ALLOW);
  }

  /** The call was denied (not rate-limited, not held for approval). */
  public DecisionAssert isDenied() {
    return hasKind(Decision.Kind.DENY);
  }

  /** The call was refused because a limit is reached. */
  public DecisionAssert isRateLimited() {
    return hasKind(Decision.Kind.RATE_LIMITED);
  }

  /** The call is held for approval. */
  public DecisionAssert requiresApproval() {
    return hasKind(Decision.Kind.APPROVAL_REQUIRED);
  }

  /** The call was refused, in any of the three ways. */
  public DecisionAssert isRefused() {
    isNotNull();
    if (actual.isAllowed()) {
      fail("to be refused");
    }
    return this;
  }

  /** The decision is of {@code kind}. */
  public DecisionAssert hasKind(Decision.Kind kind) {
    isNotNull();
    if (actual.kind() != kind) {
      fail("to be " + kind);
    }
    return this;
  }

  /** The reason (the one line the agent reads) contains {@code text}, case-sensitively. */
  public DecisionAssert hasReasonContaining(String text) {
    isNotNull();
    if (actual.reason() == null || !actual.reason().contains(text)) {
      fail("to have a reason containing \"" + text + "\"");
    }
    return this;
  }

  /** The reason is exactly {@code reason}. */
  public DecisionAssert hasReason(String reason) {
    isNotNull();
    if (!reason.equals(actual.reason())) {
      fail("to have the reason \"" + reason + "\"");
    }
    return this;
  }

  /**
   * The rule that decided is {@code ruleOrEntry} or lies inside it. Give a JSON Pointer ({@code
   * /tools/create_compile/limits/0}, {@code /default}, {@code /hide/0}), a name the engine uses
   * ({@code store}, {@code fail-open}, {@code error}), or a {@code tools} key such as {@code
   * create_compile}, which stands for that entry at the top level or in any grant.
   */
  public DecisionAssert decidedBy(String ruleOrEntry) {
    isNotNull();
    if (!decidedBy(actual.rule(), ruleOrEntry)) {
      fail("to be decided by " + ruleOrEntry);
    }
    return this;
  }

  /** The rule that decided is neither {@code ruleOrEntry} nor inside it (see {@link #decidedBy}). */
  public DecisionAssert isNotDecidedBy(String ruleOrEntry) {
    isNotNull();
    if (decidedBy(actual.rule(), ruleOrEntry)) {
      fail("not to be decided by " + ruleOrEntry);
    }
    return this;
  }

  static boolean decidedBy(String rule, String expected) {
    if (rule == null) {
      return false;
    }
    if (rule.equals(expected) || rule.startsWith(expected + "/") && expected.startsWith("/")) {
      return true;
    }
    if (expected.startsWith("/")) {
      return false;
    }
    String key = "/tools/" + expected.replace("~", "~0").replace("/", "~1");
    int grantEnd = rule.startsWith("/grants/") ? rule.indexOf('/', "/grants/".length()) : 0;
    String inside = grantEnd < 0 ? rule : rule.substring(grantEnd);
    return inside.equals(key) || inside.startsWith(key + "/");
  }

  /** The entries whose keys matched include every pointer given (e.g. {@code /tools/create_compile}). */
  public DecisionAssert matched(String... entryPointers) {
    isNotNull();
    for (String pointer : entryPointers) {
      if (!actual.matched().contains(pointer)) {
        fail("to have matched " + pointer);
      }
    }
    return this;
  }

  /** The call was rate-limited with exactly this retry-after. */
  public DecisionAssert hasRetryAfter(Duration retryAfter) {
    isRateLimited();
    if (actual instanceof Decision.RateLimited limited && !limited.retryAfter().equals(retryAfter)) {
      fail("to have retry-after " + format(retryAfter));
    }
    return this;
  }

  /** The call was rate-limited with exactly this retry-after, in window syntax ({@code 30s}, {@code 2m}). */
  public DecisionAssert hasRetryAfter(String retryAfter) {
    Duration duration = Windows.parse(retryAfter).orElseThrow(() ->
        new IllegalArgumentException("\"" + retryAfter + "\" is not a duration; expected " + Windows.EXPECTED));
    return hasRetryAfter(duration);
  }

  /** The call was rate-limited by the counter named {@code counter}. */
  public DecisionAssert hasCounter(String counter) {
    isRateLimited();
    if (actual instanceof Decision.RateLimited limited && !limited.counter().equals(counter)) {
      fail("to be limited by counter " + counter);
    }
    return this;
  }

  /**
   * The call was allowed on the approval {@code approvalId}: the id an earlier {@code
   * requiresApproval()} decision named ({@code tester.lastApprovalId()}), now used up.
   */
  public DecisionAssert usedApproval(String approvalId) {
    isAllowed();
    if (actual instanceof Decision.Allow allow && !approvalId.equals(allow.approvalId())) {
      fail("to be allowed on approval " + approvalId);
    }
    return this;
  }

  /** The call was allowed without an approval (no require_approval entry held it). */
  public DecisionAssert usedNoApproval() {
    isAllowed();
    if (actual instanceof Decision.Allow allow && allow.approvalId() != null) {
      fail("to be allowed without an approval");
    }
    return this;
  }

  private void fail(String expectation) {
    String call = CallLog.callOf(actual);
    failWithMessage("%nExpected the decision %s%n  call:     %s%n  decision: %s", expectation,
        call == null ? "(not made by a PolicyTester)" : call, describe(actual));
  }

  /** The whole decision on a few lines, as assertion failures show it. */
  public static String describe(Decision d) {
    StringBuilder out = new StringBuilder();
    out.append(d.kind()).append(" by ").append(d.rule());
    out.append("\n            reason:  ").append(d.reason());
    out.append("\n            matched: ").append(d.matched());
    if (d instanceof Decision.RateLimited r) {
      out.append(String.format(Locale.ROOT, "\n            counter: %s (max %s per %s, scope %s), retry after %s",
          r.counter(), number(r.max()), format(r.window()), r.scope(), format(r.retryAfter())));
    }
    if (d instanceof Decision.ApprovalRequired a) {
      out.append("\n            approval id: ").append(a.approvalId());
    }
    if (d instanceof Decision.Allow a && a.approvalId() != null) {
      out.append("\n            used approval: ").append(a.approvalId());
    }
    return out.toString();
  }

  private static String number(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }

  /** A duration as {@code 30s} or {@code 1500ms}. */
  public static String format(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
