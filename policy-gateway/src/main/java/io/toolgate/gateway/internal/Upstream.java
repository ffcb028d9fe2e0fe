package io.toolgate.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * The real MCP server, as the relay sees it: a place to send JSON-RPC messages and a source of
 * them. A child process over stdio now; a streamable HTTP URL fits the same shape.
 */
public interface Upstream extends AutoCloseable {
  /** Hears what the server sends and which requests it will never answer. */
  interface Listener {
    /** A message from the server (a response, a notification, or a request to the client). */
    void received(Message message);

    /**
     * A notification or request from the server that came on the answer to the client's request
     * {@code relatedTo} (its progress, say), so that it may reach the client the same way, before
     * that request's response. By default as {@link #received(Message)}.
     */
    default void received(Message message, JsonNode relatedTo) {
      received(message);
    }

    /** The request {@code id}, sent earlier, will get no response (the server went away). */
    void lost(JsonNode id, String reason);
  }

  /**
   * Connects; from now on messages go to {@code listener}.
   *
   * @throws IOException if the server cannot be reached at all
   */
  void start(Listener listener) throws IOException;

  /**
   * Tells {@code readiness} {@code true} each time the server answers the session's {@code
   * initialize} with a result, {@code false} when it cannot be reached, refuses it, or goes away;
   * call before {@link #start}. Default: tells nothing.
   */
  default void onReadiness(Consumer<Boolean> readiness) {}

  /** Sends {@code message} as it is, or holds it while the server restarts. Never blocks on I/O. */
  void send(Message message);

  /**
   * The relay no longer waits for the response to request {@code id} (it timed out, or the client
   * cancelled it): a response that still comes is dropped, and the id need not be remembered.
   */
  void forget(JsonNode id);

  /** Disconnects and stops the server if the upstream started it. Idempotent. */
  @Override
  void close();
}
