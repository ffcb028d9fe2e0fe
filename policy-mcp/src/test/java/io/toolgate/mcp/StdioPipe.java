package io.toolgate.mcp;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * An in-JVM byte pipe: each write is one chunk, and a read returns at most the rest of one chunk,
 * so a line written in two writes reaches the reader in two reads. Unlike {@code PipedInputStream}
 * it does not break when a writing thread ends.
 */
final class StdioPipe extends InputStream {
  private static final byte[] EOF = new byte[0];
  private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
  private byte[] current = new byte[0];
  private int position;
  private boolean ended;

  /** Queues {@code bytes} as one chunk. */
  void write(byte[] bytes) {
    if (bytes.length > 0) {
      chunks.add(bytes.clone());
    }
  }

  /** The reader sees the end of the stream after what was written. */
  void end() {
    chunks.add(EOF);
  }

  /** The writing end, for a server's output. */
  OutputStream output() {
    return new OutputStream() {
      @Override
      public void write(int b) {
        StdioPipe.this.write(new byte[] {(byte) b});
      }

      @Override
      public void write(byte[] b, int off, int len) {
        StdioPipe.this.write(Arrays.copyOfRange(b, off, off + len));
      }
    };
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (ended) {
      return -1;
    }
    if (position == current.length) {
      try {
        current = chunks.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted");
      }
      position = 0;
      if (current == EOF) {
        ended = true;
        return -1;
      }
    }
    int n = Math.min(len, current.length - position);
    System.arraycopy(current, position, b, off, n);
    position += n;
    return n;
  }

  @Override
  public int available() {
    return current.length - position;
  }

  /** A client transport over two pipes: messages to the server, lines from it. */
  static final class ClientTransport implements McpClientTransport {
    final StdioPipe toServer;
    final StdioPipe fromServer;
    final McpJsonMapper mapper = McpJsonDefaults.getMapper();

    ClientTransport(StdioPipe toServer, StdioPipe fromServer) {
      this.toServer = toServer;
      this.fromServer = fromServer;
    }

    @Override
    public Mono<Void> connect(Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
      return Mono.fromRunnable(() -> {
        Thread reader = new Thread(() -> {
          try (BufferedReader lines = new BufferedReader(new InputStreamReader(fromServer, StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
              JSONRPCMessage message = McpSchema.deserializeJsonRpcMessage(mapper, line);
              handler.apply(Mono.just(message)).subscribe(null, e -> { });
            }
          } catch (IOException e) {
            // the pipe ended
          }
        }, "stdio-pipe-client");
        reader.setDaemon(true);
        reader.start();
      });
    }

    @Override
    public Mono<Void> sendMessage(JSONRPCMessage message) {
      return Mono.fromRunnable(() -> {
        try {
          raw((mapper.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }

    /** Writes {@code bytes} to the server's input as they are, in one chunk. */
    void raw(byte[] bytes) {
      synchronized (toServer) {
        toServer.write(bytes);
      }
    }

    /** Writes {@code bytes} in two chunks, split at {@code at}: one line read in two reads. */
    void rawInTwo(byte[] bytes, int at) {
      synchronized (toServer) {
        toServer.write(Arrays.copyOfRange(bytes, 0, at));
        toServer.write(Arrays.copyOfRange(bytes, at, bytes.length));
      }
    }

    @Override
    public Mono<Void> closeGracefully() {
      return Mono.fromRunnable(this::close);
    }

    @Override
    public void close() {
      toServer.end();
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
      return mapper.convertValue(data, typeRef);
    }
  }
}
