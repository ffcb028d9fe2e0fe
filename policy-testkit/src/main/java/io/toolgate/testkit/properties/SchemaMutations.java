package io.toolgate.testkit.properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.List;
import java.util.function.UnaryOperator;

/** The mutations behind {@link SchemaArguments#invalid}: changes to a valid sample that each break one constraint. */
final class SchemaMutations {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private SchemaMutations() {}

  /** One change at one place in a valid sample, meant to break {@code keyword}. */
  record Mutation(String pointer, String keyword, UnaryOperator<JsonNode> change) {}

  /** Whether {@code schema} has a constraint a sample could break. */
  static boolean breakable(JsonNode schema) {
    if (schema == null || !schema.isObject()) {
      return false;
    }
    for (String keyword : List.of("type", "required", "enum", "const", "minimum", "maximum", "exclusiveMinimum",
        "exclusiveMaximum", "minLength", "maxLength", "pattern", "minItems", "maxItems")) {
      if (schema.has(keyword)) {
        return true;
      }
    }
    JsonNode additional = schema.get("additionalProperties");
    if (additional != null && additional.isBoolean() && !additional.booleanValue()) {
      return true;
    }
    for (JsonNode property : schema.path("properties")) {
      if (breakable(property)) {
        return true;
      }
    }
    return breakable(schema.get("items"));
  }

  private static final List<JsonNode> OTHER_TYPES = List.of(
      JSON.textNode("text"), JSON.numberNode(12345), JSON.numberNode(new BigDecimal("1.5")), JSON.booleanNode(true),
      JSON.nullNode(), JSON.objectNode(), JSON.arrayNode());

  /** Every change to {@code value} (at {@code pointer}) meant to break one constraint of {@code schema}. */
  static void mutations(JsonNode schema, JsonNode value, String pointer, List<Mutation> out) {
    if (schema == null || !schema.isObject()) {
      return;
    }
    if (schema.has("type")) {
      for (JsonNode other : OTHER_TYPES) {
        out.add(new Mutation(pointer, "type", v -> other.deepCopy()));
      }
    }
    if (schema.has("enum") || schema.has("const")) {
      String keyword = schema.has("const") ? "const" : "enum";
      out.add(new Mutation(pointer, keyword, v -> JSON.textNode(v.isTextual() ? v.textValue() + "_not_listed" : "not_listed")));
      out.add(new Mutation(pointer, keyword, v -> JSON.numberNode(v.isNumber() ? v.decimalValue().add(BigDecimal.ONE) : BigDecimal.valueOf(-987654))));
    }
    if (value.isNumber()) {
      if (schema.has("minimum")) {
        out.add(new Mutation(pointer, "minimum", v -> number(schema.get("minimum").decimalValue().subtract(BigDecimal.ONE), v)));
      }
      if (schema.has("maximum")) {
        out.add(new Mutation(pointer, "maximum", v -> number(schema.get("maximum").decimalValue().add(BigDecimal.ONE), v)));
      }
      if (schema.path("exclusiveMinimum").isNumber()) {
        out.add(new Mutation(pointer, "exclusiveMinimum", v -> number(schema.get("exclusiveMinimum").decimalValue(), v)));
      }
      if (schema.path("exclusiveMaximum").isNumber()) {
        out.add(new Mutation(pointer, "exclusiveMaximum", v -> number(schema.get("exclusiveMaximum").decimalValue(), v)));
      }
    }
    if (value.isTextual()) {
      String text = value.textValue();
      int min = schema.path("minLength").asInt(0);
      if (min > 0) {
        out.add(new Mutation(pointer, "minLength", v -> JSON.textNode(text.substring(0, text.offsetByCodePoints(0, Math.min(min - 1, text.codePointCount(0, text.length())))))));
      }
      if (schema.has("maxLength")) {
        int max = schema.get("maxLength").asInt();
        String last = text.isEmpty() ? "a" : text.substring(text.length() - 1);
        out.add(new Mutation(pointer, "maxLength", v -> JSON.textNode(text + last.repeat(Math.max(1, max + 1 - text.length())))));
      }
      if (schema.has("pattern")) {
        for (String attempt : List.of("", "!", " ", "#%&", "\u00e9", "zz", "0", "_")) {
          out.add(new Mutation(pointer, "pattern", v -> JSON.textNode(attempt)));
        }
      }
    }
    if (value.isObject()) {
      schema.path("required").forEach(name -> out.add(new Mutation(pointer, "required", v -> {
        ObjectNode copy = (ObjectNode) v.deepCopy();
        copy.remove(name.asText());
        return copy;
      })));
      JsonNode additional = schema.get("additionalProperties");
      if (additional != null && additional.isBoolean() && !additional.booleanValue()) {
        out.add(new Mutation(pointer, "additionalProperties", v -> {
          ObjectNode copy = (ObjectNode) v.deepCopy();
          String name = "unexpected";
          while (schema.path("properties").has(name) || copy.has(name)) {
            name = name + "_";
          }
          copy.put(name, 1);
          return copy;
        }));
      }
      JsonNode properties = schema.path("properties");
      for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        if (properties.has(name)) {
          mutations(properties.get(name), value.get(name), pointer + "/" + name.replace("~", "~0").replace("/", "~1"), out);
        }
      }
    }
    if (value.isArray()) {
      int min = schema.path("minItems").asInt(0);
      if (min > 0) {
        out.add(new Mutation(pointer, "minItems", v -> {
          ArrayNode copy = JSON.arrayNode();
          for (int i = 0; i < min - 1 && i < v.size(); i++) {
            copy.add(v.get(i).deepCopy());
          }
          return copy;
        }));
      }
      if (schema.has("maxItems") && !value.isEmpty()) {
        int max = schema.get("maxItems").asInt();
        out.add(new Mutation(pointer, "maxItems", v -> {
          ArrayNode copy = (ArrayNode) v.deepCopy();
          while (copy.size() <= max) {
            copy.add(v.get(0).deepCopy());
          }
          return copy;
        }));
      }
      JsonNode items = schema.get("items");
      if (items != null && items.isObject()) {
        for (int i = 0; i < value.size(); i++) {
          mutations(items, value.get(i), pointer + "/" + i, out);
        }
      }
    }
  }

  /** {@code target} as an integer node when the value it replaces is integral and so is the target. */
  private static JsonNode number(BigDecimal target, JsonNode replaced) {
    if (replaced.isIntegralNumber() && target.stripTrailingZeros().scale() <= 0) {
      return JSON.numberNode(target.toBigIntegerExact());
    }
    return JSON.numberNode(target);
  }

  /** A copy of {@code root} with the value at {@code pointer} changed. */
  static JsonNode apply(JsonNode root, String pointer, UnaryOperator<JsonNode> change) {
    if (pointer.isEmpty()) {
      return change.apply(root);
    }
    JsonNode copy = root.deepCopy();
    int slash = pointer.lastIndexOf('/');
    JsonNode parent = copy.at(pointer.substring(0, slash));
    String last = pointer.substring(slash + 1).replace("~1", "/").replace("~0", "~");
    if (parent instanceof ObjectNode object) {
      object.set(last, change.apply(object.get(last)));
    } else if (parent instanceof ArrayNode array) {
      int index = Integer.parseInt(last);
      array.set(index, change.apply(array.get(index)));
    } else {
      throw new IllegalArgumentException("no object or array holds " + pointer);
    }
    return copy;
  }
}
