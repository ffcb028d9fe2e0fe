package io.toolgate.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.protocol.ConnectionIntent;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.StringCodec;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterRequest.Algorithm;
import io.toolgate.api.CounterStore;
import io.toolgate.api.ReserveResult;
import io.toolgate.redis.internal.Keys;
import io.toolgate.redis.internal.Script;
import io.toolgate.redis.internal.ScriptRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * Counters in Redis, shared by every engine that uses the same server: several replicas of a
 * service enforce one limit exactly, as if they were one.
 *
 * <p>One decision is one round trip: a Lua script, loaded once and run by its SHA, takes every
 * counter of the decision atomically, all or none, with the same arithmetic as the in-memory
 * store (aligned fixed windows, exact sliding logs, decimal costs kept as integer millionths,
 * exact retry-after). If Redis
 * has forgotten the script (a restart, {@code SCRIPT FLUSH}) it is sent again once. Refunds work
 * the same way.
 *
 * <p>Keys are {@code <prefix>{<hashTag>}:<F|S>:<windowMillis>:<digest>}, where the digest is the
 * SHA-256 of the counter's name and scope value: no principal or argument value appears in a key.
 * A sliding counter adds two keys beside it ({@code :entries} and {@code :costs}, its log indexed
 * by time and by cost), so that one decision or refund reads O(log n) of a log of n entries,
 * however many an agent adds.
 * Every key carries the same hash tag, so in Redis Cluster all counters live in one slot and any
 * decision's counters can be taken by one script (a tag per scope could not serve a decision
 * that takes a global and a per-principal counter together). Give independent policies different
 * tags to spread them over shards. Keys expire once they can no longer refuse a call (their
 * window's end, plus an {@linkplain Builder#idleGrace idle grace}).
 *
 * <p>Every command answers within the {@linkplain Builder#commandTimeout command timeout}
 * (default 50 ms) or the reservation fails with a {@link RedisStoreException}, which the engine
 * turns into a denial (fail closed) or, where configured, an allowance (fail open). Lettuce
 * reconnects by itself; nothing needs restarting when Redis comes back.
 *
 * <p>A refund that fails is not lost: it is retried in the background, with the same token so a
 * retry whose first attempt did reach Redis changes nothing twice, until it succeeds or its
 * longest window has passed (after which it could no longer change a count). Only a refund that
 * cannot be queued ({@linkplain Builder#maxPendingRefunds too many pending}, or the store closed)
 * fails, and is thrown to the caller.
 *
 * <p>A reservation that times out is denied, yet Redis may still run it (it was sent; a paused or
 * slow server runs it late). So each reservation carries a token, which the script sets to the
 * reservation's time when it grants it (a small key that lives 60 s at most, or its longest
 * window if shorter); on a timeout the store queues a release by that token,
 * retried as refunds are: it gives back what the reservation took if it ran, and otherwise marks
 * the token so that the reservation takes nothing if it runs later. A release that reaches Redis
 * only after the token expired changes nothing.
 */
public final class RedisCounterStore implements CounterStore, AutoCloseable {
  /** The default {@linkplain Builder#commandTimeout command timeout}: 50 ms. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMillis(50);
  /** The default {@linkplain Builder#idleGrace idle grace}: 10 s. */
  public static final Duration DEFAULT_IDLE_GRACE = Duration.ofSeconds(10);
  /** The default {@linkplain Builder#keyPrefix key prefix}. */
  public static final String DEFAULT_KEY_PREFIX = "toolgate:";
  /** The default {@linkplain Builder#hashTag hash tag}. */
  public static final String DEFAULT_HASH_TAG = "toolgate";
  /** The default {@linkplain Builder#maxPendingRefunds bound on refunds awaiting a retry}. */
  public static final int DEFAULT_MAX_PENDING_REFUNDS = 10_000;

  private static final System.Logger LOG = System.getLogger(RedisCounterStore.class.getName());
  private static final Script RESERVE = Script.load("reserve.lua");
  private static final Script REFUND = Script.load("refund.lua");
  private static final long STARTUP_TIMEOUT_SECONDS = 10;
  private static final long FIRST_RETRY_MILLIS = 50;
  private static final long LONGEST_RETRY_MILLIS = 5_000;
  /** The longest a granted reservation's token lives (see the class description). */
  private static final long TOKEN_MILLIS = 60_000;

  private final StatefulConnection<String, String> connection;
  private final AbstractRedisClient ownedClient;
  private final ScriptRunner scripts;
  private final Keys keys;
  private final TimeSource timeSource;
  private final long timeoutMillis;
  private final long graceMillis;
  private final Executor callbackExecutor;
  private final ScheduledExecutorService scheduler;
  private final int maxPendingRefunds;
  private final AtomicInteger pendingRefunds = new AtomicInteger();
  private final AtomicLong lostRefunds = new AtomicLong();
  /** Notified whenever a queued refund or release is settled (applied, given up or lost). */
  private final Object settled = new Object();
  private volatile long serverOffsetMillis;
  private volatile boolean closed;

  private RedisCounterStore(Builder b) {
    this.keys = new Keys(b.keyPrefix, b.hashTag);
    this.timeSource = b.timeSource;
    this.timeoutMillis = b.commandTimeout.toMillis();
    this.graceMillis = b.idleGrace.toMillis();
    this.callbackExecutor = b.callbackExecutor;
    this.maxPendingRefunds = b.maxPendingRefunds;
    this.ownedClient = b.ownsClient ? b.client : null;
    this.scheduler = b.client.getResources().eventExecutorGroup();
    RedisScriptingAsyncCommands<String, String> commands;
    try {
      if (b.client instanceof RedisClusterClient) {
        StatefulRedisClusterConnection<String, String> cluster = ((RedisClusterClient) b.client).connect(StringCodec.UTF8);
        this.connection = cluster;
        commands = cluster.async();
        connectToTheSlotOwner(cluster);
      } else {
        StatefulRedisConnection<String, String> standalone = ((RedisClient) b.client).connect(StringCodec.UTF8);
        this.connection = standalone;
        commands = standalone.async();
      }
    } catch (RuntimeException e) {
      if (ownedClient != null) {
        ownedClient.shutdown();
      }
      throw new RedisStoreException("cannot connect to Redis: " + e.getMessage(), e);
    }
    this.scripts = new ScriptRunner(commands, b.commandTimeout.toNanos(), scheduler);
    for (Script script : List.of(RESERVE, REFUND)) {
      try {
        scripts.preload(script).get(STARTUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        LOG.log(System.Logger.Level.WARNING, "could not load " + script.name() + " into Redis now; it is sent on first use", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RedisStoreException("interrupted while loading " + script.name() + " into Redis", e);
      }
    }
  }

  /**
   * Opens the connection to the node that owns the store's slot now, rather than on the first
   * decision (which a client that rejects commands while disconnected would refuse).
   */
  private void connectToTheSlotOwner(StatefulRedisClusterConnection<String, String> cluster) {
    RedisClusterNode owner = cluster.getPartitions().getMasterBySlot(SlotHash.getSlot(keys.refundToken(new UUID(0, 0))));
    if (owner != null) {
      cluster.getConnection(owner.getUri().getHost(), owner.getUri().getPort(), ConnectionIntent.WRITE);
    }
  }

  /**
   * A store on the standalone Redis at {@code redisUri} (for example {@code redis://host:6379}),
   * with every default. The store owns the client it creates and shuts it down on {@link #close}.
   */
  public static RedisCounterStore create(String redisUri) {
    RedisClient client = RedisClient.create(redisUri);
    client.setOptions(recommendedClientOptions());
    Builder builder = new Builder(client);
    builder.ownsClient = true;
    return builder.build();
  }

  /**
   * A store on a connection of its own from {@code client}, a standalone (or Sentinel) client. The
   * client stays the caller's to shut down; see {@link #recommendedClientOptions()}.
   */
  public static Builder builder(RedisClient client) {
    return new Builder(Objects.requireNonNull(client, "client"));
  }

  /**
   * A store on a connection of its own from {@code client}, a Redis Cluster client. The client
   * stays the caller's to shut down; see {@link #recommendedClusterClientOptions()}.
   */
  public static Builder builder(RedisClusterClient client) {
    return new Builder(Objects.requireNonNull(client, "client"));
  }

  /**
   * Client options that suit the store: commands are refused at once while disconnected (rather
   * than queued and sent late, after the decision has been denied), and the client reconnects by
   * itself.
   */
  public static ClientOptions recommendedClientOptions() {
    return ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .build();
  }

  /** {@link #recommendedClientOptions()} for a Redis Cluster client. */
  public static ClusterClientOptions recommendedClusterClientOptions() {
    return ClusterClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .build();
  }

  /**
   * {@link Blocking#SYNC_FORMS}: the asynchronous forms return at once, so the engine uses them
   * (with its store timeout) on its synchronous paths too.
   */
  @Override
  public Blocking blocking() {
    return Blocking.SYNC_FORMS;
  }

  /** False: the reserve script counts, so there is nothing to confirm. */
  @Override
  public boolean confirmsReservations() {
    return false;
  }

  @Override
  public ReserveResult reserve(List<CounterRequest> requests, long nowMillis) {
    if (requests.isEmpty()) {
      return ReserveResult.granted();
    }
    ReserveCall reservation = new ReserveCall(requests, nowMillis);
    try {
      return reservation.result(scripts.run(RESERVE, reservation.keys, reservation.args).join());
    } catch (CompletionException e) {
      throw releaseIfSent(reservation, failure("reserve", e));
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Never blocks: the stage completes on Lettuce's event loop when Redis answers (or on the
   * {@linkplain Builder#callbackExecutor callback executor}, if one is set).
   */
  @Override
  public CompletionStage<ReserveResult> reserveAsync(List<CounterRequest> requests, long nowMillis) {
    if (requests.isEmpty()) {
      return CompletableFuture.completedFuture(ReserveResult.granted());
    }
    ReserveCall reservation = new ReserveCall(requests, nowMillis);
    return completion(
        scripts.run(RESERVE, reservation.keys, reservation.args),
        (reply, error) -> {
          if (error != null) {
            throw releaseIfSent(reservation, failure("reserve", error));
          }
          return reservation.result(reply);
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>If Redis does not answer, the refund is queued and retried in the background (see the
   * class description); this method then returns normally.
   *
   * @throws RedisStoreException if the refund failed and could not be queued for a retry
   */
  @Override
  public void refund(List<CounterRequest> requests, long reservedAtMillis) {
    if (requests.isEmpty()) {
      return;
    }
    RefundCall refund = new RefundCall(requests, reservedAtMillis);
    try {
      scripts.run(REFUND, refund.keys, refund.args).join();
    } catch (CompletionException e) {
      retryLater(refund, e.getCause());
    }
  }

  /** {@inheritDoc} Retried in the background as {@link #refund} is. */
  @Override
  public CompletionStage<Void> refundAsync(List<CounterRequest> requests, long reservedAtMillis) {
    if (requests.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    RefundCall refund = new RefundCall(requests, reservedAtMillis);
    return completion(
        scripts.run(REFUND, refund.keys, refund.args),
        (reply, error) -> {
          if (error != null) {
            retryLater(refund, error);
          }
          return null;
        });
  }

  /**
   * Refunds that failed, and releases of reservations that timed out, waiting in the background
   * queue, for metrics and tests.
   */
  public int pendingRefunds() {
    return pendingRefunds.get();
  }

  /**
   * Refunds and releases that failed and could not be queued for a retry (or were given up when
   * the store closed), since the store was built.
   */
  public long lostRefunds() {
    return lostRefunds.get();
  }

  /**
   * Waits until the background queue of refunds and releases is empty, or {@code timeout} has
   * passed; returns whether it is empty.
   */
  boolean awaitQueueEmpty(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (settled) {
      while (pendingRefunds.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(settled, left);
      }
    }
    return true;
  }

  /**
   * Closes the store's connection (and the client, if {@link #create} made it). Refunds still
   * waiting for a retry are given up and logged.
   */
  @Override
  public void close() {
    closed = true;
    connection.close();
    if (ownedClient != null) {
      ownedClient.shutdown();
    }
  }

  /** Applies {@code then} where the caller asked async stages to complete. */
  private <T, R> CompletionStage<R> completion(
      CompletableFuture<T> reply, BiFunction<? super T, Throwable, ? extends R> then) {
    return callbackExecutor == null ? reply.handle(then) : reply.handleAsync(then, callbackExecutor);
  }

  private RedisStoreException failure(String operation, Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof RedisStoreException) {
      return (RedisStoreException) cause;
    }
    if (cause instanceof TimeoutException) {
      return new RedisStoreException("Redis did not answer " + operation + " within " + timeoutMillis + " ms", cause);
    }
    return new RedisStoreException("Redis failed to " + operation + ": " + cause.getMessage(), cause);
  }

  // ---- refunds that failed ---------------------------------------------------------------------

  /**
   * After a reservation failed: when it timed out, Redis may run it yet, so its release is queued
   * (see the class description). Returns {@code failure}, to be thrown, with a release that could
   * not be queued attached.
   */
  private RedisStoreException releaseIfSent(ReserveCall reservation, RedisStoreException failure) {
    RefundCall release = failure.getCause() instanceof TimeoutException ? reservation.release() : null;
    if (release != null) {
      try {
        retryLater(release, failure);
      } catch (RedisStoreException lost) {
        failure.addSuppressed(lost);
      }
    }
    return failure;
  }

  private void retryLater(RefundCall refund, Throwable error) {
    if (closed || pendingRefunds.incrementAndGet() > maxPendingRefunds) {
      if (!closed) {
        pendingRefunds.decrementAndGet();
      }
      lostRefunds.incrementAndGet();
      RedisStoreException lost = failure(refund.operation, error);
      LOG.log(System.Logger.Level.ERROR, refund.operation + " of " + refund.requests + " is lost: " + lost.getMessage()
          + (closed ? " (store closed)" : " (the retry queue is full: " + maxPendingRefunds + " refunds)"));
      throw lost;
    }
    LOG.log(System.Logger.Level.WARNING, refund.operation + " of " + refund.requests + " failed ("
        + failure(refund.operation, error).getMessage() + "); retrying in the background");
    schedule(refund, FIRST_RETRY_MILLIS);
  }

  /** One queued refund or release is settled: applied, given up or lost. */
  private void settle() {
    pendingRefunds.decrementAndGet();
    synchronized (settled) {
      settled.notifyAll();
    }
  }

  private void schedule(RefundCall refund, long delayMillis) {
    try {
      scheduler.schedule(() -> retry(refund, delayMillis), delayMillis, TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) { // the client is shutting down
      giveUp(refund, "cannot schedule a retry: " + e);
    }
  }

  private void retry(RefundCall refund, long lastDelayMillis) {
    if (closed) {
      giveUp(refund, "the store was closed");
      return;
    }
    scripts.run(REFUND, refund.keys, refund.args).whenComplete((reply, error) -> {
      if (error == null) {
        settle();
        LOG.log(System.Logger.Level.INFO, refund.operation + " of " + refund.requests + " applied on retry");
      } else if (System.nanoTime() - refund.deadlineNanos >= 0) {
        settle();
        LOG.log(System.Logger.Level.WARNING, refund.operation + " of " + refund.requests
            + " given up: its windows have ended, so it could no longer change a count");
      } else {
        schedule(refund, Math.min(lastDelayMillis * 2, LONGEST_RETRY_MILLIS));
      }
    });
  }

  private void giveUp(RefundCall refund, String why) {
    lostRefunds.incrementAndGet();
    settle();
    LOG.log(System.Logger.Level.ERROR, refund.operation + " of " + refund.requests + " is lost: " + why);
  }

  // ---- script arguments ------------------------------------------------------------------------

  /** The keys and arguments of reserve.lua for one decision; requests for one counter summed. */
  private final class ReserveCall {
    final String[] keys;
    final String[] args;
    final int[] firstIndex;
    final long nowMillis;
    final CounterRequest[] distinct;
    final long[] costs;
    final int size;

    ReserveCall(List<CounterRequest> requests, long nowMillis) {
      this.nowMillis = nowMillis;
      int n = requests.size();
      CounterRequest[] distinct = new CounterRequest[n];
      long[] costs = new long[n];
      int[] first = new int[n];
      int size = 0;
      for (int i = 0; i < n; i++) {
        CounterRequest request = requests.get(i);
        int slot = 0;
        while (slot < size && !distinct[slot].sameCounter(request)) {
          slot++;
        }
        if (slot == size) {
          distinct[size] = request;
          first[size] = i;
          size++;
        }
        // Capped past any max: a sum that large never fits, and the cap keeps it exact in Lua.
        costs[slot] = Math.min(costs[slot] + request.costMillionths(), CounterRequest.MAX_MILLIONTHS + 1);
      }
      this.firstIndex = first;
      this.distinct = distinct;
      this.costs = costs;
      this.size = size;
      this.keys = new String[3 * size + 1];
      this.args = new String[3 + 4 * size];
      args[0] = timeSource == TimeSource.CALLER ? Long.toString(nowMillis) : "";
      args[1] = Long.toString(graceMillis);
      long longestWindow = 0;
      for (int slot = 0; slot < size; slot++) {
        CounterRequest request = distinct[slot];
        String state = RedisCounterStore.this.keys.state(request);
        keys[3 * slot] = state;
        keys[3 * slot + 1] = RedisCounterStore.this.keys.log(state);
        keys[3 * slot + 2] = RedisCounterStore.this.keys.costIndex(state);
        args[3 + 4 * slot] = request.algorithm() == Algorithm.FIXED ? "F" : "S";
        args[4 + 4 * slot] = Long.toString(request.windowMillis());
        args[5 + 4 * slot] = Long.toString(request.maxMillionths());
        args[6 + 4 * slot] = Long.toString(costs[slot]);
        longestWindow = Math.max(longestWindow, request.windowMillis());
      }
      keys[3 * size] = RedisCounterStore.this.keys.reservationToken(UUID.randomUUID());
      args[2] = Long.toString(Math.min(longestWindow + graceMillis, TOKEN_MILLIS));
    }

    /**
     * The release of this reservation, by its token, of what it would have taken (each counter's
     * summed cost); {@code null} if it could never have been granted.
     */
    RefundCall release() {
      List<CounterRequest> taken = new ArrayList<>(size);
      for (int slot = 0; slot < size; slot++) {
        CounterRequest r = distinct[slot];
        if (costs[slot] > r.maxMillionths()) {
          return null;
        }
        taken.add(new CounterRequest(r.counter(), r.scopeKind(), r.scopeValue(), r.windowMillis(), r.algorithm(),
            r.maxMillionths(), costs[slot]));
      }
      return new RefundCall("release", taken, keys[3 * size], null);
    }

    ReserveResult result(List<Object> reply) {
      long slot = (Long) reply.get(0);
      long wait = (Long) reply.get(1);
      if (timeSource == TimeSource.SERVER) {
        serverOffsetMillis = (Long) reply.get(2) - nowMillis;
      }
      if (slot == 0) {
        if (wait == -2) {
          throw new RedisStoreException("reservation was released before Redis ran it", null);
        }
        return ReserveResult.granted();
      }
      return ReserveResult.rejected(firstIndex[(int) slot - 1], wait < 0 ? Long.MAX_VALUE : wait);
    }
  }

  /** The keys and arguments of refund.lua for one refund, with the token that makes it once. */
  private final class RefundCall {
    /** "refund", or "release" of a reservation that timed out: for messages. */
    final String operation;
    final List<CounterRequest> requests;
    final String[] keys;
    final String[] args;
    final long deadlineNanos;

    RefundCall(List<CounterRequest> requests, long reservedAtMillis) {
      this("refund", requests, RedisCounterStore.this.keys.refundToken(UUID.randomUUID()), reservedAtMillis);
    }

    /**
     * @param reservedAtMillis the reservation's time, or {@code null} for a release, which reads
     *     it from the reservation's token
     */
    RefundCall(String operation, List<CounterRequest> requests, String token, Long reservedAtMillis) {
      this.operation = operation;
      this.requests = List.copyOf(requests);
      int n = requests.size();
      long longestWindow = 0;
      this.keys = new String[1 + 3 * n];
      this.args = new String[3 + 3 * n];
      keys[0] = token;
      boolean server = timeSource == TimeSource.SERVER;
      if (reservedAtMillis == null) {
        args[0] = "";
        args[1] = "0";
      } else {
        // On the server's clock the reservation's time is known through the clock offset the last
        // reservation measured, to within a command timeout.
        args[0] = Long.toString(server ? reservedAtMillis + serverOffsetMillis : reservedAtMillis);
        args[1] = Long.toString(server ? timeoutMillis : 0);
      }
      for (int i = 0; i < n; i++) {
        CounterRequest request = requests.get(i);
        String state = RedisCounterStore.this.keys.state(request);
        keys[1 + 3 * i] = state;
        keys[2 + 3 * i] = RedisCounterStore.this.keys.log(state);
        keys[3 + 3 * i] = RedisCounterStore.this.keys.costIndex(state);
        args[3 + 3 * i] = request.algorithm() == Algorithm.FIXED ? "F" : "S";
        args[4 + 3 * i] = Long.toString(request.windowMillis());
        args[5 + 3 * i] = Long.toString(request.costMillionths());
        longestWindow = Math.max(longestWindow, request.windowMillis());
      }
      long lifetime = longestWindow + graceMillis;
      args[2] = Long.toString(lifetime);
      this.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(lifetime);
    }
  }

  /** Configures a {@link RedisCounterStore}. */
  public static final class Builder {
    private final AbstractRedisClient client;
    private boolean ownsClient;
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private String hashTag = DEFAULT_HASH_TAG;
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
    private Duration idleGrace = DEFAULT_IDLE_GRACE;
    private TimeSource timeSource = TimeSource.CALLER;
    private Executor callbackExecutor;
    private int maxPendingRefunds = DEFAULT_MAX_PENDING_REFUNDS;

    private Builder(AbstractRedisClient client) {
      this.client = client;
    }

    /** Prepended to every key; default {@value RedisCounterStore#DEFAULT_KEY_PREFIX}. No braces. */
    public Builder keyPrefix(String keyPrefix) {
      this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
      new Keys(keyPrefix, hashTag);
      return this;
    }

    /**
     * The Redis Cluster hash tag of every key (so every key is in one slot); default {@value
     * RedisCounterStore#DEFAULT_HASH_TAG}. Non-empty, no braces. Stores that must see the same
     * counts need the same prefix and tag.
     */
    public Builder hashTag(String hashTag) {
      this.hashTag = Objects.requireNonNull(hashTag, "hashTag");
      new Keys(keyPrefix, hashTag);
      return this;
    }

    /**
     * How long one decision may wait for Redis before it fails (and the engine denies, or allows
     * where fail-open is configured); default 50 ms.
     */
    public Builder commandTimeout(Duration commandTimeout) {
      if (commandTimeout.isNegative() || commandTimeout.isZero()) {
        throw new IllegalArgumentException("commandTimeout must be positive, was " + commandTimeout);
      }
      this.commandTimeout = commandTimeout;
      return this;
    }

    /**
     * How long a key outlives the last moment it could refuse a call; default 10 s. It absorbs
     * clock skew between the engines and the Redis host (keys expire on the server's clock) and
     * test clocks that run slower than real time.
     */
    public Builder idleGrace(Duration idleGrace) {
      if (idleGrace.isNegative()) {
        throw new IllegalArgumentException("idleGrace must not be negative, was " + idleGrace);
      }
      this.idleGrace = idleGrace;
      return this;
    }

    /** Which clock places reservations in their windows; default {@link TimeSource#CALLER}. */
    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
      return this;
    }

    /**
     * Where {@link #reserveAsync} and {@link #refundAsync} complete their stages. By default they
     * complete on Lettuce's event loop, as Lettuce's own futures do: the fastest, and right when
     * what runs after a decision (the engine, the audit sink, an async tool) never blocks. Give an
     * executor when it might, so that it can never stall Redis I/O for every other decision; the
     * hop costs throughput (see the README's figures).
     */
    public Builder callbackExecutor(Executor callbackExecutor) {
      this.callbackExecutor = Objects.requireNonNull(callbackExecutor, "callbackExecutor");
      return this;
    }

    /**
     * The most failed refunds waiting for a retry at once; default {@value
     * RedisCounterStore#DEFAULT_MAX_PENDING_REFUNDS}. A refund that fails beyond it is thrown.
     */
    public Builder maxPendingRefunds(int maxPendingRefunds) {
      if (maxPendingRefunds < 0) {
        throw new IllegalArgumentException("maxPendingRefunds must not be negative, was " + maxPendingRefunds);
      }
      this.maxPendingRefunds = maxPendingRefunds;
      return this;
    }

    /**
     * Connects and returns the store.
     *
     * @throws RedisStoreException if Redis cannot be reached
     */
    public RedisCounterStore build() {
      return new RedisCounterStore(this);
    }
  }
}
