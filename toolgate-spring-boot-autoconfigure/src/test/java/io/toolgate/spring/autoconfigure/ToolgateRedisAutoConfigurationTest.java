package io.toolgate.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.toolgate.micrometer.ToolgateMetrics;
import io.toolgate.api.CallContext;
import io.toolgate.api.CounterStore;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.store.InMemoryCounterStore;
import io.toolgate.redis.RedisCounterStore;
import io.toolgate.redis.RedisServer;
import io.toolgate.spring.autoconfigure.actuator.ToolgateActuatorAutoConfiguration;
import io.toolgate.spring.autoconfigure.actuator.ToolgateHealthIndicator;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@code toolgate.store=redis} against a real redis-server. */
class ToolgateRedisAutoConfigurationTest {
  final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ToolgateAutoConfiguration.class, ToolgateActuatorAutoConfiguration.class))
      // Generous timeouts: the machine running the tests may be loaded; failures are tested by killing Redis.
      .withPropertyValues(ToolgateAutoConfigurationTest.CAPPED, "toolgate.store=redis",
          "toolgate.redis.command-timeout=30s", "toolgate.store-timeout=60s");

  @Test
  void redisFromTheUriCountsInRedis() {
    RedisServer server = RedisServer.shared();
    String principal = "agent-" + UUID.randomUUID(); // the shared server outlives this test
    AtomicReference<ToolgateRedis> made = new AtomicReference<>();
    runner.withPropertyValues("toolgate.redis.uri=" + server.uri()).run(context -> {
      made.set(context.getBean(ToolgateRedis.class));
      assertThat(context).hasSingleBean(RedisCounterStore.class).doesNotHaveBean(InMemoryCounterStore.class);
      assertThat(context.getBean(CounterStore.class)).isSameAs(context.getBean(ToolgateRedis.class).store());
      PolicyEngine engine = context.getBean(PolicyEngine.class);
      CallContext agent = CallContext.of(principal);
      assertThat(engine.evaluate(ToolCall.of("create_compile"), agent).isAllowed()).isTrue();
      assertThat(engine.evaluate(ToolCall.of("create_compile"), agent).isAllowed()).isTrue();
      assertThat(engine.evaluate(ToolCall.of("create_compile"), agent)).isInstanceOf(Decision.RateLimited.class);
      Health health = context.getBean(ToolgateHealthIndicator.class).health(true);
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("store", "RedisCounterStore").containsEntry("storeAnswer", "PONG");
    });
    // Closing the context shut down the client made from the URI.
    assertThatThrownBy(() -> made.get().ping(Duration.ofSeconds(5))).isInstanceOf(IllegalStateException.class);
    // A second context on the same Redis sees the same count: the count is in Redis, not in the JVM.
    runner.withPropertyValues("toolgate.redis.uri=" + server.uri()).run(context ->
        assertThat(context.getBean(PolicyEngine.class).evaluate(ToolCall.of("create_compile"), CallContext.of(principal)))
            .isInstanceOf(Decision.RateLimited.class));
  }

  @Test
  void theRedisStoresRefundsAreGauges() {
    runner.withConfiguration(AutoConfigurations.of(ToolgateMetricsAutoConfiguration.class))
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("toolgate.redis.uri=" + RedisServer.shared().uri())
        .run(context -> {
          MeterRegistry registry = context.getBean(MeterRegistry.class);
          assertThat(registry.get(ToolgateMetrics.REFUNDS_PENDING).gauge().value()).isZero();
          assertThat(registry.get(ToolgateMetrics.REFUNDS_LOST).gauge().value()).isZero();
        });
  }

  @Test
  void redisOnTheApplicationsClientLeavesTheClientOpen() {
    RedisClient client = RedisClient.create(RedisServer.shared().uri());
    try {
      // The context must not shut the client down itself (a RedisClient is AutoCloseable): this test does.
      runner.withBean("redisClient", RedisClient.class, () -> client, bd -> bd.setDestroyMethodName("")).run(context -> {
        assertThat(context).hasSingleBean(RedisCounterStore.class);
        Decision decision = context.getBean(PolicyEngine.class).evaluate(ToolCall.of("create_compile"),
            CallContext.of("agent-" + UUID.randomUUID()));
        assertThat(decision.isAllowed()).as(decision.toString()).isTrue();
      });
      try (var connection = client.connect()) {
        assertThat(connection.sync().ping()).isEqualTo("PONG");
      }
    } finally {
      client.shutdown();
    }
  }

  @Test
  void healthIsDownWhenRedisStopsAnswering() {
    try (RedisServer server = RedisServer.start()) {
      runner.withPropertyValues("toolgate.redis.uri=" + server.uri(), "toolgate.redis.command-timeout=2s").run(context -> {
        ToolgateHealthIndicator indicator = context.getBean(ToolgateHealthIndicator.class);
        assertThat(indicator.health(true).getStatus()).isEqualTo(Status.UP);
        server.kill();
        assertThat(indicator.health(true).getStatus()).isEqualTo(Status.DOWN);
        // Fail closed: the store is gone, the call is denied.
        Decision decision = context.getBean(PolicyEngine.class).evaluate(ToolCall.of("create_compile"), CallContext.of("a"));
        assertThat(decision).isInstanceOf(Decision.Deny.class);
        assertThat(decision.rule()).isEqualTo(Decision.Rules.STORE);
      });
    }
  }
}
