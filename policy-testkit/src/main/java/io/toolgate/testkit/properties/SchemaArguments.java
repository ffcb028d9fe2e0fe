package io.toolgate.testkit.properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.engine.ArgumentsSchema;
import io.toolgate.engine.PolicyLoadException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * QuickTheories generators of tool arguments derived from a JSON Schema (draft-07): samples the
 * schema accepts, and samples that break exactly one of its constraints. Every sample is checked
 * with the same validator, configured the same way, as the engine's {@code arguments} check.
 *
 * <p>Supported keywords: {@code type} (one or several), {@code properties}, {@code required},
 * {@code additionalProperties} ({@code false} or a schema), {@code enum}, {@code const}, {@code
 * minimum}, {@code maximum}, {@code exclusiveMinimum}, {@code exclusiveMaximum}, {@code
 * minLength}, {@code maxLength}, {@code pattern} (literals, classes, groups, alternation,
 * quantifiers), {@code items} (one schema for every element), {@code minItems}, {@code maxItems}.
 * Other keywords are not generated for; a valid sample that breaks one is filtered out.
 *
 * <pre>{@code
 * JsonNode schema = tester.argumentSchema("create_compile");
 * qt().forAll(SchemaArguments.valid(schema)).checkAssert(args ->
 *     assertThat(tester.as("agent-1").call("create_compile", args)).isAllowed());
 * qt().forAll(SchemaArguments.invalid(schema)).checkAssert(bad ->
 *     assertThat(tester.as("agent-1").call("create_compile", bad.arguments()))
 *         .isDenied().decidedBy("/tools/create_compile/arguments").hasReasonContaining("#" + bad.pointer()));
 * }</pre>
 */
public final class SchemaArguments {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final int DEFAULT_SPAN = 100;

  private SchemaArguments() {}

  /**
   * A sample that breaks exactly one constraint of the schema.
   *
   * @param arguments the arguments
   * @param pointer JSON Pointer, into the arguments, of the value that breaks it ({@code ""} for
   *     the arguments as a whole)
   * @param keyword the schema keyword broken, e.g. {@code minimum}, {@code required}, {@code type}
   */
  public record Violation(JsonNode arguments, String pointer, String keyword) {
    public Violation {
      Objects.requireNonNull(arguments, "arguments");
      Objects.requireNonNull(pointer, "pointer");
      Objects.requireNonNull(keyword, "keyword");
    }

    @Override
    public String toString() {
      return arguments + " (breaks " + keyword + " at " + (pointer.isEmpty() ? "the root" : pointer) + ")";
    }
  }

  /**
   * Arguments the schema accepts.
   *
   * @throws IllegalArgumentException if the schema is not a valid draft-07 schema, or uses a
   *     pattern beyond the simple ones
   */
  public static Gen<JsonNode> valid(JsonNode schema) {
    ArgumentsSchema validator = load(schema);
    checkPatterns(schema);
    Gen<JsonNode> raw = in -> value(schema, in);
    return raw.assuming(candidate -> validator.violations(candidate).isEmpty()).describedAs(JsonNode::toString);
  }

  /**
   * Arguments that break exactly one constraint of the schema: a valid sample with one value
   * changed, removed or added, kept only if the validator then reports that one violation.
   *
   * @throws IllegalArgumentException if the schema is not a valid draft-07 schema, or has no
   *     constraint that can be broken
   */
  public static Gen<Violation> invalid(JsonNode schema) {
    ArgumentsSchema validator = load(schema);
    if (!SchemaMutations.breakable(schema)) {
      throw new IllegalArgumentException("the schema " + schema + " has no constraint a sample could break");
    }
    Gen<JsonNode> samples = valid(schema);
    Gen<Integer> choice = Generate.range(0, Integer.MAX_VALUE - 1);
    Gen<Violation> violations = in -> {
      JsonNode sample = samples.generate(in);
      List<SchemaMutations.Mutation> mutations = new ArrayList<>();
      SchemaMutations.mutations(schema, sample, "", mutations);
      int start = mutations.isEmpty() ? 0 : choice.generate(in) % mutations.size();
      // Try the chosen change first, then the next ones, until one breaks exactly its constraint.
      for (int i = 0; i < mutations.size(); i++) {
        SchemaMutations.Mutation m = mutations.get((start + i) % mutations.size());
        JsonNode broken = SchemaMutations.apply(sample, m.pointer(), m.change());
        List<ArgumentsSchema.Violation> found = validator.violations(broken);
        if (found.size() == 1 && found.get(0).keyword().equals(m.keyword())) {
          return new Violation(broken, found.get(0).pointer(), m.keyword());
        }
      }
      return null;
    };
    return violations.assuming(Objects::nonNull).describedAs(Violation::toString);
  }

  // ---- the validator ------------------------------------------------------------------------

  private static ArgumentsSchema load(JsonNode schema) {
    try {
      return ArgumentsSchema.of(schema);
    } catch (PolicyLoadException e) {
      throw new IllegalArgumentException("not a usable arguments schema: " + e.getMessage());
    }
  }

  // ---- valid values -------------------------------------------------------------------------

  private static JsonNode value(JsonNode schema, org.quicktheories.core.RandomnessSource in) {
    if (schema == null || schema.isBoolean() || schema.isEmpty()) {
      return ToolgateGenerators.jsonScalars().generate(in);
    }
    if (schema.has("const")) {
      return schema.get("const").deepCopy();
    }
    if (schema.has("enum") && schema.get("enum").isArray() && !schema.get("enum").isEmpty()) {
      JsonNode options = schema.get("enum");
      return options.get(Generate.range(0, options.size() - 1).generate(in)).deepCopy();
    }
    List<String> types = types(schema);
    String type = types.get(Generate.range(0, types.size() - 1).generate(in));
    return switch (type) {
      case "object" -> object(schema, in);
      case "array" -> array(schema, in);
      case "string" -> JSON.textNode(string(schema, in));
      case "integer" -> JSON.numberNode(integer(schema, in));
      case "number" -> {
        long whole = integer(schema, in);
        yield Generate.booleans().generate(in) && withinBounds(schema, BigDecimal.valueOf(whole))
            ? JSON.numberNode(whole)
            : JSON.numberNode(fraction(schema, in));
      }
      case "boolean" -> JSON.booleanNode(Generate.booleans().generate(in));
      case "null" -> JSON.nullNode();
      default -> ToolgateGenerators.jsonScalars().generate(in);
    };
  }

  /** The types a value may take: {@code type}, or what the other keywords imply. */
  private static List<String> types(JsonNode schema) {
    JsonNode type = schema.get("type");
    if (type != null && type.isTextual()) {
      return List.of(type.textValue());
    }
    if (type != null && type.isArray() && !type.isEmpty()) {
      List<String> out = new ArrayList<>();
      type.forEach(t -> out.add(t.asText()));
      return out;
    }
    if (schema.has("properties") || schema.has("required") || schema.has("additionalProperties")) {
      return List.of("object");
    }
    if (schema.has("items") || schema.has("minItems") || schema.has("maxItems")) {
      return List.of("array");
    }
    if (schema.has("minLength") || schema.has("maxLength") || schema.has("pattern")) {
      return List.of("string");
    }
    if (schema.has("minimum") || schema.has("maximum") || schema.has("exclusiveMinimum") || schema.has("exclusiveMaximum")) {
      return List.of("number");
    }
    return List.of("any");
  }

  private static JsonNode object(JsonNode schema, org.quicktheories.core.RandomnessSource in) {
    ObjectNode out = JSON.objectNode();
    JsonNode properties = schema.path("properties");
    Set<String> required = new TreeSet<>();
    schema.path("required").forEach(r -> required.add(r.asText()));
    for (Iterator<String> it = properties.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (required.contains(name) || Generate.booleans().generate(in)) {
        out.set(name, value(properties.get(name), in));
      }
    }
    for (String name : required) {
      if (!out.has(name)) {
        out.set(name, ToolgateGenerators.jsonScalars().generate(in));
      }
    }
    JsonNode additional = schema.get("additionalProperties");
    boolean closed = additional != null && additional.isBoolean() && !additional.booleanValue();
    if (!closed && Generate.range(0, 3).generate(in) == 3) {
      String name = "extra";
      while (properties.has(name) || out.has(name)) {
        name = name + "_";
      }
      out.set(name, additional != null && additional.isObject() ? value(additional, in) : ToolgateGenerators.jsonScalars().generate(in));
    }
    return out;
  }

  private static JsonNode array(JsonNode schema, org.quicktheories.core.RandomnessSource in) {
    int min = schema.path("minItems").asInt(0);
    int max = schema.has("maxItems") ? schema.get("maxItems").asInt() : min + 3;
    int size = Generate.range(min, Math.max(min, max)).generate(in);
    JsonNode items = schema.get("items");
    ArrayNode out = JSON.arrayNode();
    for (int i = 0; i < size; i++) {
      out.add(items != null && items.isObject() ? value(items, in) : ToolgateGenerators.jsonScalars().generate(in));
    }
    return out;
  }

  private static String string(JsonNode schema, org.quicktheories.core.RandomnessSource in) {
    int min = schema.path("minLength").asInt(0);
    int max = schema.has("maxLength") ? schema.get("maxLength").asInt() : min + 8;
    if (schema.has("pattern")) {
      Gen<String> matching = SimplePattern.generator(schema.get("pattern").asText());
      String candidate = matching.generate(in);
      for (int attempt = 0; attempt < 20 && !fits(candidate, min, max); attempt++) {
        candidate = matching.generate(in);
      }
      return candidate;
    }
    int length = Generate.range(min, Math.max(min, max)).generate(in);
    Gen<Integer> letter = Generate.range(0, 25);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < length; i++) {
      out.append((char) ('a' + letter.generate(in)));
    }
    return out.toString();
  }

  private static boolean fits(String text, int min, int max) {
    int length = text.codePointCount(0, text.length());
    return length >= min && length <= max;
  }

  private static long integer(JsonNode schema, org.quicktheories.core.RandomnessSource in) {
    long low = Long.MIN_VALUE;
    long high = Long.MAX_VALUE;
    if (schema.has("minimum")) {
      low = (long) Math.ceil(schema.get("minimum").asDouble());
    }
    if (schema.has("exclusiveMinimum") && schema.get("exclusiveMinimum").isNumber()) {
      low = Math.max(low, (long) Math.floor(schema.get("exclusiveMinimum").asDouble()) + 1);
    }
    if (schema.has("maximum")) {
      high = (long) Math.floor(schema.get("maximum").asDouble());
    }
    if (schema.has("exclusiveMaximum") && schema.get("exclusiveMaximum").isNumber()) {
      high = Math.min(high, (long) Math.ceil(schema.get("exclusiveMaximum").asDouble()) - 1);
    }
    if (low == Long.MIN_VALUE && high == Long.MAX_VALUE) {
      low = -DEFAULT_SPAN;
      high = DEFAULT_SPAN * 10;
    } else if (low == Long.MIN_VALUE) {
      low = high - DEFAULT_SPAN;
    } else if (high == Long.MAX_VALUE) {
      high = low + DEFAULT_SPAN;
    }
    return Generate.longRange(low, Math.max(low, high)).generate(in);
  }

  /** A number strictly inside the bounds: low + (high - low) * k / 8 for k in 1..7. */
  private static BigDecimal fraction(JsonNode schema, org.quicktheories.core.RandomnessSource in) {
    BigDecimal low = bound(schema, "minimum", "exclusiveMinimum", true);
    BigDecimal high = bound(schema, "maximum", "exclusiveMaximum", false);
    if (low == null && high == null) {
      low = BigDecimal.valueOf(-DEFAULT_SPAN);
      high = BigDecimal.valueOf(DEFAULT_SPAN * 10L);
    } else if (low == null) {
      low = high.subtract(BigDecimal.valueOf(DEFAULT_SPAN));
    } else if (high == null) {
      high = low.add(BigDecimal.valueOf(DEFAULT_SPAN));
    }
    int k = Generate.range(1, 7).generate(in);
    return low.add(high.subtract(low).multiply(BigDecimal.valueOf(k)).divide(BigDecimal.valueOf(8))).stripTrailingZeros();
  }

  private static BigDecimal bound(JsonNode schema, String inclusive, String exclusive, boolean lower) {
    BigDecimal out = schema.path(inclusive).isNumber() ? schema.get(inclusive).decimalValue() : null;
    if (schema.path(exclusive).isNumber()) {
      BigDecimal e = schema.get(exclusive).decimalValue();
      out = out == null ? e : lower ? out.max(e) : out.min(e);
    }
    return out;
  }

  /** Parses every {@code pattern} of the schema now, so an unsupported one fails at once. */
  private static void checkPatterns(JsonNode schema) {
    if (schema == null || !schema.isObject()) {
      return;
    }
    if (schema.path("pattern").isTextual()) {
      SimplePattern.generator(schema.get("pattern").textValue());
    }
    schema.path("properties").forEach(SchemaArguments::checkPatterns);
    checkPatterns(schema.get("items"));
    checkPatterns(schema.get("additionalProperties"));
  }

  private static boolean withinBounds(JsonNode schema, BigDecimal value) {
    return (!schema.has("minimum") || value.compareTo(schema.get("minimum").decimalValue()) >= 0)
        && (!schema.has("maximum") || value.compareTo(schema.get("maximum").decimalValue()) <= 0)
        && (!schema.path("exclusiveMinimum").isNumber() || value.compareTo(schema.get("exclusiveMinimum").decimalValue()) > 0)
        && (!schema.path("exclusiveMaximum").isNumber() || value.compareTo(schema.get("exclusiveMaximum").decimalValue()) < 0);
  }
}
