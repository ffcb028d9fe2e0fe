package io.toolgate.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.toolgate.engine.internal.Jackson;

/**
 * Jackson configured as the engine reads policies: read limits on (nesting depth, string and
 * document length), duplicate keys rejected, trailing tokens refused. For tools that read policy,
 * scenario or argument documents the way the engine does.
 */
public final class PolicyDocuments {
  private PolicyDocuments() {}

  /** A new JSON mapper with the engine's configuration; changing it changes nothing else. */
  public static ObjectMapper jsonMapper() {
    return Jackson.JSON.copy();
  }

  /** A new YAML mapper with the engine's configuration; changing it changes nothing else. */
  public static ObjectMapper yamlMapper() {
    return Jackson.YAML.copy();
  }

  /**
   * Reads a document as {@link Policy#parse} does: JSON when its first non-blank character is
   * <code>{</code>, else YAML.
   *
   * @throws JsonProcessingException if it does not parse or breaks a read limit
   */
  public static JsonNode readTree(String text) throws JsonProcessingException {
    return (text.stripLeading().startsWith("{") ? Jackson.JSON : Jackson.YAML).readTree(text);
  }
}
