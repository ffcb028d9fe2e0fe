package io.toolgate.mcp.internal;

import io.modelcontextprotocol.spec.McpSchema.ProgressNotification;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyView;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What a guarded {@code tools/call} does while the engine holds it for an approval: it tells the
 * client, when the request carried a {@code progressToken}, with a {@code notifications/progress}
 * at once and then every period until the decision is made; and it arms the call's {@link
 * CancelSlot}, if the transport gave it one. One per call; thread-safe.
 */
public final class HeldCall {
  private static final System.Logger LOG = System.getLogger(HeldCall.class.getName());

  /** One daemon thread for the progress of every held call; a stopped call's task is removed. */
  private static final ScheduledThreadPoolExecutor TICKS = ticks();

  private final Object token;
  private final Consumer<ProgressNotification> notifier;
  private final long periodMillis;
  private final CancelSlot slot;
  private ScheduledFuture<?> ticking;
  private boolean over;
  private long heldAt;
  private Instant until;
  private String approvalId;
  private double sent = -1;

  private HeldCall(Object token, Consumer<ProgressNotification> notifier, Duration period, CancelSlot slot) {
    this.token = token;
    this.notifier = notifier;
    this.periodMillis = Math.max(1, period.toMillis());
    this.slot = slot;
  }

  /**
   * What to do for a call whose request carried {@code progressToken} (sent through {@code
   * notifier}; {@code null}: the server cannot notify) and that {@code slot} may cancel ({@code
   * null}: none); {@code null} when there is nothing to do.
   */
  public static HeldCall of(
      Object progressToken, Consumer<ProgressNotification> notifier, Duration period, CancelSlot slot) {
    Object token = notifier == null ? null : token(progressToken);
    return token == null && slot == null ? null : new HeldCall(token, notifier, period, slot);
  }

  /**
   * The token as the client sent it when the specification allows it (a string or an integer),
   * else {@code null}: nothing is parsed out of it, and an object, array or fraction gets no
   * progress.
   */
  static Object token(Object token) {
    return token instanceof String || token instanceof Integer || token instanceof Long
        || token instanceof Short || token instanceof BigInteger ? token : null;
  }

  /**
   * A cancellation interrupts this thread, which the engine's synchronous wait answers by
   * withdrawing the request; {@link #decided} clears the interrupt when it is called on it.
   */
  public void cancelsThisThread() {
    if (slot != null) {
      Thread waiting = Thread.currentThread();
      slot.onCancel(waiting::interrupt);
    }
  }

  /**
   * {@code stage} (the engine's, for the call), which a cancellation cancels (the engine then
   * withdraws the request); its completion ends the progress.
   */
  public <T> CompletableFuture<T> cancels(CompletionStage<T> stage) {
    CompletableFuture<T> future = stage.toCompletableFuture();
    future.whenComplete((result, e) -> decided());
    if (slot != null) {
      slot.onCancel(() -> future.cancel(false));
    }
    return future;
  }

  /** The engine holds the call until {@code until} for an answer to {@code approvalId}. */
  public void held(String approvalId, Instant until) {
    synchronized (this) {
      if (over || this.until != null) {
        return;
      }
      this.approvalId = approvalId;
      this.until = until == null ? Instant.now() : until;
      this.heldAt = System.nanoTime();
      if (token != null) {
        ticking = TICKS.scheduleAtFixedRate(this::tick, 0, periodMillis, TimeUnit.MILLISECONDS);
      }
    }
    if (slot != null) {
      slot.held();
    }
  }

  /**
   * The call's decision is made (or the call ended): no more progress, no cancellation. True when
   * a cancellation took effect before.
   */
  public boolean decided() {
    synchronized (this) {
      over = true;
      if (ticking != null) {
        ticking.cancel(false);
        ticking = null;
      }
    }
    return slot != null && slot.decided();
  }

  private void tick() {
    ProgressNotification notification;
    synchronized (this) {
      if (over) {
        return;
      }
      double waited = (System.nanoTime() - heldAt) / 1_000_000_000.0;
      double progress = Math.max(waited, sent + 0.001);
      sent = progress;
      Duration left = Duration.between(Instant.now(), until);
      double total = progress + Math.max(0, left.toMillis() / 1000.0);
      notification = new ProgressNotification(token, progress, total,
          "waiting for approval " + approvalId + ", " + format(left) + " left");
    }
    try {
      notifier.accept(notification);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "a progress notification failed", e);
    }
  }

  /** {@code 1m40s}, {@code 40s}, {@code 0s}. */
  static String format(Duration left) {
    long seconds = Math.max(0, (left.toMillis() + 999) / 1000);
    long minutes = seconds / 60;
    return minutes > 0 ? minutes + "m" + (seconds % 60) + "s" : seconds + "s";
  }

  private static ScheduledThreadPoolExecutor ticks() {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, "toolgate-mcp-progress");
      thread.setDaemon(true);
      return thread;
    });
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }

  /** Whether a policy can hold a call at all (has a {@code require_approval} entry), per policy. */
  public static final class Holding {
    private volatile Known known;

    /** Whether {@code policy} has a {@code require_approval} entry; computed once per policy. */
    public boolean mayHold(Policy policy) {
      Known known = this.known;
      if (known == null || known.policy() != policy) {
        known = new Known(policy, policy.view().entries().stream()
            .anyMatch(e -> e.action() == PolicyView.Action.REQUIRE_APPROVAL));
        this.known = known;
      }
      return known.any();
    }

    private record Known(Policy policy, boolean any) {}
  }

  /** How many progress tasks are scheduled (a stopped call leaves none). */
  static int scheduled() {
    return TICKS.getQueue().size();
  }
}
