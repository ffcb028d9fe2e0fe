package io.toolgate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code explain}: the same decision as evaluate, with each check that led to it. */
class ExplainTest {
  private static final String POLICY = String.join("\n",
      "version: '1'",
      "hide: ['admin_*']",
      "tools:",
      "  pay:",
      "    arguments: {type: object, required: [amount]}",
      "    conditions: [{path: args.amount, op: lte, value: 100, reason: at most 100}]",
      "    limits: [{counter: spend, max: 150, window: day, scope: global, cost_from: args.amount}]",
      "  'pa?': {action: deny, reason: no pax, when: [{path: args.amount, op: gt, value: 1000}]}",
      "");

  private final MutableClock clock = new MutableClock("2026-01-01T10:00:00Z");
  private final PolicyEngine engine = PolicyEngine.builder(Policy.parse(POLICY)).clock(clock).build();

  @Test
  void anAllowanceListsEveryCheckItPassed() {
    Explanation e = engine.explain(ToolCall.of("pay", Map.of("amount", 60)), CallContext.of("p"));
    assertThat(e.decision().isAllowed()).isTrue();
    assertThat(e.steps()).extracting(Explanation.Step::rule).containsExactly(
        "", "/hide", "/tools/pa?/when/0", "/tools/pa?", "/tools/pay", "/tools/pay/arguments",
        "/tools/pay/conditions/0", "/tools/pay/limits/0", "store");
    assertThat(e.steps().get(0).result()).isEqualTo("/tools/pa?, /tools/pay");
    assertThat(e.steps().get(2).result()).isEqualTo("fails (args.amount is 60)");
    assertThat(e.steps().get(7).result()).isEqualTo("cost 60 of max 150 per day");
    assertThat(e.render()).contains("ALLOW by /tools/pay").contains("args.amount lte 100: holds (args.amount is 60)");
  }

  @Test
  void aRefusalStopsAtTheCheckThatDecided() {
    Explanation big = engine.explain(ToolCall.of("pay", Map.of("amount", 5000)), CallContext.of("p"));
    assertThat(big.decision().rule()).isEqualTo("/tools/pa?");
    assertThat(big.steps()).last().isEqualTo(new Explanation.Step("/tools/pa?", "deny entry applies", "yes"));
    Explanation condition = engine.explain(ToolCall.of("pay", Map.of("amount", 101)), CallContext.of("p"));
    assertThat(condition.decision().reason()).isEqualTo("Policy denied pay: at most 100.");
    assertThat(condition.steps()).last().extracting(Explanation.Step::result).isEqualTo("fails (args.amount is 101)");
    Explanation hidden = engine.explain(ToolCall.of("admin_x"), CallContext.of("p"));
    assertThat(hidden.steps()).last().extracting(Explanation.Step::result).isEqualTo("yes, by /hide/0");
    Explanation unknown = engine.explain(ToolCall.of("read"), CallContext.of("p"));
    assertThat(unknown.decision().kind()).isEqualTo(Decision.Kind.DENY);
    assertThat(unknown.steps()).last().extracting(Explanation.Step::result).isEqualTo("no; default deny");
  }

  @Test
  void explainDecidesExactlyAsEvaluateDoes() {
    PolicyEngine twin = PolicyEngine.builder(Policy.parse(POLICY)).clock(clock).build();
    for (int amount : new int[] {10, 50, 100, 101, 2000, 90}) {
      ToolCall call = ToolCall.of("pay", Map.of("amount", amount));
      Decision explained = engine.explain(call, CallContext.of("p")).decision();
      Decision evaluated = twin.evaluate(call, CallContext.of("p"));
      assertThat(explained.kind()).as("amount %d", amount).isEqualTo(evaluated.kind());
      assertThat(explained.reason()).isEqualTo(evaluated.reason());
      assertThat(explained.rule()).isEqualTo(evaluated.rule());
    }
  }
}
