package io.toolgate.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Objects;

/**
 * One tool call as an agent asked for it: the tool's name and its arguments.
 *
 * <p>The name is taken exactly as given: case, white space and Unicode are not normalised, and
 * any string, the empty one included, is a valid name. Arguments may be given as a {@link
 * JsonNode} or as a {@code Map} of JSON-compatible values; a map is converted to JSON only if a
 * rule of the policy reads the arguments, and then once. Instances are immutable when the
 * arguments given to them are not modified afterwards.
 *
 * <p>A protocol adapter may attach the call's {@link CallEnvelope} ({@link #withEnvelope}) for
 * observers to read; the policy never reads it.
 */
public final class ToolCall {
  private static final ObjectMapper CONVERTER = new ObjectMapper();
  private static final ObjectNode EMPTY = JsonNodeFactory.instance.objectNode();

  private final String tool;
  private final Map<String, ?> argumentMap;
  private final CallEnvelope envelope;
  private volatile JsonNode arguments;

  private ToolCall(String tool, JsonNode arguments, Map<String, ?> argumentMap) {
    this(tool, arguments, argumentMap, CallEnvelope.NONE);
  }

  private ToolCall(String tool, JsonNode arguments, Map<String, ?> argumentMap, CallEnvelope envelope) {
    this.tool = Objects.requireNonNull(tool, "tool name");
    this.arguments = arguments;
    this.argumentMap = argumentMap;
    this.envelope = envelope;
  }

  /** A call with no arguments. */
  public static ToolCall of(String tool) {
    return new ToolCall(tool, EMPTY, null);
  }

  /**
   * A call with JSON arguments. A {@code null} or JSON {@code null} argument tree means no
   * arguments; any other non-object tree is kept as it is and fails every rule that reads it.
   */
  public static ToolCall of(String tool, JsonNode arguments) {
    return new ToolCall(tool, arguments == null || arguments.isNull() ? EMPTY : arguments, null);
  }

  /**
   * A call with arguments as a map of JSON-compatible values (strings, numbers, booleans, lists,
   * maps, {@code null}). The map is not copied; it is converted to JSON lazily, the first time a
   * rule reads it.
   */
  public static ToolCall of(String tool, Map<String, ?> arguments) {
    return arguments == null || arguments.isEmpty()
        ? new ToolCall(tool, EMPTY, null)
        : new ToolCall(tool, null, arguments);
  }

  /**
   * This call, carried in {@code envelope}: the same name and arguments (not copied, nor
   * converted), for observers to read the protocol's request id, session and metadata.
   */
  public ToolCall withEnvelope(CallEnvelope envelope) {
    return new ToolCall(tool, arguments, argumentMap, Objects.requireNonNull(envelope, "envelope"));
  }

  /** What the protocol that carried this call knows of it; {@link CallEnvelope#NONE} by default. */
  public CallEnvelope envelope() {
    return envelope;
  }

  /** The tool's name, exactly as the agent sent it. */
  public String tool() {
    return tool;
  }

  /**
   * The arguments as JSON, converting a map given at construction once.
   *
   * @throws IllegalArgumentException if a map given at construction holds a value that is not
   *     JSON-compatible; the engine turns this into a denial, never an exception
   */
  public JsonNode arguments() {
    JsonNode tree = arguments;
    if (tree == null) {
      try {
        tree = CONVERTER.valueToTree(argumentMap);
      } catch (RuntimeException | StackOverflowError e) {
        throw new IllegalArgumentException("arguments are not JSON-compatible: " + e.getMessage(), e);
      }
      arguments = tree;
    }
    return tree;
  }

  @Override
  public String toString() {
    return "ToolCall[" + tool + ", " + (arguments != null ? arguments : argumentMap) + "]";
  }
}
