package io.toolgate.gateway.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads newline-delimited messages (the MCP stdio framing) of at most a given size: a longer line
 * is skipped to its end, never held in memory, and reported as {@link Line.TooLarge}.
 */
public final class LineReader {
  /** One line read. */
  public sealed interface Line {
    /** A complete line, decoded as UTF-8, without its line terminator. */
    record Text(String text) implements Line {}

    /** A line longer than the limit; its bytes were skipped. */
    record TooLarge(long bytes) implements Line {}

    /** A line that is not UTF-8. */
    record NotUtf8() implements Line {}
  }

  private final InputStream in;
  private final int maxBytes;
  private final byte[] buffer = new byte[64 * 1024];
  private int position;
  private int limit;

  public LineReader(InputStream in, int maxBytes) {
    this.in = in;
    this.maxBytes = maxBytes;
  }

  /** The next line, or {@code null} at the end of the stream (a last line without a newline counts). */
  public Line next() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    long length = 0;
    boolean any = false;
    while (true) {
      if (position == limit) {
        limit = in.read(buffer);
        position = 0;
        if (limit <= 0) {
          limit = 0;
          return any ? finish(line, length) : null;
        }
      }
      any = true;
      int start = position;
      while (position < limit && buffer[position] != '\n') {
        position++;
      }
      int count = position - start;
      length += count;
      if (length <= maxBytes) {
        line.write(buffer, start, count);
      } else if (line.size() > 0) {
        line = new ByteArrayOutputStream(); // over the limit: drop what was kept
      }
      if (position < limit) {
        position++; // the newline
        return finish(line, length);
      }
    }
  }

  private Line finish(ByteArrayOutputStream line, long length) {
    if (length > maxBytes) {
      return new Line.TooLarge(length);
    }
    byte[] bytes = line.toByteArray();
    int end = bytes.length;
    if (end > 0 && bytes[end - 1] == '\r') {
      end--;
    }
    try {
      return new Line.Text(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes, 0, end))
              .toString());
    } catch (CharacterCodingException e) {
      return new Line.NotUtf8();
    }
  }
}
