package io.toolgate.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.toolgate.api.CallContext;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterStore;
import io.toolgate.api.Decision;
import io.toolgate.api.ReserveResult;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.store.InMemoryCounterStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** After a scripted run of calls, the meters hold exactly what the engine decided and ran. */
class ToolgateMetricsTest {
  static final String POLICY = String.join("\n",
      "version: '1'",
      "default: deny",
      "hide: [admin_*]",
      "tools:",
      "  create_compile:",
      "    limits: [{counter: compiles, max: 2, window: minute}]",
      "  read_*: {}",
      "  delete_project: {action: deny, reason: never}",
      "  create_backtest:",
      "    arguments: {type: object, required: [projectId]}",
      "  charge:",
      "    conditions: [{path: args.amount, op: lte, value: 100}]",
      "  go_live: {action: require_approval}",
      "  flaky: {}",
      "grants:",
      "  ci-bot:",
      "    tools:",
      "      deploy: {}",
      "");
  static final CallContext AGENT = CallContext.of("agent-1");
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T10:00:00Z"), ZoneOffset.UTC);

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  static PolicyEngine engine(Policy policy, ToolgateMetrics metrics, CounterStore store) {
    PolicyEngine.Builder b = PolicyEngine.builder(policy).clock(CLOCK).counterStore(store)
        .approvals(InMemoryApprovalQueue.builder(CLOCK).build());
    if (metrics != null) {
      b.observe(metrics);
    }
    PolicyEngine engine = b.build();
    if (metrics != null) {
      metrics.bindTo(engine);
    }
    return engine;
  }

  /** The scripted run: every kind of decision and rule, through the interceptor. */
  static List<Decision> script(PolicyEngine engine) {
    List<Decision> decisions = new ArrayList<>();
    Function<ToolCall, Decision> as = call -> call(engine, call, AGENT);
    for (int i = 0; i < 5; i++) {
      decisions.add(as.apply(ToolCall.of("create_compile")));
    }
    decisions.add(as.apply(ToolCall.of("read_file")));
    decisions.add(as.apply(ToolCall.of("read_file")));
    decisions.add(as.apply(ToolCall.of("read_log")));
    decisions.add(as.apply(ToolCall.of("delete_project")));
    decisions.add(as.apply(ToolCall.of("create_backtest")));
    decisions.add(as.apply(ToolCall.of("create_backtest", Map.of("projectId", 7))));
    decisions.add(as.apply(ToolCall.of("charge", Map.of("amount", 500))));
    decisions.add(as.apply(ToolCall.of("go_live")));
    decisions.add(as.apply(ToolCall.of("admin_panel")));
    decisions.add(as.apply(ToolCall.of("no_such_tool")));
    decisions.add(as.apply(ToolCall.of("deploy")));
    decisions.add(call(engine, ToolCall.of("deploy"), CallContext.of("ci-bot")));
    try {
      engine.call(ToolCall.of("flaky"), AGENT, () -> {
        throw new IOException("disk full");
      });
    } catch (RuntimeException expected) {
      // the tool's failure passes through; its outcome is recorded
    }
    return decisions;
  }

  static Decision call(PolicyEngine engine, ToolCall call, CallContext context) {
    return engine.guard(call, context, () -> "ok").decision();
  }

  /** Every {@code toolgate.decisions} series as "kind tool rule" -> count. */
  static Map<String, Double> decisions(MeterRegistry registry) {
    Map<String, Double> counts = new TreeMap<>();
    for (Counter c : registry.find(ToolgateMetrics.DECISIONS).counters()) {
      Meter.Id id = c.getId();
      counts.put(id.getTag("kind") + " " + id.getTag("tool") + " " + id.getTag("rule"), c.count());
    }
    return counts;
  }

  static long timed(MeterRegistry registry, String tool, String outcome) {
    Timer timer = registry.find(ToolgateMetrics.CALL_DURATION).tags("tool", tool, "outcome", outcome).timer();
    return timer == null ? 0 : timer.count();
  }

  @Test
  void aScriptedRunCountsEachDecisionByKindToolAndRuleExactly() {
    ToolgateMetrics metrics = ToolgateMetrics.builder(registry).build();
    script(engine(Policy.parse(POLICY), metrics, InMemoryCounterStore.create()));

    assertThat(decisions(registry)).containsExactlyInAnyOrderEntriesOf(new TreeMap<>(Map.ofEntries(
        Map.entry("allow create_compile entry", 2.0),
        Map.entry("rate_limited create_compile limit", 3.0),
        Map.entry("allow read_file entry", 2.0),
        Map.entry("allow read_log entry", 1.0),
        Map.entry("deny delete_project entry", 1.0),
        Map.entry("deny create_backtest arguments", 1.0),
        Map.entry("allow create_backtest entry", 1.0),
        Map.entry("deny charge condition", 1.0),
        Map.entry("approval_required go_live entry", 1.0),
        Map.entry("deny admin_panel hide", 1.0),
        Map.entry("deny other default", 1.0),
        Map.entry("deny deploy default", 1.0),
        Map.entry("allow deploy entry", 1.0),
        Map.entry("allow flaky entry", 1.0))));
  }

  @Test
  void eachCallRunIsTimedByToolAndOutcomeAndEachStoreCallByStoreAndOperation() {
    ToolgateMetrics metrics = ToolgateMetrics.builder(registry).build();
    script(engine(Policy.parse(POLICY), metrics, InMemoryCounterStore.create()));

    assertThat(timed(registry, "create_compile", "succeeded")).isEqualTo(2);
    assertThat(timed(registry, "create_compile", "not_run")).isEqualTo(3);
    assertThat(timed(registry, "flaky", "failed")).isEqualTo(1);
    assertThat(timed(registry, "other", "not_run")).isEqualTo(1);
    assertThat(registry.find(ToolgateMetrics.CALL_DURATION).timers().stream().mapToLong(Timer::count).sum())
        .as("one timing per call run through the interceptor").isEqualTo(18);
    Timer reserve = registry.find(ToolgateMetrics.STORE_DURATION)
        .tags("store", "InMemoryCounterStore", "operation", "reserve").timer();
    assertThat(reserve).isNotNull();
    assertThat(reserve.count()).isEqualTo(5);
    assertThat(registry.find(ToolgateMetrics.STORE_FAILURES).counter().count()).isZero();
  }

  @Test
  void callsOnlyEvaluatedAreCountedButNotTimed() {
    ToolgateMetrics metrics = ToolgateMetrics.builder(registry).build();
    PolicyEngine engine = engine(Policy.parse(POLICY), metrics, InMemoryCounterStore.create());

    engine.evaluate(ToolCall.of("read_file"), AGENT);

    assertThat(decisions(registry)).containsExactly(Map.entry("allow read_file entry", 1.0));
    assertThat(registry.find(ToolgateMetrics.CALL_DURATION).timers()).isEmpty();
  }

  @Test
  void theAsynchronousPathIsCountedAndTimedTheSame() {
    ToolgateMetrics metrics = ToolgateMetrics.builder(registry).build();
    PolicyEngine engine = engine(Policy.parse(POLICY), metrics, InMemoryCounterStore.create());

    for (int i = 0; i < 3; i++) {
      engine.callAsync(ToolCall.of("create_compile"), AGENT, () -> CompletableFuture.completedFuture("ok"), d -> "no")
          .toCompletableFuture().join();
    }

    assertThat(decisions(registry)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "allow create_compile entry", 2.0, "rate_limited create_compile limit", 1.0));
    assertThat(timed(registry, "create_compile", "succeeded")).isEqualTo(2);
    assertThat(timed(registry, "create_compile", "not_run")).isEqualTo(1);
  }

  @Test
  void aThousandRandomUnknownToolNamesMakeOneSeries() {
    ToolgateMetrics metrics = ToolgateMetrics.builder(registry).build();
    PolicyEngine engine = engine(Policy.parse(POLICY), metrics, InMemoryCounterStore.create());
    Random random = new Random(13);

    for (int i = 0; i < 1000; i++) {
      call(engine, ToolCall.of("x" + Long.toHexString(random.nextLong())), AGENT);
    }

    assertThat(decisions(registry)).containsExactly(Map.entry("deny other default", 1000.0));
    assertThat(registry.find(ToolgateMetrics.CALL_DURATION).timers()).hasSize(1);
  }

  @Test
  void namesOnlyAGlobMatchesGetTheirOwnTagUpToTheConfiguredNumberThenOther() {
    ToolgateMetrics metrics = ToolgateMetrics.builder(registry).maxGlobbedTools(3).build();
    PolicyEngine engine = engine(Policy.parse(POLICY), metrics, InMemoryCounterStore.create());

    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 10; i++) {
        call(engine, ToolCall.of("read_" + i), AGENT);
      }
    }
    call(engine, ToolCall.of("create_compile"), AGENT); // an exact name is never capped

    assertThat(decisions(registry)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "allow read_0 entry", 2.0,
        "allow read_1 entry", 2.0,
        "allow read_2 entry", 2.0,
        "allow other entry", 14.0,
        "allow create_compile entry", 1.0));
  }

  @Test
  void toolTagsFollowThePolicyInForceAcrossReloads() {
    ToolgateMetrics metrics = ToolgateMetrics.builder(registry).build();
    PolicyEngine engine = engine(Policy.parse(POLICY), metrics, InMemoryCounterStore.create());
    call(engine, ToolCall.of("summarise"), AGENT);

    engine.reload(Policy.parse("version: '1'\ntools: {summarise: {}}\n"));
    call(engine, ToolCall.of("summarise"), AGENT);
    call(engine, ToolCall.of("create_compile"), AGENT);

    assertThat(decisions(registry)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "deny other default", 2.0,
        "allow summarise entry", 1.0));
  }

  @Test
  void beforeItIsBoundToAnEngineEveryCallIsOther() {
    ToolgateMetrics metrics = ToolgateMetrics.builder(registry).build();
    PolicyEngine engine = PolicyEngine.builder(Policy.parse(POLICY)).observe(metrics).build();

    call(engine, ToolCall.of("read_file"), AGENT);

    assertThat(decisions(registry)).containsExactly(Map.entry("allow other entry", 1.0));
    assertThat(registry.get(ToolgateMetrics.POLICY_DIGEST).gauge().value()).isNaN();
  }

  @Test
  void theObserverNeverChangesADecision() {
    List<Decision> plain = script(engine(Policy.parse(POLICY), null, InMemoryCounterStore.create()));
    ToolgateMetrics metrics = ToolgateMetrics.builder(registry).histogram(true).percentiles(0.5, 0.99).build();
    List<Decision> observed = script(engine(Policy.parse(POLICY), metrics, InMemoryCounterStore.create()));
    // a registry that refuses every meter: the observer records nothing, and still changes nothing
    SimpleMeterRegistry refusing = new SimpleMeterRegistry();
    refusing.config().meterFilter(MeterFilter.deny());
    List<Decision> refused = script(engine(Policy.parse(POLICY), ToolgateMetrics.builder(refusing).build(),
        InMemoryCounterStore.create()));

    assertThat(observed).hasSize(plain.size());
    for (int i = 0; i < plain.size(); i++) {
      assertThat(describe(observed.get(i))).isEqualTo(describe(plain.get(i)));
      assertThat(describe(refused.get(i))).isEqualTo(describe(plain.get(i)));
    }
    assertThat(decisions(refusing)).isEmpty();
  }

  private static String describe(Decision d) {
    // approval ids are random: the rest of the decision must be the same
    return d instanceof Decision.ApprovalRequired a
        ? d.kind() + " " + d.tool() + " " + d.rule() + " " + d.reason().replace(a.approvalId(), "<id>")
        : d.kind() + " " + d.tool() + " " + d.rule() + " " + d.reason();
  }

  @Test
  void aFailingStoreIsCountedAsAStoreFailureAndItsRefusalByRuleStore() {
    CounterStore broken = new CounterStore() {
      @Override
      public ReserveResult reserve(List<CounterRequest> requests, long nowMillis) {
        throw new IllegalStateException("down");
      }

      @Override
      public void refund(List<CounterRequest> requests, long reservedAtMillis) {}

      @Override
      public Blocking blocking() {
        return Blocking.NONE;
      }
    };
    ToolgateMetrics metrics = ToolgateMetrics.builder(registry).build();
    PolicyEngine engine = engine(Policy.parse(POLICY), metrics, broken);

    call(engine, ToolCall.of("create_compile"), AGENT);

    String store = broken.getClass().getSimpleName();
    assertThat(registry.get(ToolgateMetrics.STORE_FAILURES).tags("store", store, "operation", "reserve").counter().count())
        .isEqualTo(1);
    assertThat(registry.get(ToolgateMetrics.STORE_DURATION).tags("store", store).timer().count()).isEqualTo(1);
    assertThat(decisions(registry)).containsExactly(Map.entry("deny create_compile store", 1.0));
  }

  @Test
  void thePrometheusScrapeNamesEveryMeterWithItsTags() {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    InMemoryApprovalQueue queue = InMemoryApprovalQueue.builder(CLOCK).build();
    ToolgateMetrics metrics = ToolgateMetrics.builder(prometheus).histogram(true)
        .approvalsPending(queue).refundsPending(() -> 4).refundsLost(() -> 1).build();
    PolicyEngine engine = PolicyEngine.builder(Policy.parse(POLICY)).clock(CLOCK).approvals(queue).observe(metrics).build();
    metrics.bindTo(engine);
    script(engine);

    String scrape = prometheus.scrape();

    assertThat(scrape)
        .contains("toolgate_decisions_total{kind=\"allow\",rule=\"entry\",tool=\"create_compile\"} 2")
        .contains("toolgate_decisions_total{kind=\"rate_limited\",rule=\"limit\",tool=\"create_compile\"} 3")
        .contains("toolgate_decisions_total{kind=\"deny\",rule=\"default\",tool=\"other\"} 1")
        .contains("toolgate_decisions_total{kind=\"approval_required\",rule=\"entry\",tool=\"go_live\"} 1")
        .contains("toolgate_call_duration_seconds_count{outcome=\"succeeded\",tool=\"create_compile\"} 2")
        .contains("toolgate_call_duration_seconds_bucket{outcome=\"succeeded\",tool=\"create_compile\",le=\"")
        .contains("toolgate_store_duration_seconds_count{operation=\"reserve\",store=\"InMemoryCounterStore\"} 5")
        .contains("toolgate_store_failures_total{operation=\"reserve\",store=\"InMemoryCounterStore\"} 0")
        .contains("toolgate_approvals_pending 1")
        .contains("toolgate_store_refunds_pending 4")
        .contains("toolgate_store_refunds_lost 1")
        .contains("toolgate_policy_reloads_total{result=\"succeeded\"} 0")
        .contains("toolgate_policy_load_time_seconds ")
        .contains("toolgate_policy_digest ");
  }
}
