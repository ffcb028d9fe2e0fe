package io.toolgate.engine.internal.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.toolgate.engine.internal.Jackson;
import io.toolgate.engine.internal.OrgJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.everit.json.schema.EnumSchema;
import org.everit.json.schema.Schema;
import org.everit.json.schema.ValidationException;
import org.everit.json.schema.loader.SchemaLoader;
import org.json.JSONObject;

/**
 * The policy document's own JSON Schema ({@code io/toolgate/engine/policy.schema.json}, shipped in
 * the jar for editors), checked with Everit. Everit's violations are reworded here into one
 * problem each, at the pointer a person would look at: an unknown key at the key itself (with a
 * did-you-mean), a value of the wrong type at the value, with what was expected.
 */
final class DocumentSchema {
  /** Classpath location of the schema. */
  static final String RESOURCE = "io/toolgate/engine/policy.schema.json";

  private static final JsonNode SOURCE = read();
  private static final Schema SCHEMA =
      SchemaLoader.builder()
          .schemaJson(new JSONObject(SOURCE.toString()))
          .draftV7Support()
          .build()
          .load()
          .build();

  private DocumentSchema() {}

  private static JsonNode read() {
    try (InputStream in = DocumentSchema.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing " + RESOURCE + " on the classpath");
      }
      return Jackson.JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reports every violation of the policy schema in {@code document} to {@code problems}. */
  static void check(JsonNode document, Problems problems) {
    try {
      SCHEMA.validate(OrgJson.convert(document));
    } catch (ValidationException e) {
      report(e, document, null, null, problems);
    }
  }

  /**
   * Reports {@code e}, a node of Everit's violation tree. Branches of a type union have no schema
   * location of their own; they inherit their parent's ({@code location}) and its expected text.
   */
  private static void report(
      ValidationException e, JsonNode document, String location, String expected, Problems problems) {
    String pointer = pointer(e);
    String at = e.getSchemaLocation() != null ? e.getSchemaLocation() : location;
    String here = expectedAt(at, expected);
    String keyword = e.getKeyword();
    if (keyword == null || "allOf".equals(keyword) || "then".equals(keyword)) {
      e.getCausingExceptions().forEach(c -> report(c, document, at, here, problems));
      return;
    }
    JsonNode actual = document.at(pointer);
    switch (keyword) {
      case "anyOf":
        // The only anyOf in the schema is a union of types ("type": [...]): when the value has one
        // of the types, report what is wrong inside it; else report the type.
        List<ValidationException> inside = new ArrayList<>();
        for (ValidationException c : e.getCausingExceptions()) {
          if (!("type".equals(c.getKeyword()) && pointer(c).equals(pointer))) {
            inside.add(c);
          }
        }
        if (inside.isEmpty()) {
          problems.at(pointer, expectedGot(here, actual));
        } else {
          inside.forEach(c -> report(c, document, at, here, problems));
        }
        return;
      case "additionalProperties":
        unknownKeys(at, e, actual, pointer, problems);
        return;
      case "required":
        missingKeys(at, e, actual, pointer, problems);
        return;
      case "enum":
        Set<String> allowed = allowedValues(e.getViolatedSchema());
        String text = actual.isTextual() ? actual.textValue() : actual.toString();
        problems.at(pointer, describe(actual) + " is not one of " + String.join(", ", allowed)
            + (actual.isTextual() ? Problems.didYouMean(text, allowed) : ""));
        return;
      default:
        problems.at(pointer, expectedGot(here, actual));
        return;
    }
  }

  private static void unknownKeys(String location, ValidationException e, JsonNode actual, String pointer, Problems problems) {
    JsonNode properties = schemaAt(location).path("properties");
    if (!actual.isObject() || !properties.isObject()) {
      problems.at(pointer, e.getErrorMessage());
      return;
    }
    Set<String> known = new TreeSet<>();
    properties.fieldNames().forEachRemaining(known::add);
    for (Iterator<String> it = actual.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!known.contains(key)) {
        problems.atKey(pointer + "/" + SourceMap.escape(key), "unknown key \"" + key + "\""
            + Problems.didYouMean(key, known) + suggestions(known));
      }
    }
  }

  private static String suggestions(Set<String> known) {
    return known.size() <= 10 ? " (expected one of " + String.join(", ", known) + ")" : "";
  }

  private static void missingKeys(String location, ValidationException e, JsonNode actual, String pointer, Problems problems) {
    JsonNode required = schemaAt(location).path("required");
    if (!actual.isObject() || !required.isArray()) {
      problems.at(pointer, e.getErrorMessage());
      return;
    }
    for (JsonNode key : required) {
      if (!actual.has(key.asText())) {
        problems.at(pointer, "missing required key \"" + key.asText() + "\"");
      }
    }
  }

  private static Set<String> allowedValues(Schema schema) {
    Set<String> out = new java.util.LinkedHashSet<>();
    if (schema instanceof EnumSchema) {
      for (Object value : ((EnumSchema) schema).getPossibleValuesAsList()) {
        out.add(String.valueOf(value));
      }
    }
    return out;
  }

  /** The schema's {@code x-expected} text at {@code location}, else what the parent expected. */
  private static String expectedAt(String location, String inherited) {
    JsonNode text = schemaAt(location).path("x-expected");
    return text.isTextual() ? text.textValue() : inherited;
  }

  /** The policy schema's own text at an Everit schema location such as {@code #/definitions/limit}. */
  private static JsonNode schemaAt(String location) {
    if (location == null || !location.startsWith("#")) {
      return MissingNode.getInstance();
    }
    JsonNode node = SOURCE.at(location.substring(1));
    JsonNode ref = node.path("$ref");
    return ref.isTextual() && ref.textValue().startsWith("#") ? SOURCE.at(ref.textValue().substring(1)) : node;
  }

  private static String expectedGot(String expected, JsonNode actual) {
    return "expected " + (expected != null ? expected : "another value") + ", got " + describe(actual);
  }

  /** A value as a message shows it: {@code "minit"}, {@code 12}, {@code a mapping}, {@code a list}. */
  static String describe(JsonNode value) {
    if (value == null || value.isMissingNode()) {
      return "nothing";
    }
    switch (value.getNodeType()) {
      case OBJECT:
        return "a mapping";
      case ARRAY:
        return "a list";
      case NULL:
        return "null";
      case STRING:
        String text = value.textValue();
        return "\"" + (text.length() > 80 ? text.substring(0, 77) + "..." : text) + "\"";
      case NUMBER:
        return "the number " + value.asText();
      case BOOLEAN:
        return value.asText().toLowerCase(Locale.ROOT);
      default:
        return value.toString();
    }
  }

  private static String pointer(ValidationException e) {
    String pointer = e.getPointerToViolation();
    if (pointer == null || pointer.equals("#")) {
      return "";
    }
    return pointer.startsWith("#") ? pointer.substring(1) : pointer;
  }
}
