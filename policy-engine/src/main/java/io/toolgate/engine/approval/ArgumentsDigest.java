package io.toolgate.engine.approval;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.engine.internal.CanonicalJson;

/**
 * The digest that identifies a call's arguments in an approval queue and in the audit's {@code
 * args_digest}: lower-case hex SHA-256 of the canonical JSON (key order does not matter, numbers
 * compare by value). For approval queues outside the engine, such as the Redis one.
 */
public final class ArgumentsDigest {
  private ArgumentsDigest() {}

  /**
   * The digest of {@code arguments}.
   *
   * @throws IllegalArgumentException if the arguments cannot be read as JSON
   */
  public static String of(JsonNode arguments) {
    return CanonicalJson.sha256Hex(arguments);
  }
}
