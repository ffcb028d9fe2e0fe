package io.toolgate.engine.internal.load;

import static io.toolgate.engine.internal.load.DocumentSchema.describe;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.toolgate.engine.internal.model.Condition;
import io.toolgate.engine.internal.model.Operator;
import io.toolgate.engine.internal.model.PolicyPath;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the {@code conditions} and {@code when} clauses of an entry for {@link ModelBuilder}: a
 * path, an operator and a value of the shape the operator needs; a {@code regex} value is
 * compiled (RE2) here, at load time, and refused when too large.
 */
final class ConditionReader {
  private final Problems problems;

  ConditionReader(Problems problems) {
    this.problems = problems;
  }

  /** The conditions of the list {@code node} at {@code pointer} (a {@code conditions} or {@code when}). */
  List<Condition> list(JsonNode node, String pointer) {
    List<Condition> out = new ArrayList<>();
    if (node == null || !node.isArray()) {
      return out;
    }
    for (int i = 0; i < node.size(); i++) {
      Condition c = condition(node.get(i), pointer + "/" + i);
      if (c != null) {
        out.add(c);
      }
    }
    return out;
  }

  private Condition condition(JsonNode node, String pointer) {
    if (!node.isObject()) {
      return null;
    }
    JsonNode pathNode = node.get("path");
    PolicyPath path = null;
    if (pathNode != null && pathNode.isTextual()) {
      path = PolicyPath.parse(pathNode.textValue());
      if (path == null) {
        problems.at(pointer + "/path", describe(pathNode) + " is not a path; expected " + PolicyPath.EXPECTED);
      }
    }
    Operator op = node.has("op") ? Operator.parse(node.get("op").asText()) : null;
    JsonNode value = node.get("value");
    if (op == null || value == null) {
      return null; // reported by the schema
    }
    String valuePointer = pointer + "/value";
    Pattern regex = null;
    String shape = shapeProblem(op, value);
    if (shape != null) {
      problems.at(valuePointer, "expected " + shape + " for op " + op.text() + ", got " + describe(value));
      return null;
    }
    if (op == Operator.REGEX || op == Operator.NOT_REGEX) {
      String tooLarge = RegexSize.problem(value.textValue());
      if (tooLarge != null) {
        problems.at(valuePointer, describe(value) + " " + tooLarge);
        return null;
      }
      try {
        regex = Pattern.compile(value.textValue());
      } catch (PatternSyntaxException e) {
        problems.at(valuePointer, describe(value) + " is not an RE2 regular expression: " + e.getDescription()
            + " (RE2 has no backreferences or lookaround)");
        return null;
      }
    }
    return path == null ? null : new Condition(pointer, path, op, value, regex, ModelBuilder.text(node.get("reason")));
  }

  /** What {@code op} needs its value to be, or {@code null} when {@code value} fits. */
  private static String shapeProblem(Operator op, JsonNode value) {
    return switch (op) {
      case IN, NOT_IN -> value.isArray() ? null : "a list";
      case LT, LTE, GT, GTE -> value.isNumber() || value.isTextual() ? null : "a number or a string";
      case REGEX, NOT_REGEX -> value.isTextual() ? null : "an RE2 pattern (a string)";
      case STARTS_WITH, ENDS_WITH -> value.isTextual() ? null : "a string";
      case EXISTS -> value.isBoolean() ? null : "true or false";
      default -> null;
    };
  }
}
