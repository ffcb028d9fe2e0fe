package io.toolgate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterRequest.Algorithm;
import io.toolgate.api.ReserveResult;
import io.toolgate.redis.internal.Keys;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The store's options: the server's clock, key TTLs, the builder's checks. */
@Timeout(60)
class StoreOptionsTest {
  private static final long T = 1_767_261_600_000L; // 2026-01-01T10:00:00Z
  private static RedisClient client;

  @BeforeAll
  static void connect() {
    client = RedisServer.sharedClient();
  }

  @AfterAll
  static void disconnect() {
    client.shutdown();
  }

  @Test
  void onTheServersClockTheCallersTimeIsIgnoredAndRefundsStillFindTheirReservation() {
    String prefix = "server-time-" + System.nanoTime() + ":";
    try (RedisCounterStore store = RedisCounterStore.builder(client).keyPrefix(prefix)
        .timeSource(TimeSource.SERVER).commandTimeout(Duration.ofSeconds(5)).build()) {
      // The server's real time places the fixed window: one of 100 days, so that no window ends between
      // these few calls (an hour's would, once in a while, and reset the count the test reads).
      CounterRequest fixed = new CounterRequest("fixed", "global", null, 8_640_000_000L, Algorithm.FIXED, 2_000_000, 1_000_000);
      CounterRequest sliding = new CounterRequest("sliding", "global", null, 3_600_000, Algorithm.SLIDING, 2_000_000, 1_000_000);
      long callerTime = 42; // 1970: the server's TIME decides
      assertThat(store.reserve(List.of(fixed, sliding), callerTime).isGranted()).isTrue();
      assertThat(store.reserve(List.of(fixed, sliding), callerTime + 1).isGranted()).isTrue();
      ReserveResult over = store.reserve(List.of(sliding), callerTime + 2);
      assertThat(over.isGranted()).isFalse();
      assertThat(over.retryAfterMillis()).isBetween(3_590_000L, 3_600_000L);
      store.refund(List.of(fixed, sliding), callerTime + 1);
      assertThat(store.pendingRefunds()).isZero();
      assertThat(store.reserve(List.of(fixed, sliding), callerTime + 3).isGranted()).isTrue();
      assertThat(store.reserve(List.of(fixed), callerTime + 3).isGranted()).isFalse();
    }
  }

  @Test
  void keysExpireOnceTheyCanNoLongerRefuseACall() {
    String prefix = "ttl-" + System.nanoTime() + ":";
    try (RedisCounterStore store = RedisCounterStore.builder(client).keyPrefix(prefix)
        .idleGrace(Duration.ofSeconds(3)).commandTimeout(Duration.ofSeconds(5)).build()) {
      CounterRequest fixed = new CounterRequest("fixed", "grant", "a", 60_000, Algorithm.FIXED, 5_000_000, 1_000_000);
      CounterRequest sliding = new CounterRequest("sliding", "grant", "a", 60_000, Algorithm.SLIDING, 5_000_000, 1_000_000);
      assertThat(store.reserve(List.of(fixed, sliding), T + 15_000).isGranted()).isTrue();
      Keys keys = new Keys(prefix, RedisCounterStore.DEFAULT_HASH_TAG);
      RedisServer server = RedisServer.shared();
      assertThat(pttl(server, keys.state(fixed))).as("the rest of the fixed window, plus the grace")
          .isBetween(40_000L, 48_000L);
      String slidingState = keys.state(sliding);
      assertThat(pttl(server, slidingState)).as("a whole sliding window, plus the grace").isBetween(55_000L, 63_000L);
      assertThat(pttl(server, keys.log(slidingState))).isBetween(55_000L, 63_000L);
    }
  }

  @Test
  void createConnectsWithEveryDefaultAndOwnsItsClient() {
    CounterRequest r = new CounterRequest("created-" + System.nanoTime(), "global", null, 60_000, Algorithm.FIXED, 1_000_000, 1_000_000);
    RedisCounterStore store = RedisCounterStore.create(RedisServer.shared().uri());
    try {
      // The default timeout (50 ms) is for production; on a busy test machine allow retries.
      ReserveResult result = null;
      for (int attempt = 0; attempt < 50 && result == null; attempt++) {
        try {
          result = store.reserve(List.of(r), T);
        } catch (RedisStoreException slow) {
          assertThat(slow).hasMessageContaining("did not answer reserve within 50 ms");
        }
      }
      assertThat(result).isNotNull();
      assertThat(result.isGranted() || result.retryAfterMillis() == 60_000).isTrue();
    } finally {
      store.close();
    }
    assertThatThrownBy(() -> store.reserve(List.of(r), T)).isInstanceOf(RedisStoreException.class);
  }

  @Test
  void anEmptyReservationNeedsNoRoundTrip() {
    try (RedisCounterStore store = RedisCounterStore.builder(client).build()) {
      assertThat(store.reserve(List.of(), T).isGranted()).isTrue();
      assertThat(store.reserveAsync(List.of(), T).toCompletableFuture().join().isGranted()).isTrue();
      store.refund(List.of(), T);
    }
  }

  @Test
  void theBuilderRefusesKeysThatWouldLeaveTheirSlot() {
    assertThatThrownBy(() -> RedisCounterStore.builder(client).keyPrefix("a{b}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("braces");
    assertThatThrownBy(() -> RedisCounterStore.builder(client).hashTag(""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RedisCounterStore.builder(client).commandTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static long pttl(RedisServer server, String key) {
    String reply = server.command("PTTL", key);
    assertThat(reply).startsWith(":");
    return Long.parseLong(reply.substring(1));
  }
}
