package io.toolgate.mcp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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
import java.util.function.Predicate;

/**
 * The {@code tools/call} requests and {@code notifications/cancelled} one stdio client sent, as
 * {@link StdioScanner} saw them on the server's input. On stdio the SDK gives a tool handler
 * neither a transport context nor the request's JSON-RPC id, so the guard {@link #claim}s the
 * {@link CancelSlot} of the oldest unclaimed call with the same name, arguments and {@code _meta};
 * a cancellation names the call by its id. Given the rule of the guard behind the input ({@code
 * mayHold}), a {@code tools/call} line is parsed into a tree and hashed only when its tool may be
 * held; a line of any other tool is read by a streaming scan (no tree, no hash) and not listed.
 * A call that the guard finds cannot be held is {@link #passed}: its own entry, if its tool's
 * calls are listed at all (the input has no rule, or a reload changed it), is taken off the list,
 * so that none is left behind for a later claim to take. Bounded: the oldest of more than {@value
 * #MAX_TRACKED} calls is forgotten. Thread-safe.
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

  /** Whether a tool's calls may be held; {@code null}: every tool's may. */
  private final Predicate<String> mayHold;

  /** How many contents were hashed for this input (see {@link #digested()}): read by tests. */
  private int digested;

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

  private StdioCalls(Predicate<String> mayHold) {
    this.mayHold = mayHold;
  }

  /**
   * The calls of a newly wrapped input, open until {@link #close}: only those of a tool {@code
   * mayHold} accepts are hashed and listed ({@code null}: every tool's).
   */
  static StdioCalls open(Predicate<String> mayHold) {
    StdioCalls calls = new StdioCalls(mayHold);
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
   * A call that cannot be held: its entry, when an open stdio input lists calls of {@code name},
   * is taken off that list, found by its content as {@link #claim} finds it, never another call's
   * of the same name (a reload may make the tool holdable before that one is claimed). Nothing is
   * hashed when no input lists a call of {@code name}, as none does for a tool its guard cannot
   * hold.
   */
  public static void passed(String name, Map<String, Object> arguments, Map<String, Object> meta) {
    StdioCalls[] inputs = open;
    if (name == null || inputs.length == 0) {
      return;
    }
    byte[] digest = null;
    for (StdioCalls calls : inputs) {
      if (!calls.lists(name)) {
        continue;
      }
      if (digest == null) {
        try {
          digest = digest(JSON.valueToTree(name), JSON.valueToTree(arguments), JSON.valueToTree(meta));
        } catch (IllegalArgumentException e) {
          return; // arguments Jackson cannot represent: no call on the wire had them
        }
        calls.hashed();
      }
      if (calls.claim(digest) != null) {
        return;
      }
    }
  }

  private synchronized boolean lists(String name) {
    for (Entry entry : unclaimed) {
      if (name.equals(entry.name)) {
        return true;
      }
    }
    return false;
  }

  private synchronized void hashed() {
    digested++;
  }

  /**
   * How many contents were hashed for this input's calls: its {@code tools/call} lines parsed into
   * a tree and hashed as they were read, and passed calls hashed to find their entry on its list.
   */
  synchronized int digested() {
    return digested;
  }

  /**
   * One complete line the client sent ({@code line[0..length)}). Only a line that contains {@code
   * tools/call} or {@code notifications/cancelled} is parsed; one that is not JSON is ignored.
   * Without a rule every such line is parsed into a tree; with one, a streaming scan reads it
   * first, and only a call of a tool that may be held is parsed into a tree and hashed.
   */
  void line(byte[] line, int length) {
    boolean cancelled = contains(line, length, CANCELLED_BYTES);
    if (!cancelled && !contains(line, length, TOOLS_CALL_BYTES)) {
      return;
    }
    if (mayHold == null) {
      tree(line, length, cancelled);
      return;
    }
    StdioLine scan;
    try {
      scan = StdioLine.scan(JSON.getFactory(), line, length);
    } catch (IOException | RuntimeException e) {
      return; // not JSON (or not UTF-8): the transport answers it
    }
    if (scan == null) {
      return;
    }
    if (scan.method() == StdioLine.Method.CANCELLED) {
      if (cancelled && !scan.hasId()) {
        cancel(scan.requestId());
      }
    } else if (scan.method() == StdioLine.Method.CALL && scan.id() != null) {
      if (scan.name() == null || mayHold.test(scan.name())) {
        tree(line, length, false); // a call that may be held: by its content, as always
      } else {
        forget(scan.id()); // not listed; a reused id no longer names an older call
      }
    }
  }

  /** The line as a tree: a cancellation, or a call listed with the hash of its content. */
  private void tree(byte[] line, int length, boolean cancelled) {
    JsonNode message;
    try {
      message = JSON.readTree(line, 0, length);
    } catch (IOException | RuntimeException e) {
      return; // not JSON (or not UTF-8): the transport answers it
    }
    if (message == null || !message.isObject() || !message.path("method").isTextual()) {
      return;
    }
    String method = message.get("method").asText();
    JsonNode params = message.path("params");
    if (cancelled && CANCELLED.equals(method) && !message.has("id")) {
      cancel(key(params.path("requestId")));
    } else if (TOOLS_CALL.equals(method)) {
      String key = key(message.path("id"));
      if (key != null) {
        JsonNode name = params.path("name");
        Entry entry = new Entry(name.isValueNode() ? name.asText() : null,
            digest(name, params.path("arguments"), params.path("_meta")));
        synchronized (this) {
          digested++;
          forget(key); // a reused id: the newest call is the one it names
          calls.put(key, entry);
          unclaimed.add(entry);
        }
      }
    }
  }

  /** The client cancelled the call with this id ({@code null}: an id no call can have). */
  private void cancel(String key) {
    CancelSlot slot;
    synchronized (this) {
      Entry entry = key == null ? null : calls.get(key);
      slot = entry == null ? null : entry.slot;
    }
    if (slot != null) {
      slot.cancel();
    }
  }

  /** No listed call has this id any more. */
  private synchronized void forget(String key) {
    Entry entry = calls.remove(key);
    if (entry != null) {
      unclaimed.remove(entry);
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
