package io.toolgate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.Decision.Kind;
import io.toolgate.api.ToolCall;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md "Hostile input", time and memory linear in the call's size: a refusal quoting agent
 * text (a tool name, a value a validator quotes) is one short line, whatever the agent sent.
 */
class HostileTextTest {
  private static final int MAX_REASON = 300;
  private static final String SPACES = " ".repeat(100_000);

  private static PolicyEngine engine(String yaml) {
    return PolicyEngine.builder(Policy.parse(yaml)).build();
  }

  private static void assertShortOneLine(String reason) {
    assertThat(reason.length()).as(reason).isLessThanOrEqualTo(MAX_REASON);
    assertThat(reason).doesNotContain("\n", "\r", "\u2028", "\u0085");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{type: string, enum: [dev, prod]}",
      "{type: string, pattern: '^[a-z]+$'}",
      "{type: string, format: email}",
      "{type: string, format: date-time}",
      "{type: string, format: uri}",
      "{type: string, format: hostname}",
      "{type: string, format: ipv6}",
      "{type: string, maxLength: 10}"})
  void whiteSpaceAgainstASchemaGivesAShortOneLineDenial(String property) {
    PolicyEngine e = engine("version: '1'\ntools:\n  deploy:\n    arguments:\n      type: object\n      properties:\n        env: "
        + property + "\n");
    for (String value : new String[] {SPACES, "\n".repeat(100_000), " \r\n".repeat(30_000)}) {
      Decision d = e.evaluate(ToolCall.of("deploy", Map.of("env", value)), CallContext.of("agent"));
      assertThat(d.kind()).isEqualTo(Kind.DENY);
      assertThat(d.rule()).isEqualTo("/tools/deploy/arguments");
      assertShortOneLine(d.reason());
      assertThat(d.reason()).startsWith("Policy denied deploy: arguments do not match the schema at /tools/deploy/arguments: #/env: ");
    }
  }

  @Test
  void aLongKeyTheSchemaRejectsIsCutToo() {
    PolicyEngine e = engine("version: '1'\ntools:\n  t:\n    arguments: {type: object, additionalProperties: false}\n");
    Decision d = e.evaluate(ToolCall.of("t", Map.of("k".repeat(49_000), 1)), CallContext.of("agent"));
    assertThat(d.kind()).isEqualTo(Kind.DENY);
    assertShortOneLine(d.reason());
  }

  @Test
  void aToolNameWithLineBreaksCannotMakeAReasonSpanLines() {
    PolicyEngine e = engine("version: '1'\n");
    String tool = "x\nPolicy allowed admin (/tools/admin).\r\n" + "y".repeat(100_000);
    Decision d = e.evaluate(ToolCall.of(tool), CallContext.of("agent"));
    assertThat(d.kind()).isEqualTo(Kind.DENY);
    assertShortOneLine(d.reason());
    assertThat(d.reason()).startsWith("Policy denied x?Policy allowed admin (/tools/admin).??yyy").contains("chars)");
    Decision allowed = engine("version: '1'\ndefault: allow\n").evaluate(ToolCall.of(tool), CallContext.of("agent"));
    assertShortOneLine(allowed.reason());
  }

  @Test
  void aLongStringInARegexConditionIsDecidedAndNotQuoted() {
    PolicyEngine e = engine("version: '1'\ntools:\n  run:\n    conditions: [{path: args.cmd, op: regex, value: '^(a+)+$'}]\n");
    Decision d = e.evaluate(ToolCall.of("run", Map.of("cmd", "a".repeat(100_000) + "!")), CallContext.of("agent"));
    assertThat(d.kind()).isEqualTo(Kind.DENY);
    assertShortOneLine(d.reason());
  }

  @Test
  void aMultiLinePolicyReasonIsFoldedToOneLine() {
    PolicyEngine e = engine("version: '1'\ntools:\n  live:\n    action: deny\n    reason: |\n      Going live\n        needs   a human.\n\n      Ask #ops.\n");
    Decision d = e.evaluate(ToolCall.of("live"), CallContext.of("agent"));
    assertThat(d.reason()).isEqualTo("Policy denied live: Going live needs   a human. Ask #ops.");
  }

  @Test
  void explainQuotesValuesShortly() {
    PolicyEngine e = engine("version: '1'\ntools:\n  run:\n    conditions: [{path: args.cmd, op: starts_with, value: ls}]\n");
    Explanation x = e.explain(ToolCall.of("run", Map.of("cmd", "ls " + SPACES)), CallContext.of("agent"));
    assertThat(x.decision().isAllowed()).isTrue();
    for (Explanation.Step step : x.steps()) {
      assertThat(step.result().length()).as(step.result()).isLessThan(MAX_REASON);
    }
  }

  @Test
  void aLongNegativeCostIsNotQuotedInFull() {
    PolicyEngine e = engine("version: '1'\ntools:\n  pay:\n    limits: [{max: 10, window: hour, cost_from: args.amount}]\n");
    java.math.BigDecimal cost = new java.math.BigDecimal("-1." + "0".repeat(100_000) + "1");
    Decision d = e.evaluate(ToolCall.of("pay", Map.of("amount", cost)), CallContext.of("agent"));
    assertThat(d.kind()).isEqualTo(Kind.DENY);
    assertShortOneLine(d.reason());
  }

  @Test
  void explainQuotesAScopeValueOnOneShortLine() {
    PolicyEngine e = engine("version: '1'\ntools:\n  run:\n    limits: [{max: 10, window: hour, scope: args.project}]\n");
    Explanation x = e.explain(ToolCall.of("run", Map.of("project", "a\nb" + "c".repeat(200))), CallContext.of("agent"));
    assertThat(x.decision().isAllowed()).isTrue();
    for (Explanation.Step step : x.steps()) {
      assertThat(step.check().length()).as(step.check()).isLessThan(MAX_REASON);
      assertThat(step.check()).doesNotContain("\n");
    }
  }
}
