package io.toolgate.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.toolgate.api.CallContext;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.PolicyWatcher;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gauges report the policy in force, approvals and refunds; the reload listener counts reloads. */
class GaugesTest {
  static final String ONE = "version: '1'\ntools: {create_compile: {}}\n";
  static final String TWO = "version: '1'\ntools: {create_compile: {}, read_compile: {}}\n";

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  @Test
  void thePolicyGaugesReportThePolicyInForceAndFollowReloads() {
    ToolgateMetrics metrics = ToolgateMetrics.builder(registry).build();
    Policy one = Policy.parse(ONE);
    PolicyEngine engine = PolicyEngine.builder(one).observe(metrics).build();
    metrics.bindTo(engine);

    assertThat(gauge(ToolgateMetrics.POLICY_DIGEST)).isEqualTo((double) HexFormat.fromHexDigitsToLong(one.digest(), 0, 12));
    assertThat(gauge(ToolgateMetrics.POLICY_LOAD_TIME)).isEqualTo(one.loadedAt().toEpochMilli() / 1000.0);

    Policy two = Policy.parse(TWO);
    engine.reload(two);
    assertThat(gauge(ToolgateMetrics.POLICY_DIGEST)).isEqualTo((double) HexFormat.fromHexDigitsToLong(two.digest(), 0, 12))
        .isNotEqualTo((double) HexFormat.fromHexDigitsToLong(one.digest(), 0, 12));
    assertThat(registry.get(ToolgateMetrics.POLICY_LOAD_TIME).gauge().getId().getBaseUnit()).isEqualTo("seconds");
  }

  @Test
  void approvalsPendingIsTheQueuesPendingRequestsAndRefundsAreReadFromTheirSuppliers() {
    InMemoryApprovalQueue queue = InMemoryApprovalQueue.builder(Clock.systemUTC()).build();
    AtomicLong pending = new AtomicLong(3);
    AtomicLong lost = new AtomicLong();
    ToolgateMetrics metrics = ToolgateMetrics.builder(registry)
        .approvalsPending(queue).refundsPending(pending::get).refundsLost(lost::get).build();
    PolicyEngine engine = PolicyEngine.builder(Policy.parse("version: '1'\ntools: {go_live: {action: require_approval}}\n"))
        .approvals(queue).observe(metrics).build();

    assertThat(gauge(ToolgateMetrics.APPROVALS_PENDING)).isZero();
    engine.evaluate(ToolCall.of("go_live"), CallContext.of("agent-1"));
    engine.evaluate(ToolCall.of("go_live"), CallContext.of("agent-2"));
    assertThat(gauge(ToolgateMetrics.APPROVALS_PENDING)).isEqualTo(2);
    queue.approve(queue.pending().get(0).id(), "risk-officer");
    assertThat(gauge(ToolgateMetrics.APPROVALS_PENDING)).isEqualTo(1);

    assertThat(gauge(ToolgateMetrics.REFUNDS_PENDING)).isEqualTo(3);
    lost.set(2);
    assertThat(gauge(ToolgateMetrics.REFUNDS_LOST)).isEqualTo(2);
  }

  @Test
  void gaugesNobodyConfiguredAreNotRegistered() {
    ToolgateMetrics.builder(registry).build();

    assertThat(registry.find(ToolgateMetrics.APPROVALS_PENDING).gauge()).isNull();
    assertThat(registry.find(ToolgateMetrics.REFUNDS_PENDING).gauge()).isNull();
    assertThat(registry.find(ToolgateMetrics.REFUNDS_LOST).gauge()).isNull();
  }

  @Test
  void theReloadListenerCountsSucceededAndFailedReloadsAndTellsTheNextListener(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("policy.yaml"), ONE);
    ToolgateMetrics metrics = ToolgateMetrics.builder(registry).build();
    PolicyEngine engine = PolicyEngine.builder(Policy.load(file)).observe(metrics).build();
    metrics.bindTo(engine);
    List<String> told = new CopyOnWriteArrayList<>();
    PolicyWatcher.Listener next = new PolicyWatcher.Listener() {
      @Override
      public void reloaded(Path f, Policy policy) {
        told.add("reloaded");
      }

      @Override
      public void failed(Path f, RuntimeException error) {
        told.add("failed");
      }
    };

    try (PolicyWatcher watcher = PolicyWatcher.watch(engine, file, metrics.reloadListener(next))) {
      Files.writeString(file, TWO);
      watcher.reloadIfChanged(); // the watcher's own thread may have loaded it first: once either way
      Files.writeString(file, "version: '1'\ntools: {create_compile: {limits: [{max: 1}]}}\n");
      watcher.reloadIfChanged();
    }

    assertThat(registry.get(ToolgateMetrics.POLICY_RELOADS).tag("result", "succeeded").counter().count()).isEqualTo(1);
    assertThat(registry.get(ToolgateMetrics.POLICY_RELOADS).tag("result", "failed").counter().count()).isEqualTo(1);
    assertThat(told).containsExactly("reloaded", "failed");
    assertThat(engine.policy().view().tools()).hasSize(2);
  }
}
