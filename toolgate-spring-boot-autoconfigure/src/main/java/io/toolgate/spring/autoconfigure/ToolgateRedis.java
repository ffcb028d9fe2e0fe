package io.toolgate.spring.autoconfigure;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.toolgate.redis.RedisCounterStore;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The Redis behind {@code toolgate.store=redis}: the store, and a connection of its own to ask
 * Redis whether it answers (the {@code toolgate} health indicator). Closing it closes the store,
 * that connection and, when it was made from {@code toolgate.redis.uri}, the client.
 */
public final class ToolgateRedis implements ToolgateStoreProbe, AutoCloseable {
  private final RedisClient client;
  private final boolean ownsClient;
  private final RedisCounterStore store;
  private StatefulRedisConnection<String, String> probe; // guarded by this

  private ToolgateRedis(RedisClient client, boolean ownsClient, Duration commandTimeout) {
    this.client = client;
    this.ownsClient = ownsClient;
    try {
      this.store = RedisCounterStore.builder(client).commandTimeout(commandTimeout).build();
    } catch (RuntimeException e) {
      if (ownsClient) {
        client.shutdown();
      }
      throw e;
    }
  }

  /** A client of its own for {@code uri}, with the store's recommended options; shut down on {@link #close}. */
  static ToolgateRedis connect(String uri, Duration commandTimeout) {
    RedisClient client = RedisClient.create(uri);
    client.setOptions(RedisCounterStore.recommendedClientOptions());
    return new ToolgateRedis(client, true, commandTimeout);
  }

  /** On the application's client, which stays the application's to shut down. */
  static ToolgateRedis on(RedisClient client, Duration commandTimeout) {
    return new ToolgateRedis(Objects.requireNonNull(client, "client"), false, commandTimeout);
  }

  /** The counter store. */
  public RedisCounterStore store() {
    return store;
  }

  /** Sends {@code PING} on a connection of its own and waits for the answer ({@code PONG}) at most {@code timeout}. */
  @Override
  public String ping(Duration timeout) throws Exception {
    StatefulRedisConnection<String, String> connection;
    synchronized (this) {
      if (probe == null || !probe.isOpen()) {
        probe = client.connect();
      }
      connection = probe;
    }
    return connection.async().ping().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void close() {
    store.close();
    if (probe != null) {
      probe.close();
    }
    if (ownsClient) {
      client.shutdown();
    }
  }
}
