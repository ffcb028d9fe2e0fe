package io.toolgate.engine.internal.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.engine.internal.model.Condition;
import io.toolgate.engine.internal.model.Operator;

/**
 * Evaluates conditions and {@code when} clauses, in three-valued logic: a condition holds
 * ({@link Truth#TRUE}), fails ({@link Truth#FALSE}), or cannot compare the value ({@link
 * Truth#UNKNOWN}). Nothing here throws or allocates on any input.
 *
 * <p>The rule, so that no unreadable value buys more than a plain one:
 *
 * <ul>
 *   <li><b>Missing</b> (no value, or JSON {@code null}): every operator fails ({@code FALSE}) but
 *       {@code exists: false}, which holds. A missing value is not "cannot compare": it does not
 *       make a {@code when} hold.
 *   <li><b>Infinities</b> ({@code 1e999} arrives as {@code +Infinity}) compare as the infinities
 *       they are: above (or below) every finite number, big integers and decimals included, and
 *       equal to themselves; so {@code 1e999 lte 10000} fails and {@code 1e999 gt 50} holds.
 *   <li><b>Cannot compare</b> ({@code UNKNOWN}):
 *       <ul>
 *         <li>a NaN value, for every operator but {@code exists} (also a NaN inside an array or
 *             object that {@code eq}, {@code neq}, {@code in}, {@code not_in}, {@code contains}
 *             or {@code not_contains} must compare, when nothing else already tells the values
 *             apart);
 *         <li>{@code lt lte gt gte} on a value whose type is not the policy value's (a number
 *             against a number, a string against a string);
 *         <li>{@code regex not_regex starts_with ends_with} on a value that is not a string;
 *         <li>{@code contains not_contains} on a value that is neither an array nor a string, or
 *             on a string when the policy value is not a string.
 *       </ul>
 *       Values of different types are otherwise simply unequal: {@code eq 1} on {@code "1"} fails,
 *       {@code neq 1} on {@code "1"} holds.
 *   <li>A {@code not_*} operator negates only a definite answer: on a value it cannot compare it
 *       stays {@code UNKNOWN}.
 * </ul>
 *
 * <p>Where it is read: an entry of {@code conditions} passes only on {@code TRUE}, and {@code
 * UNKNOWN} denies the call with a reason saying the value could not be compared. A {@code when}
 * clause of a {@code deny} or {@code require_approval} entry holds on {@code TRUE} or {@code
 * UNKNOWN} (fail closed: the deny or the approval applies).
 */
final class Conditions {
  private Conditions() {}

  /** The truth of {@code c} for {@code actual} ({@code null} = missing). */
  static Truth test(Condition c, JsonNode actual) {
    JsonNode expected = c.value();
    Operator op = c.op();
    if (actual == null) {
      return Truth.of(op == Operator.EXISTS && !expected.booleanValue());
    }
    if (op == Operator.EXISTS) {
      return Truth.of(expected.booleanValue());
    }
    if (Json.isNaN(actual)) {
      return Truth.UNKNOWN;
    }
    return switch (op) {
      case EQ -> Json.equal(actual, expected);
      case NEQ -> Json.equal(actual, expected).not();
      case IN -> anyEqual(expected, actual);
      case NOT_IN -> anyEqual(expected, actual).not();
      case LT -> order(actual, expected, -1, -1);
      case LTE -> order(actual, expected, -1, 0);
      case GT -> order(actual, expected, 1, 1);
      case GTE -> order(actual, expected, 0, 1);
      case REGEX -> actual.isTextual() ? Truth.of(c.regex().matcher(actual.textValue()).find()) : Truth.UNKNOWN;
      case NOT_REGEX -> actual.isTextual() ? Truth.of(!c.regex().matcher(actual.textValue()).find()) : Truth.UNKNOWN;
      case CONTAINS -> contains(actual, expected);
      case NOT_CONTAINS -> contains(actual, expected).not();
      case STARTS_WITH -> actual.isTextual() ? Truth.of(actual.textValue().startsWith(expected.textValue())) : Truth.UNKNOWN;
      case ENDS_WITH -> actual.isTextual() ? Truth.of(actual.textValue().endsWith(expected.textValue())) : Truth.UNKNOWN;
      case EXISTS -> Truth.TRUE; // handled above
    };
  }

  /** TRUE when some element equals {@code value}; else UNKNOWN if some could not be compared. */
  private static Truth anyEqual(JsonNode array, JsonNode value) {
    Truth any = Truth.FALSE;
    for (JsonNode element : array) {
      Truth t = Json.equal(element, value);
      if (t == Truth.TRUE) {
        return Truth.TRUE;
      }
      if (t == Truth.UNKNOWN) {
        any = Truth.UNKNOWN;
      }
    }
    return any;
  }

  /**
   * Whether {@code actual} orders against {@code expected} with a sign in {@code [low, high]}
   * (lt: -1..-1, lte: -1..0, gt: 1..1, gte: 0..1); UNKNOWN when the two cannot be ordered.
   */
  private static Truth order(JsonNode actual, JsonNode expected, int low, int high) {
    int sign;
    if (actual.isNumber() && expected.isNumber()) {
      int order = Json.compareNumbers(actual, expected);
      if (order == Json.UNORDERED) {
        return Truth.UNKNOWN;
      }
      sign = Integer.signum(order);
    } else if (actual.isTextual() && expected.isTextual()) {
      sign = Integer.signum(actual.textValue().compareTo(expected.textValue()));
    } else {
      return Truth.UNKNOWN;
    }
    return Truth.of(sign >= low && sign <= high);
  }

  /** On an array, whether an element equals the value; on a string, whether it is a substring. */
  private static Truth contains(JsonNode actual, JsonNode expected) {
    if (actual.isArray()) {
      return anyEqual(actual, expected);
    }
    if (actual.isTextual() && expected.isTextual()) {
      return Truth.of(actual.textValue().contains(expected.textValue()));
    }
    return Truth.UNKNOWN;
  }
}
