package io.toolgate.gateway.internal;

import io.lettuce.core.RedisClient;
import io.toolgate.redis.RedisApprovalQueue;
import io.toolgate.redis.RedisCounterStore;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;

/**
 * The gateway's {@code --redis}: a Lettuce client of its own and a {@link RedisCounterStore} on
 * it, opened when the gateway starts and closed (store, then client) when it stops; with {@code
 * --approvals}, the {@link RedisApprovalQueue} on the same client, which its owner closes first.
 */
public final class RedisCounters implements AutoCloseable {
  private final RedisClient client;
  private final RedisCounterStore store;

  private RedisCounters(RedisClient client, RedisCounterStore store) {
    this.client = client;
    this.store = store;
  }

  /**
   * Connects to the Redis at {@code uri} ({@code redis://host:port}, {@code rediss://...}, as
   * Lettuce reads it) with the store's recommended client options and {@code commandTimeout}.
   *
   * @throws IllegalArgumentException if the URI is not a Redis URI or Redis cannot be reached now
   */
  public static RedisCounters connect(String uri, Duration commandTimeout) {
    RedisClient client;
    try {
      client = RedisClient.create(uri);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--redis " + redacted(uri) + " is not a Redis URI", e);
    }
    try {
      client.setOptions(RedisCounterStore.recommendedClientOptions());
      return new RedisCounters(client, RedisCounterStore.builder(client).commandTimeout(commandTimeout).build());
    } catch (RuntimeException e) {
      client.shutdown();
      throw new IllegalArgumentException("cannot use Redis at " + redacted(uri) + ": " + e.getMessage(), e);
    }
  }

  /** The store, for {@code PolicyEngine.Builder.counterStore}. */
  public RedisCounterStore store() {
    return store;
  }

  /**
   * A {@link RedisApprovalQueue} on this client (connections of its own, closed by the queue's
   * {@code close}, which must come before this object's), with the queue's defaults and a command
   * timeout of {@code commandTimeout} or {@link RedisApprovalQueue#DEFAULT_COMMAND_TIMEOUT},
   * whichever is longer (the inbox lists and answers through it, not only the hot path).
   *
   * @throws IllegalArgumentException if Redis cannot be reached now
   */
  public RedisApprovalQueue approvalQueue(Duration commandTimeout) {
    Duration least = RedisApprovalQueue.DEFAULT_COMMAND_TIMEOUT;
    try {
      return RedisApprovalQueue.builder(client, Clock.systemUTC())
          .commandTimeout(commandTimeout.compareTo(least) > 0 ? commandTimeout : least)
          .build();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("cannot keep approvals in Redis: " + e.getMessage(), e);
    }
  }

  /** Closes the store (refunds still waiting are logged as lost), then the client. */
  @Override
  public void close() {
    try {
      store.close();
    } finally {
      client.shutdown();
    }
  }

  /** {@code uri} without its password, for messages. */
  static String redacted(String uri) {
    try {
      URI parsed = URI.create(uri);
      if (parsed.getRawUserInfo() == null) {
        return uri;
      }
      return new URI(parsed.getScheme(), "***", parsed.getHost(), parsed.getPort(), parsed.getPath(), null, null)
          .toString();
    } catch (IllegalArgumentException | java.net.URISyntaxException e) {
      return "(a URI that cannot be shown)";
    }
  }
}
