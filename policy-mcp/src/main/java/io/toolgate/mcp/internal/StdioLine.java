package io.toolgate.mcp.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Arrays;

/**
 * What {@link StdioCalls} needs to know of one line of a stdio server's input, read with a
 * streaming scan (no tree; no string is made of what it skips, arguments and {@code _meta} among
 * them): the JSON-RPC {@code method}, whether there is an {@code id} and which, and of {@code
 * params} the {@code name} and the {@code requestId}. The whole first JSON value of the line is
 * read, so a line that is not JSON (invalid UTF-8, too deep) throws as a tree parse would; as in a
 * tree, where a field appears twice, the last counts.
 */
final class StdioLine {
  /** The method, as far as stdio cancellation cares. */
  enum Method {
    /** {@code tools/call}. */
    CALL,
    /** {@code notifications/cancelled}. */
    CANCELLED,
    /** Any other string. */
    OTHER
  }

  private static final char[] TOOLS_CALL = "tools/call".toCharArray();
  private static final char[] CANCELLED = "notifications/cancelled".toCharArray();

  private Method method;
  private boolean hasId;
  private String id;
  private String name;
  private String requestId;

  private StdioLine() {}

  /**
   * The scan of {@code line[0..length)}; {@code null} when it is not a JSON object or its {@code
   * method} is not a string.
   *
   * @throws IOException when the line is not JSON
   */
  static StdioLine scan(JsonFactory json, byte[] line, int length) throws IOException {
    try (JsonParser parser = json.createParser(line, 0, length)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        if (parser.currentToken() != null) {
          parser.skipChildren(); // read, as a tree parse would, so that broken JSON throws
        }
        return null;
      }
      StdioLine scan = new StdioLine();
      boolean textMethod = false;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (field) {
          case "method" -> {
            textMethod = value == JsonToken.VALUE_STRING;
            scan.method = textMethod ? method(parser) : null;
            parser.skipChildren();
          }
          case "id" -> {
            scan.hasId = true;
            scan.id = PostedMessage.key(parser, value);
          }
          case "params" -> scan.params(parser, value);
          default -> parser.skipChildren();
        }
      }
      return textMethod ? scan : null;
    }
  }

  /** The fields of {@code params} that count, read from a fresh {@code params} (the last one counts). */
  private void params(JsonParser parser, JsonToken value) throws IOException {
    name = null;
    requestId = null;
    if (value != JsonToken.START_OBJECT) {
      parser.skipChildren();
      return;
    }
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken next = parser.nextToken();
      if ("name".equals(field)) {
        name = next == JsonToken.VALUE_STRING ? parser.getText() : null;
        parser.skipChildren();
      } else if ("requestId".equals(field)) {
        requestId = PostedMessage.key(parser, next);
      } else {
        parser.skipChildren();
      }
    }
  }

  /** The method, compared where the parser decoded it: no string is made of it. */
  private static Method method(JsonParser parser) throws IOException {
    char[] text = parser.getTextCharacters();
    int offset = parser.getTextOffset();
    int length = parser.getTextLength();
    if (Arrays.equals(text, offset, offset + length, TOOLS_CALL, 0, TOOLS_CALL.length)) {
      return Method.CALL;
    }
    return Arrays.equals(text, offset, offset + length, CANCELLED, 0, CANCELLED.length)
        ? Method.CANCELLED : Method.OTHER;
  }

  /** The method; {@code null} when the line has none that is a string. */
  Method method() {
    return method;
  }

  /** Whether the message has an {@code id} field, whatever its value. */
  boolean hasId() {
    return hasId;
  }

  /** The request's id as a key; {@code null} when there is none, or it is neither a string nor an integer. */
  String id() {
    return id;
  }

  /** The called tool's name; {@code null} when {@code params.name} is missing or not a string. */
  String name() {
    return name;
  }

  /** The id a cancellation names, as a key; {@code null} when it names none a call can have. */
  String requestId() {
    return requestId;
  }
}
