package io.toolgate.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code @modelcontextprotocol/server-everything} (installed by the module's build into {@code
 * target/npm}) run by {@code node}: its stdio command, or the server itself in its {@code
 * streamableHttp} mode on a free loopback port ({@code PORT}), ready once it says it listens.
 */
final class EverythingServer implements AutoCloseable {
  private final Process process;
  private final int port;

  private EverythingServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** The command that runs the server over stdio. */
  static List<String> stdioCommand() {
    return List.of("node", EverythingServerTest.SERVER.toAbsolutePath().toString(), "stdio");
  }

  /** The server over streamable HTTP at {@link #endpoint()}; a port taken meanwhile is tried again with another. */
  static EverythingServer startHttp() throws IOException, InterruptedException {
    for (int attempt = 0; attempt < 5; attempt++) {
      int port;
      try (ServerSocket probe = new ServerSocket(0)) {
        port = probe.getLocalPort();
      }
      ProcessBuilder builder = new ProcessBuilder(
          "node", EverythingServerTest.SERVER.toAbsolutePath().toString(), "streamableHttp")
          .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      builder.environment().put("PORT", Integer.toString(port));
      Process process = builder.start();
      BufferedReader errors = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = errors.readLine()) != null && !line.contains("listening on port " + port)) {
        System.err.println("server-everything: " + line);
      }
      if (line != null) {
        BufferedReader rest = errors;
        Thread drain = new Thread(() -> {
          try {
            while (rest.readLine() != null) {
              // read on, so the server never blocks on a full pipe
            }
          } catch (IOException ignored) {
            // the server ended
          }
        }, "server-everything-stderr");
        drain.setDaemon(true);
        drain.start();
        return new EverythingServer(process, port);
      }
      process.waitFor(60, TimeUnit.SECONDS); // it could not listen (the port was taken): another port
    }
    throw new IOException("server-everything did not start listening");
  }

  /** Its MCP endpoint. */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + port + "/mcp");
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
