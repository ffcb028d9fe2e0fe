package io.toolgate.gateway.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The agent's stdio: newline-delimited JSON-RPC on an input and an output stream. */
public final class StdioDownstream implements Downstream {
  private final InputStream in;
  private final OutputStream out;
  private final int maxMessageBytes;

  public StdioDownstream(InputStream in, OutputStream out, int maxMessageBytes) {
    this.in = in;
    this.out = out;
    this.maxMessageBytes = maxMessageBytes;
  }

  /** Hands every line read to {@code relay} until the input ends. */
  public void pump(Relay relay) throws IOException {
    LineReader reader = new LineReader(in, maxMessageBytes);
    for (LineReader.Line line; (line = reader.next()) != null; ) {
      relay.fromAgent(line);
    }
  }

  @Override
  public synchronized void send(String message) {
    try {
      out.write(message.getBytes(StandardCharsets.UTF_8));
      out.write('\n');
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("the client's stdout is closed", e);
    }
  }
}
