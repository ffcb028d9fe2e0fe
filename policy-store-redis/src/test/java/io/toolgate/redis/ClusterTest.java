package io.toolgate.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterRequest.Algorithm;
import io.toolgate.api.ReserveResult;
import io.toolgate.redis.internal.Keys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The store on Redis Cluster: a real one-node cluster (which still refuses a script whose keys span
 * slots, with CROSSSLOT) through Lettuce's cluster client, and the slot of every key.
 */
@Timeout(60)
class ClusterTest {
  private static RedisServer node;

  @BeforeAll
  static void startCluster() {
    node = RedisServer.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf");
    List<String> addSlots = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
    for (int slot = 0; slot < SlotHash.SLOT_COUNT; slot++) {
      addSlots.add(Integer.toString(slot));
    }
    assertThat(node.command(addSlots.toArray(String[]::new))).isEqualTo("+OK");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!node.command("CLUSTER", "INFO").contains("cluster_state:ok")) {
      assertThat(System.nanoTime()).as("cluster_state:ok").isLessThan(deadline);
      RedisServer.sleep(50);
    }
  }

  @AfterAll
  static void stopCluster() {
    node.close();
  }

  @Test
  void theNodeRefusesScriptsWhoseKeysSpanSlots() {
    assertThat(node.command("EVAL", "return 1", "2", "toolgate:a", "toolgate:b")).startsWith("-CROSSSLOT");
  }

  @Test
  void aDecisionOverManyScopesRunsAsOneScriptOnACluster() {
    RedisClusterClient client = RedisClusterClient.create(RedisURI.create(node.uri()));
    client.setOptions(RedisCounterStore.recommendedClusterClientOptions());
    try (RedisCounterStore store = RedisCounterStore.builder(client).commandTimeout(Duration.ofSeconds(5)).build()) {
      String run = UUID.randomUUID().toString();
      CounterRequest global = new CounterRequest(run + "-calls", "global", null, 60_000, Algorithm.FIXED, 2_000_000, 1_000_000);
      CounterRequest perAgent = new CounterRequest(run + "-agent", "grant", "agent-1", 60_000, Algorithm.SLIDING, 5_000_000, 1_000_000);
      CounterRequest perProject = new CounterRequest(run + "-budget", "args.projectId", "7", 3_600_000, Algorithm.FIXED, 10_000_000, 2_500_000);
      List<CounterRequest> decision = List.of(global, perAgent, perProject);
      long t = 1_767_261_600_000L;
      assertThat(store.reserve(decision, t).isGranted()).isTrue();
      assertThat(store.reserveAsync(decision, t).toCompletableFuture().join().isGranted()).isTrue();
      ReserveResult over = store.reserve(decision, t);
      assertThat(over.rejectedIndex()).isZero();
      assertThat(over.retryAfterMillis()).isEqualTo(60_000 - t % 60_000);
      store.refund(decision, t);
      assertThat(store.pendingRefunds()).isZero();
      assertThat(store.reserve(decision, t).isGranted()).isTrue();
    } finally {
      client.shutdown();
    }
  }

  @Test
  void everyKeyOfAStoreHashesToOneSlotWhateverItsCounterAndScope() {
    Keys keys = new Keys("toolgate:", "toolgate");
    int slot = SlotHash.getSlot("toolgate:{toolgate}:anything");
    for (String value : Arrays.asList(null, "a", "}{", "{x}", "a}{x\u0000\n*", "")) {
      for (Algorithm algorithm : Algorithm.values()) {
        String state = keys.state(new CounterRequest("c{1}", "args.p", value, 1_000, algorithm, 1_000_000, 1_000_000));
        assertThat(SlotHash.getSlot(state)).as(state).isEqualTo(slot);
        assertThat(SlotHash.getSlot(keys.log(state))).isEqualTo(slot);
        assertThat(state).matches("toolgate:\\{toolgate\\}:[FS]:1000:[A-Za-z0-9_-]{43}");
      }
    }
    assertThat(SlotHash.getSlot(keys.refundToken(UUID.randomUUID().toString()))).isEqualTo(slot);
    assertThat(SlotHash.getSlot(keys.reservationToken("a}{b"))).isEqualTo(slot);
  }
}
