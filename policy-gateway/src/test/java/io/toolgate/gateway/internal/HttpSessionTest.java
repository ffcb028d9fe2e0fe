package io.toolgate.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import io.toolgate.api.CallContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Which event stream of an HTTP session carries what: nothing is written on a stream before its
 * headers, what waited for a stream goes on the first one that has begun, and a cancelled
 * request's stream ends.
 */
class HttpSessionTest {
  static final String LIST_CHANGED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}";

  /** An exchange that records what is done with it, and refuses a body before headers as the JDK's does. */
  static class Recorded extends HttpExchange {
    final List<String> events = new CopyOnWriteArrayList<>();
    private boolean headersSent;
    private final Headers responseHeaders = new Headers();

    @Override
    public OutputStream getResponseBody() {
      return new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          if (!headersSent) {
            throw new IOException("response headers not sent yet");
          }
          ByteArrayOutputStream text = new ByteArrayOutputStream();
          text.write(b, off, len);
          writing(text.toString(StandardCharsets.UTF_8).trim());
          events.add(text.toString(StandardCharsets.UTF_8).trim());
        }
      };
    }

    /** Called with each event before it is recorded: a subclass may block here, as a client that does not read. */
    void writing(String event) throws IOException {}

    @Override
    public void sendResponseHeaders(int status, long length) {
      headersSent = true;
      events.add("headers " + status + " " + responseHeaders.getFirst("Content-Type"));
    }

    @Override
    public void close() {
      events.add("closed");
    }

    @Override
    public Headers getResponseHeaders() {
      return responseHeaders;
    }

    @Override
    public Headers getRequestHeaders() {
      return new Headers();
    }

    @Override
    public URI getRequestURI() {
      return URI.create("/mcp");
    }

    @Override
    public String getRequestMethod() {
      return "POST";
    }

    @Override
    public HttpContext getHttpContext() {
      return null;
    }

    @Override
    public InputStream getRequestBody() {
      return InputStream.nullInputStream();
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
      return null;
    }

    @Override
    public int getResponseCode() {
      return headersSent ? 200 : -1;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
      return null;
    }

    @Override
    public String getProtocol() {
      return "HTTP/1.1";
    }

    @Override
    public Object getAttribute(String name) {
      return null;
    }

    @Override
    public void setAttribute(String name, Object value) {}

    @Override
    public void setStreams(InputStream in, OutputStream out) {}

    @Override
    public HttpPrincipal getPrincipal() {
      return null;
    }
  }

  final HttpSession session = new HttpSession("s-1", CallContext.of("alice"), new Upstream() {
    @Override
    public void start(Listener listener) {}

    @Override
    public void send(Message message) {}

    @Override
    public void forget(JsonNode id) {}

    @Override
    public void close() {}
  });

  @Test
  void whatWaitsForAStreamGoesOnANewOneOnlyAfterItsHeaders() throws IOException {
    session.send(LIST_CHANGED); // no stream open: it waits
    Recorded exchange = new Recorded();
    HttpSession.Stream stream = new HttpSession.Stream(exchange);
    assertThat(session.await(IntNode.valueOf(1), stream)).isTrue();
    session.send(LIST_CHANGED); // registered, not begun: waits too
    assertThat(exchange.events).as("nothing before the headers").isEmpty();

    stream.begin();
    session.flushBacklog();
    session.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}");
    assertThat(exchange.events).containsExactly("headers 200 text/event-stream",
        "event: message\ndata: " + LIST_CHANGED, "event: message\ndata: " + LIST_CHANGED,
        "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}", "closed");
  }

  /** What the server sent on a request's answer (its progress) goes on that request's stream, before its response. */
  @Test
  void whatIsAboutARequestGoesOnItsOwnStreamAheadOfItsResponse() throws IOException {
    Recorded general = new Recorded();
    HttpSession.Stream get = new HttpSession.Stream(general);
    get.begin();
    assertThat(session.listen(get)).isTrue();
    Recorded first = new Recorded();
    Recorded second = new Recorded();
    HttpSession.Stream one = new HttpSession.Stream(first);
    HttpSession.Stream two = new HttpSession.Stream(second);
    assertThat(session.await(IntNode.valueOf(1), one)).isTrue();
    assertThat(session.await(IntNode.valueOf(2), two)).isTrue();
    one.begin();
    two.begin();
    String progress = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":\"t\"}}";
    session.send(progress, IntNode.valueOf(2));
    session.respond(IntNode.valueOf(2), "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}");
    session.send(progress, IntNode.valueOf(2)); // its stream has ended: the session's stream takes it
    session.send(LIST_CHANGED, IntNode.valueOf(9));
    assertThat(second.events).containsExactly("headers 200 text/event-stream", "event: message\ndata: " + progress,
        "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}", "closed");
    assertThat(general.events).containsExactly("headers 200 text/event-stream", "event: message\ndata: " + progress,
        "event: message\ndata: " + LIST_CHANGED);
    assertThat(first.events).containsExactly("headers 200 text/event-stream");
  }

  /** The relay may answer a request (a refusal) before its stream began: the answer brings the headers. */
  @Test
  void aResponseBeforeTheStreamBeganGoesOutWithItsHeadersAndTheStreamDoesNotBeginTwice() throws IOException {
    Recorded exchange = new Recorded();
    HttpSession.Stream stream = new HttpSession.Stream(exchange);
    assertThat(session.await(IntNode.valueOf(1), stream)).isTrue();
    session.respond(IntNode.valueOf(1), "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{}}");
    stream.begin();
    stream.beginQuietly();
    assertThat(exchange.events).containsExactly("headers 200 text/event-stream",
        "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{}}", "closed");
  }

  @Test
  void aStreamCancelledBeforeItBeganEndsAsAnEmptyEventStream() {
    Recorded exchange = new Recorded();
    assertThat(session.await(IntNode.valueOf(3), new HttpSession.Stream(exchange))).isTrue();
    session.cancelled(IntNode.valueOf(3));
    assertThat(exchange.events).containsExactly("headers 200 text/event-stream", "closed");
  }

  @Test
  void aCancelledRequestsStreamEndsAndItsIdIsFreeAgain() throws IOException {
    Recorded exchange = new Recorded();
    HttpSession.Stream stream = new HttpSession.Stream(exchange);
    assertThat(session.await(IntNode.valueOf(7), stream)).isTrue();
    stream.begin();
    assertThat(session.await(IntNode.valueOf(7), new HttpSession.Stream(new Recorded()))).as("id in flight").isFalse();

    session.cancelled(null);
    session.cancelled(IntNode.valueOf(8));
    assertThat(exchange.events).containsExactly("headers 200 text/event-stream");
    session.cancelled(IntNode.valueOf(7));
    assertThat(exchange.events).containsExactly("headers 200 text/event-stream", "closed");
    session.send("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}"); // a late answer goes nowhere
    assertThat(exchange.events).hasSize(2);
    assertThat(session.await(IntNode.valueOf(7), new HttpSession.Stream(new Recorded()))).isTrue();
  }
}
