package io.toolgate.gateway.internal;

import java.io.IOException;
import java.io.InputStream;

/**
 * A request body as {@link Http1Server} reads it: {@code Content-Length} bytes, or chunks
 * (strict: hexadecimal sizes of at most 8 digits, CRLF after each chunk's data, a bounded number
 * of trailer fields, which are dropped). A malformed body fails the read with an {@link
 * IOException}, and its connection is closed after the answer.
 */
abstract class Http1Body extends InputStream {
  /** Whether the body was read to its end, so the connection may serve the next request. */
  abstract boolean complete();

  static final class Fixed extends Http1Body {
    private final Http1Request.In in;
    private long left;
    private Runnable before;

    Fixed(Http1Request.In in, long length, Runnable before) {
      this.in = in;
      this.left = length;
      this.before = length == 0 ? null : before;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (before != null) {
        before.run();
        before = null;
      }
      if (left == 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        throw new IOException("the request body ended before its Content-Length");
      }
      left -= n;
      return n;
    }

    @Override
    boolean complete() {
      return left == 0;
    }
  }

  static final class Chunked extends Http1Body {
    private static final int MAX_CHUNK_LINE = 4096;
    private static final int MAX_TRAILERS = 32;
    private final Http1Request.In in;
    private Runnable before;
    private long left;
    private boolean done;

    Chunked(Http1Request.In in, Runnable before) {
      this.in = in;
      this.before = before;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (before != null) {
        before.run();
        before = null;
      }
      if (len == 0) {
        return 0;
      }
      if (left == 0 && !done) {
        left = nextChunk();
      }
      if (done) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        throw new IOException("the request body ended inside a chunk");
      }
      left -= n;
      if (left == 0) {
        crlf();
      }
      return n;
    }

    private long nextChunk() throws IOException {
      String line = line();
      int end = line.indexOf(';');
      String size = end < 0 ? line : line.substring(0, end);
      if (!size.matches("[0-9A-Fa-f]{1,8}")) {
        throw new IOException("bad chunk size: " + (size.length() > 20 ? size.substring(0, 20) + "..." : size));
      }
      long length = Long.parseLong(size, 16);
      if (length == 0) {
        for (int trailers = 0; !line().isEmpty(); trailers++) {
          if (trailers == MAX_TRAILERS) {
            throw new IOException("too many trailer fields");
          }
        }
        done = true;
      }
      return length;
    }

    private void crlf() throws IOException {
      if (in.read() != '\r' || in.read() != '\n') {
        throw new IOException("a chunk not followed by CRLF");
      }
    }

    private String line() throws IOException {
      try {
        String line = in.line(MAX_CHUNK_LINE, 400);
        if (line == null) {
          throw new IOException("the request body ended before its last chunk");
        }
        return line;
      } catch (Http1Request.Refusal e) {
        throw new IOException("bad chunked body: " + e.getMessage());
      }
    }

    @Override
    boolean complete() {
      return done;
    }
  }
}
