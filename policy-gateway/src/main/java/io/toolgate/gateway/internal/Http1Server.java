package io.toolgate.gateway.internal;

import com.sun.net.httpserver.HttpHandler;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small blocking HTTP/1.1 server for the gateway's streamable HTTP side: one thread accepts, and
 * each connection is read and written by one thread of its own for as long as it is kept alive,
 * so a request reaches its handler with no hand-off between threads (the JDK {@code HttpServer}
 * passes every request from its dispatcher thread to a worker, and wakes the dispatcher again when
 * an exchange ends). Handlers are the JDK's {@link HttpHandler}s, mounted at path prefixes (the
 * longest match wins), and get an {@link com.sun.net.httpserver.HttpExchange}.
 *
 * <p>Defences: a request head must arrive within {@link Limits#headTimeout()} of its first byte
 * and its body within {@link Limits#bodyTimeout()} of the head (slow clients), an idle kept-alive
 * connection is closed after {@link Limits#idleTimeout()}, heads are bounded ({@link
 * Http1Request}: size, field count, strict framing, no request smuggling), and past {@link
 * Limits#maxConnections()} a new connection gets {@code 503} and is closed. A write to a client
 * that makes no progress for {@link Limits#writeTimeout()} (a client that does not read its
 * answer: slowloris on the write side) closes the connection, which fails the write.
 */
public final class Http1Server implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Http1Server.class);
  /** How much of a body the handler left unread is read and dropped to keep the connection. */
  private static final int MAX_DRAIN = 64 * 1024;

  /**
   * The server's limits; {@code writeTimeout} is how long a write to a client may make no progress
   * (a client that does not read its answer) before its connection is closed.
   */
  public record Limits(int maxConnections, int maxHeadBytes, int maxHeaderFields, Duration headTimeout,
      Duration bodyTimeout, Duration idleTimeout, Duration writeTimeout) {
    /** 512 connections, 16 KiB and 100 fields a head, 10 s for a head, 30 s for a body, 30 s idle, 30 s a write. */
    public static final Limits DEFAULT = new Limits(512, 16 * 1024, 100, Duration.ofSeconds(10),
        Duration.ofSeconds(30), Duration.ofSeconds(30));

    /** These limits with a write timeout of 30 s. */
    public Limits(int maxConnections, int maxHeadBytes, int maxHeaderFields, Duration headTimeout,
        Duration bodyTimeout, Duration idleTimeout) {
      this(maxConnections, maxHeadBytes, maxHeaderFields, headTimeout, bodyTimeout, idleTimeout,
          Duration.ofSeconds(30));
    }

    /** The same limits with at most {@code max} connections at once. */
    public Limits withMaxConnections(int max) {
      return new Limits(max, maxHeadBytes, maxHeaderFields, headTimeout, bodyTimeout, idleTimeout, writeTimeout);
    }
  }

  private final ServerSocket server;
  private final Limits limits;
  private final List<Http1Context> contexts;
  private final ExecutorService threads;
  private final ScheduledExecutorService watch;
  private final Set<Connection> open = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();
  private volatile boolean stopping;

  /**
   * Binds {@code address} and starts accepting; {@code handlers} maps path prefixes to handlers.
   *
   * @throws IOException if the address cannot be bound
   */
  public Http1Server(InetSocketAddress address, int backlog, Limits limits, Map<String, HttpHandler> handlers)
      throws IOException {
    this.limits = limits;
    List<Http1Context> mounted = new ArrayList<>();
    handlers.forEach((path, handler) -> mounted.add(new Http1Context(path, handler)));
    mounted.sort(Comparator.comparingInt((Http1Context c) -> c.getPath().length()).reversed());
    this.contexts = List.copyOf(mounted);
    this.server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(address, backlog);
    this.threads = Executors.newCachedThreadPool(body -> {
      Thread thread = new Thread(body, "toolgate-gateway-connection");
      thread.setDaemon(true);
      return thread;
    });
    this.watch = Executors.newSingleThreadScheduledExecutor(body -> {
      Thread thread = new Thread(body, "toolgate-gateway-write-watch");
      thread.setDaemon(true);
      return thread;
    });
    long period = Math.max(10, Math.min(1000, limits.writeTimeout().toMillis() / 4));
    watch.scheduleWithFixedDelay(this::cutOffStalledWrites, period, period, TimeUnit.MILLISECONDS);
    Thread acceptor = new Thread(this::accept, "toolgate-gateway-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The address listened on (with the port it got, if 0 was asked for). */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  /** The connections open now. */
  public int connectionCount() {
    return open.size();
  }

  private final class Connection {
    final Socket socket;
    /** Waiting for a request's first byte: closed at once on stop. Guarded by this. */
    boolean idle;
    /** Every write to the socket goes through it; set before the first. */
    volatile Http1Output output;

    Connection(Socket socket) {
      this.socket = socket;
    }
  }

  /** Closes each connection whose write has been blocked longer than the write timeout. */
  private void cutOffStalledWrites() {
    long now = System.nanoTime();
    long timeout = limits.writeTimeout().toNanos();
    for (Connection connection : open) {
      Http1Output output = connection.output;
      long since = output == null ? 0 : output.since;
      if (since != 0 && now - since > timeout) {
        LOG.debug("a client did not read its answer for {}: its connection is closed", limits.writeTimeout());
        closeQuietly(connection.socket);
      }
    }
  }

  private void accept() {
    while (!stopping) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        if (!stopping) {
          LOG.warn("the gateway's HTTP server stopped accepting", e);
        }
        return;
      }
      if (stopping || open.size() >= limits.maxConnections()) {
        refuse(socket);
        continue;
      }
      Connection connection = new Connection(socket);
      open.add(connection);
      try {
        threads.execute(() -> serve(connection));
      } catch (RuntimeException e) {
        ended(connection);
        closeQuietly(socket);
      }
    }
  }

  /** Past the connection cap: {@code 503}, then close (one small write to a new socket: it does not block). */
  private static void refuse(Socket socket) {
    try (socket) {
      socket.setSoTimeout(1000);
      answer(socket.getOutputStream(), 503, "too many connections; try again later");
      socket.shutdownOutput();
    } catch (IOException e) {
      LOG.debug("could not refuse a connection past the cap", e);
    }
  }

  private void serve(Connection connection) {
    Socket socket = connection.socket;
    try {
      socket.setTcpNoDelay(true);
      Http1Request.In in = new Http1Request.In(socket);
      Http1Output watched = new Http1Output(socket.getOutputStream());
      connection.output = watched;
      OutputStream out = new BufferedOutputStream(watched, 16 * 1024);
      InetSocketAddress local = (InetSocketAddress) socket.getLocalSocketAddress();
      InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
      while (waitForRequest(connection, in)) {
        if (!exchange(in, out, socket, local, remote)) {
          break;
        }
      }
    } catch (IOException e) {
      LOG.debug("a client connection ended", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeQuietly(socket);
      ended(connection);
    }
  }

  /** Waits (idle) for a request's first byte; {@code false} if the connection should end. */
  private boolean waitForRequest(Connection connection, Http1Request.In in) throws IOException {
    synchronized (connection) {
      if (stopping) {
        return false;
      }
      connection.idle = true;
    }
    try {
      in.deadline(limits.idleTimeout());
      if (in.peek() < 0) {
        return false;
      }
    } catch (SocketTimeoutException e) {
      return false;
    }
    synchronized (connection) {
      connection.idle = false;
      return !stopping || in.available() > 0;
    }
  }

  /** Reads one request, runs its handler, waits for its exchange to end; {@code true} to go on. */
  private boolean exchange(Http1Request.In in, OutputStream out, Socket socket, InetSocketAddress local,
      InetSocketAddress remote) throws IOException, InterruptedException {
    Http1Request request;
    in.deadline(limits.headTimeout());
    try {
      request = Http1Request.read(in, limits.maxHeadBytes(), limits.maxHeaderFields());
    } catch (Http1Request.Refusal refusal) {
      answer(out, refusal.status, refusal.getMessage());
      linger(socket, in);
      return false;
    } catch (SocketTimeoutException e) {
      answer(out, 408, "the request head took too long");
      return false;
    }
    if (request == null) {
      return false;
    }
    in.deadline(limits.bodyTimeout());
    Http1Context context = context(request.uri().getRawPath());
    Http1Exchange[] self = new Http1Exchange[1];
    InputStream body = request.body(in, () -> self[0].continueIfExpected());
    Http1Exchange exchange = new Http1Exchange(request, body, out, context, local, remote);
    self[0] = exchange;
    if (context == null) {
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      byte[] text = "not found\n".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(404, text.length);
      exchange.getResponseBody().write(text);
      exchange.close();
    } else {
      run(context, exchange);
    }
    exchange.awaitEnd();
    if (!exchange.reusable() || stopping) {
      return false;
    }
    return drained(body);
  }

  private static void run(Http1Context context, Http1Exchange exchange) {
    try {
      context.getHandler().handle(exchange);
    } catch (IOException | RuntimeException e) {
      if (!exchange.headersSent()) {
        LOG.debug("a request failed before its answer", e);
        try {
          exchange.getResponseHeaders().clear();
          exchange.getResponseHeaders().set("Connection", "close");
          exchange.sendResponseHeaders(e instanceof SocketTimeoutException ? 408 : e instanceof IOException ? 400 : 500, -1);
        } catch (IOException | RuntimeException ignored) {
          // the client is gone
        }
      } else {
        LOG.debug("a request failed during its answer", e);
      }
      exchange.abandon();
    }
  }

  /** Reads what the handler left of the body (bounded), so the next request starts where it should. */
  private static boolean drained(InputStream body) {
    try {
      if (((Http1Body) body).complete()) {
        return true;
      }
      long skipped = 0;
      byte[] scratch = new byte[4096];
      for (int n; (n = body.read(scratch)) >= 0; ) {
        skipped += n;
        if (skipped > MAX_DRAIN) {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private Http1Context context(String path) {
    String p = path == null ? "" : path;
    for (Http1Context context : contexts) {
      if (p.startsWith(context.getPath())) {
        return context;
      }
    }
    return null;
  }

  private static void answer(OutputStream out, int status, String message) throws IOException {
    byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
    String head = "HTTP/1.1 " + status + " " + Http1Exchange.reason(status)
        + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + body.length
        + "\r\nConnection: close\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    out.write(body);
    out.flush();
  }

  /**
   * After a refusal: stops writing, then reads and drops what the client still sends (briefly,
   * bounded), so that closing does not reset the connection before the client read the answer.
   */
  private static void linger(Socket socket, Http1Request.In in) {
    try {
      socket.shutdownOutput();
      in.deadline(Duration.ofSeconds(2));
      byte[] scratch = new byte[4096];
      long dropped = 0;
      for (int n; dropped < MAX_DRAIN && (n = in.read(scratch)) >= 0; ) {
        dropped += n;
      }
    } catch (IOException e) {
      LOG.trace("linger ended", e);
    }
  }

  private void ended(Connection connection) {
    open.remove(connection);
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  /**
   * Stops: no new connection is accepted, idle kept-alive connections are closed, and a
   * connection in an exchange closes when its exchange ends; after {@code wait}, every connection
   * still open is closed.
   */
  public void stop(Duration wait) {
    stopping = true;
    closeQuietly(server);
    for (Connection connection : open) {
      synchronized (connection) {
        if (connection.idle) {
          closeQuietly(connection.socket);
        }
      }
    }
    long deadline = System.nanoTime() + wait.toNanos();
    synchronized (lock) {
      for (long left; !open.isEmpty() && (left = deadline - System.nanoTime()) > 0; ) {
        try {
          lock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    open.forEach(connection -> closeQuietly(connection.socket));
    threads.shutdownNow(); // a thread still waiting for an exchange to end stops waiting
    watch.shutdownNow();
  }

  /** {@link #stop(Duration) Stops} waiting one second for exchanges in progress. */
  @Override
  public void close() {
    stop(Duration.ofSeconds(1));
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.trace("close failed", e);
    }
  }
}
