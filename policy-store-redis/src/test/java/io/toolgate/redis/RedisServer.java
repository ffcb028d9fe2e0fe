package io.toolgate.redis;

import io.lettuce.core.RedisClient;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real redis-server for the tests, on a free loopback port, bound to 127.0.0.1 only, with no
 * persistence. The binary is the {@code redis-server} on PATH if there is one, else the one
 * shipped in the {@code com.github.codemonstur:embedded-redis} test dependency. If neither starts,
 * the test fails when {@code CI=true} and is skipped otherwise. Published in this module's
 * test-jar for the other modules' tests (the gateway's {@code --redis}).
 */
public final class RedisServer implements AutoCloseable {
  private static Path binary;
  private static RedisServer shared;

  private final int port;
  private final List<String> extraArgs;
  private final Path dir;
  private Process process;

  private RedisServer(int port, List<String> extraArgs) {
    this.port = port;
    this.extraArgs = extraArgs;
    try {
      this.dir = Files.createTempDirectory("toolgate-redis-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One server for the whole test JVM, stopped when it exits. Tests must not stop it. */
  public static synchronized RedisServer shared() {
    if (shared == null) {
      shared = start();
      RedisServer server = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    }
    return shared;
  }

  /** A client of the {@linkplain #shared() shared server}, with the store's recommended options. */
  static RedisClient sharedClient() {
    RedisClient client = RedisClient.create(shared().uri());
    client.setOptions(RedisCounterStore.recommendedClientOptions());
    return client;
  }

  /**
   * A server of the caller's own, on a free port, started with {@code extraArgs}; the caller stops
   * it. A port taken between finding it free and the server's bind is tried again with another.
   */
  public static RedisServer start(String... extraArgs) {
    for (int attempt = 1; ; attempt++) {
      RedisServer server = new RedisServer(freePort(), List.of(extraArgs));
      if (server.startProcess(attempt < 5)) {
        return server;
      }
    }
  }

  /** The port it listens on, at 127.0.0.1. */
  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:<port>}. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Kills the server at once, as a crash would. */
  public synchronized void kill() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  /** Starts the server again on the same port, empty. */
  public synchronized void restart() {
    kill();
    startProcess(false);
  }

  @Override
  public synchronized void close() {
    kill();
  }

  /** Sends one command; returns a bulk reply's text, or else the reply's first line. */
  public String command(String... words) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(5_000);
      StringBuilder request = new StringBuilder("*" + words.length + "\r\n");
      for (String word : words) {
        request.append('$').append(word.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(word).append("\r\n");
      }
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      String line = readLine(in);
      if (line.startsWith("$") && !line.equals("$-1")) {
        return new String(in.readNBytes(Integer.parseInt(line.substring(1))), StandardCharsets.UTF_8);
      }
      return line;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  /**
   * Starts the process and waits until it answers {@code PING}; false, with {@code
   * mayRetryElsewhere}, if it exited because its port was taken meanwhile.
   */
  private synchronized boolean startProcess(boolean mayRetryElsewhere) {
    Path exe = binary();
    List<String> command = new ArrayList<>(List.of(
        exe.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no"));
    command.addAll(extraArgs);
    try {
      process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(dir.resolve("redis.log").toFile())
          .start();
    } catch (IOException e) {
      unavailable("cannot start " + exe + ": " + e);
    }
    // Generous: a loaded machine may start a process slowly; a started server answers at once.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        String log = log();
        if (mayRetryElsewhere && log.contains("Address already in use")) {
          return false;
        }
        unavailable("redis-server exited: " + log);
      }
      try {
        if ("+PONG".equals(command("PING"))) {
          return true;
        }
      } catch (UncheckedIOException notYet) {
        // not listening yet
      }
      sleep(20);
    }
    process.destroyForcibly();
    unavailable("redis-server did not answer PING within 60 s: " + log());
    return false;
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("redis.log"));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private static synchronized Path binary() {
    if (binary == null) {
      binary = onPath();
      if (binary == null) {
        binary = fromEmbeddedRedisJar();
      }
    }
    return binary;
  }

  private static Path onPath() {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, "redis-server");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private static Path fromEmbeddedRedisJar() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    boolean arm = arch.contains("aarch64") || arch.contains("arm64");
    String resource;
    if (os.contains("linux")) {
      resource = arm ? "redis-server-6.2.7-linux-arm64" : "redis-server-6.2.6-v5-linux-amd64";
    } else if (os.contains("mac")) {
      resource = arm ? "redis-server-6.2.6-v5-darwin-arm64" : "redis-server-6.2.6-v5-darwin-amd64";
    } else {
      unavailable("no redis-server on PATH and no embedded binary for " + os + "/" + arch);
      return null;
    }
    try (InputStream in = RedisServer.class.getResourceAsStream("/" + resource)) {
      if (in == null) {
        unavailable("no redis-server on PATH and " + resource + " is not on the test class path");
      }
      Path file = Files.createTempFile("redis-server-", "");
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      if (!file.toFile().setExecutable(true)) {
        unavailable("cannot make " + file + " executable");
      }
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void unavailable(String why) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException("no Redis server for the tests (CI=true, so this fails): " + why);
    }
    Assumptions.abort("no Redis server for the tests: " + why);
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
