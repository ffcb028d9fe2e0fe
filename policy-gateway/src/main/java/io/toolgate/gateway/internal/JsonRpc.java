package io.toolgate.gateway.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;

/**
 * Reading and writing JSON-RPC 2.0 messages: the parsers (with limits) and the error responses
 * the gateway itself sends.
 */
public final class JsonRpc {
  /** Invalid JSON was received. */
  public static final int PARSE_ERROR = -32700;
  /** The JSON sent is not a valid request object (also: batches, too large a message). */
  public static final int INVALID_REQUEST = -32600;
  /** Invalid method parameters (a {@code tools/call} without a name, or with arguments that are not an object). */
  public static final int INVALID_PARAMS = -32602;
  /** Internal error of the gateway. */
  public static final int INTERNAL_ERROR = -32603;
  /** The upstream server could not answer: it exited, is restarting, or did not answer in time. */
  public static final int UPSTREAM_UNAVAILABLE = -32001;
  /** Too many requests are waiting for the upstream server. */
  public static final int BUSY = -32002;

  /** Deepest nesting accepted in a message from the agent. */
  public static final int MAX_NESTING_DEPTH = 64;

  private static final ObjectMapper WRITER = new ObjectMapper();

  private JsonRpc() {}

  /** The largest integer id the gateway accepts (2^53 - 1: every MCP SDK, JavaScript's too, reads it exactly). */
  public static final long MAX_SAFE_ID = 9_007_199_254_740_991L;

  /**
   * A parser for messages of at most {@code maxBytes}. Anything after the first JSON value but
   * whitespace is refused: the gateway decides on one message and relays that message, never a
   * second one hidden after it. {@code strict}: duplicate keys are refused and nesting is bounded,
   * for what the agent sends, so the gateway and the server can never read one message two ways.
   */
  public static ObjectMapper parser(int maxBytes, boolean strict) {
    StreamReadConstraints.Builder limits =
        StreamReadConstraints.builder().maxStringLength(maxBytes).maxDocumentLength(maxBytes).maxNumberLength(1000);
    if (strict) {
      limits.maxNestingDepth(MAX_NESTING_DEPTH);
    }
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(limits.build())
        .configure(StreamReadFeature.STRICT_DUPLICATE_DETECTION, strict)
        .build();
    return new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /**
   * {@code json}, the text of one JSON value, as one line that no line reader splits: a carriage
   * return or line feed in a JSON text is whitespace (JSON strings cannot hold them raw), so it
   * becomes a space; U+0085, U+2028 and U+2029 (line breaks to some readers, and legal raw only in
   * strings) become their escapes. The same text when there is none of them (the usual case).
   */
  public static String oneLine(String json) {
    int i = 0;
    int length = json.length();
    while (i < length && !breaksLine(json.charAt(i))) {
      i++;
    }
    if (i == length) {
      return json;
    }
    StringBuilder line = new StringBuilder(length + 16).append(json, 0, i);
    for (; i < length; i++) {
      char c = json.charAt(i);
      switch (c) {
        case '\r', '\n' -> line.append(' ');
        case '\u0085' -> line.append("\\u0085");
        case '\u2028' -> line.append("\\u2028");
        case '\u2029' -> line.append("\\u2029");
        default -> line.append(c);
      }
    }
    return line.toString();
  }

  private static boolean breaksLine(char c) {
    return c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029';
  }

  /** Whether {@code id} may identify a request: a string, or an integer of at most {@link #MAX_SAFE_ID} either way. */
  public static boolean validId(JsonNode id) {
    return id != null && (id.isTextual()
        || id.isIntegralNumber() && id.canConvertToLong() && Math.abs(id.longValue()) <= MAX_SAFE_ID);
  }

  /** A JSON-RPC error response to {@code id} ({@code null}: the id could not be read). */
  public static String error(JsonNode id, int code, String message) {
    ObjectNode error = JsonNodeFactory.instance.objectNode().put("code", code).put("message", message);
    ObjectNode response = JsonNodeFactory.instance.objectNode().put("jsonrpc", "2.0");
    response.set("id", id == null ? NullNode.getInstance() : id);
    response.set("error", error);
    return write(response);
  }

  /** A JSON-RPC result response to {@code id}. */
  public static String result(JsonNode id, JsonNode result) {
    ObjectNode response = JsonNodeFactory.instance.objectNode().put("jsonrpc", "2.0");
    response.set("id", id);
    response.set("result", result);
    return write(response);
  }

  /** {@code node} as one line of JSON. */
  public static String write(JsonNode node) {
    try {
      return WRITER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
