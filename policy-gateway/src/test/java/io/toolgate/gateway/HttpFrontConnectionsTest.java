package io.toolgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The gateway's own HTTP server as a client meets it: a kept-alive connection serves request
 * after request, past {@code maxConnections} a new connection gets {@code 503}, and a request
 * that could be read two ways never reaches {@code /mcp}. The upstream is never contacted.
 */
class HttpFrontConnectionsTest {
  private static GatewayServer start(int maxConnections) throws IOException {
    PolicyEngine engine = PolicyEngine.builder(Policy.fromResource("operations-policy.yaml")).build();
    return GatewayServer.builder(Gateway.builder(engine, URI.create("http://127.0.0.1:9/mcp")))
        .listen(new InetSocketAddress("127.0.0.1", 0))
        .maxConnections(maxConnections)
        .start();
  }

  private static Socket connect(GatewayServer server) throws IOException {
    Socket socket = new Socket(server.address().getAddress(), server.address().getPort());
    socket.setSoTimeout(60_000);
    return socket;
  }

  /** Writes {@code request} and reads one answer's head and its Content-Length body, as text. */
  private static String exchange(Socket socket, String request) throws IOException {
    socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("closed after " + head);
      }
      head.append((char) c);
    }
    int length = 0;
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).strip());
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(in.readNBytes(length));
    return head + body.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aKeptAliveConnectionServesRequestAfterRequestAndTheCapRefusesMore() throws Exception {
    try (GatewayServer server = start(1); Socket first = connect(server)) {
      assertThat(exchange(first, "GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n")).startsWith("HTTP/1.1 200").endsWith("ok\n");
      assertThat(exchange(first, "GET /readyz HTTP/1.1\r\nHost: gw\r\n\r\n")).startsWith("HTTP/1.1 200").endsWith("ready\n");
      try (Socket second = connect(server)) {
        assertThat(exchange(second, "")).startsWith("HTTP/1.1 503").contains("Connection: close");
        assertThat(second.getInputStream().read()).isEqualTo(-1);
      }
      assertThat(exchange(first, "GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n")).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void aSmugglingAttemptIsRefusedBeforeTheMcpEndpoint() throws Exception {
    try (GatewayServer server = start(GatewayServer.DEFAULT_MAX_CONNECTIONS); Socket socket = connect(server)) {
      String smuggled = "POST /mcp HTTP/1.1\r\nHost: gw\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n";
      assertThat(exchange(socket, smuggled)).startsWith("HTTP/1.1 400");
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
      assertThat(server.sessionCount()).isZero();
    }
  }

  @Test
  void maxConnectionsMustBePositive() {
    PolicyEngine engine = PolicyEngine.builder(Policy.fromResource("operations-policy.yaml")).build();
    GatewayServer.Builder builder = GatewayServer.builder(Gateway.builder(engine, URI.create("http://127.0.0.1:9/mcp")));
    assertThatThrownBy(() -> builder.maxConnections(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxConnections");
  }
}
