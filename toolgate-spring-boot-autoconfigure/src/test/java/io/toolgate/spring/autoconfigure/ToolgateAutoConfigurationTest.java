package io.toolgate.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.api.AuditEvent;
import io.toolgate.api.AuditSink;
import io.toolgate.api.CallContext;
import io.toolgate.api.CounterStore;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.PolicyWatcher;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.audit.AsyncAuditSink;
import io.toolgate.engine.audit.Slf4jAuditSink;
import io.toolgate.engine.store.InMemoryCounterStore;
import io.toolgate.micrometer.ToolgateMetrics;
import io.toolgate.opentelemetry.OpenTelemetryObserver;
import io.toolgate.redis.RedisCounterStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.support.SpringFactoriesLoader;

class ToolgateAutoConfigurationTest {
  static final String CAPPED = "toolgate.policy=classpath:policies/capped.yaml";

  final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(
          ToolgateAutoConfiguration.class, ToolgateMetricsAutoConfiguration.class, ToolgateTracingAutoConfiguration.class));

  @Test
  void everyPropertyBinds(@TempDir Path dir) {
    runner.withPropertyValues(CAPPED, "toolgate.watch=false", "toolgate.fail-open=true", "toolgate.shadow-mode=true",
            "toolgate.store=memory", "toolgate.redis.uri=redis://example:6379",
            "toolgate.audit.file=" + dir.resolve("audit.jsonl"), "toolgate.audit.slf4j=true",
            "toolgate.approvals.expire-after=5m", "toolgate.approvals.maximum-entries=50",
            "toolgate.approvals.maximum-pending-per-principal=3")
        .run(context -> {
          ToolgateProperties p = context.getBean(ToolgateProperties.class);
          assertThat(p.getPolicy().getFilename()).isEqualTo("capped.yaml");
          assertThat(p.isWatch()).isFalse();
          assertThat(p.isFailOpen()).isTrue();
          assertThat(p.isShadowMode()).isTrue();
          assertThat(p.getStore()).isEqualTo(ToolgateProperties.Store.MEMORY);
          assertThat(p.getRedis().getUri()).isEqualTo("redis://example:6379");
          assertThat(p.getAudit().getFile()).isEqualTo(dir.resolve("audit.jsonl"));
          assertThat(p.getAudit().isSlf4j()).isTrue();
          assertThat(p.getApprovals().getExpireAfter()).isEqualTo(Duration.ofMinutes(5));
          assertThat(p.getApprovals().getMaximumEntries()).isEqualTo(50);
          assertThat(p.getApprovals().getMaximumPendingPerPrincipal()).isEqualTo(3);
          assertThat(context).hasSingleBean(PolicyEngine.class).hasSingleBean(InMemoryCounterStore.class)
              .hasSingleBean(InMemoryApprovalQueue.class).hasSingleBean(AsyncAuditSink.class)
              .hasSingleBean(Slf4jAuditSink.class).doesNotHaveBean(PolicyWatcher.class);
        });
  }

  @Test
  void everyImportedAutoConfigurationStartsWithNoOptionalModulePresent() {
    List<String> ours = new java.util.ArrayList<>();
    org.springframework.boot.context.annotation.ImportCandidates
        .load(org.springframework.boot.autoconfigure.AutoConfiguration.class, getClass().getClassLoader())
        .forEach(name -> {
          if (name.startsWith("io.toolgate.")) {
            ours.add(name);
          }
        });
    assertThat(ours).contains(ToolgateAutoConfiguration.class.getName(),
        "io.toolgate.spring.autoconfigure.actuator.ToolgateActuatorAutoConfiguration");
    Class<?>[] configurations = ours.stream().map(name -> {
      try {
        return Class.forName(name);
      } catch (ClassNotFoundException e) {
        throw new AssertionError(e);
      }
    }).toArray(Class<?>[]::new);
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(configurations))
        .withClassLoader(new FilteredClassLoader(RedisCounterStore.class, ToolgateMetrics.class, OpenTelemetryObserver.class,
            org.springframework.boot.actuate.endpoint.annotation.Endpoint.class,
            org.springframework.boot.health.contributor.HealthIndicator.class))
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withBean(OpenTelemetry.class, OpenTelemetry::noop)
        .withPropertyValues(CAPPED, "management.endpoints.web.exposure.include=*")
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(PolicyEngine.class)
              .doesNotHaveBean(ToolgateMetrics.class).doesNotHaveBean(OpenTelemetryObserver.class)
              .doesNotHaveBean("toolgateEndpoint").doesNotHaveBean("toolgateHealthIndicator");
          assertThat(context.getBean(PolicyEngine.class).isObserved()).isFalse();
        });
  }

  @Test
  void theEngineEnforcesThePolicyFromTheProperty() {
    runner.withPropertyValues(CAPPED).run(context -> {
      PolicyEngine engine = context.getBean(PolicyEngine.class);
      assertThat(engine.policy()).isSameAs(context.getBean(Policy.class));
      CallContext agent = CallContext.of("agent-1");
      assertThat(engine.evaluate(ToolCall.of("create_compile"), agent).isAllowed()).isTrue();
      assertThat(engine.evaluate(ToolCall.of("create_compile"), agent).isAllowed()).isTrue();
      assertThat(engine.evaluate(ToolCall.of("create_compile"), agent)).isInstanceOf(Decision.RateLimited.class);
      assertThat(engine.evaluate(ToolCall.of("delete_project"), agent)).isInstanceOf(Decision.Deny.class);
    });
  }

  @Test
  void shadowModeRunsRefusedCalls() {
    runner.withPropertyValues(CAPPED, "toolgate.shadow-mode=true").run(context -> {
      PolicyEngine engine = context.getBean(PolicyEngine.class);
      var guarded = engine.guard(ToolCall.of("delete_project"), CallContext.of("agent-1"), () -> "ran");
      assertThat(guarded.decision().isAllowed()).isFalse();
      assertThat(guarded.ran()).isTrue();
    });
  }

  @Test
  void approvalsTakeTheirSettings() {
    runner.withPropertyValues(CAPPED, "toolgate.approvals.maximum-pending-per-principal=1").run(context -> {
      PolicyEngine engine = context.getBean(PolicyEngine.class);
      CallContext agent = CallContext.of("agent-1");
      assertThat(engine.evaluate(ToolCall.of("refund", Map.of("id", 1)), agent)).isInstanceOf(Decision.ApprovalRequired.class);
      Decision second = engine.evaluate(ToolCall.of("refund", Map.of("id", 2)), agent);
      assertThat(second).isInstanceOf(Decision.Deny.class);
      assertThat(second.reason()).contains("too many approval requests pending");
    });
  }

  @Test
  void noPolicyFailsStartupWithWhatToDo() {
    runner.run(context -> {
      FailureAnalysis analysis = analyze(context.getStartupFailure());
      assertThat(analysis.getDescription()).isEqualTo("No Toolgate policy: toolgate.policy is not set.");
      assertThat(analysis.getAction()).contains("toolgate.policy=classpath:policy.yaml", "io.toolgate.engine.Policy");
    });
  }

  @Test
  void aMissingPolicyFailsStartupNamingIt() {
    runner.withPropertyValues("toolgate.policy=classpath:policies/nope.yaml").run(context -> {
      FailureAnalysis analysis = analyze(context.getStartupFailure());
      assertThat(analysis.getDescription())
          .isEqualTo("The Toolgate policy toolgate.policy=class path resource [policies/nope.yaml] does not exist.");
      assertThat(analysis.getAction()).contains("classpath:", "file:");
    });
  }

  @Test
  void aBadPolicyFailsStartupWithEveryProblemLocated() {
    runner.withPropertyValues("toolgate.policy=classpath:policies/bad.yaml").run(context -> {
      FailureAnalysis analysis = analyze(context.getStartupFailure());
      assertThat(analysis.getDescription())
          .startsWith("The Toolgate policy toolgate.policy=class path resource [policies/bad.yaml] has 2 problems:\n")
          .contains("/default (line 2, col 10)", "maybe")
          .contains("/tools/create_compile/limits/0/window (line 7, col 17)", "minit");
      assertThat(analysis.getAction()).contains("toolgate.jar validate");
    });
  }

  @Test
  void aBadFileFailsStartupWithItsPath(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("policy.yaml");
    Files.writeString(file, "version: \"1\"\ntools: [\n");
    runner.withPropertyValues("toolgate.policy=file:" + file).run(context -> {
      FailureAnalysis analysis = analyze(context.getStartupFailure());
      assertThat(analysis.getDescription()).contains("has 1 problem:\n    " + file);
    });
  }

  @Test
  void aPolicyAnApplicationLoadsItselfIsAnalyzedToo() {
    runner.withBean(Policy.class, () -> Policy.parse("version: \"1\"\ndefault: maybe\n")).run(context -> {
      FailureAnalysis analysis = analyze(context.getStartupFailure());
      assertThat(analysis.getDescription()).startsWith("The Toolgate policy has 1 problem:\n    /default (line 2, col 10)");
      assertThat(analysis.getCause()).isInstanceOf(io.toolgate.engine.PolicyLoadException.class);
    });
    assertThat(new ToolgateFailureAnalyzer().analyze(new IllegalStateException("not ours"))).isNull();
  }

  @Test
  void theFailureAnalyzerIsRegistered() {
    // Other analyzers need a bean factory to be built; only the names matter here.
    List<String> names = SpringFactoriesLoader.forDefaultResourceLocation()
        .load(FailureAnalyzer.class, SpringFactoriesLoader.FailureHandler.handleMessage((message, failure) -> {})).stream()
        .map(a -> a.getClass().getName()).toList();
    assertThat(names).contains(ToolgateFailureAnalyzer.class.getName());
  }

  @Test
  void anApplicationWithItsOwnEngineNeedsNoPolicyProperty() {
    PolicyEngine own = PolicyEngine.of(Policy.parse("{\"version\":\"1\"}"));
    runner.withBean(PolicyEngine.class, () -> own).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(PolicyEngine.class)).isSameAs(own);
      assertThat(context).doesNotHaveBean(Policy.class);
    });
  }

  @Test
  void userBeansWin() {
    PolicyEngine own = PolicyEngine.of(Policy.parse("{\"version\":\"1\"}"));
    runner.withPropertyValues(CAPPED).withBean(PolicyEngine.class, () -> own).run(context ->
        assertThat(context.getBean(PolicyEngine.class)).isSameAs(own));

    CounterStore store = InMemoryCounterStore.create();
    ApprovalService approvals = request -> new ApprovalStatus.Approved("x", "bot");
    runner.withPropertyValues(CAPPED)
        .withBean("myStore", CounterStore.class, () -> store)
        .withBean("myApprovals", ApprovalService.class, () -> approvals)
        .run(context -> {
          assertThat(context).doesNotHaveBean("toolgateMemoryCounterStore").doesNotHaveBean(InMemoryApprovalQueue.class);
          assertThat(context.getBean(CounterStore.class)).isSameAs(store);
          PolicyEngine engine = context.getBean(PolicyEngine.class);
          assertThat(engine.evaluate(ToolCall.of("refund"), CallContext.of("a"))).isInstanceOf(Decision.Allow.class);
        });

    Policy policy = Policy.parse("{\"version\":\"1\",\"default\":\"allow\"}");
    runner.withBean(Policy.class, () -> policy).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(PolicyEngine.class).policy()).isSameAs(policy);
    });
  }

  @Test
  void everyAuditSinkBeanHearsAndPropertySinksBackOffToABeanOfTheirName(@TempDir Path dir) {
    List<AuditEvent> heard = new CopyOnWriteArrayList<>();
    List<AuditEvent> replaced = new CopyOnWriteArrayList<>();
    runner.withPropertyValues(CAPPED, "toolgate.audit.file=" + dir.resolve("audit.jsonl"))
        .withBean("myAudit", AuditSink.class, () -> heard::add)
        .withBean("toolgateFileAuditSink", AuditSink.class, () -> replaced::add)
        .run(context -> {
          assertThat(context).doesNotHaveBean(AsyncAuditSink.class);
          context.getBean(PolicyEngine.class).evaluate(ToolCall.of("create_compile"), CallContext.of("a"));
          assertThat(heard).hasSize(1);
          assertThat(replaced).hasSize(1);
        });
    assertThat(dir.resolve("audit.jsonl")).doesNotExist();
  }

  @Test
  void theAuditFileHasALinePerDecisionOnceTheContextCloses(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.jsonl");
    runner.withPropertyValues(CAPPED, "toolgate.audit.file=" + file).run(context ->
        context.getBean(PolicyEngine.class).evaluate(ToolCall.of("create_compile"), CallContext.of("agent-1")));
    assertThat(Files.readAllLines(file)).singleElement().asString().contains("\"tool\":\"create_compile\"", "\"principal\":\"agent-1\"");
  }

  @Test
  void redisWithoutTheRedisModuleFailsStartupWithWhatToAdd() {
    runner.withClassLoader(new FilteredClassLoader(RedisCounterStore.class))
        .withPropertyValues(CAPPED, "toolgate.store=redis", "toolgate.redis.uri=redis://127.0.0.1:1")
        .run(context -> {
          FailureAnalysis analysis = analyze(context.getStartupFailure());
          assertThat(analysis.getDescription()).isEqualTo("toolgate.store is redis, but io.toolgate:policy-store-redis is not on the class path.");
          assertThat(analysis.getAction()).contains("io.toolgate:policy-store-redis", "toolgate.redis.uri");
        });
  }

  @Test
  void redisWithNeitherUriNorClientFailsStartup() {
    runner.withPropertyValues(CAPPED, "toolgate.store=redis").run(context ->
        assertThat(analyze(context.getStartupFailure()).getDescription())
            .isEqualTo("toolgate.store is redis, but toolgate.redis.uri is not set and there is no single RedisClient bean."));
  }

  @Test
  void watchReloadsTheFileItWatches(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("policy.yaml");
    Files.writeString(file, "version: \"1\"\ndefault: deny\n");
    runner.withPropertyValues("toolgate.policy=file:" + file, "toolgate.watch=true").run(context -> {
      PolicyEngine engine = context.getBean(PolicyEngine.class);
      assertThat(engine.evaluate(ToolCall.of("anything"), CallContext.of("a")).isAllowed()).isFalse();
      Files.writeString(file, "version: \"1\"\ndefault: allow\n");
      // Either the watcher's own thread has loaded it already, or this does: no waiting on time.
      context.getBean(PolicyWatcher.class).reloadIfChanged();
      assertThat(engine.evaluate(ToolCall.of("anything"), CallContext.of("a")).isAllowed()).isTrue();
    });
  }

  @Test
  void watchingAPolicyThatIsNoFileFailsStartup() {
    runner.withPropertyValues("toolgate.watch=true")
        .withBean(ToolgatePolicySource.class, () -> new ToolgatePolicySource(
            new ByteArrayResource("version: \"1\"".getBytes(), "inline policy")))
        .run(context -> {
          FailureAnalysis analysis = analyze(context.getStartupFailure());
          assertThat(analysis.getDescription()).contains("toolgate.watch is true", "is not a file");
          assertThat(analysis.getAction()).contains("toolgate.watch=false");
        });
  }

  @Test
  void metricsWhenThereIsAMeterRegistry() {
    runner.withPropertyValues(CAPPED).run(context -> assertThat(context).doesNotHaveBean(ToolgateMetrics.class));
    runner.withPropertyValues(CAPPED).withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
      assertThat(context).hasSingleBean(ToolgateMetrics.class);
      PolicyEngine engine = context.getBean(PolicyEngine.class);
      assertThat(engine.isObserved()).isTrue();
      engine.evaluate(ToolCall.of("create_compile"), CallContext.of("a"));
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      assertThat(registry.get(ToolgateMetrics.DECISIONS).tag("tool", "create_compile").counter().count()).isEqualTo(1.0);
      assertThat(registry.get(ToolgateMetrics.APPROVALS_PENDING).gauge().value()).isZero();
    });
    runner.withPropertyValues(CAPPED).withClassLoader(new FilteredClassLoader(ToolgateMetrics.class))
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ToolgateMetrics.class));
  }

  @Test
  void tracingWhenThereIsAnOpenTelemetry() {
    runner.withPropertyValues(CAPPED).run(context -> assertThat(context).doesNotHaveBean(OpenTelemetryObserver.class));
    runner.withPropertyValues(CAPPED).withBean(OpenTelemetry.class, OpenTelemetry::noop).run(context -> {
      assertThat(context).hasSingleBean(OpenTelemetryObserver.class);
      assertThat(context.getBean(PolicyEngine.class).isObserved()).isTrue();
    });
  }

  static FailureAnalysis analyze(Throwable failure) {
    assertThat(failure).as("startup failure").isNotNull();
    FailureAnalysis analysis = new ToolgateFailureAnalyzer().analyze(failure);
    assertThat(analysis).as("analysis of " + failure).isNotNull();
    return analysis;
  }
}
