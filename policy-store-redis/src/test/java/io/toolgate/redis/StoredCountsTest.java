package io.toolgate.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterRequest.Algorithm;
import io.toolgate.redis.internal.Keys;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the script keeps in Redis: counts as exact integers of millionths, never a double's text. */
class StoredCountsTest {
  private static final long T0 = Instant.parse("2026-01-01T10:00:00Z").toEpochMilli();
  private static RedisClient client;
  private static StatefulRedisConnection<String, String> redis;

  @BeforeAll
  static void connect() {
    client = RedisServer.sharedClient();
    redis = client.connect();
  }

  @AfterAll
  static void disconnect() {
    redis.close();
    client.shutdown();
  }

  /**
   * A sliding log that never empties (two entries of half the largest max, every half window) for
   * forty windows: what has left the window is subtracted from the script's sums, which stay those
   * of the window, exact in Lua's doubles, never the history's (20 times the max, past 2^53).
   */
  @Test
  void slidingSumsStayExactAtTheLargestMaxOverManyWindows() {
    String prefix = "history-" + System.nanoTime() + ":";
    long max = CounterRequest.MAX_MILLIONTHS;
    CounterRequest half = new CounterRequest("history", "global", null, 1_000, Algorithm.SLIDING, max, max / 2);
    CounterRequest millionth = new CounterRequest("history", "global", null, 1_000, Algorithm.SLIDING, max, 1);
    try (RedisCounterStore store = RedisCounterStore.builder(client).keyPrefix(prefix).commandTimeout(Duration.ofSeconds(5)).build()) {
      for (int i = 0; i < 80; i++) {
        long now = T0 + 500L * i;
        assertThat(store.reserve(List.of(half), now).isGranted()).as("half %s", i).isTrue();
        if (i > 0) {
          assertThat(store.reserve(List.of(millionth), now).isGranted()).as("a millionth past the max, step %s", i).isFalse();
        }
      }
    }
  }

  @Test
  void countsAreStoredAsIntegerMillionths() {
    String prefix = "stored-" + System.nanoTime() + ":";
    Keys keys = new Keys(prefix, RedisCounterStore.DEFAULT_HASH_TAG);
    CounterRequest fixed = new CounterRequest("tenths", "global", null, 60_000, Algorithm.FIXED, 300_000, 100_000);
    CounterRequest large = new CounterRequest("large", "global", null, 60_000, Algorithm.FIXED,
        CounterRequest.MAX_MILLIONTHS, CounterRequest.MAX_MILLIONTHS - 1);
    try (RedisCounterStore store = RedisCounterStore.builder(client).keyPrefix(prefix).commandTimeout(Duration.ofSeconds(5)).build()) {
      for (int i = 0; i < 3; i++) {
        assertThat(store.reserve(List.of(fixed), T0).isGranted()).isTrue();
      }
      assertThat(store.reserve(List.of(large), T0).isGranted()).isTrue();
      assertThat(store.reserve(List.of(new CounterRequest("large", "global", null, 60_000, Algorithm.FIXED,
          CounterRequest.MAX_MILLIONTHS, 1)), T0).isGranted()).as("the largest count is still exact").isTrue();
    }
    assertThat(redis.sync().hget(keys.state(fixed), "c")).isEqualTo("300000");
    assertThat(redis.sync().hget(keys.state(large), "c")).isEqualTo("1000000000000000");
  }
}
