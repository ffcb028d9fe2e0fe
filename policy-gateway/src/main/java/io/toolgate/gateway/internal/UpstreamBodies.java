package io.toolgate.gateway.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The bodies of an upstream server's answers as {@link Http1Client} reads them: sized, or in the
 * chunked coding (leniently: a bare LF ends a chunk line, as servers send them; the gateway's own
 * server, {@link Http1Request}, is strict with what agents send).
 */
final class UpstreamBodies {
  private UpstreamBodies() {}

  /** At most {@code remaining} bytes of {@code in}. */
  static final class Bounded extends InputStream {
    private final InputStream in;
    private long remaining;

    Bounded(InputStream in, long remaining) {
      this.in = in;
      this.remaining = remaining;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (remaining == 0) {
        return -1;
      }
      int read = in.read(b, off, (int) Math.min(len, remaining));
      if (read < 0) {
        throw new EOFException("the upstream server's answer broke off");
      }
      remaining -= read;
      return read;
    }
  }

  /** The chunked transfer coding, decoded; trailers are read and dropped. */
  static final class Chunked extends InputStream {
    private final InputStream in;
    private long remaining;
    private boolean done;

    Chunked(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (done) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      if (remaining == 0) {
        remaining = size();
        if (remaining == 0) {
          while (!crlfLine().isEmpty()) {
            // a trailer field: dropped
          }
          done = true;
          return -1;
        }
      }
      int read = in.read(b, off, (int) Math.min(len, remaining));
      if (read < 0) {
        throw new EOFException("the upstream server's answer broke off");
      }
      remaining -= read;
      if (remaining == 0 && !crlfLine().isEmpty()) {
        throw new IOException("a chunk of the upstream server's answer does not end with CRLF");
      }
      return read;
    }

    private long size() throws IOException {
      String line = crlfLine();
      int end = line.indexOf(';');
      String hex = (end < 0 ? line : line.substring(0, end)).trim();
      try {
        long size = hex.length() > 15 ? -1 : Long.parseLong(hex, 16);
        if (size < 0) {
          throw new NumberFormatException();
        }
        return size;
      } catch (NumberFormatException e) {
        throw new IOException("not a chunk size: " + Http1Client.excerpt(line));
      }
    }

    private String crlfLine() throws IOException {
      StringBuilder line = new StringBuilder();
      for (int c; (c = in.read()) != '\n'; ) {
        if (c < 0) {
          throw new EOFException("the upstream server's answer broke off");
        }
        if (line.length() >= 1024) {
          throw new IOException("a chunk line of the upstream server's answer is too long");
        }
        if (c != '\r') {
          line.append((char) c);
        }
      }
      return line.toString();
    }
  }
}
