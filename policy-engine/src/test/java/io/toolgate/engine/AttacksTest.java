package io.toolgate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.Decision.Kind;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The attacks of the hardening issue, one test each, as a hostile agent or a hostile policy file
 * would try them, through the public API only. Each test names the attack and the rule of
 * DESIGN.md "Hostile input" it checks.
 *
 * <p>Attacks that need another module live beside it: Redis (sliding-log work per decision, a
 * timed-out reservation given back) in {@code policy-store-redis}; MCP sessions bound to their
 * principal, the client transport's in-flight bound and the example server's checks in {@code
 * policy-mcp} and {@code examples}; the watcher's symlink and half-written file cases in {@code
 * PolicyWatcherTest}; {@code validate} under {@code -Xmx256m} in {@code policy-cli}. The
 * generated form of the first rule is a property in the testkit ({@code HostileInputPropertiesTest}).
 *
 * <p>{@code @Timeout} on the stall tests is a hang guard, not a speed check: speed is measured
 * by {@code HostileInputBenchmark}.
 */
class AttacksTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final MutableClock clock = new MutableClock("2026-01-01T10:00:00Z");

  private PolicyEngine engine(String yaml) {
    return PolicyEngine.builder(Policy.parse(yaml)).clock(clock).build();
  }

  /** The arguments as the MCP SDK would hand them over: parsed by Jackson from the wire text. */
  private static ToolCall call(String tool, String argumentsJson) {
    try {
      return ToolCall.of(tool, JSON.readTree(argumentsJson));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static CallContext agent() {
    return CallContext.of("agent-1");
  }

  private static void assertOneShortLine(Decision d) {
    assertThat(d.reason()).doesNotContain("\n", "\r", "\u2028").hasSizeLessThan(400);
  }

  /** An argument the engine cannot read exactly never makes a call more permitted than a finite value. */
  @Nested
  class UnreadableNumbersBuyNothing {
    @Test
    void infinityDoesNotPassAnUpperBound() {
      PolicyEngine e = engine("""
          version: '1'
          tools:
            create_compile:
              conditions: [ { path: args.projectId, op: lte, value: 10000 } ]
          """);
      assertThat(e.evaluate(call("create_compile", "{\"projectId\": 7}"), agent()).kind()).isEqualTo(Kind.ALLOW);
      Decision d = e.evaluate(call("create_compile", "{\"projectId\": 1e999}"), agent());
      assertThat(d.kind()).isEqualTo(Kind.DENY);
      assertThat(d.rule()).isEqualTo("/tools/create_compile/conditions/0");
    }

    @Test
    void infinityCannotSkipAnApprovalWhoseWhenIsALowerBound() {
      PolicyEngine e = engine("""
          version: '1'
          tools:
            create_live_algorithm:
              action: require_approval
              when: [ { path: args.amount, op: gt, value: 50 } ]
          """);
      assertThat(e.evaluate(call("create_live_algorithm", "{\"amount\": 10}"), agent()).kind()).isEqualTo(Kind.ALLOW);
      assertThat(e.evaluate(call("create_live_algorithm", "{\"amount\": 1e999}"), agent()).isAllowed()).isFalse();
    }

    @Test
    void infinityCannotEscapeADenyWhoseWhenIsALowerBound() {
      PolicyEngine e = engine("""
          version: '1'
          default: allow
          tools:
            transfer: { action: deny, reason: too much, when: [ { path: args.amount, op: gte, value: 1000 } ] }
          """);
      assertThat(e.evaluate(call("transfer", "{\"amount\": 1e999}"), agent()).kind()).isEqualTo(Kind.DENY);
      assertThat(e.evaluate(call("transfer", "{\"amount\": -1e999}"), agent()).kind()).isEqualTo(Kind.ALLOW);
    }

    @Test
    void negativeInfinityDoesNotPassALowerBound() {
      PolicyEngine e = engine("""
          version: '1'
          tools:
            refund: { conditions: [ { path: args.amount, op: gte, value: 0 } ] }
          """);
      assertThat(e.evaluate(call("refund", "{\"amount\": -1e999}"), agent()).kind()).isEqualTo(Kind.DENY);
    }

    @Test
    void notANumberFailsEveryConditionAndMakesEveryWhenHold() {
      PolicyEngine conditions = engine("""
          version: '1'
          tools:
            transfer: { conditions: [ { path: args.amount, op: lte, value: 100 } ] }
          """);
      PolicyEngine whens = engine("""
          version: '1'
          default: allow
          tools:
            transfer: { action: deny, when: [ { path: args.amount, op: gt, value: 1000 } ] }
          """);
      Map<String, Object> nan = new HashMap<>();
      nan.put("amount", Double.NaN);
      Decision refused = conditions.evaluate(ToolCall.of("transfer", nan), agent());
      assertThat(refused.kind()).isEqualTo(Kind.DENY);
      assertThat(refused.rule()).isEqualTo("/tools/transfer/conditions/0");
      assertThat(whens.evaluate(ToolCall.of("transfer", nan), agent()).kind()).isEqualTo(Kind.DENY);
    }

    @Test
    void aValueOfTheWrongTypeMakesAWhenHold() {
      PolicyEngine e = engine("""
          version: '1'
          default: allow
          tools:
            transfer: { action: deny, when: [ { path: args.amount, op: gt, value: 1000 } ] }
          """);
      assertThat(e.evaluate(call("transfer", "{\"amount\": \"1000000\"}"), agent()).kind()).isEqualTo(Kind.DENY);
      assertThat(e.evaluate(call("transfer", "{\"amount\": [1000000]}"), agent()).kind()).isEqualTo(Kind.DENY);
      assertThat(e.evaluate(call("transfer", "{}"), agent()).kind())
          .as("a missing value is not unreadable: the when fails as DESIGN says")
          .isEqualTo(Kind.ALLOW);
    }

    @Test
    void distinctArgumentValuesNeverShareACounter() {
      PolicyEngine e = engine("""
          version: '1'
          tools:
            backtest: { limits: [ { max: 1, window: minute, scope: args.project } ] }
          """);
      assertThat(e.evaluate(call("backtest", "{\"project\": 0}"), agent()).kind()).isEqualTo(Kind.ALLOW);
      assertThat(e.evaluate(call("backtest", "{\"project\": 1e999}"), agent()).kind()).isEqualTo(Kind.ALLOW);
      assertThat(e.evaluate(call("backtest", "{\"project\": -1e999}"), agent()).kind()).isEqualTo(Kind.ALLOW);
      assertThat(e.evaluate(call("backtest", "{\"project\": 0.0}"), agent()).kind()).isEqualTo(Kind.RATE_LIMITED);
      assertThat(e.evaluate(call("backtest", "{\"project\": 1e999}"), agent()).kind()).isEqualTo(Kind.RATE_LIMITED);
    }

    @Test
    void anObjectInAnotherKeyOrderIsTheSameCounter() {
      PolicyEngine e = engine("""
          version: '1'
          tools:
            backtest: { limits: [ { max: 1, window: minute, scope: args.target } ] }
          """);
      assertThat(e.evaluate(call("backtest", "{\"target\": {\"a\": 1, \"b\": 2}}"), agent()).kind()).isEqualTo(Kind.ALLOW);
      assertThat(e.evaluate(call("backtest", "{\"target\": {\"b\": 2, \"a\": 1.0}}"), agent()).kind())
          .isEqualTo(Kind.RATE_LIMITED);
    }
  }

  /** Counts are exact in decimal. */
  @Nested
  class DecimalCounts {
    @Test
    void threeTenthsFillAMaxOfPointThree() {
      PolicyEngine e = engine("""
          version: '1'
          tools:
            spend: { limits: [ { max: 0.3, window: hour, cost: 0.1 } ] }
          """);
      for (int i = 0; i < 3; i++) {
        assertThat(e.evaluate(call("spend", "{}"), agent()).kind()).as("call %d", i + 1).isEqualTo(Kind.ALLOW);
      }
      assertThat(e.evaluate(call("spend", "{}"), agent()).kind()).isEqualTo(Kind.RATE_LIMITED);
    }

    @Test
    void costsFromTheArgumentsAddUpExactly() {
      PolicyEngine e = engine("""
          version: '1'
          tools:
            spend: { limits: [ { max: 0.3, window: hour, cost_from: args.usd } ] }
          """);
      for (int i = 0; i < 3; i++) {
        assertThat(e.evaluate(call("spend", "{\"usd\": 0.1}"), agent()).kind()).as("call %d", i + 1).isEqualTo(Kind.ALLOW);
      }
      assertThat(e.evaluate(call("spend", "{\"usd\": 0.1}"), agent()).kind()).isEqualTo(Kind.RATE_LIMITED);
    }

    @Test
    void aCostFinerThanAMillionthIsRoundedUpNeverDown() {
      PolicyEngine e = engine("""
          version: '1'
          tools:
            spend: { limits: [ { max: 0.000002, window: hour, cost_from: args.usd } ] }
          """);
      assertThat(e.evaluate(call("spend", "{\"usd\": 1e-9}"), agent()).kind()).isEqualTo(Kind.ALLOW);
      assertThat(e.evaluate(call("spend", "{\"usd\": 1e-9}"), agent()).kind()).isEqualTo(Kind.ALLOW);
      assertThat(e.evaluate(call("spend", "{\"usd\": 1e-9}"), agent()).kind())
          .as("a cost too small to count still counts one millionth").isEqualTo(Kind.RATE_LIMITED);
    }

    @Test
    void aPolicyNumberFinerThanAMillionthIsALoadError() {
      assertThatThrownBy(() -> Policy.parse("""
          version: '1'
          tools:
            spend: { limits: [ { max: 0.0000001, window: hour } ] }
          """))
          .isInstanceOfSatisfying(PolicyLoadException.class, ex -> assertThat(ex.problems())
              .extracting(PolicyProblem::pointer).contains("/tools/spend/limits/0/max"));
    }
  }

  /** An approval is used only by a call that was admitted. */
  @Nested
  class Approvals {
    @Test
    void anApprovalOutlivesARateLimitAndCoversTheSameCallOnceTheLimitAllowsIt() {
      InMemoryApprovalQueue queue = InMemoryApprovalQueue.builder(clock).build();
      PolicyEngine e = PolicyEngine.builder(Policy.parse("""
              version: '1'
              tools:
                deploy:
                  action: require_approval
                  limits: [ { max: 1, window: minute } ]
              """))
          .clock(clock).approvals(queue).build();
      ToolCall deploy = call("deploy", "{\"project\": 7}");

      Decision held = e.evaluate(deploy, agent());
      assertThat(queue.approve(((Decision.ApprovalRequired) held).approvalId(), "alice")).isTrue();
      assertThat(e.evaluate(deploy, agent()).kind()).isEqualTo(Kind.ALLOW);

      Decision heldAgain = e.evaluate(deploy, agent());
      assertThat(queue.approve(((Decision.ApprovalRequired) heldAgain).approvalId(), "alice")).isTrue();
      assertThat(e.evaluate(deploy, agent()).kind()).as("the limit refuses; the approval stays").isEqualTo(Kind.RATE_LIMITED);
      clock.advance(Duration.ofMinutes(1));
      assertThat(e.evaluate(deploy, agent()).kind()).as("no new approval needed").isEqualTo(Kind.ALLOW);
      assertThat(e.evaluate(deploy, agent()).isAllowed()).as("and it was used once").isFalse();
    }
  }

  /** Time and memory are linear in the call's size, and a reason is one short line. */
  @Nested
  class LinearTimeShortReasons {
    private static final String SPACES = " ".repeat(100_000);

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void whiteSpaceAgainstAnEnumAPatternAndAFormatIsRefusedWithAShortReason() {
      PolicyEngine e = engine("""
          version: '1'
          tools:
            pick:
              arguments:
                type: object
                properties:
                  side: { enum: [buy, sell] }
                  ticker: { type: string, pattern: '^[A-Z]{1,5}$' }
                  email: { type: string, format: email }
                  when: { type: string, format: date-time }
                  site: { type: string, format: uri }
          """);
      for (String key : List.of("side", "ticker", "email", "when", "site")) {
        Decision d = e.evaluate(ToolCall.of("pick", Map.of(key, SPACES + "x" + SPACES)), agent());
        assertThat(d.kind()).as(key).isEqualTo(Kind.DENY);
        assertOneShortLine(d);
      }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aToolNameWithLineBreaksCannotMakeAReasonSpanLines() {
      PolicyEngine e = engine("version: '1'\n");
      for (String name : List.of("evil\nPolicy allowed everything.", "x".repeat(1_000_000), "a\r\n\u2028\u0000b")) {
        Decision d = e.evaluate(ToolCall.of(name, Map.of()), agent());
        assertThat(d.tool()).as("the decision keeps the name as called").isEqualTo(name);
        assertOneShortLine(d);
      }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aMultiLineReasonInThePolicyIsFoldedToOneLine() {
      PolicyEngine e = engine("""
          version: '1'
          tools:
            wipe:
              action: deny
              reason: |
                Never.
                Ask an operator.
          """);
      assertThat(e.evaluate(ToolCall.of("wipe", Map.of()), agent()).reason())
          .isEqualTo("Policy denied wipe: Never. Ask an operator.");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aHugeValueInARegexConditionIsDecidedAndNotQuoted() {
      PolicyEngine e = engine("""
          version: '1'
          tools:
            search: { conditions: [ { path: args.q, op: not_regex, value: '(a+)+$' } ] }
          """);
      Decision d = e.evaluate(ToolCall.of("search", Map.of("q", "!" + "a".repeat(1_000_000))), agent());
      assertThat(d.kind()).isEqualTo(Kind.DENY);
      assertOneShortLine(d);
    }
  }

  /** A policy is refused, with located errors, when it would be unsafe to run. */
  @Nested
  class UnsafePolicies {
    private List<PolicyProblem> problems(String text) {
      return Policy.check(text, "hostile.yaml");
    }

    @Test
    void yamlAliasesAreRefusedWhereTheyStand() {
      List<PolicyProblem> found = problems("""
          version: '1'
          tools:
            deploy:
              conditions:
                - { path: args.env, op: neq, value: &prod production }
                - { path: args.stage, op: neq, value: *prod }
          """);
      assertThat(found).extracting(PolicyProblem::pointer).contains("/tools/deploy/conditions/1/value");
    }

    @Test
    void numbersNoDoubleHoldsAreRefusedAtTheirPointer() {
      List<PolicyProblem> found = problems("""
          version: '1'
          tools:
            transfer:
              conditions: [ { path: args.amount, op: lte, value: 1e999 } ]
              arguments: { type: object, properties: { amount: { maximum: -1e999 } } }
          """);
      assertThat(found).extracting(PolicyProblem::pointer).contains(
          "/tools/transfer/conditions/0/value", "/tools/transfer/arguments/properties/amount/maximum");
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedWithALineAndColumn() {
      byte[] text = "version: '1'\ntools:\n  t: { reason: \"caf\u00e9\" }\n".getBytes(StandardCharsets.ISO_8859_1);
      assertThatThrownBy(() -> Policy.load(new ByteArrayInputStream(text), "latin1.yaml"))
          .isInstanceOfSatisfying(PolicyLoadException.class, ex -> {
            PolicyProblem p = ex.problems().get(0);
            assertThat(p.line()).isEqualTo(3);
            assertThat(p.column()).isPositive();
            assertThat(p.message()).containsIgnoringCase("UTF-8");
          });
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aRegexWhoseProgramIsTooLargeIsRefusedAtTheRegex() {
      for (String regex : List.of("((a{1000}){1000}){1000}", "(a{1000}){100}")) {
        List<PolicyProblem> found = problems("version: '1'\ntools:\n  t:\n    conditions: [ { path: args.q, op: regex, value: '"
            + regex + "' } ]\n");
        assertThat(found).as(regex).extracting(PolicyProblem::pointer).contains("/tools/t/conditions/0/value");
      }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aRefThatNeverEndsIsRefusedAtTheArguments() {
      List<PolicyProblem> found = problems("""
          version: '1'
          tools:
            t: { arguments: { $ref: '#' } }
            u: { arguments: { allOf: [ { $ref: '#' } ] } }
          """);
      assertThat(found).extracting(PolicyProblem::pointer).contains("/tools/t/arguments", "/tools/u/arguments");
    }

    @Test
    void recursionThroughPropertiesStillLoads() {
      Policy policy = Policy.parse("""
          version: '1'
          tools:
            tree:
              arguments:
                type: object
                properties: { children: { type: array, items: { $ref: '#' } } }
          """);
      JsonNode deep = JSON.createObjectNode().set("children",
          JSON.createArrayNode().add(JSON.createObjectNode().set("children", JSON.createArrayNode())));
      assertThat(PolicyEngine.of(policy).evaluate(ToolCall.of("tree", deep), agent()).kind()).isEqualTo(Kind.ALLOW);
    }
  }
}
