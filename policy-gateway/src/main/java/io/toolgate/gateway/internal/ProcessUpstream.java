package io.toolgate.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MCP server as a child process over stdio: its stdin and stdout carry JSON-RPC lines, its
 * stderr is inherited (the server's logs appear in the gateway's).
 *
 * <p>A child that exits is started again after a backoff (doubling from the initial delay up to
 * the maximum; back to the initial delay after a child that ran a minute). Every request written
 * to the dead child is reported {@linkplain Listener#lost lost}. The new child knows nothing of
 * the session, so before anything else reaches it the client's cached {@code initialize} request
 * is replayed (its response consumed here, never relayed: the client already has one), then the
 * cached {@code notifications/initialized}; messages sent meanwhile wait in a bounded queue and
 * follow in order.
 *
 * <p>Each child has a writer thread, so {@link #send} never blocks on a pipe the child stopped
 * reading, and a reader thread, which delivers to the listener.
 */
public final class ProcessUpstream implements Upstream {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessUpstream.class);
  private static final long STABLE_NANOS = TimeUnit.MINUTES.toNanos(1);

  private enum State { STARTING, REPLAYING, RUNNING, RESTARTING, CLOSED }

  private final List<String> command;
  private final ObjectMapper parser;
  private final int maxMessageBytes;
  private final int maxQueued;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final ScheduledExecutorService restarter =
      Executors.newSingleThreadScheduledExecutor(daemon("toolgate-gateway-restart"));

  private final Object lock = new Object();
  private Listener listener;
  private State state = State.STARTING;
  private Process process;
  private Outbox outbox;
  private int generation;
  private long startedAt;
  private Duration backoff;
  private int restarts;
  /** Ids of requests written to the current child and not yet answered. */
  private final Set<JsonNode> written = new HashSet<>();
  /** Messages sent while the child is (re)starting. */
  private final ArrayDeque<Message> queue = new ArrayDeque<>();
  /** Characters of the messages in {@link #queue}. */
  private long queuedChars;
  private Message initialize;
  private Message initialized;
  /** Whether the current child answered the client's {@code initialize} (or its replay). */
  private boolean initializeAnswered;
  private volatile Consumer<Boolean> readiness = ok -> {};

  public ProcessUpstream(
      List<String> command, int maxMessageBytes, int maxQueued, Duration initialBackoff, Duration maxBackoff) {
    if (command.isEmpty()) {
      throw new IllegalArgumentException("no upstream command");
    }
    this.command = List.copyOf(command);
    this.maxMessageBytes = maxMessageBytes;
    this.parser = JsonRpc.parser(maxMessageBytes, false);
    this.maxQueued = maxQueued;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
    this.backoff = initialBackoff;
  }

  @Override
  public void start(Listener listener) throws IOException {
    synchronized (lock) {
      this.listener = listener;
    }
    spawn();
  }

  /**
   * Told {@code true} when a child answers the client's {@code initialize} (or, after a restart,
   * its replay) with a result, {@code false} when it answers with an error or exits.
   */
  @Override
  public void onReadiness(Consumer<Boolean> readiness) {
    this.readiness = readiness;
  }

  /** How many times the child was started again. */
  public int restarts() {
    synchronized (lock) {
      return restarts;
    }
  }

  private void spawn() throws IOException {
    Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Outbox lines = new Outbox(maxQueued, maxQueuedChars());
    int current;
    synchronized (lock) {
      if (state == State.CLOSED) {
        child.destroy();
        return;
      }
      process = child;
      outbox = lines;
      current = ++generation;
      startedAt = System.nanoTime();
      if (initialize != null) {
        state = State.REPLAYING;
        lines.offer(initialize.text());
      } else {
        state = State.RUNNING;
        flushQueue();
      }
    }
    LOG.info("upstream server started (pid {}): {}", child.pid(), command.get(0));
    thread("toolgate-gateway-writer-" + current, () -> write(child, lines)).start();
    thread("toolgate-gateway-reader-" + current, () -> read(child, current)).start();
  }

  @Override
  public void send(Message message) {
    List<JsonNode> refused = new ArrayList<>(1);
    Listener to;
    synchronized (lock) {
      to = listener;
      boolean request = message.kind() == Message.Kind.REQUEST;
      if (message.isRequest("initialize")) {
        initialize = message;
      }
      if (message.isNotification("notifications/initialized")) {
        initialized = message;
        if (state != State.RUNNING) {
          return; // sent by the replay, once the new child has answered initialize
        }
      }
      switch (state) {
        case RUNNING -> {
          if (outbox.offer(message.text())) {
            if (request) {
              written.add(message.id());
            }
          } else if (request) {
            refused.add(message.id());
          }
        }
        case CLOSED -> {
          if (request) {
            refused.add(message.id());
          }
        }
        default -> {
          if (queue.size() < maxQueued && queuedChars + message.text().length() <= maxQueuedChars()) {
            queue.add(message);
            queuedChars += message.text().length();
          } else if (request) {
            refused.add(message.id());
          }
        }
      }
    }
    for (JsonNode id : refused) {
      to.lost(id, "the upstream server is not accepting messages (closed, restarting or too far behind)");
    }
  }

  @Override
  public void forget(JsonNode id) {
    synchronized (lock) {
      written.remove(id);
    }
  }

  /** Moves the held messages to the current child, in order. Called with the lock held. */
  private void flushQueue() {
    queuedChars = 0;
    for (Message held; (held = queue.poll()) != null; ) {
      if (outbox.offer(held.text()) && held.kind() == Message.Kind.REQUEST) {
        written.add(held.id());
      }
    }
  }

  /**
   * The characters a session may have waiting for the child: twice the largest message, so one
   * message of the largest size always fits behind smaller ones.
   */
  private long maxQueuedChars() {
    return 2L * maxMessageBytes;
  }

  private void write(Process child, Outbox lines) {
    OutputStream out = child.getOutputStream();
    try (out) {
      for (String line; (line = lines.take()) != null; ) {
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.write('\n');
        if (lines.isEmpty()) {
          out.flush();
        }
      }
    } catch (IOException e) {
      LOG.debug("upstream server's stdin closed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void read(Process child, int current) {
    try (InputStream in = child.getInputStream()) {
      LineReader reader = new LineReader(in, maxMessageBytes);
      for (LineReader.Line line; (line = reader.next()) != null; ) {
        Message message = parse(line);
        if (message != null && !consumedByReplay(message, current)) {
          if (message.kind() == Message.Kind.RESPONSE) {
            boolean answersInitialize;
            synchronized (lock) {
              written.remove(message.id());
              answersInitialize = !initializeAnswered && initialize != null && initialize.id().equals(message.id());
              initializeAnswered |= answersInitialize;
            }
            if (answersInitialize) {
              readiness.accept(!message.json().has("error"));
            }
          }
          listener.received(message);
        }
      }
    } catch (IOException e) {
      LOG.debug("upstream server's stdout failed", e);
    }
    exited(child, current);
  }

  private Message parse(LineReader.Line line) {
    if (line instanceof LineReader.Line.Text text) {
      if (text.text().isBlank()) {
        return null;
      }
      try {
        if (parser.readTree(text.text()) instanceof ObjectNode json) {
          return new Message(text.text(), json);
        }
      } catch (IOException e) {
        // reported below
      }
      LOG.warn("upstream server wrote a line that is not a JSON-RPC message; dropped: {}", excerpt(text.text()));
    } else {
      LOG.warn("upstream server wrote a line the gateway cannot relay ({}); dropped", line);
    }
    return null;
  }

  /** Whether {@code message} answers the replayed initialize; then the held messages follow. */
  private boolean consumedByReplay(Message message, int current) {
    synchronized (lock) {
      if (state != State.REPLAYING
          || current != generation
          || message.kind() != Message.Kind.RESPONSE
          || !initialize.id().equals(message.id())) {
        return false;
      }
      if (message.json().has("error")) {
        LOG.warn("the restarted upstream server refused the replayed initialize: {}", excerpt(message.text()));
      }
      initializeAnswered = true;
      readiness.accept(!message.json().has("error")); // before the held messages are answered
      if (initialized != null) {
        outbox.offer(initialized.text());
      }
      state = State.RUNNING;
      flushQueue();
      return true;
    }
  }

  private void exited(Process child, int current) {
    List<JsonNode> lost;
    Duration delay;
    synchronized (lock) {
      if (state == State.CLOSED || current != generation) {
        return;
      }
      state = State.RESTARTING;
      initializeAnswered = false;
      outbox.stop();
      lost = new ArrayList<>(written);
      written.clear();
      if (System.nanoTime() - startedAt > STABLE_NANOS) {
        backoff = initialBackoff;
      }
      delay = backoff;
      backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
    }
    readiness.accept(false);
    String code = exitCode(child);
    LOG.warn("upstream server exited ({}); restarting in {} ms", code, delay.toMillis());
    for (JsonNode id : lost) {
      listener.lost(id, "the upstream server exited (" + code + ") before answering; it is being restarted");
    }
    restarter.schedule(this::restart, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void restart() {
    synchronized (lock) {
      if (state == State.CLOSED) {
        return;
      }
      restarts++;
    }
    try {
      spawn();
    } catch (IOException e) {
      Duration delay;
      synchronized (lock) {
        delay = backoff;
        backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
      }
      LOG.warn("could not start the upstream server again ({}); next try in {} ms", e.getMessage(), delay.toMillis());
      restarter.schedule(this::restart, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private static String exitCode(Process child) {
    try {
      if (child.waitFor(2, TimeUnit.SECONDS)) {
        return "exit code " + child.exitValue();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    child.destroyForcibly();
    return "closed its stdout; killed";
  }

  /**
   * Closes the child's stdin (an MCP server exits when its input ends), waits up to 5 seconds,
   * then terminates it and its descendants (5 more seconds), then kills them.
   */
  @Override
  public void close() {
    Process child;
    synchronized (lock) {
      if (state == State.CLOSED) {
        return;
      }
      state = State.CLOSED;
      child = process;
      if (outbox != null) { // after what was sent before the close
        outbox.stop();
      }
    }
    restarter.shutdownNow();
    if (child == null) {
      return;
    }
    try {
      if (!child.waitFor(5, TimeUnit.SECONDS)) {
        child.descendants().forEach(ProcessHandle::destroy);
        child.destroy();
        if (!child.waitFor(5, TimeUnit.SECONDS)) {
          child.descendants().forEach(ProcessHandle::destroyForcibly);
          child.destroyForcibly();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      child.destroyForcibly();
    }
  }

  static String excerpt(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }

  private static Thread thread(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    return thread;
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return body -> thread(name, body);
  }
}
