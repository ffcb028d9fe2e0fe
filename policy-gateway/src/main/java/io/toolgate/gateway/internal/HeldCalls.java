package io.toolgate.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.api.CallEnvelope;
import io.toolgate.mcp.McpHeldProgress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Every {@code tools/call} a relay is deciding (not only the held ones, despite the name), from
 * the moment it hands one to the engine to the moment the engine allows it ({@link #allowed}: then
 * the relay waits for the server's response) or answers it ({@link #done}). A call held by a
 * {@code require_approval} entry with {@code wait} stays here while it waits, so that the client
 * can cancel it (which withdraws the approval request) and a shutdown can refuse it.
 *
 * <p>A call whose request carried a usable {@code params._meta.progressToken} also gets a {@link
 * Progress}, its {@link CallEnvelope}: when the engine says the call is held, it sends the client
 * {@code notifications/progress} at once and then every period, until the call is decided. The
 * timer only hands each notification to the session's writer: it never writes itself.
 */
final class HeldCalls {
  /** The period of a held call's progress notifications, by default: the same as {@code McpToolGuard}'s. */
  static final Duration PROGRESS_PERIOD = io.toolgate.mcp.McpToolGuard.PROGRESS_PERIOD;
  /** The longest string progress token echoed; a longer one is ignored (no progress is sent). */
  static final int MAX_TOKEN_CHARS = 1024;

  private final Map<JsonNode, Call> calls = new ConcurrentHashMap<>();

  /**
   * Registers the call with request id {@code id}: {@code null} if one with that id is being
   * decided. {@code meta} is the request's {@code params._meta} (or {@code null}); a progress token
   * in it makes the call's {@link Call#progress}, timed by {@code timer} and sent with {@code send}
   * on {@code writer}.
   */
  Call start(JsonNode id, JsonNode meta, Consumer<String> send, ScheduledExecutorService timer, Executor writer,
      Duration period) {
    JsonNode token = meta == null ? null : meta.get("progressToken");
    Progress progress = usable(token) ? new Progress(token, send, timer, writer, period) : null;
    Call call = new Call(id, progress);
    return calls.putIfAbsent(id, call) == null ? call : null;
  }

  /**
   * Whether {@code token} may be echoed: a string of at most {@value #MAX_TOKEN_CHARS} characters,
   * or an integer. The specification allows any number, but a fraction read as a double may not
   * be written back as the client sent it (nor at all, if it overflows), so fractions are ignored.
   */
  static boolean usable(JsonNode token) {
    return token != null
        && ((token.isTextual() && token.asText().length() <= MAX_TOKEN_CHARS) || token.isIntegralNumber());
  }

  /**
   * The engine allowed the call: it leaves, and its progress stops; {@code true} if it may go to
   * the server, {@code false} if the client cancelled it meanwhile (the cancellation was not
   * passed on, so the call must not be sent either).
   */
  boolean allowed(Call call) {
    boolean mine = calls.remove(call.id, call);
    call.stopProgress();
    return mine;
  }

  /** The call's stage completed: if it is still here (refused, or failed before it was allowed), it leaves. */
  void done(Call call) {
    if (calls.remove(call.id, call)) {
      call.stopProgress();
    }
  }

  /** Whether a call with request id {@code id} is being decided. */
  boolean contains(JsonNode id) {
    return calls.containsKey(id);
  }

  /** How many calls are being decided. */
  int size() {
    return calls.size();
  }

  /**
   * The client cancelled request {@code id}: if it is a call being decided, its decision is
   * cancelled (a held call's approval request is withdrawn) and no response is sent; {@code true}
   * then. Any other id changes nothing.
   */
  boolean cancel(JsonNode id) {
    Call call = id == null ? null : calls.remove(id);
    if (call == null) {
      return false;
    }
    call.cancel();
    return true;
  }

  /** Cancels every call being decided; the ids of those cancelled. */
  List<JsonNode> cancelAll() {
    List<JsonNode> ids = new ArrayList<>();
    for (Call call : List.copyOf(calls.values())) {
      if (calls.remove(call.id, call)) {
        call.cancel();
        ids.add(call.id);
      }
    }
    return ids;
  }

  /** One call being decided. */
  static final class Call {
    final JsonNode id;
    /** Its envelope, or {@code null} when its request carried no usable progress token. */
    final Progress progress;
    private CompletableFuture<?> stage;
    private boolean cancelled;

    Call(JsonNode id, Progress progress) {
      this.id = id;
      this.progress = progress;
    }

    /** The engine's stage for this call; cancelled at once if the call was cancelled meanwhile. */
    void deciding(CompletableFuture<?> stage) {
      boolean cancelNow;
      synchronized (this) {
        this.stage = stage;
        cancelNow = cancelled;
      }
      if (cancelNow) {
        stage.cancel(false);
      }
    }

    /** Whether the call was cancelled: nothing may answer it. */
    synchronized boolean cancelled() {
      return cancelled;
    }

    void cancel() {
      CompletableFuture<?> current;
      synchronized (this) {
        cancelled = true;
        current = stage;
      }
      stopProgress();
      if (current != null) {
        current.cancel(false);
      }
    }

    void stopProgress() {
      if (progress != null) {
        progress.stop();
      }
    }
  }

  /**
   * A held call's envelope: {@link #held} sends {@code notifications/progress} with the call's
   * token, {@code progress} the fraction of the wait that has passed (strictly increasing, always
   * below 1, so that a tool's own progress under the same token, from 1 up, still increases; no
   * {@code total}), and a message naming the approval request and the time left; then again every
   * period until {@link #stop}. A notification is built and sent under the lock {@link #stop} takes,
   * so none follows the decision; a tick whose predecessor is still being written is skipped.
   */
  static final class Progress implements CallEnvelope {
    private final JsonNode token;
    private final Consumer<String> send;
    private final ScheduledExecutorService timer;
    private final Executor writer;
    private final Duration period;
    private final AtomicBoolean queued = new AtomicBoolean();
    private volatile ScheduledFuture<?> ticks;
    private boolean stopped;
    private String approvalId;
    private long heldAt;
    private long waitNanos;
    private double last = -1;

    Progress(JsonNode token, Consumer<String> send, ScheduledExecutorService timer, Executor writer,
        Duration period) {
      this.token = token;
      this.send = send;
      this.timer = timer;
      this.writer = writer;
      this.period = period;
    }

    @Override
    public void held(String approvalId, Instant until) {
      synchronized (this) {
        if (stopped || this.approvalId != null) {
          return;
        }
        this.approvalId = approvalId;
        this.heldAt = System.nanoTime();
        this.waitNanos = Math.max(0, Duration.between(Instant.now(), until).toNanos());
      }
      tick(); // at once, on the thread that holds the call: the client's own, not the timer
      try {
        long every = Math.max(1, period.toMillis());
        ticks = timer.scheduleAtFixedRate(this::due, every, every, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException shuttingDown) {
        return; // the gateway is closing: no more progress
      }
      if (stopped()) {
        stop();
      }
    }

    /** On the timer: hands one tick to the writer, unless the last one is not written yet. */
    private void due() {
      if (queued.compareAndSet(false, true)) {
        try {
          writer.execute(() -> {
            queued.set(false);
            tick();
          });
        } catch (RejectedExecutionException shuttingDown) {
          queued.set(false);
        }
      }
    }

    /** Sends one notification, unless stopped or the wait is over. */
    synchronized void tick() {
      long waited = System.nanoTime() - heldAt;
      if (stopped) {
        return;
      }
      double progress = McpHeldProgress.next(last, waited, waitNanos);
      if (progress < 0) {
        return;
      }
      last = progress;
      ObjectNode params = JsonNodeFactory.instance.objectNode();
      params.set("progressToken", token);
      params.put("progress", progress);
      params.put("message", McpHeldProgress.message(approvalId, Duration.ofNanos(Math.max(0, waitNanos - waited))));
      ObjectNode message = JsonNodeFactory.instance.objectNode().put("jsonrpc", "2.0")
          .put("method", "notifications/progress");
      message.set("params", params);
      send.accept(JsonRpc.write(message));
    }

    private synchronized boolean stopped() {
      return stopped;
    }

    /** No notification is sent from now on (one being sent is finished first). */
    void stop() {
      synchronized (this) {
        stopped = true;
      }
      ScheduledFuture<?> scheduled = ticks;
      if (scheduled != null) {
        scheduled.cancel(false);
      }
    }
  }
}
