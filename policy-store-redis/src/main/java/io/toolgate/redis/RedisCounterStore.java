package io.toolgate.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterStore;
import io.toolgate.api.ReserveResult;
import io.toolgate.redis.internal.Connections;
import io.toolgate.redis.internal.Failures;
import io.toolgate.redis.internal.Keys;
import io.toolgate.redis.internal.RefundRetries;
import io.toolgate.redis.internal.ScriptArguments;
import io.toolgate.redis.internal.ScriptRunner;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;

/**
 * Counters in Redis, shared by every engine that uses the same server: several replicas of a
 * service enforce one limit exactly, as if they were one.
 *
 * <p>One decision is one round trip: a Lua script, loaded once and run by its SHA, takes every
 * counter of the decision atomically, all or none, with the same arithmetic as the in-memory
 * store (aligned fixed windows, exact sliding logs, decimal costs kept as integer millionths,
 * exact retry-after). A decision whose every counter is a fixed window (the common case) runs a
 * smaller script on the same keys: one read per counter, one increment when granted. If Redis
 * has forgotten a script (a restart, {@code SCRIPT FLUSH}) it is sent again once. Refunds work
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
 * fails, and is thrown to the caller. {@link #pendingRefunds()} and {@link #lostRefunds()} count
 * them, for metrics.
 *
 * <p>A reservation that times out is denied, yet Redis may still run it (it was sent; a paused or
 * slow server runs it late). So each reservation carries a token, which the script sets to the
 * reservation's time when it grants it (a small key that lives 60 s at most, or while its windows
 * last, plus the idle grace, if shorter); on a timeout the store queues a release by that token,
 * retried as refunds are: it gives back what the reservation took if it ran, and otherwise marks
 * the token so that the reservation takes nothing if it runs later. A release that reaches Redis
 * only after the token expired changes nothing.
 *
 * <p>This class is the {@link CounterStore} SPI and its configuration; the connection setup, the
 * scripts' arguments and the retry queue are in {@code io.toolgate.redis.internal} ({@code
 * Connections}, {@code ScriptArguments}, {@code RefundRetries}).
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

  private final StatefulConnection<String, String> connection;
  private final AbstractRedisClient ownedClient;
  private final ScriptRunner scripts;
  private final ScriptArguments arguments;
  private final RefundRetries retries;
  private final long timeoutMillis;
  private final Executor callbackExecutor;

  private RedisCounterStore(Builder b) {
    Keys keys = new Keys(b.keyPrefix, b.hashTag);
    this.timeoutMillis = b.commandTimeout.toMillis();
    this.arguments = new ScriptArguments(keys, b.timeSource, b.idleGrace.toMillis(), timeoutMillis);
    this.callbackExecutor = b.callbackExecutor;
    this.ownedClient = b.ownsClient ? b.client : null;
    Connections.Connected connected;
    try {
      connected = Connections.open(b.client, keys);
    } catch (RuntimeException e) {
      if (ownedClient != null) {
        ownedClient.shutdown();
      }
      throw new RedisStoreException("cannot connect to Redis: " + e.getMessage(), e);
    }
    this.connection = connected.connection();
    var scheduler = b.client.getResources().eventExecutorGroup();
    this.scripts = new ScriptRunner(connected.commands(), b.commandTimeout.toNanos(), scheduler);
    this.retries = new RefundRetries(scripts, scheduler, b.maxPendingRefunds, timeoutMillis);
    Connections.preload(scripts, List.of(ScriptArguments.RESERVE_FIXED, ScriptArguments.RESERVE, ScriptArguments.REFUND));
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
    ScriptArguments.Reserve reservation = arguments.reserve(requests, nowMillis);
    try {
      return reservation.result(scripts.run(reservation.script(), reservation.keys(), reservation.args()).join());
    } catch (CompletionException e) {
      throw retries.releaseIfSent(reservation, Failures.of("reserve", e, timeoutMillis));
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
    ScriptArguments.Reserve reservation = arguments.reserve(requests, nowMillis);
    return completion(
        scripts.run(reservation.script(), reservation.keys(), reservation.args()),
        (reply, error) -> {
          if (error != null) {
            throw retries.releaseIfSent(reservation, Failures.of("reserve", error, timeoutMillis));
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
    ScriptArguments.Refund refund = arguments.refund(requests, reservedAtMillis);
    try {
      scripts.run(ScriptArguments.REFUND, refund.keys(), refund.args()).join();
    } catch (CompletionException e) {
      retries.retryLater(refund, e.getCause());
    }
  }

  /** {@inheritDoc} Retried in the background as {@link #refund} is. */
  @Override
  public CompletionStage<Void> refundAsync(List<CounterRequest> requests, long reservedAtMillis) {
    if (requests.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    ScriptArguments.Refund refund = arguments.refund(requests, reservedAtMillis);
    return completion(
        scripts.run(ScriptArguments.REFUND, refund.keys(), refund.args()),
        (reply, error) -> {
          if (error != null) {
            retries.retryLater(refund, error);
          }
          return null;
        });
  }

  /**
   * Refunds pending: refunds that failed, and releases of reservations that timed out, waiting in
   * the background queue for a retry now. A gauge for metrics; it returns to 0 as each is applied
   * or lost.
   */
  public int pendingRefunds() {
    return retries.pending();
  }

  /**
   * Refunds lost since the store was built: refunds and releases that failed and could not be
   * queued for a retry ({@linkplain Builder#maxPendingRefunds queue full}, or the store closed),
   * or that were queued and given up, because their windows ended before Redis took them (the
   * count they should have given back stayed taken) or because the store closed. A counter for
   * metrics; it never decreases.
   */
  public long lostRefunds() {
    return retries.lost();
  }

  /**
   * Waits until the background queue of refunds and releases is empty, or {@code timeout} has
   * passed; returns whether it is empty.
   */
  boolean awaitQueueEmpty(Duration timeout) throws InterruptedException {
    return retries.awaitEmpty(timeout);
  }

  /**
   * Closes the store's connection (and the client, if {@link #create} made it). Refunds still
   * waiting for a retry are given up and logged.
   */
  @Override
  public void close() {
    retries.close();
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
     * hop costs throughput (see the figures in docs/redis.md).
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
