package io.toolgate.gateway.internal;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A socket's output whose writes are timed, in pieces of at most {@value #PIECE} bytes: {@link
 * Http1Server} closes the socket of a piece blocked past the write timeout.
 */
final class Http1Output extends OutputStream {
  static final int PIECE = 8 * 1024;
  private final OutputStream socket;
  /** When the write in progress began ({@link System#nanoTime}, never 0), or 0. */
  volatile long since;

  Http1Output(OutputStream socket) {
    this.socket = socket;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    for (int done = 0; done < len; ) {
      int n = Math.min(PIECE, len - done);
      begin();
      try {
        socket.write(b, off + done, n);
      } finally {
        since = 0;
      }
      done += n;
    }
  }

  @Override
  public void flush() throws IOException {
    begin();
    try {
      socket.flush();
    } finally {
      since = 0;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  private void begin() {
    long now = System.nanoTime();
    since = now == 0 ? 1 : now;
  }
}
