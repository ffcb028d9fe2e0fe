package io.toolgate.spring.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.CounterStore;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.PolicyWatcher;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.micrometer.ToolgateMetrics;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

/**
 * Micrometer metrics of every call the engine decides, when {@code policy-micrometer} is on the
 * class path and the application has a {@link MeterRegistry}: a {@link ToolgateMetrics} observer
 * (the engine takes every {@code CallObserver} bean), bound to the engine once it is built, the
 * pending approvals of the in-memory queue and the Redis store's pending and lost refunds as
 * gauges, and the policy watcher's reloads counted.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
    },
    before = ToolgateAutoConfiguration.class)
@ConditionalOnClass({ToolgateMetrics.class, MeterRegistry.class})
@ConditionalOnBean(MeterRegistry.class)
public class ToolgateMetricsAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  ToolgateMetrics toolgateMetrics(
      MeterRegistry registry, ObjectProvider<ApprovalService> approvals, ObjectProvider<CounterStore> store) {
    ToolgateMetrics.Builder builder = ToolgateMetrics.builder(registry);
    if (approvals.getIfUnique() instanceof InMemoryApprovalQueue queue) {
      builder.approvalsPending(queue);
    }
    CounterStore counters = store.getIfUnique();
    if (counters != null && ClassUtils.isPresent(REDIS_STORE, getClass().getClassLoader())) {
      RedisGauges.add(builder, counters);
    }
    return builder.build();
  }

  private static final String REDIS_STORE = "io.toolgate.redis.RedisCounterStore";

  /** Loaded only when policy-store-redis is present. */
  private static final class RedisGauges {
    static void add(ToolgateMetrics.Builder builder, CounterStore store) {
      if (store instanceof io.toolgate.redis.RedisCounterStore redis) {
        builder.refundsPending(redis::pendingRefunds).refundsLost(redis::lostRefunds);
      }
    }
  }

  /** Names the engine to the metrics once every bean is built: tool tags and the policy gauges. */
  @Bean
  SmartInitializingSingleton toolgateMetricsBinding(ToolgateMetrics metrics, ObjectProvider<PolicyEngine> engine) {
    return () -> engine.ifUnique(metrics::bindTo);
  }

  /** Counts the {@linkplain PolicyWatcher watcher}'s reloads ({@value ToolgateMetrics#POLICY_RELOADS}). */
  @Bean
  PolicyWatcher.Listener toolgateMetricsReloadListener(ToolgateMetrics metrics) {
    return metrics.reloadListener();
  }
}
