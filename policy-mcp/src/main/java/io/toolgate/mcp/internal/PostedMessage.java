package io.toolgate.mcp.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * What {@code McpCancellation} needs to know of a JSON-RPC message posted to an MCP servlet
 * transport, read with a streaming scan of its top-level fields (and, for a cancellation, of its
 * {@code params}' top-level fields): whether it is a {@code tools/call} request and its id, or a
 * {@code notifications/cancelled} and the id it names. No tree is built and no string is made of
 * what the scan skips; it stops as soon as the answer is known, so the rest of the body is never
 * read here, and it reads at most {@code maxBytes}. Every byte it read is kept, once, for {@link
 * #bytes} to hand the transport.
 *
 * <p>Where a field appears twice, the first counts; a message whose {@code result} or {@code
 * error} comes before any {@code method} is taken for a response. Anything else the scan cannot
 * read (not JSON, not an object, a batch, invalid UTF-8, too deep, a number id that is not an
 * integer, an over-long name or string) is {@link Kind#OTHER}: the transport answers it.
 */
public final class PostedMessage {
  /** What the message is, as far as cancellation cares. */
  public enum Kind {
    /** A {@code tools/call} request with a string or integer id. */
    CALL,
    /** A {@code notifications/cancelled} (no id) naming a string or integer request id. */
    CANCELLED,
    /** Anything else: nothing to track. */
    OTHER
  }

  /** Longest method, id or field name read; a longer one makes the message {@link Kind#OTHER}. */
  static final int MAX_TEXT = 4096;

  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxStringLength(MAX_TEXT)
          .maxNameLength(MAX_TEXT)
          .maxNumberLength(MAX_TEXT)
          .maxNestingDepth(1000)
          .build())
      .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
      .build();

  private static final char[] TOOLS_CALL = "tools/call".toCharArray();
  private static final char[] CANCELLED = "notifications/cancelled".toCharArray();

  private final Kind kind;
  private final String id;
  private final byte[] bytes;
  private final int length;

  private PostedMessage(Kind kind, String id, byte[] bytes, int length) {
    this.kind = kind;
    this.id = id;
    this.bytes = bytes;
    this.length = length;
  }

  /**
   * Scans the start of {@code in}, reading at most {@code maxBytes} of it; {@code contentLength}
   * (negative: unknown) only sizes the buffer, which never grows past what was read but to it.
   *
   * @throws IOException only when {@code in} fails; a message that is not what the scan expects
   *     is {@link Kind#OTHER}
   */
  public static PostedMessage read(InputStream in, int maxBytes, long contentLength) throws IOException {
    Recording recording = new Recording(in, maxBytes, contentLength);
    Kind kind = Kind.OTHER;
    String id = null;
    try (JsonParser parser = JSON.createParser(recording)) {
      Scan scan = new Scan(parser);
      kind = scan.run();
      id = kind == Kind.OTHER ? null : scan.id;
    } catch (IOException | RuntimeException e) {
      if (recording.failure != null) {
        throw recording.failure; // the client's stream, not its JSON
      }
      kind = Kind.OTHER; // not a message the scan can read: the transport answers it
      id = null;
    }
    return new PostedMessage(kind, id, recording.bytes, recording.length);
  }

  /** What the message is. */
  public Kind kind() {
    return kind;
  }

  /**
   * For {@link Kind#CALL} the request's id, for {@link Kind#CANCELLED} the id it names, as a key:
   * {@code s} and the string, or {@code n} and the integer's digits; {@code null} for {@link
   * Kind#OTHER}.
   */
  public String id() {
    return id;
  }

  /** The bytes the scan read, from the start of the body (the array may be longer). */
  public byte[] bytes() {
    return bytes;
  }

  /** How many of {@link #bytes} were read. */
  public int length() {
    return length;
  }

  /** The scan of one message's top level. */
  private static final class Scan {
    private final JsonParser parser;
    private boolean methodSeen;
    private boolean idSeen;
    private boolean requestIdSeen;
    private Kind method = Kind.OTHER;
    String id;
    private String requestId;

    Scan(JsonParser parser) {
      this.parser = parser;
    }

    Kind run() throws IOException {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return Kind.OTHER; // a batch, a scalar: no cancellation
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("method".equals(name) && !methodSeen) {
          methodSeen = true;
          method = value == JsonToken.VALUE_STRING ? method() : Kind.OTHER;
          if (method == Kind.OTHER || method == Kind.CANCELLED && idSeen) {
            return Kind.OTHER; // a method nobody cancels, or a cancellation that is not a notification
          }
        } else if ("id".equals(name) && !idSeen) {
          idSeen = true;
          id = key(parser, value);
          if (id == null || method == Kind.CANCELLED) {
            return Kind.OTHER; // an id nobody can name, or a cancellation that is not a notification
          }
        } else if ("params".equals(name) && value == JsonToken.START_OBJECT && method != Kind.CALL) {
          params();
        } else if (("result".equals(name) || "error".equals(name)) && !methodSeen) {
          return Kind.OTHER; // a response
        } else {
          parser.skipChildren();
        }
        if (method == Kind.CALL && id != null) {
          return Kind.CALL;
        }
      }
      if (parser.currentToken() == JsonToken.END_OBJECT && method == Kind.CANCELLED && !idSeen
          && requestId != null) {
        id = requestId;
        return Kind.CANCELLED;
      }
      return Kind.OTHER;
    }

    /** The method, compared where the parser decoded it: no string is made of it. */
    private Kind method() throws IOException {
      char[] text = parser.getTextCharacters();
      int offset = parser.getTextOffset();
      int length = parser.getTextLength();
      if (Arrays.equals(text, offset, offset + length, TOOLS_CALL, 0, TOOLS_CALL.length)) {
        return Kind.CALL;
      }
      return Arrays.equals(text, offset, offset + length, CANCELLED, 0, CANCELLED.length) ? Kind.CANCELLED : Kind.OTHER;
    }

    /** The top-level fields of {@code params}, for a cancellation's {@code requestId}. */
    private void params() throws IOException {
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("requestId".equals(name) && !requestIdSeen) {
          requestIdSeen = true;
          requestId = key(parser, value);
        } else {
          parser.skipChildren();
        }
      }
    }
  }

  /**
   * A JSON-RPC id as a key (the same on HTTP and stdio, as {@link StdioCalls} keys it): {@code s}
   * and a string, or {@code n} and an integer's digits (JSON writes an integer one way only, but
   * for {@code -0}, which is {@code 0}); {@code null} for anything else, whose value is skipped and
   * never parsed.
   */
  static String key(JsonParser parser, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_STRING) {
      return "s" + parser.getText();
    }
    if (value == JsonToken.VALUE_NUMBER_INT) {
      String digits = parser.getText();
      return "-0".equals(digits) ? "n0" : "n" + digits;
    }
    parser.skipChildren();
    return null;
  }

  /**
   * {@code in}, every byte read from it kept; it ends (for the parser) after {@code max} bytes,
   * and remembers a failure of {@code in} itself. The buffer starts at the first read's size (at
   * most {@value #FIRST}) and, when the scan goes on, grows once to the announced length, else
   * doubles.
   */
  private static final class Recording extends InputStream {
    static final int FIRST = 8192;

    private final InputStream in;
    private final int max;
    private final long expected;
    byte[] bytes;
    int length;
    IOException failure;

    Recording(InputStream in, int max, long expected) {
      this.in = in;
      this.max = max;
      this.expected = expected;
      this.bytes = new byte[(int) Math.min(max, expected >= 0 ? Math.min(expected, FIRST) : 1024)];
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int room = max - length;
      if (room <= 0) {
        return -1; // the scan reads no further: the rest goes to the transport unread
      }
      int n;
      try {
        n = in.read(b, off, Math.min(len, room));
      } catch (IOException e) {
        failure = e;
        throw e;
      }
      if (n > 0) {
        int needed = length + n;
        if (needed > bytes.length) {
          long next = expected >= needed ? expected : Math.max(needed, 2L * bytes.length);
          bytes = Arrays.copyOf(bytes, (int) Math.min(max, next));
        }
        System.arraycopy(b, off, bytes, length, n);
        length += n;
      }
      return n;
    }

    @Override
    public void close() {
      // the servlet's stream stays open: the transport reads the rest
    }
  }
}
