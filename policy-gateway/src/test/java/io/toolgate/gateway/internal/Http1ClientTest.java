package io.toolgate.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Http1Client} against a scripted server on a real socket: each accepted connection answers
 * its requests with the next answers of the script, byte for byte, so that malformed and hostile
 * answers can be sent.
 */
class Http1ClientTest {
  private final ServerSocket server = listen();
  private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  /** Answers after which the server closes the connection. */
  private final List<String> closeAfter = new CopyOnWriteArrayList<>();

  private static ServerSocket listen() {
    try {
      return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  Http1ClientTest() {
    Thread acceptor = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket socket = server.accept();
          connections.incrementAndGet();
          Thread serving = new Thread(() -> serve(socket));
          serving.setDaemon(true);
          serving.start();
        } catch (IOException e) {
          return;
        }
      }
    });
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void serve(Socket socket) {
    try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
      while (true) {
        String head = head(in);
        if (head == null) {
          return;
        }
        int length = head.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
            .mapToInt(l -> Integer.parseInt(l.substring(15).trim())).findFirst().orElse(0);
        requests.add(head + new String(in.readNBytes(length), StandardCharsets.UTF_8));
        String answer = answers.poll(60, TimeUnit.SECONDS);
        if (answer == null) {
          return;
        }
        out.write(answer.getBytes(StandardCharsets.UTF_8));
        out.flush();
        if (closeAfter.contains(answer)) {
          return;
        }
      }
    } catch (IOException | InterruptedException e) {
      // the client went away
    }
  }

  private static String head(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    for (int b; (b = in.read()) >= 0; ) {
      head.write(b);
      String text = head.toString(StandardCharsets.UTF_8);
      if (text.endsWith("\r\n\r\n")) {
        return text;
      }
    }
    return null;
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
  }

  private Http1Client client() {
    return new Http1Client(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/mcp?x=1"), Duration.ofSeconds(10));
  }

  private static Http1Client.Response post(Http1Client client, String body) throws IOException {
    return client.exchange("POST", Map.of("Accept", "text/event-stream"), body.getBytes(StandardCharsets.UTF_8),
        Duration.ofSeconds(60), abort -> {});
  }

  private static String read(Http1Client.Response response) throws IOException {
    try (InputStream body = response.body()) {
      return new String(body.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void readsChunkedAndSizedBodiesAndReusesTheConnection() throws IOException {
    answers.add("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "5;ext=1\r\nevent\r\n3\r\n: x\r\n0\r\nTrailer: dropped\r\n\r\n");
    answers.add("HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n{}");
    try (Http1Client client = client()) {
      Http1Client.Response first = post(client, "{\"a\":1}");
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.header("content-type")).isEqualTo("text/event-stream");
      assertThat(read(first)).isEqualTo("event: x");
      Http1Client.Response second = post(client, "{\"b\":2}");
      assertThat(second.status()).isEqualTo(202);
      assertThat(read(second)).isEqualTo("{}");
    }
    assertThat(connections).hasValue(1);
    assertThat(requests.get(0)).startsWith("POST /mcp?x=1 HTTP/1.1\r\nHost: 127.0.0.1:" + server.getLocalPort() + "\r\n")
        .contains("Accept: text/event-stream\r\n", "Content-Length: 7\r\n").endsWith("\r\n\r\n{\"a\":1}");
  }

  @Test
  void aConnectionTheServerClosesIsNotReusedAndAStaleOneIsRetriedOnce() throws IOException {
    String closing = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na";
    String closedAfterwards = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb";
    closeAfter.add(closing);
    closeAfter.add(closedAfterwards);
    answers.add(closing);
    answers.add(closedAfterwards);
    answers.add("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nc");
    try (Http1Client client = client()) {
      assertThat(read(post(client, "1"))).isEqualTo("a");
      assertThat(read(post(client, "2"))).isEqualTo("b"); // on a new connection, which the server then closes
      assertThat(read(post(client, "3"))).isEqualTo("c"); // the pooled one is stale: sent again on a new one
    }
    assertThat(connections).hasValue(3);
    assertThat(requests).hasSize(3);
  }

  @Test
  void aRequestThatMustNotRunTwiceIsNotSentAgainAfterAStaleConnectionTookIt() throws IOException {
    String closedAfterwards = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb";
    closeAfter.add(closedAfterwards);
    answers.add(closedAfterwards);
    answers.add("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nc");
    try (Http1Client client = client()) {
      assertThat(read(post(client, "1"))).isEqualTo("b"); // the server closes this connection afterwards
      assertThatThrownBy(() -> client.exchange("POST", Map.of(), "2".getBytes(StandardCharsets.UTF_8),
          Duration.ofSeconds(60), false, abort -> {}))
          .isInstanceOf(java.io.EOFException.class).hasMessageContaining("not sent again");
      assertThat(connections).as("no second connection").hasValue(1);
      assertThat(read(post(client, "3"))).as("the next request takes a new connection").isEqualTo("c");
    }
    assertThat(requests).hasSize(2);
  }

  @Test
  void hostileAnswersFailTheExchangeWithoutHangingOrHoldingTheirBytes() throws IOException {
    String longLine = "HTTP/1.1 200 OK\r\nX: " + "a".repeat(70_000) + "\r\n\r\n";
    String badChunk = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
    String hugeChunk = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffffff\r\n";
    String noCrlf = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n";
    String badLength = "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n";
    String notHttp = "SSH-2.0-OpenSSH\r\n\r\n";
    for (String answer : List.of(longLine, badChunk, hugeChunk, noCrlf, badLength, notHttp)) {
      closeAfter.add(answer);
      answers.add(answer);
      try (Http1Client client = client()) {
        assertThatThrownBy(() -> read(post(client, "x"))).as(answer.substring(0, 19)).isInstanceOf(IOException.class);
      }
    }
  }

  /**
   * A head of thousands of short repeated fields, under the 64 KiB head limit: each one merged
   * into the value before it made reading the head quadratic (a second of CPU an answer on a
   * loaded machine); past {@value Http1Client#MAX_HEADER_FIELDS} fields the answer is refused.
   */
  @Test
  void anAnswerWithTooManyHeaderFieldsIsRefused() throws IOException {
    String many = "HTTP/1.1 200 OK\r\n" + "a:\r\n".repeat(20_000) + "Content-Length: 1\r\n\r\nx";
    String enough = "HTTP/1.1 200 OK\r\n" + "a: 1\r\n".repeat(Http1Client.MAX_HEADER_FIELDS - 1)
        + "Content-Length: 1\r\n\r\ny";
    closeAfter.add(many);
    answers.add(many);
    try (Http1Client client = client()) {
      assertThatThrownBy(() -> read(post(client, "x"))).isInstanceOf(IOException.class)
          .hasMessageContaining("header fields");
    }
    answers.add(enough);
    try (Http1Client client = client()) {
      Http1Client.Response answer = post(client, "x");
      assertThat(read(answer)).isEqualTo("y");
      assertThat(answer.header("a")).startsWith("1, 1, 1");
    }
  }

  @Test
  void anAnswerThatEndsEarlyIsAnError() throws IOException {
    String shortBody = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
    closeAfter.add(shortBody);
    answers.add(shortBody);
    try (Http1Client client = client()) {
      assertThatThrownBy(() -> read(post(client, "x"))).isInstanceOf(IOException.class);
    }
  }

  @Test
  void anExchangeWaitingForItsAnswerIsAbortedFromAnotherThread() throws Exception {
    CompletableFuture<java.io.Closeable> abort = new CompletableFuture<>();
    try (Http1Client client = client()) {
      CompletableFuture<Http1Client.Response> waiting = CompletableFuture.supplyAsync(() -> {
        try {
          return client.exchange("POST", Map.of(), new byte[0], Duration.ZERO, abort::complete);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      abort.get(60, TimeUnit.SECONDS).close();
      assertThat(waiting).failsWithin(Duration.ofSeconds(60));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (connections.get() == 0 && System.nanoTime() < deadline) {
      Thread.yield(); // the client connected before it could be aborted; the server counts on its own thread
    }
    assertThat(connections).hasValue(1); // not sent again
  }

  @Test
  void headersThatWouldSplitTheRequestAreRefused() {
    assertThatThrownBy(() -> Http1Client.checkHeader("X-Api-Key", "k\r\nX-Evil: 1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Http1Client.checkHeader("X Key", "k")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Http1Client(URI.create("ftp://host/mcp"), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    Http1Client.checkHeader("Authorization", "Bearer abc");
  }
}
