package io.toolgate.engine.internal.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.google.re2j.Pattern;
import io.toolgate.engine.internal.model.Condition;
import io.toolgate.engine.internal.model.Operator;
import io.toolgate.engine.internal.model.PolicyPath;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The three-valued rule written in {@link Conditions}' Javadoc, one row per (operator, value type). */
class ConditionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MISSING = "<missing>";
  private static final String NAN = "<NaN>";
  private static final String INF = "<+Inf>";
  private static final String NEG_INF = "<-Inf>";

  static Stream<Arguments> rows() {
    return Stream.of(
        // op, policy value, actual, truth
        Arguments.of("eq", "5", MISSING, Truth.FALSE),
        Arguments.of("exists", "false", MISSING, Truth.TRUE),
        Arguments.of("exists", "true", NAN, Truth.TRUE),
        Arguments.of("exists", "false", NAN, Truth.FALSE),
        Arguments.of("eq", "5", NAN, Truth.UNKNOWN),
        Arguments.of("neq", "5", NAN, Truth.UNKNOWN),
        Arguments.of("neq", "\"x\"", NAN, Truth.UNKNOWN),
        Arguments.of("in", "[1, 2]", NAN, Truth.UNKNOWN),
        Arguments.of("not_in", "[1, 2]", NAN, Truth.UNKNOWN),
        Arguments.of("lt", "5", NAN, Truth.UNKNOWN),
        Arguments.of("regex", "\"a\"", NAN, Truth.UNKNOWN),
        Arguments.of("contains", "1", "[1, 2]", Truth.TRUE),
        Arguments.of("not_contains", "3", "[1, 2]", Truth.TRUE),
        Arguments.of("lte", "10000", INF, Truth.FALSE),
        Arguments.of("gt", "50", INF, Truth.TRUE),
        Arguments.of("gte", "0", NEG_INF, Truth.FALSE),
        Arguments.of("lt", "-1e300", NEG_INF, Truth.TRUE),
        Arguments.of("eq", "1e308", INF, Truth.FALSE),
        Arguments.of("neq", "1e308", INF, Truth.TRUE),
        Arguments.of("not_in", "[0, 1]", INF, Truth.TRUE),
        // ordering on another type than the policy value's
        Arguments.of("lt", "5", "\"4\"", Truth.UNKNOWN),
        Arguments.of("gte", "\"b\"", "3", Truth.UNKNOWN),
        Arguments.of("gt", "5", "true", Truth.UNKNOWN),
        Arguments.of("lte", "5", "[1]", Truth.UNKNOWN),
        Arguments.of("gte", "5", "{}", Truth.UNKNOWN),
        Arguments.of("lt", "\"b\"", "\"a\"", Truth.TRUE),
        // string operators on a non-string
        Arguments.of("regex", "\"a\"", "5", Truth.UNKNOWN),
        Arguments.of("not_regex", "\"a\"", "5", Truth.UNKNOWN),
        Arguments.of("starts_with", "\"a\"", "[\"a\"]", Truth.UNKNOWN),
        Arguments.of("ends_with", "\"a\"", "true", Truth.UNKNOWN),
        Arguments.of("not_regex", "\"^rm\"", "\"ls\"", Truth.TRUE),
        // containment on neither array nor string, or a string against a non-string
        Arguments.of("contains", "\"a\"", "5", Truth.UNKNOWN),
        Arguments.of("not_contains", "\"a\"", "{}", Truth.UNKNOWN),
        Arguments.of("contains", "5", "\"a5\"", Truth.UNKNOWN),
        // values of different types are simply unequal
        Arguments.of("eq", "1", "\"1\"", Truth.FALSE),
        Arguments.of("neq", "1", "\"1\"", Truth.TRUE),
        Arguments.of("in", "[1, \"b\"]", "true", Truth.FALSE));
  }

  @ParameterizedTest(name = "{0} {1} on {2} is {3}")
  @MethodSource("rows")
  void truth(String op, String value, String actual, Truth expected) throws Exception {
    Operator operator = Operator.parse(op);
    JsonNode v = JSON.readTree(value);
    Pattern regex = operator == Operator.REGEX || operator == Operator.NOT_REGEX ? Pattern.compile(v.textValue()) : null;
    Condition c = new Condition("/tools/t/conditions/0", PolicyPath.parse("args.x"), operator, v, regex, null);
    assertThat(Conditions.test(c, node(actual))).isEqualTo(expected);
  }

  private static JsonNode node(String actual) throws Exception {
    return switch (actual) {
      case MISSING -> null;
      case NAN -> DoubleNode.valueOf(Double.NaN);
      case INF -> DoubleNode.valueOf(Double.POSITIVE_INFINITY);
      case NEG_INF -> DoubleNode.valueOf(Double.NEGATIVE_INFINITY);
      default -> JSON.readTree(actual);
    };
  }
}
