package io.toolgate.mcp.internal;

import io.modelcontextprotocol.spec.McpSchema.ProgressNotification;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyView;
import io.toolgate.engine.ToolGlob;
import io.toolgate.mcp.McpHeldProgress;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * What a guarded {@code tools/call} does while the engine holds it for an approval: it tells the
 * client, when the request carried a {@code progressToken}, with a {@code notifications/progress}
 * at once and then every period until the decision is made; and it arms the call's {@link
 * CancelSlot}, if the transport gave it one. One per call; thread-safe.
 *
 * <p>{@code progress} is the fraction of the wait that has passed (strictly increasing, always
 * below 1), with no {@code total}. The ticking thread never writes: each notification is sent on
 * {@link Schedulers#boundedElastic()}, under this call's lock, so none is sent once {@link
 * #decided} has returned; a tick that finds the previous send still blocked is dropped.
 */
public final class HeldCall {
  private static final System.Logger LOG = System.getLogger(HeldCall.class.getName());

  /** One daemon thread times the progress of every held call; a stopped call's task is removed. */
  private static final ScheduledThreadPoolExecutor TICKS = ticks();

  /** Where notifications are sent: a transport's send may block (a lock and a socket write). */
  private static final Scheduler SENDERS = Schedulers.boundedElastic();

  /** The longest string token echoed: a longer one gets no progress. */
  static final int MAX_TOKEN_LENGTH = 1024;

  private final Object token;
  private final Consumer<ProgressNotification> notifier;
  private final long periodMillis;
  private final CancelSlot slot;
  private ScheduledFuture<?> ticking;
  private volatile boolean over;
  private long heldAt;
  private Instant until;
  private String approvalId;
  private long waitNanos;
  private double sent = -1;
  private final AtomicBoolean sending = new AtomicBoolean();

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
   * The token as the client sent it when the specification allows it (a string of at most {@value
   * #MAX_TOKEN_LENGTH} characters, or an integer), else {@code null}: nothing is parsed out of it,
   * and an object, array, fraction or longer string gets no progress.
   */
  static Object token(Object token) {
    return token instanceof String text && text.length() <= MAX_TOKEN_LENGTH || token instanceof Integer
        || token instanceof Long || token instanceof Short || token instanceof BigInteger ? token : null;
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
   * What {@code stage} (the engine's, for the call) completes with, which a cancellation cancels;
   * a cancelled call's answer comes only after the engine has withdrawn the request, so that a
   * client that reads its answer finds the request gone. The answer ends the progress.
   */
  public <T> CompletableFuture<T> cancels(CompletionStage<T> stage) {
    CompletableFuture<T> future = stage.toCompletableFuture();
    CompletableFuture<T> answer = new CompletableFuture<>();
    future.whenComplete((result, e) -> {
      if (!future.isCancelled()) { // a cancellation is answered below, once the engine is done
        if (e == null) {
          answer.complete(result);
        } else {
          answer.completeExceptionally(e);
        }
      }
    });
    answer.whenComplete((result, e) -> decided());
    if (slot != null) {
      slot.onCancel(() -> {
        if (future.cancel(false)) { // runs the engine's withdrawal on this thread before it returns
          answer.completeExceptionally(new CancellationException("the client cancelled the call"));
        }
      });
    }
    return answer;
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
      Duration wait = Duration.between(Instant.now(), this.until);
      this.waitNanos = wait.isNegative() ? 0 : wait.compareTo(Duration.ofDays(36_500)) > 0
          ? Duration.ofDays(36_500).toNanos() : wait.toNanos(); // toNanos overflows past 292 years
      if (token != null) {
        ticking = TICKS.scheduleAtFixedRate(this::dispatch, 0, periodMillis, TimeUnit.MILLISECONDS);
      }
    }
    if (slot != null) {
      slot.held();
    }
  }

  /**
   * The call's decision is made (or the call ended): no more progress, no cancellation; a
   * notification being sent is finished first. True when a cancellation took effect before.
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

  /**
   * On the ticking thread, which never waits for the call's lock: hands the next notification to
   * a sender, unless the previous one is still being sent.
   */
  private void dispatch() {
    if (over || !sending.compareAndSet(false, true)) {
      return;
    }
    try {
      SENDERS.schedule(this::tick);
    } catch (RuntimeException rejected) {
      sending.set(false);
    }
  }

  /** Sends one notification under the lock {@link #decided} takes, so never after the decision. */
  private void tick() {
    try {
      send();
    } finally {
      sending.set(false);
    }
  }

  private void send() {
    synchronized (this) {
      if (over) {
        return;
      }
      long waited = System.nanoTime() - heldAt;
      double progress = McpHeldProgress.next(sent, waited, waitNanos);
      if (progress < 0) {
        return; // the wait is over: the decision comes next
      }
      sent = progress;
      Duration left = Duration.ofNanos(Math.max(0, waitNanos - waited));
      try {
        notifier.accept(new ProgressNotification(token, progress, null,
            McpHeldProgress.message(approvalId, left)));
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "a progress notification failed", e);
      }
    }
  }

  /** {@code 1h2m3s}, {@code 1m40s}, {@code 2m}, {@code 40s}, {@code 0s}: whole seconds, rounded up. */
  public static String format(Duration left) {
    long seconds = Math.max(0, (left.toMillis() + 999) / 1000);
    StringBuilder text = new StringBuilder();
    if (seconds >= 3600) {
      text.append(seconds / 3600).append('h');
    }
    if (seconds % 3600 >= 60) {
      text.append(seconds % 3600 / 60).append('m');
    }
    if (seconds % 60 > 0 || text.length() == 0) {
      text.append(seconds % 60).append('s');
    }
    return text.toString();
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

  /**
   * Whether a policy can hold a call of a tool: some {@code require_approval} entry's key (a name
   * or a glob, top level or in any grant) matches the tool's name. Conditions, {@code when} and
   * grants are not read: a tool such an entry may apply to counts as one that can be held. Worked
   * out once per policy (a hot reload brings a new one), then a set lookup and the approval globs
   * per call. Thread-safe.
   */
  public static final class Holding {
    private volatile Known known;

    /** Whether {@code policy} may hold a call of {@code tool}. */
    public boolean mayHold(Policy policy, String tool) {
      Known known = this.known;
      if (known == null || known.policy != policy) {
        known = new Known(policy);
        this.known = known;
      }
      return known.mayHold(tool);
    }

    /** One policy's approval entries: exact names in a set, globs compiled. */
    private static final class Known {
      final Policy policy;
      final Set<String> names = new HashSet<>();
      final List<ToolGlob> globs = new ArrayList<>();
      boolean all;

      Known(Policy policy) {
        this.policy = policy;
        for (PolicyView.Entry entry : policy.view().entries()) {
          if (entry.action() != PolicyView.Action.REQUIRE_APPROVAL) {
            continue;
          }
          if (!ToolGlob.isGlob(entry.key())) {
            names.add(entry.key());
            continue;
          }
          try {
            globs.add(ToolGlob.compile(entry.key()));
          } catch (IllegalArgumentException e) {
            all = true; // the engine loaded it, so this cannot happen; if it does, every tool may be held
          }
        }
      }

      boolean mayHold(String tool) {
        if (all || names.contains(tool)) {
          return true;
        }
        for (ToolGlob glob : globs) {
          if (glob.matches(tool)) {
            return true;
          }
        }
        return false;
      }
    }
  }

  /** How many progress tasks are scheduled (a stopped call leaves none). */
  static int scheduled() {
    return TICKS.getQueue().size();
  }
}
