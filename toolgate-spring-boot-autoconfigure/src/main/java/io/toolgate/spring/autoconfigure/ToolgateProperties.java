package io.toolgate.spring.autoconfigure;

import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.io.Resource;

/**
 * The {@code toolgate.*} properties: where the policy is, how the engine runs, where counts and
 * audit go. Only {@code toolgate.policy} is required.
 *
 * <pre>
 * toolgate.policy=classpath:policy.yaml
 * toolgate.store=redis
 * toolgate.redis.uri=redis://redis:6379
 * toolgate.audit.file=/var/log/toolgate/audit.jsonl
 * </pre>
 */
@ConfigurationProperties(prefix = "toolgate")
public class ToolgateProperties {

  /** Where counts live. */
  public enum Store {
    /** In this JVM: each replica counts on its own. */
    MEMORY,
    /** In Redis: every replica shares one exact count (needs policy-store-redis). */
    REDIS
  }

  /**
   * The policy, YAML or JSON: a resource location such as classpath:policy.yaml or
   * file:/etc/toolgate/policy.yaml. Required unless the application defines its own Policy bean.
   */
  private Resource policy;

  /**
   * Whether to reload the policy when its file changes (file policies only). A changed file that
   * fails to load leaves the policy in force.
   */
  private boolean watch;

  /** Whether a call whose counter store fails or times out is allowed without its limits instead of denied. */
  private boolean failOpen;

  /** Whether refused calls still run (decided and audited, not enforced), to try a policy on real traffic. */
  private boolean shadowMode;

  /** Where counts live: memory (this JVM) or redis (shared by every replica). */
  private Store store = Store.MEMORY;

  /**
   * How long a call waits for the counter store before it is decided as for a failed store
   * (denied, or allowed with fail-open). Not applied to the in-memory store.
   */
  private Duration storeTimeout = PolicyEngine.Builder.DEFAULT_STORE_TIMEOUT;

  private final Audit audit = new Audit();

  private final Redis redis = new Redis();

  private final Approvals approvals = new Approvals();

  public Resource getPolicy() {
    return policy;
  }

  public void setPolicy(Resource policy) {
    this.policy = policy;
  }

  public boolean isWatch() {
    return watch;
  }

  public void setWatch(boolean watch) {
    this.watch = watch;
  }

  public boolean isFailOpen() {
    return failOpen;
  }

  public void setFailOpen(boolean failOpen) {
    this.failOpen = failOpen;
  }

  public boolean isShadowMode() {
    return shadowMode;
  }

  public void setShadowMode(boolean shadowMode) {
    this.shadowMode = shadowMode;
  }

  public Store getStore() {
    return store;
  }

  public void setStore(Store store) {
    this.store = store;
  }

  public Duration getStoreTimeout() {
    return storeTimeout;
  }

  public void setStoreTimeout(Duration storeTimeout) {
    this.storeTimeout = storeTimeout;
  }

  public Audit getAudit() {
    return audit;
  }

  public Redis getRedis() {
    return redis;
  }

  public Approvals getApprovals() {
    return approvals;
  }

  /** {@code toolgate.audit.*}: where each decision is recorded. */
  public static class Audit {
    /** A JSON Lines file that receives one line per decision, written on a thread of its own. */
    private Path file;

    /** Whether to log one line per decision to the SLF4J logger io.toolgate.audit. */
    private boolean slf4j;

    public Path getFile() {
      return file;
    }

    public void setFile(Path file) {
      this.file = file;
    }

    public boolean isSlf4j() {
      return slf4j;
    }

    public void setSlf4j(boolean slf4j) {
      this.slf4j = slf4j;
    }
  }

  /** {@code toolgate.redis.*}: the Redis of {@code toolgate.store=redis}. */
  public static class Redis {
    /**
     * The Redis server, such as redis://localhost:6379. When not set, the application's Lettuce
     * RedisClient bean is used.
     */
    private String uri;

    /** How long each Redis command may take before the reservation fails. */
    private Duration commandTimeout = Duration.ofMillis(50);

    public Duration getCommandTimeout() {
      return commandTimeout;
    }

    public void setCommandTimeout(Duration commandTimeout) {
      this.commandTimeout = commandTimeout;
    }

    public String getUri() {
      return uri;
    }

    public void setUri(String uri) {
      this.uri = uri;
    }
  }

  /** {@code toolgate.approvals.*}: the in-memory approval queue (when no ApprovalService bean is defined). */
  public static class Approvals {
    /** How long a pending request, an unused approval and a rejection are kept. */
    private Duration expireAfter = InMemoryApprovalQueue.DEFAULT_EXPIRE_AFTER;

    /** How many requests, approvals and rejections the queue holds at most. */
    private int maximumEntries = InMemoryApprovalQueue.DEFAULT_MAXIMUM_ENTRIES;

    /** How many requests one principal may have pending at once. */
    private int maximumPendingPerPrincipal = InMemoryApprovalQueue.DEFAULT_MAXIMUM_PENDING_PER_PRINCIPAL;

    public Duration getExpireAfter() {
      return expireAfter;
    }

    public void setExpireAfter(Duration expireAfter) {
      this.expireAfter = expireAfter;
    }

    public int getMaximumEntries() {
      return maximumEntries;
    }

    public void setMaximumEntries(int maximumEntries) {
      this.maximumEntries = maximumEntries;
    }

    public int getMaximumPendingPerPrincipal() {
      return maximumPendingPerPrincipal;
    }

    public void setMaximumPendingPerPrincipal(int maximumPendingPerPrincipal) {
      this.maximumPendingPerPrincipal = maximumPendingPerPrincipal;
    }
  }
}
