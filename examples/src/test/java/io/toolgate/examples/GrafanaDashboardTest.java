package io.toolgate.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.toolgate.api.CallContext;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.micrometer.ToolgateMetrics;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The shipped Grafana dashboard ({@code examples/grafana/toolgate-dashboard.json}) parses, and
 * every query of every panel names only series that policy-micrometer really exports to
 * Prometheus, as a scrape of a registry with every meter in use shows them.
 */
class GrafanaDashboardTest {
  private static final Path DASHBOARD = Path.of("grafana", "toolgate-dashboard.json");
  private static final Pattern METRIC = Pattern.compile("\\btoolgate_[a-z0-9_]+");

  /** Every series name a scrape shows once each meter has been used. */
  static Set<String> exported() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    InMemoryApprovalQueue queue = InMemoryApprovalQueue.builder(Clock.systemUTC()).build();
    ToolgateMetrics metrics = ToolgateMetrics.builder(registry).histogram(true)
        .approvalsPending(queue).refundsPending(() -> 0).refundsLost(() -> 0).build();
    PolicyEngine engine = PolicyEngine.builder(Policy.fromResource(
            "io/toolgate/examples/mcpserver/quantconnect-policy.yaml"))
        .approvals(queue).observe(metrics).build();
    metrics.bindTo(engine);
    engine.call(ToolCall.of("create_compile"), CallContext.of("agent-1"), () -> "ok");
    return registry.scrape().lines()
        .filter(l -> !l.startsWith("#") && !l.isBlank())
        .map(l -> l.split("[{ ]", 2)[0])
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void everyPanelQueriesOnlyMetricsTheModuleExports() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    Set<String> exported = exported();
    Set<String> used = new TreeSet<>();

    assertThat(dashboard.path("panels").size()).isGreaterThanOrEqualTo(6);
    for (JsonNode panel : dashboard.path("panels")) {
      String title = panel.path("title").asText();
      assertThat(title).isNotBlank();
      assertThat(panel.path("description").asText()).as(title).isNotBlank();
      assertThat(panel.path("targets").size()).as(title).isPositive();
      for (JsonNode target : panel.path("targets")) {
        Matcher m = METRIC.matcher(target.path("expr").asText());
        int found = 0;
        while (m.find()) {
          found++;
          used.add(m.group());
          assertThat(exported).as("panel \"%s\" queries %s", title, m.group()).contains(m.group());
        }
        assertThat(found).as("panel \"%s\" queries a toolgate metric", title).isPositive();
      }
    }
    assertThat(used).contains(
        "toolgate_decisions_total",
        "toolgate_call_duration_seconds_bucket",
        "toolgate_store_duration_seconds_bucket",
        "toolgate_store_failures_total",
        "toolgate_approvals_pending");
  }
}
