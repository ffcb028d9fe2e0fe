package io.toolgate.mcp.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.function.Predicate;

/**
 * A stdio server's input, passed on byte for byte as it is read, and scanned line by line for
 * {@link StdioCalls}: a line is handed over as soon as its newline is read. A line longer than
 * {@code maxLine} bytes is passed on unscanned. Read by one thread at a time, as the SDK does.
 * Given the guard's rule, only the calls of a tool that may be held are parsed into a tree and
 * hashed (see {@link StdioCalls}).
 */
public final class StdioScanner extends FilterInputStream {
  private final StdioCalls calls;
  private final int maxLine;
  private byte[] line = new byte[512];
  private int length;
  private boolean overlong;
  private boolean ended;

  /** {@code in}, scanned; lines over {@code maxLine} bytes are not; every call is hashed. */
  public StdioScanner(InputStream in, int maxLine) {
    this(in, maxLine, null);
  }

  /**
   * {@code in}, scanned; lines over {@code maxLine} bytes are not; only a call of a tool that
   * {@code mayHold} accepts is parsed into a tree and hashed ({@code null}: every call is).
   */
  public StdioScanner(InputStream in, int maxLine, Predicate<String> mayHold) {
    super(in);
    this.maxLine = maxLine;
    this.calls = StdioCalls.open(mayHold);
  }

  /** The calls this input's lines named. */
  StdioCalls calls() {
    return calls;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b < 0) {
      ended();
    } else {
      scan((byte) b);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n < 0) {
      ended();
    }
    for (int i = 0; i < n; i++) {
      scan(b[off + i]);
    }
    return n;
  }

  /** Skipped bytes are read, so that they are scanned too. */
  @Override
  public long skip(long n) throws IOException {
    byte[] buffer = new byte[(int) Math.min(8192, Math.max(0, n))];
    long skipped = 0;
    while (skipped < n) {
      int read = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
      if (read < 0) {
        break;
      }
      skipped += read;
    }
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false; // a reset would scan bytes twice
  }

  @Override
  public void mark(int readlimit) {
    // not supported
  }

  @Override
  public void reset() throws IOException {
    throw new IOException("mark/reset not supported");
  }

  @Override
  public void close() throws IOException {
    calls.close();
    super.close();
  }

  private void scan(byte b) {
    if (b == '\n') {
      if (!overlong && length > 0) {
        handOver();
      }
      length = 0;
      overlong = false;
    } else if (!overlong) {
      if (length == maxLine) {
        overlong = true;
        length = 0;
        if (line.length > 512) {
          line = new byte[512]; // do not keep a megabyte for the rest of the session
        }
      } else {
        if (length == line.length) {
          line = Arrays.copyOf(line, Math.min(maxLine, line.length * 2));
        }
        line[length++] = b;
      }
    }
  }

  private void ended() {
    if (ended) {
      return;
    }
    ended = true;
    if (!overlong && length > 0) {
      handOver();
    }
    length = 0;
    calls.close();
  }

  private void handOver() {
    try {
      calls.line(line, length);
    } catch (RuntimeException e) {
      // the bytes pass on whatever the scan thought of them
    }
  }
}
