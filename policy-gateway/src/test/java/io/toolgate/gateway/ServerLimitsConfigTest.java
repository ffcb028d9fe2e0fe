package io.toolgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --max-connections}, {@code --session-idle} and {@code --restart-backoff}, and their keys:
 * read from flags and from a file, put into the server Main builds (a connection past the cap gets
 * {@code 503}), and a bad value refused at startup with a message naming its key.
 */
class ServerLimitsConfigTest {
  @TempDir Path dir;

  private static GatewayServer start(GatewayConfig settings) throws IOException {
    PolicyEngine engine = PolicyEngine.builder(Policy.fromResource("operations-policy.yaml")).build();
    Gateway.Builder sessions = Gateway.builder(engine, URI.create("http://127.0.0.1:9/mcp"));
    return Main.httpServer(settings, sessions, settings.listenAddress()).start();
  }

  /** Opens a connection and waits for its first answer, so the server has counted it. */
  private static Socket healthy(GatewayServer server) throws IOException {
    Socket socket = new Socket(server.address().getAddress(), server.address().getPort());
    socket.setSoTimeout(60_000);
    socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThat(head(socket)).startsWith("HTTP/1.1 200");
    assertThat(socket.getInputStream().readNBytes(3)).isEqualTo("ok\n".getBytes(StandardCharsets.US_ASCII));
    return socket;
  }

  private static String head(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("closed after " + head);
      }
      head.append((char) c);
    }
    return head.toString();
  }

  private static void assertCapOfOne(GatewayConfig settings) throws IOException {
    try (GatewayServer server = start(settings); Socket first = healthy(server)) {
      try (Socket second = new Socket(server.address().getAddress(), server.address().getPort())) {
        second.setSoTimeout(60_000);
        assertThat(head(second)).startsWith("HTTP/1.1 503");
      }
      first.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      assertThat(head(first)).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void theFlagReachesTheServer() throws Exception {
    GatewayConfig flags = GatewayOptions.parse("--listen", "127.0.0.1:0", "--max-connections", "1");
    assertThat(flags.maxConnections()).isEqualTo(1);
    assertCapOfOne(GatewayConfig.empty().overriddenBy(flags));
  }

  @Test
  void theKeyReachesTheServerAndTheFlagWinsOverIt() throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, "listen: 127.0.0.1:0\nmax-connections: 1\nsession-idle: 5m\nrestart-backoff: 1s\n");
    GatewayConfig config = GatewayConfig.load(file);
    assertThat(config.maxConnections()).isEqualTo(1);
    assertThat(config.sessionIdleDuration()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.restartBackoffDuration()).isEqualTo(Duration.ofSeconds(1));
    assertCapOfOne(config);
    GatewayConfig flagsWin = config.overriddenBy(GatewayOptions.parse("--max-connections", "2", "--session-idle", "90s",
        "--restart-backoff", "0ms"));
    assertThat(flagsWin.maxConnections()).isEqualTo(2);
    assertThat(flagsWin.sessionIdleDuration()).isEqualTo(Duration.ofSeconds(90));
    assertThat(flagsWin.restartBackoffDuration()).isZero();
    try (GatewayServer server = start(flagsWin); Socket first = healthy(server); Socket second = healthy(server)) {
      assertThat(server.sessionCount()).isZero();
    }
  }

  @Test
  void unsetValuesAreTheDefaults() {
    GatewayConfig none = GatewayConfig.empty();
    assertThat(none.maxConnections()).isNull();
    assertThat(none.sessionIdleDuration()).isEqualTo(GatewayServer.DEFAULT_SESSION_IDLE);
    assertThat(none.restartBackoffDuration()).isEqualTo(Gateway.INITIAL_RESTART_BACKOFF);
    none.validate();
  }

  @Test
  void aBadValueIsRefusedWithItsKeyAndTheGatewayExitsOne() throws Exception {
    Files.writeString(dir.resolve("seed.json"), MainTest.SEED);
    List<String> base = List.of("--policy", dir.resolve("seed.json").toString(), "--upstream-url",
        "http://127.0.0.1:1/mcp", "--listen", "127.0.0.1:0");
    List<List<String>> cases = List.of(
        List.of("--max-connections", "0"),
        List.of("--max-connections", "-5"),
        List.of("--max-sessions", "0"),
        List.of("--max-in-flight", "0"),
        List.of("--max-message-bytes", "1023"),
        List.of("--session-idle", "0s"),
        List.of("--session-idle", "soon"),
        List.of("--session-idle", "-1ms"),
        List.of("--session-idle", "99999999999999999999ms"),
        List.of("--session-idle", "9223372036854775807ms"),
        List.of("--restart-backoff", "31s"),
        List.of("--restart-backoff", "later"),
        List.of("--restart-backoff", "-250ms"));
    for (List<String> bad : cases) {
      String key = bad.get(0).substring(2);
      GatewayConfig settings = GatewayOptions.parse(bad.toArray(String[]::new));
      assertThatThrownBy(settings::validate).as(bad.toString()).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(key + ": ");
      List<String> args = new ArrayList<>(base);
      args.addAll(bad);
      assertThat(Main.run(InputStream.nullInputStream(), OutputStream.nullOutputStream(), args.toArray(String[]::new)))
          .as(bad.toString()).isEqualTo(1);
    }
    // not a number at all: a usage error, before anything is read
    assertThat(Main.run(InputStream.nullInputStream(), OutputStream.nullOutputStream(), "--max-connections", "many"))
        .isEqualTo(2);
  }

  @Test
  void aBadValueInTheFileIsRefusedWithItsKey() throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, "max-connections: many\n");
    assertThatThrownBy(() -> GatewayConfig.load(file)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("max-connections");
    Files.writeString(file, "max-connections: 0\n");
    assertThatThrownBy(GatewayConfig.load(file)::validate).hasMessage("max-connections: must be at least 1, was 0");
    Files.writeString(file, "session-idle: never\n");
    assertThatThrownBy(GatewayConfig.load(file)::validate).hasMessageStartingWith("session-idle: \"never\" is not a");
  }
}
