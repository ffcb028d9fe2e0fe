package io.toolgate.engine.internal.load;

import com.fasterxml.jackson.databind.JsonNode;

/** PLACEHOLDER: being written. */
public final class PolicyLoader {
  private PolicyLoader() {}

  public static LoadResult load(String text, String sourceName) {
    throw new IllegalStateException("placeholder");
  }

  public static LoadResult load(JsonNode document, String sourceName) {
    throw new IllegalStateException("placeholder");
  }
}
