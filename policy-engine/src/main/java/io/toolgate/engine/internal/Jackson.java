package io.toolgate.engine.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * The one place Jackson is configured. Every mapper reads with limits, so that hostile input
 * (a policy file, a scenario, arguments) cannot exhaust the stack or the heap.
 */
public final class Jackson {
  /** Deepest nesting of objects and arrays accepted anywhere. */
  public static final int MAX_NESTING_DEPTH = 64;
  /** Longest single string value accepted, in characters. */
  public static final int MAX_STRING_LENGTH = 1 << 20;
  /** Largest document accepted, in characters (JSON) or code points (YAML). */
  public static final int MAX_DOCUMENT_LENGTH = 8 << 20;

  private static final StreamReadConstraints LIMITS =
      StreamReadConstraints.builder()
          .maxNestingDepth(MAX_NESTING_DEPTH)
          .maxStringLength(MAX_STRING_LENGTH)
          .maxDocumentLength(MAX_DOCUMENT_LENGTH)
          .maxNumberLength(100)
          .build();

  /** JSON: limits on, duplicate keys rejected, locations kept for error messages. */
  public static final ObjectMapper JSON = configure(new ObjectMapper(jsonFactory()));

  /** YAML: the same limits, plus SnakeYAML's own on aliases and code points. */
  public static final ObjectMapper YAML = configure(new ObjectMapper(yamlFactory()));

  private Jackson() {}

  private static JsonFactory jsonFactory() {
    return JsonFactory.builder()
        .streamReadConstraints(LIMITS)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        .build();
  }

  private static YAMLFactory yamlFactory() {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(50);
    options.setNestingDepthLimit(MAX_NESTING_DEPTH);
    options.setCodePointLimit(MAX_DOCUMENT_LENGTH);
    options.setAllowDuplicateKeys(false);
    return YAMLFactory.builder()
        .loaderOptions(options)
        .streamReadConstraints(LIMITS)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        // "tool:" with nothing after it is an empty entry, as a YAML reader expects
        .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
        .build();
  }

  private static ObjectMapper configure(ObjectMapper mapper) {
    return mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }
}
