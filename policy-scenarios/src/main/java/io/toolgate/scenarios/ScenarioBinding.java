package io.toolgate.scenarios;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.toolgate.engine.PolicyDocuments;
import io.toolgate.engine.Windows;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a scenario file's tree into {@link ScenarioFile}'s records for {@link ScenarioRun}: the
 * engine's JSON limits, unknown keys refused, and every format error a {@link ScenarioException}
 * that names the key and says what it must be.
 */
final class ScenarioBinding {
  /** Binds scenario trees to {@link ScenarioFile}'s records: the engine's JSON limits, unknown keys refused. */
  private static final ObjectMapper BINDER =
      PolicyDocuments.jsonMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  /** What a key of the wrong type must be, for the keys whose message says more than the type. */
  private static final Map<String, String> WRONG_TYPE = Map.of(
      "steps", "must be a list",
      "expect_load_error", "must be a non-empty list of JSON Pointers",
      "args", "must be a mapping",
      "roles", "must be a list of role names",
      "repeat", "must be a whole number",
      "tool_fails", "must be true or false",
      "approve", "takes only 'last'",
      "reject", "takes only 'last'");

  private ScenarioBinding() {}

  /** What {@code key} must be, for the keys {@link #WRONG_TYPE} names. */
  static String wrongType(String key) {
    return WRONG_TYPE.get(key);
  }

  static String required(String value, String key, int number) {
    if (value == null) {
      throw new ScenarioException("step " + number + " needs " + key);
    }
    return value;
  }

  /**
   * Binds {@code node} to {@code type}; an unknown key or a value of the wrong type is a
   * {@link ScenarioException} that says where ({@code where}) and names the key.
   */
  static <T> T bind(JsonNode node, Class<T> type, String where) {
    try {
      return BINDER.treeToValue(node, type);
    } catch (UnrecognizedPropertyException e) {
      Set<String> known = new TreeSet<>();
      e.getKnownPropertyIds().forEach(id -> known.add(id.toString()));
      throw new ScenarioException(where + " has an unknown key \"" + e.getPropertyName() + "\"; expected one of " + known);
    } catch (JsonProcessingException e) {
      String key = e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()
          ? mapping.getPath().get(0).getFieldName() : null;
      String prefix = "the scenario".equals(where) ? "" : where + ": ";
      String problem = WRONG_TYPE.getOrDefault(key, "has the wrong type: " + e.getOriginalMessage().lines().findFirst().orElse(""));
      throw new ScenarioException(prefix + (key == null ? "" : key + " ") + problem);
    }
  }

  static Instant instant(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new ScenarioException("start must be an ISO-8601 instant like 2026-01-01T10:00:30Z, not " + text);
    }
  }

  static Duration duration(JsonNode node, String key) {
    return Windows.parse(node).orElseThrow(() -> new ScenarioException(
        key + " must be a number of seconds or a duration like 30s, 5m, 2h, 1d; not " + node));
  }
}
