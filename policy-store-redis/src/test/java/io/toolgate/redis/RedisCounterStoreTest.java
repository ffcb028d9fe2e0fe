package io.toolgate.redis;

import io.lettuce.core.RedisClient;
import io.toolgate.api.CounterStore;
import io.toolgate.testkit.contract.CounterStoreContract;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The Redis store against the same contract as the in-memory store, on a real redis-server. */
class RedisCounterStoreTest extends CounterStoreContract {
  private static RedisClient client;
  private RedisCounterStore store;

  @BeforeAll
  static void connect() {
    client = RedisServer.sharedClient();
  }

  @AfterAll
  static void disconnect() {
    client.shutdown();
  }

  @Override
  protected CounterStore newStore() {
    // Generous timeout: the contract checks semantics, not latency, on a shared machine.
    store = RedisCounterStore.builder(client).commandTimeout(Duration.ofSeconds(5)).build();
    return store;
  }

  @AfterEach
  void closeStore() {
    store.close();
  }
}
