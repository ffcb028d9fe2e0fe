package io.toolgate.spring.autoconfigure.actuator;

import io.toolgate.api.CounterStore;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.spring.autoconfigure.ToolgateStoreProbe;
import java.time.Duration;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The {@code toolgate} health indicator: up when a policy is in force and the counter store
 * answers. A remote store with a {@link ToolgateStoreProbe} ({@code toolgate.store=redis} has one:
 * {@code PING}) is asked, down if it does not answer within {@link #PING_TIMEOUT}; any other store
 * is reported by its class name, not asked.
 */
public class ToolgateHealthIndicator extends AbstractHealthIndicator {
  /** How long the store's probe may take. */
  public static final Duration PING_TIMEOUT = Duration.ofSeconds(1);

  private final PolicyEngine engine;
  private final CounterStore store;
  private final ToolgateStoreProbe probe;

  /**
   * @param engine whose policy is checked
   * @param store the counter store, or {@code null} if none is a bean
   * @param probe asks the store whether it answers, or {@code null} for a store that is not asked
   */
  public ToolgateHealthIndicator(PolicyEngine engine, CounterStore store, ToolgateStoreProbe probe) {
    super("Toolgate health check failed");
    this.engine = engine;
    this.store = store;
    this.probe = probe;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) throws Exception {
    Policy policy = engine.policy();
    builder.withDetail("policy", policy.source() != null ? policy.source() : "inline")
        .withDetail("digest", policy.digest())
        .withDetail("loadedAt", policy.loadedAt().toString());
    builder.withDetail("store", store == null ? "unknown" : store.getClass().getSimpleName());
    if (probe != null) {
      try {
        builder.withDetail("storeAnswer", probe.ping(PING_TIMEOUT)).up();
      } catch (Exception e) {
        builder.down(e);
      }
      return;
    }
    builder.up();
  }
}
