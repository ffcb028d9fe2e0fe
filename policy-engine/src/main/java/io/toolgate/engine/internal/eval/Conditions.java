package io.toolgate.engine.internal.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.engine.internal.model.Condition;
import io.toolgate.engine.internal.model.Operator;

/**
 * Evaluates conditions. A missing value fails every operator but {@code exists: false}; a value
 * of the wrong type fails the condition; nothing here throws on any input.
 */
final class Conditions {
  private Conditions() {}

  static boolean holds(Condition c, CallView call) {
    return test(c, call.resolve(c.path()));
  }

  /** Whether {@code c} holds for {@code actual} ({@code null} = missing). */
  static boolean test(Condition c, JsonNode actual) {
    JsonNode expected = c.value();
    if (actual == null) {
      return c.op() == Operator.EXISTS && !expected.booleanValue();
    }
    switch (c.op()) {
      case EXISTS:
        return expected.booleanValue();
      case EQ:
        return Json.equal(actual, expected);
      case NEQ:
        return !Json.equal(actual, expected);
      case IN:
        return anyEqual(expected, actual);
      case NOT_IN:
        return !anyEqual(expected, actual);
      case LT:
        return comparable(actual, expected) && compare(actual, expected) < 0;
      case LTE:
        return comparable(actual, expected) && compare(actual, expected) <= 0;
      case GT:
        return comparable(actual, expected) && compare(actual, expected) > 0;
      case GTE:
        return comparable(actual, expected) && compare(actual, expected) >= 0;
      case REGEX:
        return actual.isTextual() && c.regex().matcher(actual.textValue()).find();
      case NOT_REGEX:
        return actual.isTextual() && !c.regex().matcher(actual.textValue()).find();
      case CONTAINS:
        return contains(actual, expected) == Boolean.TRUE;
      case NOT_CONTAINS:
        return contains(actual, expected) == Boolean.FALSE;
      case STARTS_WITH:
        return actual.isTextual() && actual.textValue().startsWith(expected.textValue());
      case ENDS_WITH:
        return actual.isTextual() && actual.textValue().endsWith(expected.textValue());
      default:
        return false;
    }
  }

  private static boolean anyEqual(JsonNode array, JsonNode value) {
    for (JsonNode element : array) {
      if (Json.equal(element, value)) {
        return true;
      }
    }
    return false;
  }

  private static boolean comparable(JsonNode a, JsonNode b) {
    return (a.isNumber() && b.isNumber()) || (a.isTextual() && b.isTextual());
  }

  /** Orders two comparable values; 0 for values that are not comparable (callers check first). */
  private static int compare(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return Json.compareNumbers(a, b);
    }
    if (a.isTextual() && b.isTextual()) {
      return a.textValue().compareTo(b.textValue());
    }
    return 0;
  }

  /** TRUE or FALSE for arrays and strings; {@code null} when containment has no meaning. */
  private static Boolean contains(JsonNode actual, JsonNode expected) {
    if (actual.isArray()) {
      return anyEqual(actual, expected);
    }
    if (actual.isTextual() && expected.isTextual()) {
      return actual.textValue().contains(expected.textValue());
    }
    return null;
  }
}
