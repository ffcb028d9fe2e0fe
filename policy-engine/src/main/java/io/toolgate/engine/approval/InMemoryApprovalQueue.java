package io.toolgate.engine.approval;

import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.engine.approval.ApprovalEntries.Key;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Approvals a person gives later, by id: the engine's calls become pending requests, a UI or a
 * bot lists them ({@link #pending()}, or a listener set with {@link Builder#onPending}; {@link
 * #pendingCount()} counts them cheaply, for a metrics gauge), and a
 * person answers with {@link #approve} or {@link #reject}.
 *
 * <pre>{@code
 * InMemoryApprovalQueue queue = InMemoryApprovalQueue.builder(Clock.systemUTC())
 *     .expireAfter(Duration.ofMinutes(30))
 *     .onPending(p -> slack.ask(p.id(), p.request().call().tool()))
 *     .build();
 * PolicyEngine engine = PolicyEngine.builder(policy).approvals(queue).build();
 * // later, when the person clicks:
 * queue.approve(id, "alice@example.com");
 * }</pre>
 *
 * <p>A call is identified by its tool, its principal and its arguments, compared canonically
 * (key order does not matter and numbers compare by value, so {@code 7} equals {@code 7.0});
 * the session and roles do not count. For one call:
 *
 * <ul>
 *   <li>the first time, it becomes a pending request with a new, random id and the listener is
 *       told; while it is pending, the same call gets the same id ({@link ApprovalStatus.Pending});
 *   <li>once approved, the next identical call passes ({@link ApprovalStatus.Approved}) and
 *       claims the approval; while the engine decides that call, identical calls get {@link
 *       ApprovalStatus.Pending} with the same id. If the engine admits the call ({@link
 *       #confirm}), the approval is used up: the next identical call is a new pending request
 *       with a new id. If a later step refuses it, a limit for example ({@link #release}), the
 *       approval covers the same call again, until it expires;
 *   <li>once rejected, every identical call is {@link ApprovalStatus.Rejected} with that id,
 *       approver and reason until the rejection expires, so an agent cannot re-ask at once.
 * </ul>
 *
 * <p>A pending request, an unused approval and a rejection each live {@link
 * Builder#expireAfter(Duration) expireAfter} (default {@link #DEFAULT_EXPIRE_AFTER}) from the
 * moment they were asked for, approved or rejected, by the clock given to the builder; then they
 * are forgotten and the next identical call starts over.
 *
 * <p>Memory is bounded: at most {@link Builder#maximumEntries(int) maximumEntries} (default
 * {@link #DEFAULT_MAXIMUM_ENTRIES}) requests, approvals and rejections are held. When the queue is
 * full even after forgetting expired entries, a new call is rejected (with no id, and a reason
 * saying the queue is full) rather than forgetting a pending request or a person's answer; calls
 * the queue already holds are answered as usual. So that one principal cannot fill the queue for
 * everyone, each principal may have at most {@link Builder#maximumPendingPerPrincipal(int)
 * maximumPendingPerPrincipal} (default {@link #DEFAULT_MAXIMUM_PENDING_PER_PRINCIPAL}) requests
 * pending at once (calls without a principal share one allowance): a new call past that is
 * rejected, with no id and a reason naming the cap, until a request of theirs is answered or
 * expires. Other principals are not affected. A call whose request, written as JSON, is larger
 * than {@link Builder#maximumRequestBytes(int) maximumRequestBytes} (default {@link
 * #DEFAULT_MAXIMUM_REQUEST_BYTES}, as in the Redis queue) is rejected the same way and not held.
 *
 * <p>Four eyes: an approver whose name equals the call's principal (ignoring case) cannot approve
 * it ({@link AnswerResult#OWN_CALL}), unless {@link Builder#fourEyes(boolean)} turns that off.
 * The last {@link Builder#maximumHistory(int) maximumHistory} answers are kept for {@link
 * #history}. Nothing survives the JVM: for state that replicas share and restarts keep, use the
 * Redis queue.
 *
 * <p>Thread-safe: concurrent identical calls get one id, and the listener is told once. Listeners
 * run on the calling thread, outside the queue's lock, so they may call {@link #approve} themselves.
 */
public final class InMemoryApprovalQueue implements ApprovalQueue {
  /** How long requests, approvals and rejections live unless configured: one hour. */
  public static final Duration DEFAULT_EXPIRE_AFTER = Duration.ofHours(1);

  /** How many requests, approvals and rejections are held at most unless configured. */
  public static final int DEFAULT_MAXIMUM_ENTRIES = 10_000;

  /** How many requests one principal may have pending at once unless configured. */
  public static final int DEFAULT_MAXIMUM_PENDING_PER_PRINCIPAL = 100;

  /** How many answers {@link #history} keeps unless configured. */
  public static final int DEFAULT_MAXIMUM_HISTORY = 1_000;

  /**
   * How large a held request (its arguments and context, as JSON) may be unless configured: 256
   * KiB, as in the Redis queue.
   */
  public static final int DEFAULT_MAXIMUM_REQUEST_BYTES = 256 * 1024;


  private final Clock clock;
  private final ApprovalEvents events;

  private final Object lock = new Object();
  /** Guarded by {@link #lock}. */
  private final ApprovalLedger ledger;

  private InMemoryApprovalQueue(Builder b) {
    this.clock = b.clock;
    this.ledger = new ApprovalLedger(b.expireAfter, b.maximumEntries, b.maximumPendingPerPrincipal,
        b.maximumRequestBytes, b.fourEyes);
    this.events = new ApprovalEvents(b.maximumHistory);
    if (b.onPending != null) {
      Consumer<? super PendingApproval> onPending = b.onPending;
      events.subscribe(new Listener() {
        @Override
        public void pending(PendingApproval request) {
          onPending.accept(request);
        }
      });
    }
  }

  /** A builder for a queue whose expiry reads {@code clock}. */
  public static Builder builder(Clock clock) {
    return new Builder(clock);
  }

  /**
   * What the queue says about {@code request}'s call now (see the class description).
   *
   * @throws IllegalArgumentException if the call's arguments cannot be read as JSON (the engine
   *     denies such a call)
   */
  @Override
  public ApprovalStatus check(ApprovalRequest request) {
    Key key = ApprovalLedger.key(request); // outside the lock: it hashes the arguments
    ApprovalStatus.Rejected tooLarge = ledger.tooLarge(request); // before anything is held, as the Redis queue does
    if (tooLarge != null) {
      return tooLarge;
    }
    ApprovalLedger.Checked checked;
    synchronized (lock) {
      checked = ledger.check(key, request, clock.instant());
    }
    if (checked.created() != null) {
      events.pending(checked.created());
    }
    return checked.status();
  }

  /** The engine admitted the call {@code approved} was claimed for: the approval is used up. */
  @Override
  public void confirm(ApprovalRequest request, ApprovalStatus.Approved approved) {
    synchronized (lock) {
      ledger.confirm(approved);
    }
  }

  /**
   * The engine refused the call {@code approved} was claimed for (a limit, say): the approval
   * covers the same call again until it expires.
   */
  @Override
  public void release(ApprovalRequest request, ApprovalStatus.Approved approved) {
    synchronized (lock) {
      ledger.release(approved);
    }
  }

  /**
   * Completes when the pending request {@code approvalId} is answered; at once when it is not
   * pending (unknown, expired, answered). An expiry completes nothing: the engine's wait ends.
   */
  @Override
  public CompletionStage<Void> whenAnswered(ApprovalRequest request, String approvalId) {
    synchronized (lock) {
      return ledger.isPending(approvalId, clock.instant()) ? events.waitFor(approvalId) : CompletableFuture.completedFuture(null);
    }
  }

  /**
   * Removes the pending request {@code approvalId}, freeing its principal's allowance, unless
   * another identical call still waits for it (then it stays pending for that call). A call that
   * got the id without waiting does not keep it: it re-asks as a new request.
   */
  @Override
  public void withdraw(ApprovalRequest request, String approvalId) {
    synchronized (lock) {
      ledger.withdraw(approvalId, clock.instant(), events::awaited);
    }
  }

  /**
   * Approves the pending request {@code id}: the next call identical to it passes, once it is
   * admitted.
   *
   * @param approver who approves, for the audit and the decision
   * @return true if this approved the request; false, changing nothing, if {@code id} is unknown,
   *     expired, already used, already answered (the first answer to a request stands), or the
   *     approver is the call's own principal and four eyes are required
   */
  @Override
  public boolean approve(String id, String approver) {
    return answer(id, Verdict.APPROVED, approver, null) == AnswerResult.ANSWERED;
  }

  /**
   * Rejects the pending request {@code id}: calls identical to it are rejected with this id,
   * approver and reason until the rejection expires.
   *
   * @param approver who rejects
   * @param reason why, shown to the agent; may be {@code null}
   * @return true if this rejected the request; false, changing nothing, if {@code id} is unknown,
   *     expired, or already answered (the first answer to a request stands)
   */
  @Override
  public boolean reject(String id, String approver, String reason) {
    return answer(id, Verdict.REJECTED, approver, reason) == AnswerResult.ANSWERED;
  }

  @Override
  public AnswerResult answer(String id, Verdict verdict, String approver, String comment) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(approver, "approver");
    ApprovalLedger.Answered answered;
    synchronized (lock) {
      answered = ledger.answer(id, verdict, approver, comment, clock.instant());
      if (answered.answer() == null) {
        return answered.result();
      }
      events.record(answered.answer());
    }
    events.answered(answered.answer());
    events.wake(id);
    return AnswerResult.ANSWERED;
  }

  @Override
  public Optional<PendingApproval> pending(String id) {
    Objects.requireNonNull(id, "id");
    synchronized (lock) {
      return ledger.pending(id, clock.instant());
    }
  }

  @Override
  public List<ApprovalAnswer> history(int max) {
    if (max < 0) {
      throw new IllegalArgumentException("max must not be negative, not " + max);
    }
    synchronized (lock) {
      return events.history(max);
    }
  }

  @Override
  public Subscription subscribe(Listener listener) {
    return events.subscribe(Objects.requireNonNull(listener, "listener"));
  }

  /** The requests no one has answered yet and that have not expired, oldest first. */
  @Override
  public List<PendingApproval> pending() {
    synchronized (lock) {
      return ledger.pending(clock.instant());
    }
  }

  /**
   * How many requests no one has answered yet and that have not expired: {@code pending().size()}
   * without building the list. Cheap (a counter the queue keeps, read after forgetting expired
   * entries), so a metrics gauge may read it as often as it likes.
   */
  @Override
  public int pendingCount() {
    synchronized (lock) {
      return ledger.pendingCount(clock.instant());
    }
  }

  /** How many requests, approvals and rejections the queue holds now, expired ones excluded. */
  public int size() {
    synchronized (lock) {
      return ledger.size(clock.instant());
    }
  }

  @Override
  public String toString() {
    return "InMemoryApprovalQueue[" + ledger + "]";
  }

  /** Configures an {@link InMemoryApprovalQueue}. Every setting has a default. */
  public static final class Builder {
    private final Clock clock;
    private Duration expireAfter = DEFAULT_EXPIRE_AFTER;
    private int maximumEntries = DEFAULT_MAXIMUM_ENTRIES;
    private int maximumPendingPerPrincipal = DEFAULT_MAXIMUM_PENDING_PER_PRINCIPAL;
    private int maximumHistory = DEFAULT_MAXIMUM_HISTORY;
    private int maximumRequestBytes = DEFAULT_MAXIMUM_REQUEST_BYTES;
    private boolean fourEyes = true;
    private Consumer<? super PendingApproval> onPending;

    private Builder(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * How long a pending request, an unused approval and a rejection live, each from the moment
     * it was asked for, approved or rejected. Default {@link #DEFAULT_EXPIRE_AFTER}.
     *
     * @throws IllegalArgumentException if {@code expireAfter} is zero or negative
     */
    public Builder expireAfter(Duration expireAfter) {
      Objects.requireNonNull(expireAfter, "expireAfter");
      if (expireAfter.isZero() || expireAfter.isNegative()) {
        throw new IllegalArgumentException("expireAfter must be positive, not " + expireAfter);
      }
      this.expireAfter = expireAfter;
      return this;
    }

    /**
     * How many requests, approvals and rejections the queue holds at most; when it is full, new
     * calls are rejected. Default {@link #DEFAULT_MAXIMUM_ENTRIES}.
     *
     * @throws IllegalArgumentException if {@code maximumEntries} is less than 1
     */
    public Builder maximumEntries(int maximumEntries) {
      if (maximumEntries < 1) {
        throw new IllegalArgumentException("maximumEntries must be at least 1, not " + maximumEntries);
      }
      this.maximumEntries = maximumEntries;
      return this;
    }

    /**
     * How many requests one principal may have pending (asked, not yet answered or expired) at
     * once; past that its new calls are rejected with a reason naming the cap, and other
     * principals are unaffected. Calls without a principal share one such allowance. Default
     * {@link #DEFAULT_MAXIMUM_PENDING_PER_PRINCIPAL}.
     *
     * @throws IllegalArgumentException if {@code maximumPendingPerPrincipal} is less than 1
     */
    public Builder maximumPendingPerPrincipal(int maximumPendingPerPrincipal) {
      if (maximumPendingPerPrincipal < 1) {
        throw new IllegalArgumentException(
            "maximumPendingPerPrincipal must be at least 1, not " + maximumPendingPerPrincipal);
      }
      this.maximumPendingPerPrincipal = maximumPendingPerPrincipal;
      return this;
    }

    /**
     * Told once each time a new request becomes pending (not when an identical call asks again),
     * on the calling thread and after the queue has recorded the request, so it may approve or
     * reject it at once. A listener that throws is logged and the request stays pending. Default:
     * none. Shorthand for a {@link Listener#pending} {@linkplain #subscribe subscribed} for the
     * queue's life.
     */
    public Builder onPending(Consumer<? super PendingApproval> listener) {
      this.onPending = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * How many answers {@link InMemoryApprovalQueue#history} keeps; older ones are dropped. Default
     * {@link #DEFAULT_MAXIMUM_HISTORY}.
     *
     * @throws IllegalArgumentException if {@code maximumHistory} is negative
     */
    public Builder maximumHistory(int maximumHistory) {
      if (maximumHistory < 0) {
        throw new IllegalArgumentException("maximumHistory must not be negative, not " + maximumHistory);
      }
      this.maximumHistory = maximumHistory;
      return this;
    }

    /**
     * How large a held request may be, as JSON (arguments, context, rule and reason): a larger call
     * is rejected, with no id and a reason naming the size, rather than held. Default {@link
     * #DEFAULT_MAXIMUM_REQUEST_BYTES}.
     *
     * @throws IllegalArgumentException if {@code maximumRequestBytes} is less than 1
     */
    public Builder maximumRequestBytes(int maximumRequestBytes) {
      if (maximumRequestBytes < 1) {
        throw new IllegalArgumentException("maximumRequestBytes must be at least 1, not " + maximumRequestBytes);
      }
      this.maximumRequestBytes = maximumRequestBytes;
      return this;
    }

    /**
     * Whether an approver whose name equals the call's principal (ignoring case) is refused
     * ({@link AnswerResult#OWN_CALL}). Default true; turn it off only where one person both runs
     * the agent and answers for it, in development.
     */
    public Builder fourEyes(boolean fourEyes) {
      this.fourEyes = fourEyes;
      return this;
    }

    /** A new, empty queue. */
    public InMemoryApprovalQueue build() {
      return new InMemoryApprovalQueue(this);
    }
  }
}
