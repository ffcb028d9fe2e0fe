package io.toolgate.mcp.internal;

import io.modelcontextprotocol.spec.McpSchema;
import io.toolgate.api.CallEnvelope;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link CallEnvelope}s of MCP {@code tools/call} requests: the one a server's guard received
 * (its {@code params._meta} read on demand, never copied; told when the engine holds it) and the one a client's transport is
 * about to send (entries an observer adds, kept for {@link Outgoing#addTo}).
 */
public final class McpEnvelopes {
  private McpEnvelopes() {}

  /** A {@code tools/call} a server received, in MCP session {@code sessionId} ({@code null}: none). */
  public static CallEnvelope received(Map<String, Object> meta, String sessionId) {
    return received(meta, sessionId, null);
  }

  /**
   * As {@link #received(Map, String)}, telling {@code held} ({@code null}: nothing) when the
   * engine holds the call for an approval.
   */
  public static CallEnvelope received(Map<String, Object> meta, String sessionId, HeldCall held) {
    return new Received(meta == null ? Map.of() : meta, sessionId, held);
  }

  /** The envelope of a {@code tools/call} a client sends as request {@code requestId}. */
  public static Outgoing outgoing(Object requestId) {
    return new Outgoing(requestId == null ? null : String.valueOf(requestId));
  }

  private record Received(Map<String, Object> meta, String sessionId, HeldCall waiting) implements CallEnvelope {
    @Override
    public void held(String approvalId, java.time.Instant until) {
      if (waiting != null) {
        waiting.held(approvalId, until);
      }
    }

    @Override
    public Side side() {
      return Side.SERVER;
    }

    @Override
    public String method() {
      return McpSchema.METHOD_TOOLS_CALL;
    }

    @Override
    public String metadata(String key) {
      return meta.get(key) instanceof String value ? value : null;
    }

    @Override
    public Iterable<String> metadataKeys() {
      return meta.keySet();
    }
  }

  /**
   * A request about to be sent: observers add metadata to it while the call is decided, and the
   * transport writes what they added into the request's {@code _meta}. Used by one call, on the
   * threads that decide it in turn.
   */
  public static final class Outgoing implements CallEnvelope {
    private final String requestId;
    private Map<String, String> added;

    private Outgoing(String requestId) {
      this.requestId = requestId;
    }

    @Override
    public Side side() {
      return Side.CLIENT;
    }

    @Override
    public String method() {
      return McpSchema.METHOD_TOOLS_CALL;
    }

    @Override
    public String requestId() {
      return requestId;
    }

    @Override
    public synchronized String metadata(String key) {
      return added == null ? null : added.get(key);
    }

    @Override
    public synchronized Iterable<String> metadataKeys() {
      return added == null ? List.of() : List.copyOf(added.keySet());
    }

    @Override
    public synchronized void putMetadata(String key, String value) {
      if (key != null && value != null) {
        if (added == null) {
          added = new LinkedHashMap<>();
        }
        added.put(key, value);
      }
    }

    /**
     * {@code params} (a {@code tools/call}'s params as a map) with the added entries in its {@code
     * _meta}, over any the caller set under the same keys; {@code null} when nothing was added, so
     * the request is sent as it is.
     */
    public synchronized Map<String, Object> addTo(Map<String, Object> params) {
      if (added == null) {
        return null;
      }
      Map<String, Object> copy = new LinkedHashMap<>(params == null ? Map.of() : params);
      Map<String, Object> meta = new LinkedHashMap<>();
      if (copy.get("_meta") instanceof Map<?, ?> existing) {
        existing.forEach((k, v) -> meta.put(String.valueOf(k), v));
      }
      meta.putAll(added);
      copy.put("_meta", meta);
      return copy;
    }

    /** Whether an observer added metadata. */
    public synchronized boolean hasAdditions() {
      return added != null;
    }
  }
}
