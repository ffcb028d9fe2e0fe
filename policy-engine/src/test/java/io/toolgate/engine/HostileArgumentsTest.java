package io.toolgate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.Decision.Kind;
import io.toolgate.api.ToolCall;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md "Hostile input": an argument the engine cannot read exactly never makes a call more
 * permitted than a finite value would; a reason quoting agent text stays one short line.
 */
class HostileArgumentsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final MutableClock clock = new MutableClock("2026-01-01T10:00:00Z");

  private PolicyEngine engine(String yaml) {
    return PolicyEngine.builder(Policy.parse(yaml)).clock(clock)
        .approvals(r -> new ApprovalStatus.Pending("ap-1")).build();
  }

  private static Decision decide(PolicyEngine engine, String tool, String json) {
    try {
      return engine.evaluate(ToolCall.of(tool, JSON.readTree(json)), CallContext.of("agent"));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static Decision decide(PolicyEngine engine, String tool, Map<String, ?> args) {
    return engine.evaluate(ToolCall.of(tool, args), CallContext.of("agent"));
  }

  @Nested
  class Infinities {
    @Test
    void jacksonReads1e999AsInfinity() throws Exception {
      JsonNode amount = JSON.readTree("{\"amount\": 1e999}").get("amount");
      assertThat(amount.isDouble()).isTrue();
      assertThat(amount.doubleValue()).isInfinite();
    }

    @Test
    void infinityDoesNotPassAnUpperBound() {
      PolicyEngine e = engine("version: '1'\ntools:\n  pay:\n    conditions: [{path: args.amount, op: lte, value: 10000}]\n");
      assertThat(decide(e, "pay", "{\"amount\": 10000}").isAllowed()).isTrue();
      Decision d = decide(e, "pay", "{\"amount\": 1e999}");
      assertThat(d.kind()).isEqualTo(Kind.DENY);
      assertThat(d.rule()).isEqualTo("/tools/pay/conditions/0");
      assertThat(d.reason()).isEqualTo("Policy denied pay: condition args.amount lte 10000 does not hold.");
      assertThat(decide(e, "pay", "{\"amount\": -1e999}").isAllowed()).isTrue();
    }

    @Test
    void negativeInfinityDoesNotPassALowerBound() {
      PolicyEngine e = engine("version: '1'\ntools:\n  pay:\n    conditions: [{path: args.amount, op: gte, value: 0}]\n");
      assertThat(decide(e, "pay", "{\"amount\": -1e999}").kind()).isEqualTo(Kind.DENY);
      assertThat(decide(e, "pay", "{\"amount\": 1e999}").isAllowed()).isTrue();
    }

    @Test
    void infinityMakesAnApprovalWhenHold() {
      PolicyEngine e = engine("version: '1'\ntools:\n  deploy:\n    action: require_approval\n    when: [{path: args.amount, op: gt, value: 50}]\n");
      assertThat(decide(e, "deploy", "{\"amount\": 10}").isAllowed()).isTrue();
      assertThat(decide(e, "deploy", "{\"amount\": 1e999}").kind()).isEqualTo(Kind.APPROVAL_REQUIRED);
    }

    @Test
    void infinityCannotEscapeADenyWhen() {
      PolicyEngine e = engine("version: '1'\ndefault: allow\ntools:\n  pay:\n    action: deny\n    when: [{path: args.amount, op: gte, value: 1000}]\n");
      assertThat(decide(e, "pay", "{\"amount\": 999}").isAllowed()).isTrue();
      Decision d = decide(e, "pay", "{\"amount\": 1e999}");
      assertThat(d.kind()).isEqualTo(Kind.DENY);
      assertThat(d.rule()).isEqualTo("/tools/pay");
    }

    @Test
    void infinityEqualsOnlyItselfAndIsInNoListOfFiniteNumbers() {
      PolicyEngine e = engine("version: '1'\ntools:\n  t:\n    conditions:\n      - {path: args.n, op: neq, value: 0}\n"
          + "      - {path: args.n, op: not_in, value: [0, 1]}\n      - {path: args.list, op: contains, value: 5}\n");
      assertThat(decide(e, "t", "{\"n\": 1e999, \"list\": [1e999, 5]}").isAllowed()).isTrue();
      assertThat(decide(e, "t", "{\"n\": 1e999, \"list\": [1e999, -1e999]}").rule()).isEqualTo("/tools/t/conditions/2");
    }
  }

  @Nested
  class ValuesThatCannotBeCompared {
    @Test
    void nanFailsEveryConditionButExistsAndTheReasonSaysWhy() {
      for (String op : new String[] {"lte: 10000", "gte: 0", "eq: 5", "neq: 5", "in: [1, 2]", "not_in: [1, 2]"}) {
        String[] parts = op.split(": ");
        PolicyEngine e = engine("version: '1'\ntools:\n  pay:\n    conditions: [{path: args.amount, op: " + parts[0]
            + ", value: " + parts[1] + "}]\n");
        Decision d = decide(e, "pay", Map.of("amount", Double.NaN));
        assertThat(d.kind()).as(op).isEqualTo(Kind.DENY);
        assertThat(d.rule()).as(op).isEqualTo("/tools/pay/conditions/0");
        assertThat(d.reason()).as(op)
            .isEqualTo("Policy denied pay: condition args.amount " + parts[0] + " " + parts[1].replace(" ", "").replace(",", ",")
                + " does not hold: the value at args.amount (NaN) could not be compared.");
      }
      PolicyEngine exists = engine("version: '1'\ntools:\n  pay:\n    conditions: [{path: args.amount, op: exists, value: true}]\n");
      assertThat(decide(exists, "pay", Map.of("amount", Double.NaN)).isAllowed()).isTrue();
    }

    @Test
    void aNanDoubleNodeFailsAConditionNamedByItsReason() {
      PolicyEngine e = engine("version: '1'\ntools:\n  pay:\n    conditions: [{path: args.amount, op: lt, value: 5, reason: \"small payments only.\"}]\n");
      Decision d = engine("version: '1'\ntools:\n  pay:\n    conditions: [{path: args.amount, op: lt, value: 5, reason: \"small payments only.\"}]\n")
          .evaluate(ToolCall.of("pay", JSON.createObjectNode().put("amount", Double.NaN)), CallContext.of("agent"));
      assertThat(d.reason()).isEqualTo("Policy denied pay: small payments only: the value at args.amount (NaN) could not be compared.");
      assertThat(decide(e, "pay", Map.of("amount", 4)).isAllowed()).isTrue();
    }

    @Test
    void nanMakesDenyAndApprovalWhensHold() {
      PolicyEngine deny = engine("version: '1'\ndefault: allow\ntools:\n  pay:\n    action: deny\n    when: [{path: args.amount, op: gte, value: 1000}]\n");
      assertThat(decide(deny, "pay", Map.of("amount", Double.NaN)).kind()).isEqualTo(Kind.DENY);
      PolicyEngine approval = engine("version: '1'\ntools:\n  pay:\n    action: require_approval\n    when: [{path: args.amount, op: gt, value: 50}]\n");
      assertThat(decide(approval, "pay", Map.of("amount", Double.NaN)).kind()).isEqualTo(Kind.APPROVAL_REQUIRED);
      assertThat(decide(approval, "pay", Map.of("amount", Float.NaN)).kind()).isEqualTo(Kind.APPROVAL_REQUIRED);
    }

    @Test
    void aValueOfTheWrongTypeMakesWhensHoldButFailsConditions() {
      PolicyEngine approval = engine("version: '1'\ntools:\n  pay:\n    action: require_approval\n    when: [{path: args.amount, op: gt, value: 50}]\n");
      assertThat(decide(approval, "pay", Map.of("amount", "lots")).kind()).isEqualTo(Kind.APPROVAL_REQUIRED);
      assertThat(decide(approval, "pay", Map.of("amount", true)).kind()).isEqualTo(Kind.APPROVAL_REQUIRED);
      PolicyEngine deny = engine("version: '1'\ndefault: allow\ntools:\n  run:\n    action: deny\n"
          + "    when: [{path: args.cmd, op: regex, value: '^rm '}]\n");
      assertThat(decide(deny, "run", Map.of("cmd", "ls")).isAllowed()).isTrue();
      assertThat(decide(deny, "run", Map.of("cmd", java.util.List.of("rm", "-rf"))).kind()).isEqualTo(Kind.DENY);
      PolicyEngine contains = engine("version: '1'\ndefault: allow\ntools:\n  run:\n    action: deny\n"
          + "    when: [{path: args.cmd, op: contains, value: 'rm'}]\n");
      assertThat(decide(contains, "run", Map.of("cmd", 5)).kind()).isEqualTo(Kind.DENY);
    }

    @Test
    void notOperatorsDoNotTurnCannotCompareIntoAPass() {
      PolicyEngine e = engine("version: '1'\ntools:\n  run:\n    conditions:\n      - {path: args.cmd, op: not_regex, value: '^rm '}\n"
          + "      - {path: args.cmd, op: not_contains, value: 'sudo'}\n");
      assertThat(decide(e, "run", Map.of("cmd", "ls")).isAllowed()).isTrue();
      Decision number = decide(e, "run", Map.of("cmd", 5));
      assertThat(number.rule()).isEqualTo("/tools/run/conditions/0");
      assertThat(number.reason()).endsWith("the value at args.cmd (5) could not be compared.");
      PolicyEngine notContains = engine("version: '1'\ntools:\n  run:\n    conditions: [{path: args.cmd, op: not_contains, value: 'sudo'}]\n");
      assertThat(decide(notContains, "run", Map.of("cmd", 5)).kind()).isEqualTo(Kind.DENY);
    }

    @Test
    void aMissingValueDoesNotMakeAWhenHold() {
      PolicyEngine deny = engine("version: '1'\ndefault: allow\ntools:\n  pay:\n    action: deny\n    when: [{path: args.amount, op: gte, value: 1000}]\n");
      assertThat(decide(deny, "pay", Map.of()).isAllowed()).isTrue();
      PolicyEngine approval = engine("version: '1'\ntools:\n  pay:\n    action: require_approval\n    when: [{path: args.amount, op: gt, value: 50}]\n");
      assertThat(decide(approval, "pay", Map.of("other", 1)).isAllowed()).isTrue();
    }
  }

  @Nested
  class CounterKeys {
    private final PolicyEngine e = engine("version: '1'\ntools:\n  compile:\n"
        + "    limits: [{max: 1, window: hour, scope: args.project}]\n");

    @Test
    void nonFiniteNumbersDoNotShareZerosBudget() {
      assertThat(decide(e, "compile", "{\"project\": 0}").isAllowed()).isTrue();
      assertThat(decide(e, "compile", "{\"project\": 0.0}").kind()).isEqualTo(Kind.RATE_LIMITED);
      assertThat(decide(e, "compile", "{\"project\": 1e999}").isAllowed()).isTrue();
      assertThat(decide(e, "compile", "{\"project\": 2e999}").kind()).as("also +Infinity").isEqualTo(Kind.RATE_LIMITED);
      assertThat(decide(e, "compile", "{\"project\": -1e999}").isAllowed()).isTrue();
      assertThat(decide(e, "compile", Map.of("project", Double.NaN)).isAllowed()).isTrue();
      assertThat(decide(e, "compile", Map.of("project", Double.NaN)).kind()).isEqualTo(Kind.RATE_LIMITED);
    }

    @Test
    void keyOrderInAnObjectDoesNotBuyAFreshBudget() {
      assertThat(decide(e, "compile", "{\"project\": {\"org\": \"a\", \"id\": 7}}").isAllowed()).isTrue();
      assertThat(decide(e, "compile", "{\"project\": {\"id\": 7.0, \"org\": \"a\"}}").kind()).isEqualTo(Kind.RATE_LIMITED);
      assertThat(decide(e, "compile", "{\"project\": {\"id\": 8, \"org\": \"a\"}}").isAllowed()).isTrue();
    }

    @Test
    void aHugeValueIsCountedUnderADigest() {
      String big = "p".repeat(1 << 20);
      assertThat(decide(e, "compile", Map.of("project", big)).isAllowed()).isTrue();
      assertThat(decide(e, "compile", Map.of("project", big)).kind()).isEqualTo(Kind.RATE_LIMITED);
      Decision other = decide(e, "compile", Map.of("project", big + "q"));
      assertThat(other.isAllowed()).isTrue();
    }
  }
}
