package io.toolgate.gateway.internal;

/**
 * The agent's side of one session, as the relay sees it: where messages for the client go. The
 * agent's stdio now; a streamable HTTP session fits the same shape.
 */
public interface Downstream {
  /** Sends one JSON-RPC message (one line of JSON, no newline) to the client. Thread-safe. */
  void send(String message);
}
