package io.toolgate.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's HTTP/1.1 server over raw sockets: framing both ways, keep-alive, the limits, the
 * refusals that keep a request from being read two ways (smuggling), slow clients, the
 * connection cap and stop.
 */
class Http1ServerTest {
  private Http1Server server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(Duration.ZERO);
    }
  }

  /** Answers with the method, path and request body it read. */
  private static final HttpHandler ECHO = exchange -> {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    byte[] answer = (exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " "
        + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain");
    exchange.sendResponseHeaders(200, answer.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(answer);
    }
  };

  private InetSocketAddress start(Http1Server.Limits limits, Map<String, HttpHandler> handlers) throws IOException {
    server = new Http1Server(new InetSocketAddress("127.0.0.1", 0), 16, limits, handlers);
    return server.address();
  }

  private InetSocketAddress echo() throws IOException {
    return start(Http1Server.Limits.DEFAULT, Map.of("/", ECHO));
  }

  /** A response as read off the socket. */
  record Response(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** A raw client connection. */
  static final class Client implements AutoCloseable {
    final Socket socket;
    final InputStream in;

    Client(InetSocketAddress address) throws IOException {
      socket = new Socket(address.getAddress(), address.getPort());
      socket.setSoTimeout(60_000);
      in = socket.getInputStream();
    }

    Client send(String text) throws IOException {
      socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return this;
    }

    String line() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int c; (c = in.read()) != '\n'; ) {
        if (c < 0) {
          throw new IOException("the server closed the connection mid-line: " + line);
        }
        if (c != '\r') {
          line.write(c);
        }
      }
      return line.toString(StandardCharsets.ISO_8859_1);
    }

    Response head() throws IOException {
      String status = line();
      Map<String, String> headers = new LinkedHashMap<>();
      for (String line; !(line = line()).isEmpty(); ) {
        int colon = line.indexOf(':');
        headers.put(line.substring(0, colon).toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
      }
      return new Response(Integer.parseInt(status.split(" ")[1]), headers, null);
    }

    Response response() throws IOException {
      return response(false);
    }

    Response response(boolean head) throws IOException {
      Response r = head();
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      if (head || r.status() == 204 || r.status() == 304) {
        return r;
      } else if (r.header("Content-Length") != null) {
        body.write(in.readNBytes(Integer.parseInt(r.header("Content-Length"))));
      } else if ("chunked".equals(r.header("Transfer-Encoding"))) {
        for (int size; (size = Integer.parseInt(line(), 16)) > 0; ) {
          body.write(in.readNBytes(size));
          line();
        }
        line();
      } else {
        body.write(in.readAllBytes());
      }
      return new Response(r.status(), r.headers(), body.toString(StandardCharsets.UTF_8));
    }

    boolean closedByServer() throws IOException {
      try {
        return in.read() < 0;
      } catch (java.net.SocketException e) {
        return true; // reset: closed too
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private static String post(String path, String body) {
    return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
        + "\r\n\r\n" + body;
  }

  @Test
  void keptAliveConnectionServesRequestAfterRequest() throws Exception {
    try (Client client = new Client(echo())) {
      for (int i = 0; i < 3; i++) {
        Response response = client.send(post("/mcp", "call " + i)).response();
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("POST /mcp call " + i);
        assertThat(response.header("Date")).isNotBlank();
      }
      assertThat(server.connectionCount()).isEqualTo(1);
    }
  }

  @Test
  void chunkedRequestBodiesAreReadAndTheConnectionGoesOn() throws Exception {
    try (Client client = new Client(echo())) {
      client.send("POST /mcp HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "4\r\nWiki\r\n5;name=value\r\npedia\r\n0\r\nTrailer: yes\r\n\r\n");
      assertThat(client.response().body()).isEqualTo("POST /mcp Wikipedia");
      assertThat(client.send(post("/next", "")).response().body()).isEqualTo("POST /next ");
    }
  }

  @Test
  void anUnreadBodyIsSkippedBeforeTheNextRequest() throws Exception {
    InetSocketAddress address = start(Http1Server.Limits.DEFAULT, Map.of("/", exchange -> {
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    }));
    try (Client client = new Client(address)) {
      assertThat(client.send(post("/a", "an unread body")).response().status()).isEqualTo(204);
      assertThat(client.send(post("/b", "")).response().status()).isEqualTo(204);
    }
  }

  @Test
  void requestsThatCouldBeReadTwoWaysAreRefusedAndTheConnectionClosed() throws Exception {
    InetSocketAddress address = echo();
    Map<String, Integer> attempts = new LinkedHashMap<>();
    attempts.put("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
    attempts.put("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400);
    attempts.put("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\n\r\nabc", 400);
    attempts.put("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc", 400);
    attempts.put("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 501);
    attempts.put("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
    attempts.put("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
    attempts.put("POST / HTTP/1.1\r\nHost: x\r\nContent-Length : 3\r\n\r\nabc", 400);
    attempts.put("GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n continued\r\n\r\n", 400);
    attempts.put("GET / HTTP/1.1\nHost: x\n\n", 400);
    attempts.put("GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n", 400);
    attempts.put("GET / HTTP/1.1\r\nHost: x\r\nX: a\u0000b\r\n\r\n", 400);
    attempts.put("GET / HTTP/1.1\r\n\r\n", 400);
    attempts.put("GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400);
    attempts.put("GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400);
    attempts.put("GET nowhere HTTP/1.1\r\nHost: x\r\n\r\n", 400);
    attempts.put("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505);
    attempts.put("POST / HTTP/1.1\r\nHost: x\r\nExpect: something\r\nContent-Length: 1\r\n\r\na", 417);
    for (Map.Entry<String, Integer> attempt : attempts.entrySet()) {
      try (Client client = new Client(address)) {
        Response response = client.send(attempt.getKey()).response();
        assertThat(response.status()).as(attempt.getKey()).isEqualTo(attempt.getValue());
        assertThat(response.header("Connection")).isEqualTo("close");
        assertThat(client.closedByServer()).as(attempt.getKey()).isTrue();
      }
    }
  }

  @Test
  void badChunkedBodiesAreRefused() throws Exception {
    InetSocketAddress address = echo();
    for (String body : new String[] {"zz\r\nab\r\n0\r\n\r\n", "3\r\nabcd\r\n0\r\n\r\n", "123456789\r\n", " 3\r\nabc\r\n0\r\n\r\n"}) {
      try (Client client = new Client(address)) {
        client.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
        assertThat(client.response().status()).as(body).isEqualTo(400);
        assertThat(client.closedByServer()).isTrue();
      }
    }
  }

  @Test
  void headsOverTheLimitsAreRefused() throws Exception {
    InetSocketAddress address = start(new Http1Server.Limits(8, 1024, 5, Duration.ofSeconds(30),
        Duration.ofSeconds(30), Duration.ofSeconds(30)), Map.of("/", ECHO));
    try (Client client = new Client(address)) {
      client.send("GET /" + "a".repeat(Http1Request.MAX_REQUEST_LINE) + " HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(client.response().status()).isEqualTo(414);
    }
    try (Client client = new Client(address)) {
      client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(2000) + "\r\n\r\n");
      assertThat(client.response().status()).isEqualTo(431);
    }
    try (Client client = new Client(address)) {
      client.send("GET / HTTP/1.1\r\nHost: x\r\n" + "X-A: 1\r\n".repeat(6) + "\r\n");
      assertThat(client.response().status()).isEqualTo(431);
    }
    try (Client client = new Client(address)) {
      assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\n" + "X-A: 1\r\n".repeat(4) + "\r\n").response().status())
          .isEqualTo(200);
    }
  }

  @Test
  void aSlowClientDoesNotHoldUpOthersAndTimesOut() throws Exception {
    InetSocketAddress address = start(new Http1Server.Limits(8, 16 * 1024, 100, Duration.ofMillis(300),
        Duration.ofSeconds(30), Duration.ofSeconds(30)), Map.of("/", ECHO));
    try (Client slow = new Client(address); Client other = new Client(address)) {
      slow.send("POST /slow HTTP/1.1\r\nHost: x\r\n");
      assertThat(other.send(post("/other", "hi")).response().body()).isEqualTo("POST /other hi");
      Response timedOut = slow.response();
      assertThat(timedOut.status()).isEqualTo(408);
      assertThat(slow.closedByServer()).isTrue();
    }
  }

  @Test
  void aSlowBodyTimesOut() throws Exception {
    CompletableFuture<Throwable> failure = new CompletableFuture<>();
    InetSocketAddress address = start(new Http1Server.Limits(8, 16 * 1024, 100, Duration.ofSeconds(30),
        Duration.ofMillis(300), Duration.ofSeconds(30)), Map.of("/", exchange -> {
          try {
            exchange.getRequestBody().readAllBytes();
          } catch (IOException e) {
            failure.complete(e);
            throw e;
          }
        }));
    try (Client slow = new Client(address)) {
      slow.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
      assertThat(failure.get(60, TimeUnit.SECONDS)).isInstanceOf(java.net.SocketTimeoutException.class);
      assertThat(slow.response().status()).isEqualTo(408);
      assertThat(slow.closedByServer()).isTrue();
    }
  }

  /**
   * Slowloris on the write side: a client that sends a request and never reads its answer. The
   * server's write blocks once the socket buffers are full; past the write timeout the connection
   * is cut, so the write fails and the thread and the connection's slot are freed.
   */
  @Test
  void aClientThatNeverReadsItsAnswerIsCutOffAfterTheWriteTimeout() throws Exception {
    CountDownLatch cutOff = new CountDownLatch(1);
    InetSocketAddress address = start(new Http1Server.Limits(8, 16 * 1024, 100, Duration.ofSeconds(30),
        Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMillis(300)), Map.of("/", exchange -> {
          exchange.sendResponseHeaders(200, 0);
          byte[] chunk = new byte[64 * 1024];
          OutputStream out = exchange.getResponseBody();
          try {
            while (true) { // an endless event stream
              out.write(chunk);
              out.flush();
            }
          } catch (IOException e) {
            cutOff.countDown();
            throw e;
          }
        }));
    try (Socket reader = new Socket()) {
      reader.setReceiveBufferSize(4096);
      reader.connect(address);
      reader.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      reader.getOutputStream().flush();
      assertThat(cutOff.await(60, TimeUnit.SECONDS)).as("the blocked write was cut off").isTrue();
    }
  }

  @Test
  void pastTheConnectionCapANewConnectionGets503() throws Exception {
    InetSocketAddress address = start(Http1Server.Limits.DEFAULT.withMaxConnections(1), Map.of("/", ECHO));
    try (Client first = new Client(address)) {
      assertThat(first.send(post("/", "x")).response().status()).isEqualTo(200);
      try (Client second = new Client(address)) {
        Response refused = second.response();
        assertThat(refused.status()).isEqualTo(503);
        assertThat(second.closedByServer()).isTrue();
      }
      assertThat(first.send(post("/", "y")).response().body()).isEqualTo("POST / y");
    }
  }

  @Test
  void expectContinueIsAnsweredBeforeTheBodyIsRead() throws Exception {
    try (Client client = new Client(echo())) {
      client.send("POST /mcp HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
      assertThat(client.head().status()).isEqualTo(100);
      assertThat(client.send("body").response().body()).isEqualTo("POST /mcp body");
    }
  }

  @Test
  void anEventStreamsHeadersGoOutAtOnceAndItEndsFromAnotherThread() throws Exception {
    CountDownLatch headersRead = new CountDownLatch(1);
    CompletableFuture<HttpExchange> open = new CompletableFuture<>();
    InetSocketAddress address = start(Http1Server.Limits.DEFAULT, Map.of("/", ECHO, "/events", exchange -> {
      exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
      exchange.sendResponseHeaders(200, 0);
      open.complete(exchange); // the handler returns; the exchange stays open
    }));
    try (Client client = new Client(address)) {
      client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
      Response head = client.head();
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("Transfer-Encoding")).isEqualTo("chunked");
      HttpExchange exchange = open.get(60, TimeUnit.SECONDS);
      Thread other = new Thread(() -> {
        try {
          exchange.getResponseBody().write("data: one\n\n".getBytes(StandardCharsets.UTF_8));
          exchange.getResponseBody().flush();
          headersRead.await();
          exchange.getResponseBody().write("data: two\n\n".getBytes(StandardCharsets.UTF_8));
          exchange.close();
        } catch (IOException | InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      other.start();
      assertThat(client.line()).isEqualTo("b");
      assertThat(client.line()).isEqualTo("data: one");
      assertThat(client.line()).isEmpty();
      assertThat(client.line()).isEmpty();
      headersRead.countDown();
      assertThat(client.line()).isEqualTo("b");
      assertThat(client.line()).isEqualTo("data: two");
      assertThat(client.line()).isEmpty();
      assertThat(client.line()).isEmpty();
      assertThat(client.line()).isEqualTo("0");
      assertThat(client.line()).isEmpty();
      other.join();
      assertThat(client.send(post("/after", "z")).response().body()).isEqualTo("POST /after z");
    }
  }

  @Test
  void headConnectionCloseAndHttp10() throws Exception {
    InetSocketAddress address = start(Http1Server.Limits.DEFAULT, Map.of("/", ECHO, "/head", exchange -> {
      exchange.sendResponseHeaders(200, 5); // the length a GET would get; no body for HEAD
      exchange.close();
    }));
    try (Client client = new Client(address)) {
      Response head = client.send("HEAD /head HTTP/1.1\r\nHost: x\r\n\r\n").response(true);
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("Content-Length")).isEqualTo("5");
      assertThat(client.send(post("/", "after head")).response().body()).isEqualTo("POST / after head");
      Response last = client.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").response();
      assertThat(last.header("Connection")).isEqualTo("close");
      assertThat(client.closedByServer()).isTrue();
    }
    try (Client client = new Client(server.address())) {
      Response old = client.send("GET /old HTTP/1.0\r\n\r\n").response();
      assertThat(old.body()).isEqualTo("GET /old ");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void aHandlerThatFailsBeforeAnsweringGets500AndTheConnectionCloses() throws Exception {
    InetSocketAddress address = start(Http1Server.Limits.DEFAULT, Map.of("/", exchange -> {
      throw new IllegalStateException("boom");
    }));
    try (Client client = new Client(address)) {
      assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").response().status()).isEqualTo(500);
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void stopClosesIdleConnectionsAndLetsAnExchangeInProgressFinish() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    InetSocketAddress address = start(Http1Server.Limits.DEFAULT, Map.of("/", ECHO, "/held", exchange -> {
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    }));
    try (Client idle = new Client(address); Client busy = new Client(address)) {
      assertThat(idle.send(post("/", "x")).response().status()).isEqualTo(200);
      busy.send("GET /held HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();
      Thread stopper = new Thread(() -> server.stop(Duration.ofSeconds(60)));
      stopper.start();
      assertThat(idle.closedByServer()).isTrue();
      release.countDown();
      assertThat(busy.response().status()).isEqualTo(204);
      assertThat(busy.closedByServer()).isTrue();
      stopper.join();
    }
    assertThat(server.connectionCount()).isZero();
  }
}
