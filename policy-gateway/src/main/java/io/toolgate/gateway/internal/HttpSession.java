package io.toolgate.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import io.toolgate.api.CallContext;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One streamable HTTP session of the gateway's client side ({@code Mcp-Session-Id}): the relay's
 * {@link Downstream}, with its own upstream session. A response goes on the event stream of the
 * {@code POST} that carried its request, which then ends; anything else the server sends
 * (notifications, its requests to the client) goes on the session's {@code GET} stream if one is
 * open, else on a {@code POST} stream still open, else waits (bounded) for one. What the relay's
 * timer fires runs on the session's own {@linkplain #writer() writer}, one task at a time on the
 * server's workers: a stream the client does not read blocks that writer, never the shared timer.
 */
public final class HttpSession implements Downstream {
  private static final Logger LOG = LoggerFactory.getLogger(HttpSession.class);
  private static final ObjectMapper TRUSTED = new ObjectMapper();
  private static final int MAX_BACKLOG = 1024;

  /** An event stream on one HTTP exchange. */
  public static final class Stream {
    private final HttpExchange exchange;
    private volatile boolean closed;
    /** Whether its headers went out: nothing may be written before them. */
    private volatile boolean started;

    public Stream(HttpExchange exchange) {
      this.exchange = exchange;
    }

    /**
     * Sends the event stream's headers (status 200), if not sent yet; until then nothing but its
     * response is written to it (which sends them first).
     */
    public synchronized void begin() throws IOException {
      if (started || closed) {
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
      exchange.getResponseHeaders().set("Cache-Control", "no-cache");
      exchange.sendResponseHeaders(200, 0);
      started = true;
    }

    private boolean writable() {
      return started && !closed;
    }

    synchronized boolean send(String message) {
      return write(message, true);
    }

    /** As {@link #begin()}; a connection that broke off ends the stream. */
    public synchronized void beginQuietly() {
      try {
        begin();
      } catch (IOException e) {
        LOG.debug("the client's connection broke off", e);
        close();
      }
    }

    /**
     * Sends the stream's last event and ends it, in one write where the server allows (with its
     * headers, if they have not gone out yet).
     */
    synchronized void sendLast(String message) {
      beginQuietly();
      write(message, false);
      close();
    }

    private boolean write(String message, boolean flush) {
      if (!writable()) {
        return false;
      }
      try {
        OutputStream out = exchange.getResponseBody();
        out.write(("event: message\ndata: " + message + "\n\n").getBytes(StandardCharsets.UTF_8));
        if (flush) {
          out.flush();
        }
        return true;
      } catch (IOException e) {
        LOG.debug("the client's stream broke off", e);
        close();
        return false;
      }
    }

    /** Ends the stream (one whose headers had not gone out yet ends as an empty event stream). */
    synchronized void close() {
      if (!closed) {
        try {
          begin();
        } catch (IOException e) {
          LOG.debug("the client's connection broke off", e);
        }
        closed = true;
        exchange.close();
      }
    }
  }

  private final String id;
  private final CallContext context;
  private final Upstream upstream;
  private Relay relay;
  private final Object lock = new Object();
  private final Map<JsonNode, Stream> waiting = new HashMap<>();
  private final ArrayDeque<String> backlog = new ArrayDeque<>();
  private Stream general;
  private volatile long lastUsed = System.nanoTime();
  private volatile boolean closed;
  private final Executor workers;
  private final Queue<Runnable> timed = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean writing = new AtomicBoolean();

  /** A session whose timer tasks run on the caller's thread (tests). */
  public HttpSession(String id, CallContext context, Upstream upstream) {
    this(id, context, upstream, Runnable::run);
  }

  /** A session whose timer tasks run one at a time on {@code workers}. */
  public HttpSession(String id, CallContext context, Upstream upstream, Executor workers) {
    this.id = id;
    this.context = context;
    this.upstream = upstream;
    this.workers = workers;
  }

  @Override
  public Executor writer() {
    return task -> {
      timed.add(task);
      drainTimed();
    };
  }

  private void drainTimed() {
    if (!timed.isEmpty() && writing.compareAndSet(false, true)) {
      workers.execute(this::runTimed);
    }
  }

  private void runTimed() {
    try {
      for (Runnable next; (next = timed.poll()) != null; ) {
        try {
          next.run();
        } catch (RuntimeException e) {
          LOG.debug("a timed task of session {} failed", id, e);
        }
      }
    } finally {
      writing.set(false);
      drainTimed();
    }
  }

  /** Connects the relay (built with this session as its downstream) and its upstream. */
  public void start(Relay relay) throws IOException {
    this.relay = relay;
    upstream.start(relay);
  }

  public String id() {
    return id;
  }

  /** Who the session belongs to, with its session id. */
  public CallContext context() {
    return context;
  }

  public Relay relay() {
    return relay;
  }

  /** When the client last sent something ({@link System#nanoTime()}). */
  public long lastUsed() {
    return lastUsed;
  }

  public void touch() {
    lastUsed = System.nanoTime();
  }

  /**
   * Registers {@code stream} for the response to request {@code requestId}; {@code false} if a
   * request with that id already waits.
   */
  public boolean await(JsonNode requestId, Stream stream) {
    synchronized (lock) {
      return !closed && waiting.putIfAbsent(requestId, stream) == null;
    }
  }

  /**
   * The client cancelled request {@code requestId}: no response will come, so the stream that
   * waited for it ends (and the id may be used again).
   */
  public void cancelled(JsonNode requestId) {
    Stream stream;
    synchronized (lock) {
      stream = requestId == null ? null : waiting.remove(requestId);
    }
    if (stream != null) {
      stream.close();
    }
  }

  /** Makes {@code stream} the session's stream for what is not a response; {@code false} if one is open. */
  public boolean listen(Stream stream) {
    synchronized (lock) {
      if (closed || (general != null && general.writable())) {
        return false;
      }
      general = stream;
    }
    flushBacklog();
    return true;
  }

  /** Sends what waits for a stream on the streams open now (once a new one has {@linkplain Stream#begin begun}). */
  public void flushBacklog() {
    while (true) {
      String next;
      Stream to;
      synchronized (lock) {
        to = openStream();
        if (to == null || (next = backlog.poll()) == null) {
          return;
        }
      }
      if (!to.send(next)) {
        synchronized (lock) {
          backlog.addFirst(next);
        }
        if (to == general) {
          return; // wait for another stream
        }
      }
    }
  }

  /** The stream for what is not a response, or {@code null}. Called with the lock held. */
  private Stream openStream() {
    if (general != null && general.writable()) {
      return general;
    }
    for (Stream stream : waiting.values()) {
      if (stream.writable()) {
        return stream;
      }
    }
    return null;
  }

  /** On the stream of request {@code relatedTo} if it is open, else as {@link #send(String)}. */
  @Override
  public void send(String message, JsonNode relatedTo) {
    Stream own;
    synchronized (lock) {
      own = waiting.get(relatedTo);
    }
    if (own == null || !own.send(message)) {
      send(message);
    }
  }

  @Override
  public void respond(JsonNode id, String response) {
    Stream stream;
    synchronized (lock) {
      stream = waiting.remove(id);
    }
    if (stream == null) {
      LOG.debug("no client stream waits for the response to {}; dropped", id);
      return;
    }
    stream.sendLast(response);
  }

  @Override
  public void send(String message) {
    JsonNode json;
    try {
      json = TRUSTED.readTree(message);
    } catch (IOException e) {
      LOG.warn("the gateway could not route a message to its client; dropped");
      return;
    }
    JsonNode requestId = json.get("id");
    if (!json.has("method") && requestId != null) {
      respond(requestId, message);
      return;
    }
    Stream to;
    synchronized (lock) {
      to = openStream();
      if (to == null) {
        if (backlog.size() >= MAX_BACKLOG) {
          backlog.poll();
        }
        backlog.add(message);
        return;
      }
    }
    if (!to.send(message)) {
      synchronized (lock) {
        if (backlog.size() < MAX_BACKLOG) {
          backlog.add(message);
        }
      }
    }
  }

  /**
   * Ends the session: requests still in flight are answered with an error, then its streams end,
   * then its upstream session. Idempotent.
   */
  public void close() {
    Map<JsonNode, Stream> open;
    Stream stream;
    synchronized (lock) {
      if (closed) {
        return;
      }
    }
    if (relay != null) {
      relay.abandonAll("the gateway ended this session (shutdown or idle) before the server answered");
    }
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      open = new HashMap<>(waiting);
      waiting.clear();
      stream = general;
      backlog.clear();
    }
    open.values().forEach(Stream::close);
    if (stream != null) {
      stream.close();
    }
    upstream.close();
  }

  public boolean isClosed() {
    return closed;
  }
}
