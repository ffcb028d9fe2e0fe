package io.toolgate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DESIGN.md section 2, "Paths and operators": every operator on a matching, a non-matching, a
 * missing and a wrong-type value.
 */
class OperatorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MISSING = "<missing>";

  static Stream<Arguments> cases() {
    return Stream.of(
        // op, policy value (JSON), actual (JSON or MISSING), holds
        Arguments.of("eq", "1", "1.0", true),
        Arguments.of("eq", "\"a\"", "\"a\"", true),
        Arguments.of("eq", "{\"a\":[1,2]}", "{\"a\":[1.0,2]}", true),
        Arguments.of("eq", "1", "2", false),
        Arguments.of("eq", "1", "\"1\"", false),
        Arguments.of("eq", "1", MISSING, false),
        Arguments.of("neq", "1", "2", true),
        Arguments.of("neq", "1", "1.00", false),
        Arguments.of("neq", "1", MISSING, false),
        Arguments.of("neq", "1", "\"1\"", true),
        Arguments.of("in", "[1,\"b\"]", "1.0", true),
        Arguments.of("in", "[1,\"b\"]", "\"b\"", true),
        Arguments.of("in", "[1,\"b\"]", "\"c\"", false),
        Arguments.of("in", "[1,\"b\"]", MISSING, false),
        Arguments.of("in", "[1]", "[1]", false),
        Arguments.of("not_in", "[1,\"b\"]", "2", true),
        Arguments.of("not_in", "[1,\"b\"]", "1", false),
        Arguments.of("not_in", "[1,\"b\"]", MISSING, false),
        Arguments.of("lt", "10", "9.5", true),
        Arguments.of("lt", "10", "10", false),
        Arguments.of("lt", "10", MISSING, false),
        Arguments.of("lt", "10", "\"9\"", false),
        Arguments.of("lt", "\"b\"", "\"a\"", true),
        Arguments.of("lte", "10", "10.0", true),
        Arguments.of("lte", "10", "10.01", false),
        Arguments.of("lte", "10", MISSING, false),
        Arguments.of("lte", "10", "true", false),
        Arguments.of("gt", "10", "11", true),
        Arguments.of("gt", "10", "10", false),
        Arguments.of("gt", "10", MISSING, false),
        Arguments.of("gt", "10", "[11]", false),
        Arguments.of("gt", "9007199254740993", "9007199254740994", true),
        Arguments.of("gte", "10", "10", true),
        Arguments.of("gte", "10", "9", false),
        Arguments.of("gte", "10", MISSING, false),
        Arguments.of("gte", "10", "{}", false),
        Arguments.of("regex", "\"^ab+c\"", "\"abbbc-x\"", true),
        Arguments.of("regex", "\"b+c\"", "\"xxbcxx\"", true),
        Arguments.of("regex", "\"^ab+c$\"", "\"abbbc-x\"", false),
        Arguments.of("regex", "\"a\"", MISSING, false),
        Arguments.of("regex", "\"1\"", "1", false),
        Arguments.of("not_regex", "\"^rm \"", "\"ls -la\"", true),
        Arguments.of("not_regex", "\"^rm \"", "\"rm -rf /\"", false),
        Arguments.of("not_regex", "\"a\"", MISSING, false),
        Arguments.of("not_regex", "\"a\"", "5", false),
        Arguments.of("contains", "\"x\"", "[\"x\",\"y\"]", true),
        Arguments.of("contains", "2", "[1,2.0]", true),
        Arguments.of("contains", "\"ell\"", "\"hello\"", true),
        Arguments.of("contains", "\"z\"", "[\"x\"]", false),
        Arguments.of("contains", "\"z\"", "\"hello\"", false),
        Arguments.of("contains", "\"z\"", MISSING, false),
        Arguments.of("contains", "1", "{\"a\":1}", false),
        Arguments.of("contains", "1", "\"1\"", false),
        Arguments.of("not_contains", "\"z\"", "[\"x\"]", true),
        Arguments.of("not_contains", "\"z\"", "\"hello\"", true),
        Arguments.of("not_contains", "\"x\"", "[\"x\"]", false),
        Arguments.of("not_contains", "\"z\"", MISSING, false),
        Arguments.of("not_contains", "\"z\"", "42", false),
        Arguments.of("exists", "true", "0", true),
        Arguments.of("exists", "true", MISSING, false),
        Arguments.of("exists", "true", "null", false),
        Arguments.of("exists", "false", MISSING, true),
        Arguments.of("exists", "false", "\"x\"", false),
        Arguments.of("starts_with", "\"/tmp/\"", "\"/tmp/a\"", true),
        Arguments.of("starts_with", "\"/tmp/\"", "\"/etc/a\"", false),
        Arguments.of("starts_with", "\"/tmp/\"", MISSING, false),
        Arguments.of("starts_with", "\"1\"", "12", false),
        Arguments.of("ends_with", "\".txt\"", "\"a.txt\"", true),
        Arguments.of("ends_with", "\".txt\"", "\"a.bin\"", false),
        Arguments.of("ends_with", "\".txt\"", MISSING, false),
        Arguments.of("ends_with", "\"1\"", "[\"1\"]", false));
  }

  @ParameterizedTest(name = "{0} {1} on {2} -> {3}")
  @MethodSource("cases")
  void operator(String op, String value, String actual, boolean holds) throws Exception {
    ObjectNode policy = (ObjectNode) JSON.readTree(
        "{\"version\":\"1\",\"tools\":{\"t\":{\"conditions\":[{\"path\":\"args.v\",\"op\":\"" + op + "\",\"value\":" + value + "}]}}}");
    PolicyEngine engine = PolicyEngine.of(Policy.fromTree(policy));
    ObjectNode args = JSON.createObjectNode();
    if (!MISSING.equals(actual)) {
      args.set("v", JSON.readTree(actual));
    }
    Decision d = engine.evaluate(ToolCall.of("t", args), CallContext.of("p"));
    assertThat(d.isAllowed()).as(d.reason()).isEqualTo(holds);
    if (!holds) {
      assertThat(d.rule()).isEqualTo("/tools/t/conditions/0");
      assertThat(d.reason()).contains("args.v").contains(op);
    }
  }

  @Test
  void pathsReadIdentitySessionAndNestedArguments() throws Exception {
    PolicyEngine engine = PolicyEngine.of(Policy.parse(String.join("\n",
        "version: '1'",
        "tools:",
        "  t:",
        "    conditions:",
        "      - {path: identity.id, op: starts_with, value: agent-}",
        "      - {path: identity.roles, op: contains, value: trader}",
        "      - {path: identity.attributes.tier, op: gte, value: 2}",
        "      - {path: session.id, op: exists, value: true}",
        "      - {path: args.items.1.sku, op: eq, value: B}",
        "")));
    CallContext ok = new CallContext("agent-1", java.util.Set.of("trader", "x"), Map.of("tier", 3), "s1");
    JsonNode args = JSON.readTree("{\"items\":[{\"sku\":\"A\"},{\"sku\":\"B\"}]}");
    assertThat(engine.evaluate(ToolCall.of("t", args), ok).isAllowed()).isTrue();
    assertThat(engine.evaluate(ToolCall.of("t", args), ok.withRoles("viewer")).isAllowed()).isFalse();
    assertThat(engine.evaluate(ToolCall.of("t", args), ok.withSession(null)).isAllowed()).isFalse();
    assertThat(engine.evaluate(ToolCall.of("t", args), ok.withAttributes(Map.of("tier", "3"))).isAllowed()).isFalse();
    assertThat(engine.evaluate(ToolCall.of("t", JSON.readTree("{\"items\":[{\"sku\":\"B\"}]}")), ok).isAllowed()).isFalse();
    assertThat(engine.evaluate(ToolCall.of("t", JSON.readTree("{\"items\":{\"1\":{\"sku\":\"B\"}}}")), ok).isAllowed()).isTrue();
  }

  /** java.util.regex would backtrack for longer than the age of the universe here; RE2 cannot. */
  @Test
  @Timeout(5)
  void policyRegexRunsInLinearTimeOnHostileInput() {
    PolicyEngine engine = PolicyEngine.of(Policy.parse(
        "version: '1'\ntools:\n  t:\n    conditions: [{path: args.q, op: not_regex, value: '(a+)+$'}]\n"));
    String hostile = "a".repeat(100_000) + "!";
    Decision d = engine.evaluate(ToolCall.of("t", Map.of("q", hostile)), CallContext.of("p"));
    assertThat(d.isAllowed()).as("no match: the input ends in '!'").isTrue();
    Decision matching = engine.evaluate(ToolCall.of("t", Map.of("q", "a".repeat(100_000))), CallContext.of("p"));
    assertThat(matching.isAllowed()).isFalse();
  }
}
