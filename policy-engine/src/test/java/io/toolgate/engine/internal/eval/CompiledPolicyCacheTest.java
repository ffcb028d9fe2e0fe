package io.toolgate.engine.internal.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.internal.load.PolicyLoader;
import org.junit.jupiter.api.Test;

/** The plans of unknown or glob-matched tool names are cached within a bound in characters. */
class CompiledPolicyCacheTest {
  private static final String POLICY = "version: '1'\ntools:\n  'backtest_*': {action: allow}\n";

  private static CompiledPolicy compiled() {
    return new CompiledPolicy(PolicyLoader.load(POLICY, "test").model());
  }

  @Test
  void longNamesAreDecidedButNotKept() {
    CompiledPolicy policy = compiled();
    PolicyEngine engine = PolicyEngine.builder(Policy.parse(POLICY)).build();
    char[] name = "backtest_".concat("x".repeat(64 * 1024)).toCharArray();
    for (int i = 0; i < 10_000; i++) {
      name[name.length - 1 - (i % 20)] = (char) ('a' + i / 20 % 26 + (i % 20));
      String tool = new String(name) + i;
      assertThat(policy.planFor(tool).tool).isSameAs(tool);
    }
    assertThat(policy.cachedNameChars()).isZero();
    Decision d = engine.evaluate(ToolCall.of(new String(name)), CallContext.of("agent"));
    assertThat(d.isAllowed()).isTrue();
  }

  @Test
  void manyNamesUpToTheLengthLimitStayWithinTheWeight() {
    CompiledPolicy policy = compiled();
    String stem = "backtest_" + "y".repeat(CompiledPolicy.MAX_CACHED_NAME_CHARS - 20);
    for (int i = 0; i < 10_000; i++) {
      policy.planFor(stem + i);
    }
    assertThat(policy.cachedNameChars()).isPositive().isLessThanOrEqualTo(CompiledPolicy.MAX_CACHE_WEIGHT);
  }

  @Test
  void shortNamesAreKept() {
    CompiledPolicy policy = compiled();
    ToolPlan first = policy.planFor("backtest_1");
    assertThat(policy.planFor("backtest_1")).isSameAs(first);
    assertThat(policy.cachedNameChars()).isEqualTo("backtest_1".length());
  }
}
