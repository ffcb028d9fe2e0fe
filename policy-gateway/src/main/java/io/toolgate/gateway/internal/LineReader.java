package io.toolgate.gateway.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
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

  /** The buffer of a long-lived reader (the agent's or the server's stdio). */
  private static final int BUFFER_BYTES = 64 * 1024;

  private final InputStream in;
  private final int maxBytes;
  private final byte[] buffer;
  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);
  private int position;
  private int limit;

  /** A reader of lines of at most {@code maxBytes}, with a 64 KiB buffer. */
  public LineReader(InputStream in, int maxBytes) {
    this(in, maxBytes, BUFFER_BYTES);
  }

  /** A reader with a buffer of {@code bufferBytes}: small for a short stream read once (one answer). */
  public LineReader(InputStream in, int maxBytes, int bufferBytes) {
    this.in = in;
    this.maxBytes = maxBytes;
    this.buffer = new byte[bufferBytes];
  }

  /** The next line, or {@code null} at the end of the stream (a last line without a newline counts). */
  public Line next() throws IOException {
    int end = newline(position);
    if (end >= 0 && end - position <= maxBytes) { // the whole line is in the buffer: no copy
      int start = position;
      position = end + 1;
      return decode(buffer, start, end);
    }
    ByteArrayOutputStream line = null;
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
        if (line == null) {
          line = new ByteArrayOutputStream(Math.max(64, count));
        }
        line.write(buffer, start, count);
      } else {
        line = null; // over the limit: drop what was kept
      }
      if (position < limit) {
        position++; // the newline
        return finish(line, length);
      }
    }
  }

  /** Where the next newline in the buffer is, from {@code from}; -1 if none before its end. */
  private int newline(int from) {
    for (int i = from; i < limit; i++) {
      if (buffer[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private Line finish(ByteArrayOutputStream line, long length) {
    if (length > maxBytes) {
      return new Line.TooLarge(length);
    }
    if (line == null) {
      return new Line.Text("");
    }
    byte[] bytes = line.toByteArray();
    return decode(bytes, 0, bytes.length);
  }

  /** Bytes {@code [start, end)} as a line's text, a CR before the end dropped. */
  private Line decode(byte[] bytes, int start, int end) {
    if (end > start && bytes[end - 1] == '\r') {
      end--;
    }
    boolean ascii = true;
    for (int i = start; i < end && ascii; i++) {
      ascii = bytes[i] >= 0;
    }
    if (ascii) { // the usual case, and the cheapest string to make
      return new Line.Text(new String(bytes, start, end - start, StandardCharsets.ISO_8859_1));
    }
    try {
      return new Line.Text(decoder.reset().decode(ByteBuffer.wrap(bytes, start, end - start)).toString());
    } catch (CharacterCodingException e) {
      return new Line.NotUtf8();
    }
  }
}
