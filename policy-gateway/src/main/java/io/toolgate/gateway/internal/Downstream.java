package io.toolgate.gateway.internal;

/**
 * The agent's side of one session, as the relay sees it: where messages for the client go. The
 * agent's stdio now; a streamable HTTP session fits the same shape.
 */
public interface Downstream {
  /** Sends one JSON-RPC message (one line of JSON, no newline) to the client. Thread-safe. */
  void send(String message);

  /**
   * Sends {@code message}, a notification or request from the server about the client's request
   * {@code relatedTo} (its progress, say): for a downstream that can put it where that request's
   * response will go, before it. By default {@link #send(String)}.
   */
  default void send(String message, com.fasterxml.jackson.databind.JsonNode relatedTo) {
    send(message);
  }

  /**
   * Sends {@code response}, the response to the client's request {@code id}: for a downstream
   * that routes responses by id, without reading the message again. By default {@link #send}.
   */
  default void respond(com.fasterxml.jackson.databind.JsonNode id, String response) {
    send(response);
  }

  /**
   * Where the relay runs what its timer fires (progress, request timeouts), which may write to
   * the client: by default on the timer's thread itself (a stdio gateway serves one client). A
   * session among many runs them elsewhere, so that one client that does not read never stalls
   * the others' timers.
   */
  default java.util.concurrent.Executor writer() {
    return Runnable::run;
  }
}
