package io.toolgate.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.engine.approval.ApprovalAnswer;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.approval.PendingApproval;
import io.toolgate.engine.approval.ArgumentsDigest;
import io.toolgate.redis.internal.ApprovalCodec;
import io.toolgate.redis.internal.ApprovalKeys;
import io.toolgate.redis.internal.ApprovalScripts;
import io.toolgate.redis.internal.ApprovalSubscriptions;
import io.toolgate.redis.internal.ApprovalWaiters;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An {@link ApprovalQueue} in Redis: every replica sees one queue, and a restart loses no pending
 * request, approval, rejection or answer. It behaves as {@link InMemoryApprovalQueue} does (call
 * identity by tool, principal and canonical arguments; claim, confirm and release; rejections
 * that cover the call until they expire; a per-principal cap; a full queue that refuses new
 * calls; four eyes; a bounded history), and each state change is one atomic Lua script.
 *
 * <pre>{@code
 * RedisApprovalQueue queue = RedisApprovalQueue.builder(redisClient, Clock.systemUTC()).build();
 * PolicyEngine engine = PolicyEngine.builder(policy).approvals(queue).build();
 * }</pre>
 *
 * <p>Expiry reads the queue's clock, not Redis's {@code TIME}: the times the queue shows are the
 * engine's times, and a test can move them. Replicas' clocks should agree to within a small part
 * of {@link Builder#expireAfter}; Redis's own key expiry only collects what has expired.
 *
 * <p>Listeners hear of requests and answers from every process through Redis pub/sub, on a
 * thread of the queue's own. If Redis fails, {@link #check} rejects the call with a reason naming
 * the failure (it fails closed and never throws); the admin methods throw {@link
 * RedisStoreException}. Standalone (or Sentinel) Redis only.
 */
public final class RedisApprovalQueue implements ApprovalQueue, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RedisApprovalQueue.class.getName());

  /** How long one Redis command may take unless configured. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(1);

  /** How large a held request (its arguments and context, as JSON) may be unless configured: 256 KiB. */
  public static final int DEFAULT_MAXIMUM_REQUEST_BYTES = 256 * 1024;

  private final RedisClient client;
  private final boolean ownsClient;
  private final Clock clock;
  private final long expireMillis;
  private final int maximumEntries;
  private final int maximumPendingPerPrincipal;
  private final int maximumHistory;
  private final boolean fourEyes;
  private final int maximumRequestBytes;
  private final String base;
  private final String channel;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisCommands<String, String> redis;
  private final ApprovalSubscriptions subscriptions;
  private final ApprovalWaiters waiters;

  private RedisApprovalQueue(Builder b) {
    this.client = b.client;
    this.ownsClient = b.ownsClient;
    this.clock = b.clock;
    this.expireMillis = b.expireAfter.toMillis();
    this.maximumEntries = b.maximumEntries;
    this.maximumPendingPerPrincipal = b.maximumPendingPerPrincipal;
    this.maximumHistory = b.maximumHistory;
    this.fourEyes = b.fourEyes;
    this.maximumRequestBytes = b.maximumRequestBytes;
    this.base = b.keyPrefix + "{" + b.hashTag + "}:ap:";
    this.channel = base + "events";
    this.connection = client.connect(StringCodec.UTF8);
    connection.setTimeout(b.commandTimeout);
    this.redis = connection.sync();
    this.subscriptions = new ApprovalSubscriptions(client, channel);
    this.waiters = new ApprovalWaiters(subscriptions);
  }

  /** A queue on the standalone Redis at {@code redisUri}; it owns the client and shuts it down on close. */
  public static RedisApprovalQueue create(String redisUri, Clock clock) {
    RedisClient client = RedisClient.create(redisUri);
    client.setOptions(RedisCounterStore.recommendedClientOptions());
    Builder builder = new Builder(client, clock);
    builder.ownsClient = true;
    return builder.build();
  }

  /** A queue on connections of its own from {@code client}, which stays the caller's to shut down. */
  public static Builder builder(RedisClient client, Clock clock) {
    return new Builder(Objects.requireNonNull(client, "client"), Objects.requireNonNull(clock, "clock"));
  }

  /**
   * What the queue says about {@code request}'s call now; if Redis fails, a rejection (with no id)
   * whose reason names the failure.
   *
   * @throws IllegalArgumentException if the call's arguments cannot be read as JSON (the engine
   *     denies such a call)
   */
  @Override
  public ApprovalStatus check(ApprovalRequest request) {
    String tool = request.call().tool();
    String principal = request.context().principal();
    String digest = ArgumentsDigest.of(request.call().arguments());
    long now = clock.millis();
    String id = UUID.randomUUID().toString();
    String json = ApprovalCodec.write(request);
    int bytes = json.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maximumRequestBytes) {
      return new ApprovalStatus.Rejected(null, null, "the call is too large to hold for approval (" + bytes
          + " bytes of JSON, at most " + maximumRequestBytes + ")");
    }
    List<Object> out;
    try {
      out = redis.eval(ApprovalScripts.CHECK, ScriptOutputType.MULTI,
          new String[] {base + "k:" + ApprovalKeys.identity(tool, ApprovalKeys.who(principal), digest), base + "all", base + "pending",
              base + "pp:" + ApprovalKeys.identity(ApprovalKeys.who(principal))},
          Long.toString(now), Long.toString(now + expireMillis), id, json,
          principal == null ? "" : principal, digest, Integer.toString(maximumEntries),
          Integer.toString(maximumPendingPerPrincipal), Long.toString(expireMillis), base + "e:",
          Long.toString(now), principal == null ? "0" : "1", channel);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "the approval queue in Redis failed; the call is rejected", e);
      return new ApprovalStatus.Rejected(null, null,
          "the approval queue is unavailable (" + e.getClass().getSimpleName() + "); try again later");
    }
    return ApprovalCodec.status(out, maximumEntries, maximumPendingPerPrincipal);
  }

  @Override
  public void confirm(ApprovalRequest request, ApprovalStatus.Approved approved) {
    if (approved.approvalId() != null) {
      redis.eval(ApprovalScripts.CONFIRM, ScriptOutputType.INTEGER,
          new String[] {base + "e:" + approved.approvalId(), base + "all"}, approved.approvalId());
    }
  }

  @Override
  public void release(ApprovalRequest request, ApprovalStatus.Approved approved) {
    if (approved.approvalId() != null) {
      redis.eval(ApprovalScripts.RELEASE, ScriptOutputType.INTEGER, new String[] {base + "e:" + approved.approvalId()});
    }
  }

  /** @throws RedisStoreException if Redis fails */
  @Override
  public AnswerResult answer(String id, Verdict verdict, String approver, String comment) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(approver, "approver");
    long now = clock.millis();
    String entry = base + "e:" + id;
    List<Object> out;
    try {
      List<String> owner = redis.hmget(entry, "principal", "hasprincipal").stream()
          .map(kv -> kv.getValueOrElse(null)).toList();
      boolean own = fourEyes && "1".equals(owner.get(1)) && approver.equalsIgnoreCase(owner.get(0));
      out = redis.eval(ApprovalScripts.ANSWER, ScriptOutputType.MULTI,
          new String[] {entry, base + "all", base + "pending", base + "history"},
          Long.toString(now), verdict == Verdict.APPROVED ? "A" : "R", approver, comment == null ? "" : comment,
          Long.toString(now + expireMillis), Long.toString(expireMillis), own ? "1" : "0",
          Integer.toString(Math.max(maximumHistory, 1)), comment == null ? "0" : "1", channel, id);
      if (maximumHistory == 0) {
        redis.del(base + "history");
      }
    } catch (RuntimeException e) {
      throw new RedisStoreException("could not answer approval " + id + " in Redis", e);
    }
    return switch ((String) out.get(0)) {
      case "K" -> {
        waiters.wake(id);
        yield AnswerResult.ANSWERED;
      }
      case "U" -> AnswerResult.UNKNOWN;
      case "D" -> AnswerResult.ALREADY_ANSWERED;
      default -> AnswerResult.OWN_CALL;
    };
  }

  @Override
  public List<PendingApproval> pending() {
    return pendingList("");
  }

  @Override
  public Optional<PendingApproval> pending(String id) {
    Objects.requireNonNull(id, "id");
    return pendingList(id).stream().findFirst();
  }

  @Override
  public int pendingCount() {
    try {
      return redis.zcount(base + "pending", io.lettuce.core.Range.create(clock.millis() + 1, Long.MAX_VALUE)).intValue();
    } catch (RuntimeException e) {
      throw new RedisStoreException("could not count pending approvals in Redis", e);
    }
  }

  @Override
  public List<ApprovalAnswer> history(int max) {
    if (max < 0) {
      throw new IllegalArgumentException("max must not be negative, not " + max);
    }
    if (max == 0) {
      return List.of();
    }
    try {
      return redis.lrange(base + "history", 0, max - 1).stream().map(ApprovalCodec::answer).toList();
    } catch (RuntimeException e) {
      throw new RedisStoreException("could not read the approval history in Redis", e);
    }
  }

  @Override
  public Subscription subscribe(Listener listener) {
    return subscriptions.subscribe(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Completes when this process hears of an answer to the pending request {@code approvalId}
   * (from any process, through pub/sub) or finds it no longer pending; at once if Redis fails (the
   * engine then asks {@link #check} again, which fails closed). Cancelled, the waiter is forgotten.
   */
  @Override
  public CompletionStage<Void> whenAnswered(ApprovalRequest request, String approvalId) {
    if (approvalId == null) {
      return CompletableFuture.completedFuture(null);
    }
    return waiters.register(approvalId, id -> {
      List<String> f = redis.hmget(base + "e:" + id, "state", "exp").stream().map(kv -> kv.getValueOrElse(null)).toList();
      return "P".equals(f.get(0)) && f.get(1) != null && Long.parseLong(f.get(1)) > clock.millis();
    });
  }

  /**
   * Removes the pending request {@code approvalId} (freeing its principal's allowance) unless a
   * call in this process still waits for it. Calls waiting in other processes are not counted:
   * such a call finds its request gone and re-asks as a new request. Redis failures are logged.
   */
  @Override
  public void withdraw(ApprovalRequest request, String approvalId) {
    if (approvalId == null) {
      return;
    }
    waiters.unlessAwaited(approvalId, () -> {
      try {
        redis.eval(ApprovalScripts.WITHDRAW, ScriptOutputType.INTEGER,
            new String[] {base + "e:" + approvalId, base + "all", base + "pending"}, approvalId);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "could not withdraw approval " + approvalId + " in Redis", e);
      }
    });
  }

  /** How many approval ids calls in this process wait for (for tests). */
  int waiting() {
    return waiters.size();
  }

  @Override
  public void close() {
    waiters.close();
    subscriptions.close();
    connection.close();
    if (ownsClient) {
      client.shutdown();
    }
  }

  @Override
  public String toString() {
    return "RedisApprovalQueue[expireAfter=" + Duration.ofMillis(expireMillis) + ", maximumEntries=" + maximumEntries
        + ", maximumPendingPerPrincipal=" + maximumPendingPerPrincipal + ", fourEyes=" + fourEyes + "]";
  }

  private List<PendingApproval> pendingList(String id) {
    List<Object> out;
    try {
      out = redis.eval(ApprovalScripts.PENDING, ScriptOutputType.MULTI, new String[] {base + "pending"},
          Long.toString(clock.millis()), base + "e:", id);
    } catch (RuntimeException e) {
      throw new RedisStoreException("could not list pending approvals in Redis", e);
    }
    return ApprovalCodec.pendingList(out);
  }

  /** Configures a {@link RedisApprovalQueue}; every setting but the client and clock has a default. */
  public static final class Builder {
    private final RedisClient client;
    private final Clock clock;
    private boolean ownsClient;
    private Duration expireAfter = InMemoryApprovalQueue.DEFAULT_EXPIRE_AFTER;
    private int maximumEntries = InMemoryApprovalQueue.DEFAULT_MAXIMUM_ENTRIES;
    private int maximumPendingPerPrincipal = InMemoryApprovalQueue.DEFAULT_MAXIMUM_PENDING_PER_PRINCIPAL;
    private int maximumHistory = InMemoryApprovalQueue.DEFAULT_MAXIMUM_HISTORY;
    private boolean fourEyes = true;
    private int maximumRequestBytes = DEFAULT_MAXIMUM_REQUEST_BYTES;
    private String keyPrefix = RedisCounterStore.DEFAULT_KEY_PREFIX;
    private String hashTag = RedisCounterStore.DEFAULT_HASH_TAG;
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;

    private Builder(RedisClient client, Clock clock) {
      this.client = client;
      this.clock = clock;
    }

    /** As {@link InMemoryApprovalQueue.Builder#expireAfter}; at least one millisecond. */
    public Builder expireAfter(Duration expireAfter) {
      if (expireAfter.toMillis() < 1) {
        throw new IllegalArgumentException("expireAfter must be at least 1 ms, not " + expireAfter);
      }
      this.expireAfter = expireAfter;
      return this;
    }

    /** As {@link InMemoryApprovalQueue.Builder#maximumEntries}. */
    public Builder maximumEntries(int maximumEntries) {
      this.maximumEntries = atLeast(1, maximumEntries, "maximumEntries");
      return this;
    }

    /** As {@link InMemoryApprovalQueue.Builder#maximumPendingPerPrincipal}. */
    public Builder maximumPendingPerPrincipal(int maximumPendingPerPrincipal) {
      this.maximumPendingPerPrincipal = atLeast(1, maximumPendingPerPrincipal, "maximumPendingPerPrincipal");
      return this;
    }

    /** As {@link InMemoryApprovalQueue.Builder#maximumHistory}. */
    public Builder maximumHistory(int maximumHistory) {
      this.maximumHistory = atLeast(0, maximumHistory, "maximumHistory");
      return this;
    }

    /** As {@link InMemoryApprovalQueue.Builder#fourEyes}; default true. */
    public Builder fourEyes(boolean fourEyes) {
      this.fourEyes = fourEyes;
      return this;
    }

    /**
     * How large a held request may be, as JSON (arguments, context, rule and reason): a larger call
     * is rejected, with no id and a reason naming the size, rather than stored. Default {@link
     * #DEFAULT_MAXIMUM_REQUEST_BYTES}.
     */
    public Builder maximumRequestBytes(int maximumRequestBytes) {
      this.maximumRequestBytes = atLeast(1, maximumRequestBytes, "maximumRequestBytes");
      return this;
    }

    /** Prepended to every key; no braces. Default {@link RedisCounterStore#DEFAULT_KEY_PREFIX}. */
    public Builder keyPrefix(String keyPrefix) {
      if (keyPrefix.indexOf('{') >= 0 || keyPrefix.indexOf('}') >= 0) {
        throw new IllegalArgumentException("key prefix must not contain braces, was " + keyPrefix);
      }
      this.keyPrefix = keyPrefix;
      return this;
    }

    /** The hash tag of every key; non-empty, no braces. Default {@link RedisCounterStore#DEFAULT_HASH_TAG}. */
    public Builder hashTag(String hashTag) {
      if (hashTag.isEmpty() || hashTag.indexOf('{') >= 0 || hashTag.indexOf('}') >= 0) {
        throw new IllegalArgumentException("hash tag must be non-empty and without braces, was " + hashTag);
      }
      this.hashTag = hashTag;
      return this;
    }

    /** How long one Redis command may take; default {@link #DEFAULT_COMMAND_TIMEOUT}. */
    public Builder commandTimeout(Duration commandTimeout) {
      this.commandTimeout = Objects.requireNonNull(commandTimeout, "commandTimeout");
      return this;
    }

    /** A queue on a new connection; Redis must be reachable. */
    public RedisApprovalQueue build() {
      return new RedisApprovalQueue(this);
    }

    private static int atLeast(int min, int value, String name) {
      if (value < min) {
        throw new IllegalArgumentException(name + " must be at least " + min + ", not " + value);
      }
      return value;
    }
  }
}
