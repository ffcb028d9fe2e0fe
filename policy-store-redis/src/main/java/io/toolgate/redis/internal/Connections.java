package io.toolgate.redis.internal;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ConnectionIntent;
import io.toolgate.redis.RedisStoreException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The store's connection setup: one connection, standalone or cluster, and its scripts loaded. */
public final class Connections {
  private static final System.Logger LOG = System.getLogger("io.toolgate.redis.RedisCounterStore");
  private static final long STARTUP_TIMEOUT_SECONDS = 10;

  private Connections() {}

  /** A connection and its scripting commands. */
  public record Connected(
      StatefulConnection<String, String> connection, RedisScriptingAsyncCommands<String, String> commands) {}

  /**
   * Connects {@code client} (a {@link RedisClient} or a {@link RedisClusterClient}); on a cluster
   * also opens the connection to the node that owns the store's slot now, rather than on the first
   * decision (which a client that rejects commands while disconnected would refuse).
   *
   * @throws RuntimeException as Lettuce throws it, if Redis cannot be reached
   */
  public static Connected open(AbstractRedisClient client, Keys keys) {
    if (client instanceof RedisClusterClient clusterClient) {
      StatefulRedisClusterConnection<String, String> cluster = clusterClient.connect(StringCodec.UTF8);
      RedisClusterNode owner =
          cluster.getPartitions().getMasterBySlot(SlotHash.getSlot(keys.refundToken("")));
      if (owner != null) {
        cluster.getConnection(owner.getUri().getHost(), owner.getUri().getPort(), ConnectionIntent.WRITE);
      }
      return new Connected(cluster, cluster.async());
    }
    StatefulRedisConnection<String, String> standalone = ((RedisClient) client).connect(StringCodec.UTF8);
    return new Connected(standalone, standalone.async());
  }

  /**
   * Loads {@code scripts} into Redis's script cache, waiting up to 10 s for each; one that cannot
   * be loaded now is logged and sent on first use.
   *
   * @throws RedisStoreException if interrupted
   */
  public static void preload(ScriptRunner runner, List<Script> scripts) {
    for (Script script : scripts) {
      try {
        runner.preload(script).get(STARTUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        LOG.log(System.Logger.Level.WARNING, "could not load " + script.name() + " into Redis now; it is sent on first use", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RedisStoreException("interrupted while loading " + script.name() + " into Redis", e);
      }
    }
  }
}
