package io.toolgate.benchmarks;

import io.toolgate.api.Decision;

/** Set-up checks: a benchmark that measures a refusal by mistake stops before it measures. */
final class Checks {
  private Checks() {}

  static void allowed(Decision decision) {
    if (!decision.isAllowed()) {
      throw new IllegalStateException("the benchmark's call must be allowed, was " + decision);
    }
  }

  static void isTrue(boolean condition, String what) {
    if (!condition) {
      throw new IllegalStateException("set-up check failed: " + what);
    }
  }
}
