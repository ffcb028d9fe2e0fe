package io.toolgate.engine.approval;

import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.engine.internal.CanonicalJson;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Approvals a person gives later, by id: the engine's calls become pending requests, a UI or a
 * bot lists them ({@link #pending()}, or a listener set with {@link Builder#onPending}), and a
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
 * expires. Other principals are not affected.
 *
 * <p>Thread-safe: concurrent identical calls get one id, and the listener is told once. The
 * listener runs on the calling thread, outside the queue's lock, so it may call {@link #approve}
 * itself.
 */
public final class InMemoryApprovalQueue implements ApprovalService {
  /** How long requests, approvals and rejections live unless configured: one hour. */
  public static final Duration DEFAULT_EXPIRE_AFTER = Duration.ofHours(1);

  /** How many requests, approvals and rejections are held at most unless configured. */
  public static final int DEFAULT_MAXIMUM_ENTRIES = 10_000;

  /** How many requests one principal may have pending at once unless configured. */
  public static final int DEFAULT_MAXIMUM_PENDING_PER_PRINCIPAL = 100;

  private static final System.Logger LOG = System.getLogger(InMemoryApprovalQueue.class.getName());

  private enum State {
    PENDING,
    APPROVED,
    /** Approved, and claimed by a call the engine is deciding: confirmed or released next. */
    CLAIMED,
    REJECTED
  }

  /** A call's identity: tool, principal and the digest of its canonical arguments. */
  private record Key(String tool, String principal, String argumentsDigest) {}

  /** One call's request and answer; fields other than the finals are guarded by the queue's lock. */
  private static final class Entry {
    final Key key;
    final String id;
    final ApprovalRequest request;
    final Instant requestedAt;
    State state = State.PENDING;
    Instant expiresAt;
    String approver;
    String reason;

    Entry(Key key, String id, ApprovalRequest request, Instant requestedAt, Instant expiresAt) {
      this.key = key;
      this.id = id;
      this.request = request;
      this.requestedAt = requestedAt;
      this.expiresAt = expiresAt;
    }

    boolean expired(Instant now) {
      return !now.isBefore(expiresAt);
    }

    PendingApproval pending() {
      return new PendingApproval(id, request, requestedAt, expiresAt);
    }
  }

  private final Clock clock;
  private final Duration expireAfter;
  private final int maximumEntries;
  private final int maximumPendingPerPrincipal;
  private final Consumer<? super PendingApproval> onPending;

  private final Object lock = new Object();
  /** By key, in the order of their last change, which is the order in which they expire. */
  private final LinkedHashMap<Key, Entry> byKey = new LinkedHashMap<>();

  private final Map<String, Entry> byId = new HashMap<>();

  /** How many PENDING entries each principal has; {@code null} is the key of calls without one. */
  private final Map<String, Integer> pendingByPrincipal = new HashMap<>();

  private InMemoryApprovalQueue(Builder b) {
    this.clock = b.clock;
    this.expireAfter = b.expireAfter;
    this.maximumEntries = b.maximumEntries;
    this.maximumPendingPerPrincipal = b.maximumPendingPerPrincipal;
    this.onPending = b.onPending;
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
    Key key =
        new Key(
            request.call().tool(),
            request.context().principal(),
            CanonicalJson.sha256Hex(request.call().arguments()));
    PendingApproval created;
    synchronized (lock) {
      Instant now = clock.instant();
      purge(now);
      Entry entry = live(byKey.get(key), now);
      if (entry != null) {
        switch (entry.state) {
          case PENDING:
            return new ApprovalStatus.Pending(entry.id);
          case APPROVED:
            entry.state = State.CLAIMED;
            return new ApprovalStatus.Approved(entry.id, entry.approver);
          case CLAIMED:
            return new ApprovalStatus.Pending(entry.id); // an identical call is using it now
          default:
            return new ApprovalStatus.Rejected(entry.id, entry.approver, entry.reason);
        }
      }
      if (byKey.size() >= maximumEntries) {
        return new ApprovalStatus.Rejected(
            null, null, "the approval queue is full (" + maximumEntries + " requests); try again later");
      }
      if (pendingByPrincipal.getOrDefault(key.principal(), 0) >= maximumPendingPerPrincipal) {
        return new ApprovalStatus.Rejected(
            null, null, "too many approval requests pending for this principal (at most "
                + maximumPendingPerPrincipal + " at once); wait for an answer or for one to expire");
      }
      entry = new Entry(key, UUID.randomUUID().toString(), request, now, now.plus(expireAfter));
      byKey.put(key, entry);
      byId.put(entry.id, entry);
      pendingByPrincipal.merge(key.principal(), 1, Integer::sum);
      created = entry.pending();
    }
    notifyPending(created);
    return new ApprovalStatus.Pending(created.id());
  }

  /** The engine admitted the call {@code approved} was claimed for: the approval is used up. */
  @Override
  public void confirm(ApprovalRequest request, ApprovalStatus.Approved approved) {
    synchronized (lock) {
      Entry entry = claimed(approved);
      if (entry != null) {
        remove(entry);
      }
    }
  }

  /**
   * The engine refused the call {@code approved} was claimed for (a limit, say): the approval
   * covers the same call again until it expires.
   */
  @Override
  public void release(ApprovalRequest request, ApprovalStatus.Approved approved) {
    synchronized (lock) {
      Entry entry = claimed(approved);
      if (entry != null) {
        entry.state = State.APPROVED;
      }
    }
  }

  /** The claimed entry {@code approved} names, or {@code null} (expired, or not from this queue). */
  private Entry claimed(ApprovalStatus.Approved approved) {
    Entry entry = approved.approvalId() == null ? null : byId.get(approved.approvalId());
    return entry != null && entry.state == State.CLAIMED ? entry : null;
  }

  /**
   * Approves the pending request {@code id}: the next call identical to it passes, once it is
   * admitted.
   *
   * @param approver who approves, for the audit and the decision
   * @return true if this approved the request; false, changing nothing, if {@code id} is unknown,
   *     expired, already used, or already answered (the first answer to a request stands)
   */
  public boolean approve(String id, String approver) {
    Objects.requireNonNull(approver, "approver");
    return answer(id, State.APPROVED, approver, null);
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
  public boolean reject(String id, String approver, String reason) {
    Objects.requireNonNull(approver, "approver");
    return answer(id, State.REJECTED, approver, reason);
  }

  /** The requests no one has answered yet and that have not expired, oldest first. */
  public List<PendingApproval> pending() {
    List<PendingApproval> out = new ArrayList<>();
    synchronized (lock) {
      Instant now = clock.instant();
      purge(now);
      for (Entry entry : byKey.values()) {
        if (entry.state == State.PENDING && !entry.expired(now)) {
          out.add(entry.pending());
        }
      }
    }
    out.sort((a, b) -> a.requestedAt().compareTo(b.requestedAt()));
    return out;
  }

  /** How many requests, approvals and rejections the queue holds now, expired ones excluded. */
  public int size() {
    synchronized (lock) {
      purge(clock.instant());
      return byKey.size();
    }
  }

  private boolean answer(String id, State state, String approver, String reason) {
    Objects.requireNonNull(id, "id");
    synchronized (lock) {
      Instant now = clock.instant();
      purge(now);
      Entry entry = live(byId.get(id), now);
      if (entry == null || entry.state != State.PENDING) {
        return false;
      }
      unpend(entry);
      entry.state = state;
      entry.approver = approver;
      entry.reason = reason;
      entry.expiresAt = now.plus(expireAfter);
      byKey.remove(entry.key); // re-insert: the map stays in the order entries expire
      byKey.put(entry.key, entry);
      return true;
    }
  }

  /**
   * {@code entry} if it is live; otherwise forgets it. After {@link #purge} an entry can only be
   * expired here if the clock went back, since purge stops at the first live entry.
   */
  private Entry live(Entry entry, Instant now) {
    if (entry != null && entry.expired(now)) {
      remove(entry);
      return null;
    }
    return entry;
  }

  /** Forgets expired entries from the oldest on; cheap when nothing has expired. */
  private void purge(Instant now) {
    for (Iterator<Entry> it = byKey.values().iterator(); it.hasNext(); ) {
      Entry entry = it.next();
      if (!entry.expired(now)) {
        return;
      }
      it.remove();
      byId.remove(entry.id);
      unpend(entry);
    }
  }

  private void remove(Entry entry) {
    byKey.remove(entry.key);
    byId.remove(entry.id);
    unpend(entry);
  }

  /** Takes a PENDING entry off its principal's count (it was answered, or is forgotten). */
  private void unpend(Entry entry) {
    if (entry.state == State.PENDING) {
      pendingByPrincipal.computeIfPresent(entry.key.principal(), (p, n) -> n == 1 ? null : n - 1);
    }
  }

  private void notifyPending(PendingApproval pending) {
    if (onPending == null) {
      return;
    }
    try {
      onPending.accept(pending);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "approval listener failed for request " + pending.id() + "; the request stays pending", e);
    }
  }

  @Override
  public String toString() {
    return "InMemoryApprovalQueue[expireAfter=" + expireAfter + ", maximumEntries=" + maximumEntries
        + ", maximumPendingPerPrincipal=" + maximumPendingPerPrincipal + "]";
  }

  /** Configures an {@link InMemoryApprovalQueue}. Every setting has a default. */
  public static final class Builder {
    private final Clock clock;
    private Duration expireAfter = DEFAULT_EXPIRE_AFTER;
    private int maximumEntries = DEFAULT_MAXIMUM_ENTRIES;
    private int maximumPendingPerPrincipal = DEFAULT_MAXIMUM_PENDING_PER_PRINCIPAL;
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
     * none.
     */
    public Builder onPending(Consumer<? super PendingApproval> listener) {
      this.onPending = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** A new, empty queue. */
    public InMemoryApprovalQueue build() {
      return new InMemoryApprovalQueue(this);
    }
  }
}
