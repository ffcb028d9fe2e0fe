package io.toolgate.engine.audit;

import io.toolgate.api.ApprovalAnswerEvent;
import io.toolgate.api.AuditEvent;
import io.toolgate.api.AuditSink;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records events on a thread of its own, so that a sink's I/O (a file, a socket, a slow log
 * appender) never holds up the calls being decided:
 *
 * <pre>{@code
 * try (AsyncAuditSink audit = AsyncAuditSink.wrap(JsonLinesAuditSink.toFile(Path.of("audit.jsonl"))).build()) {
 *   PolicyEngine engine = PolicyEngine.builder(policy).audit(audit).build();
 *   ...
 * } // close: every event accepted is recorded, then the file is closed
 * }</pre>
 *
 * <p>{@link #record} puts the event in a bounded queue (default {@value #DEFAULT_CAPACITY}
 * events) and returns; one daemon thread hands the events to the wrapped sink in order. The queue
 * holds each event whole, arguments included, so its memory is the capacity times an event's
 * size. When the queue is full, the {@link Overflow} policy decides: by default the event is
 * dropped and counted, and as soon as the thread takes the next event it logs a warning and
 * records an event of its own saying how many were lost ({@link #overflowEvent}), so a gap in
 * the audit is always visible in the audit itself. {@link Overflow#BLOCK} makes the caller wait
 * for room instead. A failure of the wrapped sink is logged and the thread goes on.
 *
 * <p>{@link #close()} stops taking events, waits until every accepted one is recorded, then
 * closes the wrapped sink if it is {@link AutoCloseable}. Thread-safe.
 */
public final class AsyncAuditSink implements AuditSink, AutoCloseable {
  /** The queue's capacity unless another is set. */
  public static final int DEFAULT_CAPACITY = 1024;
  /** The {@link Decision#rule() rule} of the event that reports dropped events. */
  public static final String OVERFLOW_RULE = Decision.Rules.AUDIT_OVERFLOW;
  /** The {@link ToolCall#tool() tool} of the event that reports dropped events. */
  public static final String OVERFLOW_TOOL = "toolgate.audit";

  private static final System.Logger LOG = System.getLogger(AsyncAuditSink.class.getName());
  private static final AtomicInteger THREADS = new AtomicInteger();
  /** Queued by close after the last event: the thread stops when it takes it. */
  private static final AuditEvent END =
      new AuditEvent(Instant.EPOCH, ToolCall.of(OVERFLOW_TOOL), CallContext.anonymous(),
          new Decision.Deny(OVERFLOW_TOOL, null, List.of(), "end", "end"), AuditEvent.Outcome.NOT_RUN, 0);

  /** What {@link #record} does when the queue is full. */
  public enum Overflow {
    /**
     * Drop the event and count it; the count is logged as a warning and recorded as an {@link
     * #overflowEvent} once the queue has room. The caller never waits. The default.
     */
    REPORT,
    /** Wait until the queue has room: no event is lost, but a stalled sink stalls the callers. */
    BLOCK
  }

  private final AuditSink sink;
  private final int capacity;
  private final Overflow overflow;
  private final Clock clock;
  private final ArrayBlockingQueue<AuditEvent> queue;
  private final AtomicLong unreported = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final Thread thread;
  private volatile boolean closed;

  private AsyncAuditSink(Builder b) {
    this.sink = b.sink;
    this.capacity = b.capacity;
    this.overflow = b.overflow;
    this.clock = b.clock;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.thread = new Thread(this::drain, "toolgate-audit-" + THREADS.incrementAndGet());
    thread.setDaemon(true);
    thread.start();
  }

  /** A builder for a sink that records into {@code sink} on its own thread. */
  public static Builder wrap(AuditSink sink) {
    return new Builder(sink);
  }

  /**
   * Queues {@code event} and returns; when the queue is full, drops and counts it ({@link
   * Overflow#REPORT}) or waits for room ({@link Overflow#BLOCK}; an interrupted wait drops the
   * event, counted the same way).
   *
   * @throws IllegalStateException if the sink is closed (the engine reports it and goes on)
   */
  @Override
  public void record(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    if (closed) {
      throw new IllegalStateException(this + " is closed; event not recorded");
    }
    if (!queue.offer(event) && !waitForRoom(event)) {
      unreported.incrementAndGet();
      dropped.incrementAndGet();
      return;
    }
    // close() may have drained the queue between the check above and the offer: take the event
    // back if it is still there, so that it is reported as refused rather than lost.
    if (closed && queue.remove(event)) {
      throw new IllegalStateException(this + " is closed; event not recorded");
    }
  }

  /**
   * Passes an approval answer straight to the wrapped sink, on the caller's thread: answers are
   * rare, and an approval queue tells of them on its own thread, not a tool call's.
   */
  @Override
  public void approvalAnswered(ApprovalAnswerEvent event) {
    sink.approvalAnswered(event);
  }

  private boolean waitForRoom(AuditEvent event) {
    if (overflow != Overflow.BLOCK) {
      return false;
    }
    try {
      queue.put(event);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** How many events were dropped because the queue was full, since this sink was built. */
  public long dropped() {
    return dropped.get();
  }

  /** How many events wait in the queue now. */
  public int queued() {
    return queue.size();
  }

  /**
   * Stops taking events, waits until the thread has recorded every event accepted before (and
   * reported any dropped), then closes the wrapped sink if it is {@link AutoCloseable}. Waits as
   * long as the wrapped sink takes. Closing twice does nothing more.
   *
   * @throws UncheckedIOException if closing the wrapped sink threw an {@link IOException}
   * @throws IllegalStateException if it threw another checked exception
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    boolean interrupted = false;
    while (true) {
      try {
        queue.put(END);
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (sink instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (IOException e) {
        throw new UncheckedIOException("could not close audit sink " + sink, e);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("could not close audit sink " + sink, e);
      }
    }
  }

  /**
   * The event recorded in place of {@code count} dropped ones: a denial of the tool {@value
   * #OVERFLOW_TOOL} by the rule {@value #OVERFLOW_RULE}, with no principal, whose reason says how
   * many events were lost, at {@code time}.
   */
  public static AuditEvent overflowEvent(long count, int capacity, Instant time) {
    String reason = count + " audit event" + (count == 1 ? " was" : "s were")
        + " dropped: the audit queue (capacity " + capacity + ") was full.";
    return new AuditEvent(time, ToolCall.of(OVERFLOW_TOOL), CallContext.anonymous(),
        new Decision.Deny(OVERFLOW_TOOL, null, List.of(), OVERFLOW_RULE, reason), AuditEvent.Outcome.NOT_RUN, 0);
  }

  private void drain() {
    while (true) {
      AuditEvent event;
      try {
        event = queue.take();
      } catch (InterruptedException e) {
        continue; // only close() ends this thread, by queueing END
      }
      reportDropped();
      if (event == END) {
        return;
      }
      forward(event);
    }
  }

  /** Records the count of events dropped since the last report, if any. */
  private void reportDropped() {
    long count = unreported.getAndSet(0);
    if (count > 0) {
      LOG.log(System.Logger.Level.WARNING, count + " audit events dropped: the queue of " + sink + " (capacity "
          + capacity + ") was full");
      forward(overflowEvent(count, capacity, clock.instant()));
    }
  }

  private void forward(AuditEvent event) {
    try {
      sink.record(event);
    } catch (RuntimeException | StackOverflowError e) {
      LOG.log(System.Logger.Level.WARNING, "audit sink " + sink + " failed; decision unchanged", e);
    }
  }

  @Override
  public String toString() {
    return "AsyncAuditSink[" + sink + "]";
  }

  /** Options for an {@link AsyncAuditSink}. */
  public static final class Builder {
    private final AuditSink sink;
    private int capacity = DEFAULT_CAPACITY;
    private Overflow overflow = Overflow.REPORT;
    private Clock clock = Clock.systemUTC();

    private Builder(AuditSink sink) {
      this.sink = Objects.requireNonNull(sink, "sink");
    }

    /**
     * How many events may wait for the sink; default {@value AsyncAuditSink#DEFAULT_CAPACITY}.
     *
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     */
    public Builder capacity(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
      }
      this.capacity = capacity;
      return this;
    }

    /** What happens to an event when the queue is full; default {@link Overflow#REPORT}. */
    public Builder onOverflow(Overflow overflow) {
      this.overflow = Objects.requireNonNull(overflow, "overflow");
      return this;
    }

    /** The clock that times the overflow event; default the system clock in UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The sink, its thread started. */
    public AsyncAuditSink build() {
      return new AsyncAuditSink(this);
    }
  }
}
