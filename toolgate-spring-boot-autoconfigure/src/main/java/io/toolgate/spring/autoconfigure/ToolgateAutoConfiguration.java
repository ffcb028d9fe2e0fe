package io.toolgate.spring.autoconfigure;

import io.lettuce.core.RedisClient;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.AuditSink;
import io.toolgate.api.CallObserver;
import io.toolgate.api.CounterStore;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.PolicyWatcher;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.audit.AsyncAuditSink;
import io.toolgate.engine.audit.JsonLinesAuditSink;
import io.toolgate.engine.audit.Slf4jAuditSink;
import io.toolgate.engine.store.InMemoryCounterStore;
import io.toolgate.redis.RedisCounterStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The engine from {@code toolgate.*} properties: the {@link Policy} (from {@code toolgate.policy}),
 * the {@link CounterStore} (in memory, or Redis), the {@link ApprovalService} (an {@link
 * InMemoryApprovalQueue}), the audit sinks, the {@link PolicyEngine} with every {@link
 * CallObserver} and {@link AuditSink} bean, and, with {@code toolgate.watch}, a {@link
 * PolicyWatcher}. Each bean backs off when the application defines its own; the audit sinks made
 * from properties back off to a bean of the same name.
 */
@AutoConfiguration
@EnableConfigurationProperties(ToolgateProperties.class)
@Import(ToolgateAutoConfiguration.RedisStoreConfiguration.class)
public class ToolgateAutoConfiguration {

  /** The resource {@code toolgate.policy} names, for loading and reloading. */
  @Bean
  @ConditionalOnMissingBean
  ToolgatePolicySource toolgatePolicySource(ToolgateProperties properties) {
    return new ToolgatePolicySource(properties.getPolicy());
  }

  /**
   * The policy, loaded at startup; a bad one fails startup with every problem located. Not loaded
   * when the application defines its own {@link Policy} or {@link PolicyEngine}.
   */
  @Bean
  @ConditionalOnMissingBean({Policy.class, PolicyEngine.class})
  Policy toolgatePolicy(ToolgatePolicySource source) {
    return source.load();
  }

  @Bean
  @ConditionalOnMissingBean(CounterStore.class)
  @ConditionalOnProperty(name = "toolgate.store", havingValue = "memory", matchIfMissing = true)
  InMemoryCounterStore toolgateMemoryCounterStore() {
    return InMemoryCounterStore.create();
  }

  @Bean
  @ConditionalOnMissingBean(ApprovalService.class)
  InMemoryApprovalQueue toolgateApprovalQueue(ToolgateProperties properties) {
    ToolgateProperties.Approvals approvals = properties.getApprovals();
    return InMemoryApprovalQueue.builder(Clock.systemUTC())
        .expireAfter(approvals.getExpireAfter())
        .maximumEntries(approvals.getMaximumEntries())
        .maximumPendingPerPrincipal(approvals.getMaximumPendingPerPrincipal())
        .build();
  }

  /** {@code toolgate.audit.file}: JSON Lines, written on a thread of its own; flushed and closed with the context. */
  @Bean
  @ConditionalOnProperty("toolgate.audit.file")
  @ConditionalOnMissingBean(name = "toolgateFileAuditSink")
  AsyncAuditSink toolgateFileAuditSink(ToolgateProperties properties) {
    return AsyncAuditSink.wrap(JsonLinesAuditSink.toFile(properties.getAudit().getFile())).build();
  }

  /** {@code toolgate.audit.slf4j=true}: one log line per decision on {@code io.toolgate.audit}. */
  @Bean
  @ConditionalOnBooleanProperty("toolgate.audit.slf4j")
  @ConditionalOnMissingBean(name = "toolgateSlf4jAuditSink")
  Slf4jAuditSink toolgateSlf4jAuditSink() {
    return Slf4jAuditSink.create();
  }

  /**
   * The engine: the policy, the store, the approval service, every {@link AuditSink} and every
   * {@link CallObserver} bean (Micrometer and OpenTelemetry ones included, when configured).
   */
  @Bean
  @ConditionalOnMissingBean
  PolicyEngine toolgatePolicyEngine(
      Policy policy,
      ToolgateProperties properties,
      ObjectProvider<CounterStore> store,
      ApprovalService approvals,
      ObjectProvider<AuditSink> sinks,
      ObjectProvider<CallObserver> observers) {
    CounterStore counters = store.getIfAvailable();
    if (counters == null) {
      // toolgate.store=redis without policy-store-redis: no store was defined, and memory was not asked for
      throw ToolgateConfigurationException.redisUnavailable("io.toolgate:policy-store-redis is not on the class path");
    }
    PolicyEngine.Builder builder = PolicyEngine.builder(policy)
        .counterStore(counters)
        .storeTimeout(properties.getStoreTimeout())
        .approvals(approvals)
        .failOpen(properties.isFailOpen())
        .shadowMode(properties.isShadowMode());
    sinks.orderedStream().forEach(builder::audit);
    observers.orderedStream().forEach(builder::observe);
    return builder.build();
  }

  /**
   * {@code toolgate.watch=true}: reloads the policy file when it changes; a change that fails to
   * load is logged and the policy in force stays. Every {@link PolicyWatcher.Listener} bean hears
   * of reloads too.
   */
  @Bean
  @ConditionalOnBooleanProperty("toolgate.watch")
  @ConditionalOnMissingBean
  PolicyWatcher toolgatePolicyWatcher(
      PolicyEngine engine, ToolgatePolicySource source, ObjectProvider<PolicyWatcher.Listener> listeners) {
    Path file = source.file().orElseThrow(() -> ToolgateConfigurationException.notWatchable(source.location()));
    List<PolicyWatcher.Listener> heard = listeners.orderedStream().toList();
    PolicyWatcher.Listener logged = new ReloadLog();
    return PolicyWatcher.watch(engine, file, new PolicyWatcher.Listener() {
      @Override
      public void reloaded(Path f, Policy loaded) {
        logged.reloaded(f, loaded);
        heard.forEach(l -> l.reloaded(f, loaded));
      }

      @Override
      public void failed(Path f, RuntimeException error) {
        logged.failed(f, error);
        heard.forEach(l -> l.failed(f, error));
      }
    });
  }

  /** {@code toolgate.store=redis} with policy-store-redis present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(RedisCounterStore.class)
  @ConditionalOnProperty(name = "toolgate.store", havingValue = "redis")
  static class RedisStoreConfiguration {

    /** Redis from {@code toolgate.redis.uri}, else on the application's {@link RedisClient} bean. */
    @Bean
    @ConditionalOnMissingBean({ToolgateRedis.class, CounterStore.class})
    ToolgateRedis toolgateRedis(ToolgateProperties properties, ObjectProvider<RedisClient> client) {
      String uri = properties.getRedis().getUri();
      Duration timeout = properties.getRedis().getCommandTimeout();
      if (uri != null && !uri.isBlank()) {
        return ToolgateRedis.connect(uri, timeout);
      }
      RedisClient app = client.getIfUnique();
      if (app == null) {
        throw ToolgateConfigurationException.redisUnavailable("toolgate.redis.uri is not set and there is no single RedisClient bean");
      }
      return ToolgateRedis.on(app, timeout);
    }

    /** The store; {@link ToolgateRedis} closes it. */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean(CounterStore.class)
    RedisCounterStore toolgateRedisCounterStore(ToolgateRedis redis) {
      return redis.store();
    }
  }
}
