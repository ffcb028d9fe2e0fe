package io.toolgate.gateway.internal;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * One request and its response on a connection of {@link Http1Server}, as the {@link
 * HttpExchange} its handlers take. {@code sendResponseHeaders(code, n)} with {@code n > 0} sends a
 * body of {@code n} bytes, the head going out in the same write as the body's last byte; {@code 0}
 * a chunked body, its head written at once (an event stream's client waits for it) and each
 * chunk on {@code flush()}; {@code -1} no body. The exchange ends on {@link #close()}, from any
 * thread; the connection then serves its next request.
 */
final class Http1Exchange extends HttpExchange {
  private static final DateTimeFormatter DATE = DateTimeFormatter.RFC_1123_DATE_TIME;
  private static volatile String date = "";
  private static volatile long dateSecond;

  private final Http1Request request;
  private final Http1Context context;
  private final InetSocketAddress local;
  private final InetSocketAddress remote;
  private final OutputStream socket;
  private final Headers responseHeaders = new Headers();
  private final Map<String, Object> attributes = new ConcurrentHashMap<>();
  private final CountDownLatch ended = new CountDownLatch(1);
  private InputStream requestBody;
  private OutputStream responseBody;
  private Body body;
  private int code = -1;
  private boolean keepAlive;
  private boolean broken;
  private boolean closed;

  Http1Exchange(Http1Request request, InputStream requestBody, OutputStream socket, Http1Context context,
      InetSocketAddress local, InetSocketAddress remote) {
    this.request = request;
    this.requestBody = requestBody;
    this.socket = socket;
    this.context = context;
    this.local = local;
    this.remote = remote;
    this.keepAlive = request.keepAlive();
  }

  /** Waits until the exchange has ended (its response complete, or abandoned). */
  void awaitEnd() throws InterruptedException {
    ended.await();
  }

  /** Whether the connection may serve another request after this one. */
  synchronized boolean reusable() {
    return closed && keepAlive && !broken && code >= 0;
  }

  synchronized boolean headersSent() {
    return code >= 0;
  }

  /** Sends {@code 100 Continue} before the body's first read, if the client asked and nothing was answered yet. */
  synchronized void continueIfExpected() {
    if (request.expectContinue() && code < 0 && !closed) {
      try {
        socket.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        socket.flush();
      } catch (IOException e) {
        broken = true;
      }
    }
  }

  @Override
  public synchronized void sendResponseHeaders(int rCode, long responseLength) throws IOException {
    if (code >= 0) {
      throw new IOException("the response headers were sent already");
    }
    if (closed) {
      throw new IOException("the exchange was closed");
    }
    if (rCode < 200 || rCode > 999) {
      throw new IllegalArgumentException("status must be 200 to 999, was " + rCode);
    }
    boolean head = request.method().equals("HEAD");
    boolean noBody = head || rCode == 204 || rCode == 304;
    if (noBody) {
      responseHeaders.remove("Transfer-Encoding");
      if (!head || responseLength <= 0) {
        responseHeaders.remove("Content-Length");
      } else {
        responseHeaders.set("Content-Length", Long.toString(responseLength));
      }
      body = new Fixed(0);
    } else if (responseLength > 0) {
      responseHeaders.set("Content-Length", Long.toString(responseLength));
      body = new Fixed(responseLength);
    } else if (responseLength == 0 && request.http11()) {
      responseHeaders.set("Transfer-Encoding", "chunked");
      body = new Chunked();
    } else if (responseLength == 0) {
      keepAlive = false; // HTTP/1.0: the body ends with the connection
      body = new Fixed(Long.MAX_VALUE);
    } else {
      responseHeaders.set("Content-Length", "0");
      body = new Fixed(0);
    }
    if (!request.http11() && keepAlive) {
      responseHeaders.set("Connection", "keep-alive");
    } else if (!keepAlive) {
      responseHeaders.set("Connection", "close");
    }
    responseHeaders.set("Date", date());
    StringBuilder head_ = new StringBuilder(256).append("HTTP/1.1 ").append(rCode).append(' ')
        .append(reason(rCode)).append("\r\n");
    for (Map.Entry<String, List<String>> field : responseHeaders.entrySet()) {
      for (String value : field.getValue()) {
        if (!Http1Request.token(field.getKey()) || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
          throw new IOException("a response header field that would break the response: " + field.getKey());
        }
        head_.append(field.getKey()).append(": ").append(value).append("\r\n");
      }
    }
    code = rCode;
    socket.write(head_.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
    if (responseLength == 0 && !noBody) {
      socket.flush(); // a streamed body: its client may wait for the head before anything else
    }
    responseBody = new Out();
  }

  private static String date() {
    long second = System.currentTimeMillis() / 1000;
    if (second != dateSecond) {
      date = DATE.format(ZonedDateTime.now(ZoneOffset.UTC));
      dateSecond = second;
    }
    return date;
  }

  static String reason(int code) {
    return switch (code) {
      case 200 -> "OK";
      case 202 -> "Accepted";
      case 204 -> "No Content";
      case 302 -> "Found";
      case 303 -> "See Other";
      case 304 -> "Not Modified";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 408 -> "Request Timeout";
      case 413 -> "Content Too Large";
      case 414 -> "URI Too Long";
      case 417 -> "Expectation Failed";
      case 429 -> "Too Many Requests";
      case 431 -> "Request Header Fields Too Large";
      case 500 -> "Internal Server Error";
      case 501 -> "Not Implemented";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 505 -> "HTTP Version Not Supported";
      default -> "Status";
    };
  }

  /**
   * Ends the exchange: the response's end goes out (the last chunk, or what is buffered), and the
   * connection serves its next request. An exchange closed before its headers were sent, or
   * whose fixed-length body is short, ends its connection. Idempotent; any thread.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      try {
        if (body == null) {
          broken = true;
        } else {
          body.finish();
        }
      } catch (IOException e) {
        broken = true;
      }
    }
    ended.countDown();
  }

  /** Ends the exchange as broken (the connection closes after it). */
  void abandon() {
    synchronized (this) {
      broken = true;
    }
    close();
  }

  private interface Body {
    void write(byte[] b, int off, int len) throws IOException;

    void flush() throws IOException;

    void finish() throws IOException;
  }

  /** The handler's view of the response body: writes go to the framing in use; close ends the exchange. */
  private final class Out extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      synchronized (Http1Exchange.this) {
        if (closed) {
          throw new IOException("the exchange was closed");
        }
        body.write(b, off, len);
      }
    }

    @Override
    public void flush() throws IOException {
      synchronized (Http1Exchange.this) {
        if (!closed) {
          body.flush();
        }
      }
    }

    @Override
    public void close() {
      Http1Exchange.this.close();
    }
  }

  private final class Fixed implements Body {
    private long left;

    Fixed(long length) {
      this.left = length;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (len > left) {
        broken = true;
        throw new IOException("more bytes than the Content-Length sent");
      }
      socket.write(b, off, len);
      left -= len;
      if (left == 0) {
        socket.flush();
      }
    }

    @Override
    public void flush() throws IOException {
      socket.flush();
    }

    @Override
    public void finish() throws IOException {
      if (left > 0) {
        broken = true;
      }
      socket.flush();
    }
  }

  private final class Chunked implements Body {
    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (len > 0) {
        socket.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        socket.write(b, off, len);
        socket.write(CRLF);
      }
    }

    @Override
    public void flush() throws IOException {
      socket.flush();
    }

    @Override
    public void finish() throws IOException {
      socket.write(LAST_CHUNK);
      socket.flush();
    }
  }

  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

  @Override
  public Headers getRequestHeaders() {
    return request.headers();
  }

  @Override
  public Headers getResponseHeaders() {
    return responseHeaders;
  }

  @Override
  public URI getRequestURI() {
    return request.uri();
  }

  @Override
  public String getRequestMethod() {
    return request.method();
  }

  @Override
  public HttpContext getHttpContext() {
    return context;
  }

  @Override
  public synchronized InputStream getRequestBody() {
    return requestBody;
  }

  @Override
  public synchronized OutputStream getResponseBody() {
    if (responseBody == null) {
      return new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          throw new IOException("the response headers were not sent yet");
        }
      };
    }
    return responseBody;
  }

  @Override
  public InetSocketAddress getRemoteAddress() {
    return remote;
  }

  @Override
  public synchronized int getResponseCode() {
    return code;
  }

  @Override
  public InetSocketAddress getLocalAddress() {
    return local;
  }

  @Override
  public String getProtocol() {
    return request.http11() ? "HTTP/1.1" : "HTTP/1.0";
  }

  @Override
  public Object getAttribute(String name) {
    return attributes.get(name);
  }

  @Override
  public void setAttribute(String name, Object value) {
    if (value == null) {
      attributes.remove(name);
    } else {
      attributes.put(name, value);
    }
  }

  @Override
  public synchronized void setStreams(InputStream i, OutputStream o) {
    if (i != null) {
      requestBody = i;
    }
    if (o != null) {
      responseBody = o;
    }
  }

  /** No authenticator runs: {@code null}. */
  @Override
  public HttpPrincipal getPrincipal() {
    return null;
  }
}
