package io.toolgate.redis;

import io.lettuce.core.RedisClient;
import io.toolgate.api.ApprovalService;
import io.toolgate.testkit.contract.ApprovalQueueAdminContract;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The Redis approval queue passes the approval queue contract against a real redis-server. */
class RedisApprovalQueueContractTest extends ApprovalQueueAdminContract {
  private static final Duration EXPIRE_AFTER = Duration.ofMinutes(30);
  private static RedisClient client;
  private RedisApprovalQueue queue;

  @BeforeAll
  static void connect() {
    client = RedisServer.sharedClient();
  }

  @AfterAll
  static void disconnect() {
    client.shutdown();
  }

  @Override
  protected ApprovalService newService(Clock clock) {
    queue = RedisApprovalQueue.builder(client, clock)
        .keyPrefix("contract-" + UUID.randomUUID() + ":")
        .expireAfter(EXPIRE_AFTER)
        .maximumPendingPerPrincipal(3)
        .maximumEntries(6)
        .build();
    return queue;
  }

  @AfterEach
  void closeQueue() {
    queue.close();
  }

  @Override
  protected Duration expireAfter() {
    return EXPIRE_AFTER;
  }

  @Override
  protected int maximumPendingPerPrincipal() {
    return 3;
  }

  @Override
  protected int maximumEntries() {
    return 6;
  }
}
