package io.toolgate.cli.scan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.Objects;

/**
 * One tool from a server's {@code tools/list}, as read from the raw reply: nothing in it is
 * trusted, and any of it may be malformed.
 *
 * @param name the tool's name, exactly as listed
 * @param description its description, or {@code null} when absent or not a string
 * @param inputSchema its {@code inputSchema} as sent (any JSON; {@link MissingNode} when absent)
 * @param hints its annotations' hints
 */
public record ScannedTool(String name, String description, JsonNode inputSchema, Hints hints) {
  public ScannedTool {
    Objects.requireNonNull(name, "name");
    inputSchema = inputSchema == null ? MissingNode.getInstance() : inputSchema;
    hints = hints == null ? Hints.NONE : hints;
  }

  /**
   * The MCP tool annotations' hints; each {@code null} when the server did not send it as a
   * boolean.
   */
  public record Hints(Boolean readOnly, Boolean destructive, Boolean idempotent, Boolean openWorld) {
    /** No annotations. */
    public static final Hints NONE = new Hints(null, null, null, null);

    /** Reads the hints from an {@code annotations} object; anything else gives {@link #NONE}. */
    public static Hints of(JsonNode annotations) {
      if (annotations == null || !annotations.isObject()) {
        return NONE;
      }
      return new Hints(flag(annotations, "readOnlyHint"), flag(annotations, "destructiveHint"),
          flag(annotations, "idempotentHint"), flag(annotations, "openWorldHint"));
    }

    private static Boolean flag(JsonNode annotations, String field) {
      JsonNode value = annotations.get(field);
      return value != null && value.isBoolean() ? value.booleanValue() : null;
    }
  }
}
