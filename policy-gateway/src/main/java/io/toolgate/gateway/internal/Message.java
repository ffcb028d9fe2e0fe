package io.toolgate.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One JSON-RPC message as it crossed the wire: its text, relayed as it came except that it is
 * always one line ({@link JsonRpc#oneLine}), and its parsed form, read only to route it.
 */
public record Message(String text, ObjectNode json) {
  /**
   * {@code text} must be the one JSON value {@code json} was parsed from; it is made one line, so
   * that no reader on the other side splits it into messages the gateway did not see.
   */
  public Message {
    text = JsonRpc.oneLine(text);
  }

  /** The kinds of JSON-RPC 2.0 message. */
  public enum Kind {
    REQUEST,
    NOTIFICATION,
    RESPONSE
  }

  /** What the message is, by the JSON-RPC 2.0 rules (a method and an id make a request). */
  public Kind kind() {
    if (json.has("method")) {
      return json.has("id") ? Kind.REQUEST : Kind.NOTIFICATION;
    }
    return Kind.RESPONSE;
  }

  /** The method, or {@code null} for a response. */
  public String method() {
    JsonNode method = json.get("method");
    return method != null && method.isTextual() ? method.asText() : null;
  }

  /** The id, or {@code null} for a notification. */
  public JsonNode id() {
    return json.get("id");
  }

  /** Whether this is a request for {@code method}. */
  public boolean isRequest(String method) {
    return kind() == Kind.REQUEST && method.equals(method());
  }

  /** Whether this is a notification of {@code method}. */
  public boolean isNotification(String method) {
    return kind() == Kind.NOTIFICATION && method.equals(method());
  }
}
