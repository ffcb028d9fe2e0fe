package io.toolgate.api;

/**
 * What the protocol that carried a call knows of it beyond its name and arguments: which side of
 * the exchange the engine is on, the protocol's method and request id, its session, and the
 * string entries of the request's metadata (in MCP, {@code params._meta}). Observers read it from
 * {@link ToolCall#envelope()}: a tracing observer takes its parent from the metadata of a call a
 * server received, and writes its own trace context into the metadata of a call a client is about
 * to send. The policy never reads it.
 *
 * <p>Adapters read nothing ahead: an envelope looks a key up when asked. They attach one only when
 * the engine has observers ({@code PolicyEngine.isObserved()}), so a call nobody observes carries
 * {@link #NONE}, as a call made directly through the engine does.
 */
public interface CallEnvelope {

  /** A call made directly through the engine: no protocol, no metadata. */
  CallEnvelope NONE = new CallEnvelope() {};

  /** Which side of a protocol exchange the engine decides the call on. */
  enum Side {
    /** No exchange: the engine was called directly. */
    INTERNAL,
    /** The call was received from a peer (an MCP server's guard). */
    SERVER,
    /** The call is about to be sent to a peer (an MCP client's transport). */
    CLIENT
  }

  /** The side the call is decided on; {@link Side#INTERNAL} by default. */
  default Side side() {
    return Side.INTERNAL;
  }

  /** The protocol method that carries the call, for example {@code tools/call}; or {@code null}. */
  default String method() {
    return null;
  }

  /** The request's id as text (in MCP, the JSON-RPC id), or {@code null} when not known. */
  default String requestId() {
    return null;
  }

  /** The protocol session's id (in MCP, the transport session), or {@code null}. */
  default String sessionId() {
    return null;
  }

  /** The request metadata's entry {@code key} when it is a string, else {@code null}. */
  default String metadata(String key) {
    return null;
  }

  /** The keys of the request's metadata. */
  default Iterable<String> metadataKeys() {
    return java.util.List.of();
  }

  /**
   * Adds an entry to the metadata of the request about to be sent. Only a {@link Side#CLIENT}
   * envelope keeps it, and only if it is called before the request leaves, that is from {@link
   * CallObserver#start} or {@link CallObservation#decided}; other envelopes ignore it.
   */
  default void putMetadata(String key, String value) {}

  /**
   * The engine holds the call until {@code until} for an answer to approval request {@code
   * approvalId} (a {@code require_approval} entry with {@code wait}). Called once, before the wait
   * begins, on the thread deciding the call; the wait ends when the call's decision is made. A
   * protocol that can tell its peer the call is still alive (MCP progress notifications) does so;
   * other envelopes ignore it. It must return at once: the wait has not begun yet.
   */
  default void held(String approvalId, java.time.Instant until) {}
}
