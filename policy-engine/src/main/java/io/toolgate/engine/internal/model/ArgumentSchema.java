package io.toolgate.engine.internal.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import org.everit.json.schema.Schema;

/**
 * A tool entry's {@code arguments} JSON Schema (draft-07), loaded by Everit with RE2/J for its
 * {@code pattern}s.
 *
 * @param pointer JSON Pointer of the schema in the document
 * @param schema the loaded schema
 * @param source the schema as written
 */
public record ArgumentSchema(String pointer, Schema schema, JsonNode source) {
  public ArgumentSchema {
    Objects.requireNonNull(pointer, "pointer");
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(source, "source");
  }
}
