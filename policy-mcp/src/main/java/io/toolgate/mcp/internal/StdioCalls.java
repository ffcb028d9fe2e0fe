package io.toolgate.mcp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code tools/call} requests and {@code notifications/cancelled} one stdio client sent, as
 * {@link StdioScanner} saw them on the server's input. On stdio the SDK gives a tool handler
 * neither a transport context nor the request's JSON-RPC id, so the guard {@link #claim}s the
 * {@link CancelSlot} of the oldest unclaimed call with the same name, arguments and {@code _meta};
 * a cancellation names the call by its id. A call that cannot be held is {@link #passed} by its
 * name alone (nothing hashed), so that no unclaimed call of its tool is left behind for a later
 * claim to take. Bounded: the oldest of more than {@value #MAX_TRACKED} calls is forgotten.
 * Thread-safe.
 */
public final class StdioCalls {
  /** Calls remembered per stdio input; an older one can no longer be cancelled. */
  static final int MAX_TRACKED = 1024;

  /** The open inputs' calls, copied on change: read on every guarded call, with no allocation. */
  private static volatile StdioCalls[] open = new StdioCalls[0];
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CANCELLED = "notifications/cancelled";
  private static final String TOOLS_CALL = "tools/call";
  private static final byte[] CANCELLED_BYTES = CANCELLED.getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TOOLS_CALL_BYTES = TOOLS_CALL.getBytes(StandardCharsets.US_ASCII);

  /** The calls no guard has claimed or passed yet, oldest first: usually the few in flight. */
  private final List<Entry> unclaimed = new ArrayList<>();

  private final Map<String, Entry> calls = new LinkedHashMap<>() {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
      if (size() > MAX_TRACKED) {
        unclaimed.remove(eldest.getValue());
        return true;
      }
      return false;
    }
  };

  private StdioCalls() {}

  /** The calls of a newly wrapped input, open until {@link #close}. */
  static StdioCalls open() {
    StdioCalls calls = new StdioCalls();
    synchronized (StdioCalls.class) {
      StdioCalls[] now = Arrays.copyOf(open, open.length + 1);
      now[now.length - 1] = calls;
      open = now;
    }
    return calls;
  }

  /** The input ended or was closed: its calls can no longer be claimed. */
  void close() {
    synchronized (StdioCalls.class) {
      open = Arrays.stream(open).filter(calls -> calls != this).toArray(StdioCalls[]::new);
    }
  }

  /**
   * The slot of the oldest unclaimed {@code tools/call} on an open stdio input with this name,
   * arguments and {@code _meta}; {@code null} when there is none (then nothing is computed if no
   * stdio input is wrapped).
   */
  public static CancelSlot claim(String name, Map<String, Object> arguments, Map<String, Object> meta) {
    StdioCalls[] inputs = open;
    if (inputs.length == 0) {
      return null;
    }
    byte[] digest;
    try {
      digest = digest(JSON.valueToTree(name), JSON.valueToTree(arguments), JSON.valueToTree(meta));
    } catch (IllegalArgumentException e) {
      return null; // arguments Jackson cannot represent: no call on the wire had them
    }
    for (StdioCalls calls : inputs) {
      CancelSlot slot = calls.claim(digest);
      if (slot != null) {
        return slot;
      }
    }
    return null;
  }

  private synchronized CancelSlot claim(byte[] digest) {
    for (int i = 0; i < unclaimed.size(); i++) {
      Entry entry = unclaimed.get(i);
      if (Arrays.equals(entry.digest, digest)) {
        unclaimed.remove(i);
        return entry.slot;
      }
    }
    return null;
  }

  /**
   * A call of {@code name} that cannot be held: the oldest unclaimed call with that name on an
   * open stdio input is taken off the list, unhashed (nothing is done if no stdio input is
   * wrapped). While no approval entry can match the tool, which of its calls is taken does not
   * matter.
   */
  public static void passed(String name) {
    StdioCalls[] inputs = open;
    if (name == null || inputs.length == 0) {
      return;
    }
    for (StdioCalls calls : inputs) {
      if (calls.pass(name)) {
        return;
      }
    }
  }

  private synchronized boolean pass(String name) {
    for (int i = 0; i < unclaimed.size(); i++) {
      if (name.equals(unclaimed.get(i).name)) {
        unclaimed.remove(i);
        return true;
      }
    }
    return false;
  }

  /**
   * One complete line the client sent ({@code line[0..length)}). Only a line that contains {@code
   * tools/call} or {@code notifications/cancelled} is parsed; one that is not JSON is ignored.
   */
  void line(byte[] line, int length) {
    boolean cancelled = contains(line, length, CANCELLED_BYTES);
    if (!cancelled && !contains(line, length, TOOLS_CALL_BYTES)) {
      return;
    }
    JsonNode message;
    try {
      message = JSON.readTree(line, 0, length);
    } catch (java.io.IOException | RuntimeException e) {
      return; // not JSON (or not UTF-8): the transport answers it
    }
    if (message == null || !message.isObject() || !message.path("method").isTextual()) {
      return;
    }
    String method = message.get("method").asText();
    JsonNode params = message.path("params");
    if (cancelled && CANCELLED.equals(method) && !message.has("id")) {
      String key = key(params.path("requestId"));
      CancelSlot slot;
      synchronized (this) {
        Entry entry = key == null ? null : calls.get(key);
        slot = entry == null ? null : entry.slot;
      }
      if (slot != null) {
        slot.cancel();
      }
    } else if (TOOLS_CALL.equals(method)) {
      String key = key(message.path("id"));
      if (key != null) {
        JsonNode name = params.path("name");
        Entry entry = new Entry(name.isValueNode() ? name.asText() : null,
            digest(name, params.path("arguments"), params.path("_meta")));
        synchronized (this) {
          Entry reused = calls.remove(key); // a reused id: the newest call is the one it names
          if (reused != null) {
            unclaimed.remove(reused);
          }
          calls.put(key, entry);
          unclaimed.add(entry);
        }
      }
    }
  }

  /** A JSON-RPC id (a string or an integer) as a map key; {@code null} for any other id. */
  private static String key(JsonNode id) {
    if (id.isTextual()) {
      return "s" + id.asText();
    }
    if (id.isIntegralNumber()) {
      return "n" + id.bigIntegerValue();
    }
    return null;
  }

  private static boolean contains(byte[] line, int length, byte[] word) {
    outer:
    for (int i = 0; i <= length - word.length; i++) {
      for (int j = 0; j < word.length; j++) {
        if (line[i + j] != word[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** SHA-256 of the canonical form of a call's name, arguments and {@code _meta}. */
  static byte[] digest(JsonNode name, JsonNode arguments, JsonNode meta) {
    StringBuilder out = new StringBuilder();
    canonical(name, out);
    out.append('\u0000');
    canonical(arguments, out);
    out.append('\u0000');
    canonical(meta, out);
    try {
      return MessageDigest.getInstance("SHA-256").digest(out.toString().getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * Keys sorted, numbers by value; absent, {@code null} and an empty object are the same (the
   * SDK may turn one into another).
   */
  private static void canonical(JsonNode node, StringBuilder out) {
    if (node == null || node.isMissingNode() || node.isNull() || node.isObject() && node.isEmpty()) {
      out.append('~');
    } else if (node.isObject()) {
      TreeMap<String, JsonNode> fields = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        fields.put(field.getKey(), field.getValue());
      }
      out.append('{');
      fields.forEach((key, value) -> {
        out.append(JSON.getNodeFactory().textNode(key)).append(':');
        canonical(value, out);
        out.append(',');
      });
      out.append('}');
    } else if (node.isArray()) {
      out.append('[');
      node.forEach(element -> {
        canonical(element, out);
        out.append(',');
      });
      out.append(']');
    } else if (node.isIntegralNumber()) {
      out.append(node.bigIntegerValue());
    } else if (node.isNumber()) {
      out.append(node.decimalValue().stripTrailingZeros().toPlainString());
    } else {
      out.append(node); // a string (quoted) or a boolean
    }
  }

  private static final class Entry {
    final String name;
    final byte[] digest;
    final CancelSlot slot = new CancelSlot();

    Entry(String name, byte[] digest) {
      this.name = name;
      this.digest = digest;
    }
  }
}
