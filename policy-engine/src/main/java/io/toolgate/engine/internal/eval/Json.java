package io.toolgate.engine.internal.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Map;

/** JSON comparisons as the policy language defines them: numbers by value, never by text. */
final class Json {
  private Json() {}

  /** Deep equality where numbers compare by value ({@code 1 == 1.0}). */
  static boolean equal(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return compareNumbers(a, b) == 0;
    }
    if (a.getNodeType() != b.getNodeType()) {
      return false;
    }
    if (a.isArray()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!equal(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a.isObject()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        JsonNode other = b.get(field.getKey());
        if (other == null || !equal(field.getValue(), other)) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  /** Compares two number nodes by value. */
  static int compareNumbers(JsonNode a, JsonNode b) {
    if (a.isIntegralNumber() && b.isIntegralNumber() && a.canConvertToLong() && b.canConvertToLong()) {
      return Long.compare(a.longValue(), b.longValue());
    }
    return decimal(a).compareTo(decimal(b));
  }

  private static BigDecimal decimal(JsonNode n) {
    if (n.isDouble() || n.isFloat()) {
      double d = n.doubleValue();
      return Double.isFinite(d) ? BigDecimal.valueOf(d) : BigDecimal.ZERO;
    }
    return n.decimalValue();
  }

  /**
   * The canonical text of a scalar used as a counter scope value: strings as they are, numbers by
   * value ({@code 7}, {@code 7.0} and {@code 7e0} are one key), booleans as {@code true}/{@code
   * false}, anything else as compact JSON.
   */
  static String scopeText(JsonNode value) {
    if (value.isTextual()) {
      return value.textValue();
    }
    if (value.isNumber()) {
      BigDecimal d = decimal(value).stripTrailingZeros();
      return d.scale() < 0 ? d.toBigInteger().toString() : d.toPlainString();
    }
    return value.toString();
  }
}
