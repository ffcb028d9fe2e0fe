package io.toolgate.gateway.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A minimal blocking HTTP/1.1 client for one origin ({@code http} or {@code https}), with
 * keep-alive: the thread that sends a request reads its answer from the socket itself, with no
 * hand-off to other threads (the JDK's {@code HttpClient} passes every response through its
 * selector thread, an executor and, for {@code sendAsync}, a thread per response on a 2-core
 * machine, each a scheduling delay on a loaded host). {@code TCP_NODELAY} is on, the request goes
 * out in one write. A connection is reused once its answer was read to the end and the server did
 * not ask to close it; a request that finds a reused connection closed by the server before any
 * byte of the answer came is sent once more on a new connection.
 */
final class Http1Client implements AutoCloseable {
  private static final int MAX_HEAD_BYTES = 64 * 1024;
  /** The most header fields an answer may have (repeated ones merge into one value). */
  static final int MAX_HEADER_FIELDS = 256;
  private static final int MAX_IDLE = 16;
  /** Idle connections older than this are not reused (servers close idle ones after 5 s and more). */
  private static final long MAX_IDLE_NANOS = Duration.ofSeconds(4).toNanos();

  /** An answer: its status, its headers (names in lower case), and its body, to be read and closed. */
  record Response(int status, Map<String, String> headers, InputStream body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private record Idle(Connection connection, long since) {}

  private final String host;
  private final int port;
  private final boolean tls;
  private final String hostHeader;
  private final String target;
  private final int connectMillis;
  private final ArrayDeque<Idle> idle = new ArrayDeque<>();
  private boolean closed;

  Http1Client(URI url, Duration connectTimeout) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("the upstream URL must be http or https: " + url);
    }
    if (url.getHost() == null) {
      throw new IllegalArgumentException("the upstream URL has no host: " + url);
    }
    this.tls = scheme.equals("https");
    this.host = url.getHost();
    this.port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
    this.hostHeader = url.getPort() > 0 ? url.getRawAuthority().replaceFirst("^.*@", "") : host;
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    this.target = url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
    this.connectMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
  }

  /** Checks that {@code name: value} can go in a request as it is (no line breaks, a token for a name). */
  static void checkHeader(String name, String value) {
    if (name.isEmpty() || !name.chars().allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
      throw new IllegalArgumentException("not an HTTP header name: " + name);
    }
    if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
      throw new IllegalArgumentException("the value of header " + name + " has a line break");
    }
  }

  /**
   * Sends one request and reads the head of its answer. The body must be read to its end (the
   * connection is then reused) or closed (the connection is then closed). A request that could
   * not be written on a reused connection (the server closed it while idle) is sent again on a
   * new one, and so is one written whole that got no byte of answer.
   *
   * @param body {@code null} for none
   * @param readTimeout how long a read may block ({@link Duration#ZERO}: no limit)
   * @param connected told, before the request is written, how to abort the exchange from another
   *     thread (closing its connection), until the body is there to close instead
   */
  Response exchange(String method, Map<String, String> headers, byte[] body, Duration readTimeout,
      Consumer<Closeable> connected) throws IOException {
    return exchange(method, headers, body, readTimeout, true, connected);
  }

  /**
   * As {@link #exchange(String, Map, byte[], Duration, Consumer)}; with {@code sendAgainIfUnanswered}
   * {@code false}, a request written whole on a reused connection that got no byte of answer is
   * not sent again (an {@link EOFException}): the server may have run it before it went away, and
   * a call with effects must not run twice.
   */
  Response exchange(String method, Map<String, String> headers, byte[] body, Duration readTimeout,
      boolean sendAgainIfUnanswered, Consumer<Closeable> connected) throws IOException {
    Connection reused = take();
    if (reused != null) {
      connected.accept(reused::abort);
      try {
        return reused.exchange(method, headers, body, readTimeout);
      } catch (Stale e) {
        reused.close();
        if (e.written && !sendAgainIfUnanswered) {
          throw new EOFException("the upstream server closed the connection without answering; not sent again");
        }
        // closed by the server while idle, before it read the request or answered it: sent again
      } catch (IOException | RuntimeException e) {
        reused.close();
        throw e;
      }
    }
    Connection fresh = connect();
    connected.accept(fresh::abort);
    try {
      return fresh.exchange(method, headers, body, readTimeout);
    } catch (Stale e) {
      fresh.close();
      throw new EOFException("the upstream server closed the connection without answering");
    } catch (IOException | RuntimeException e) {
      fresh.close();
      throw e;
    }
  }

  private synchronized Connection take() {
    long now = System.nanoTime();
    for (Idle next; (next = idle.pollLast()) != null; ) {
      if (now - next.since() < MAX_IDLE_NANOS) {
        return next.connection();
      }
      next.connection().close();
    }
    return null;
  }

  private void release(Connection connection) {
    synchronized (this) {
      if (!closed && idle.size() < MAX_IDLE) {
        idle.addLast(new Idle(connection, System.nanoTime()));
        return;
      }
    }
    connection.close();
  }

  private Connection connect() throws IOException {
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), connectMillis);
      if (tls) {
        SSLSocket secure = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
            .createSocket(socket, host, port, true);
        SSLParameters parameters = secure.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        secure.setSSLParameters(parameters);
        secure.startHandshake();
        socket = secure;
      }
      return new Connection(socket);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** Closes the idle connections; connections in use close when their answers end. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    for (Idle next; (next = pollIdle()) != null; ) {
      next.connection().close();
    }
  }

  private synchronized Idle pollIdle() {
    return idle.pollFirst();
  }

  /** The server closed a reused connection before any byte of the answer. */
  private static final class Stale extends IOException {
    private static final long serialVersionUID = 1L;
    /** Whether the whole request was written (else the server cannot have read it whole). */
    final boolean written;

    Stale(boolean written) {
      this.written = written;
    }
  }

  /** One socket, one exchange at a time. */
  private final class Connection {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private volatile boolean aborted;

    Connection(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
      this.out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
    }

    Response exchange(String method, Map<String, String> headers, byte[] body, Duration readTimeout)
        throws IOException {
      StringBuilder head = new StringBuilder(256).append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
          .append("Host: ").append(hostHeader).append("\r\n");
      headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
      if (body != null) {
        head.append("Content-Length: ").append(body.length).append("\r\n");
      }
      head.append("\r\n");
      try {
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, readTimeout.toMillis()));
        out.write(head.toString().getBytes(StandardCharsets.UTF_8));
        if (body != null) {
          out.write(body);
        }
        out.flush();
      } catch (IOException e) {
        throw aborted ? e : new Stale(false);
      }
      while (true) {
        String status = line(true);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
          throw new IOException("not an HTTP/1.1 answer: " + excerpt(status));
        }
        int code;
        try {
          code = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
          throw new IOException("not an HTTP status: " + excerpt(status));
        }
        Map<String, String> fields = fields();
        if (code >= 100 && code < 200) {
          continue; // an interim answer
        }
        boolean keepAlive = parts[0].equals("HTTP/1.1") && !"close".equalsIgnoreCase(fields.get("connection"));
        return new Response(code, fields, body(method, code, fields, keepAlive));
      }
    }

    private Map<String, String> fields() throws IOException {
      Map<String, String> fields = new TreeMap<>();
      int total = 0;
      int count = 0;
      for (String field; !(field = line(false)).isEmpty(); ) {
        total += field.length();
        if (total > MAX_HEAD_BYTES) {
          throw new IOException("the upstream server's answer has too long a head");
        }
        if (++count > MAX_HEADER_FIELDS) { // each repeated field copies the merged value: bounded
          throw new IOException("the upstream server's answer has more than " + MAX_HEADER_FIELDS + " header fields");
        }
        int colon = field.indexOf(':');
        if (colon > 0) {
          String name = field.substring(0, colon).trim().toLowerCase(Locale.ROOT);
          fields.merge(name, field.substring(colon + 1).trim(), (a, b) -> name.equals("set-cookie") ? a : a + ", " + b);
        }
      }
      return fields;
    }

    private InputStream body(String method, int code, Map<String, String> fields, boolean keepAlive)
        throws IOException {
      if (method.equals("HEAD") || code == 204 || code == 304) {
        return new Body(InputStream.nullInputStream(), keepAlive);
      }
      String encoding = fields.get("transfer-encoding");
      if (encoding != null && encoding.toLowerCase(Locale.ROOT).endsWith("chunked")) {
        return new Body(new UpstreamBodies.Chunked(in), keepAlive);
      }
      String length = fields.get("content-length");
      if (length != null) {
        try {
          long bytes = Long.parseLong(length);
          if (bytes < 0) {
            throw new NumberFormatException();
          }
          return new Body(new UpstreamBodies.Bounded(in, bytes), keepAlive);
        } catch (NumberFormatException e) {
          throw new IOException("not a Content-Length: " + excerpt(length));
        }
      }
      return new Body(in, false); // to the end of the connection
    }

    /** One line of the head, without its CRLF; {@code first}: the status line (a closed connection is stale). */
    private String line(boolean first) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream(64);
      while (true) {
        int b;
        try {
          b = in.read();
        } catch (IOException e) {
          if (first && line.size() == 0 && !aborted) {
            throw new Stale(true);
          }
          throw e;
        }
        if (b < 0) {
          if (first && line.size() == 0 && !aborted) {
            throw new Stale(true);
          }
          throw new EOFException("the upstream server's answer broke off");
        }
        if (b == '\n') {
          byte[] bytes = line.toByteArray();
          int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
          return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
        }
        if (line.size() >= MAX_HEAD_BYTES) {
          throw new IOException("the upstream server's answer has too long a line");
        }
        line.write(b);
      }
    }

    /** Closes the connection from another thread: the exchange on it fails and is not sent again. */
    void abort() {
      aborted = true;
      close();
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }

    /** The body: at its end the connection goes back to the pool; closed before, the connection closes. */
    private final class Body extends InputStream {
      private final InputStream content;
      private final boolean reusable;
      private boolean ended;
      private boolean released;

      Body(InputStream content, boolean reusable) {
        this.content = content;
        this.reusable = reusable;
      }

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int read = content.read(b, off, len);
        if (read < 0) {
          synchronized (this) {
            ended = true;
          }
        }
        return read;
      }

      @Override
      public void close() {
        boolean reuse;
        synchronized (this) {
          if (released) {
            return;
          }
          released = true;
          reuse = ended && reusable;
        }
        if (reuse) {
          release(Connection.this);
        } else {
          Connection.this.close(); // also aborts a read blocked on another thread
        }
      }
    }
  }

  static String excerpt(String text) {
    return text.length() <= 80 ? text : text.substring(0, 80) + "...";
  }
}
