package io.toolgate.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.toolgate.api.AuditEvent.Outcome;
import io.toolgate.api.CallContext;
import io.toolgate.api.CallObservation;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * In the steady state the observer allocates nothing per call: its meters are found in tables,
 * never built or looked up by a name assembled per call. Measured with the JVM's per-thread
 * allocation counter around many observed calls of known, glob-matched and unknown tools.
 */
class AllocationTest {
  private static final int CALLS = 20_000;

  @Test
  void observingACallAllocatesNothingOnceItsMetersExist() {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    ToolgateMetrics metrics = ToolgateMetrics.builder(new SimpleMeterRegistry()).build();
    PolicyEngine engine = PolicyEngine.builder(Policy.parse(ToolgateMetricsTest.POLICY)).observe(metrics).build();
    metrics.bindTo(engine);
    CallContext context = CallContext.of("agent-1");
    List<ToolCall> calls = List.of(ToolCall.of("create_compile"), ToolCall.of("read_file"), ToolCall.of("no_such_tool"));
    List<Decision> decisions = List.of(
        new Decision.Allow("create_compile", "agent-1", List.of("/tools/create_compile"), "/tools/create_compile", "ok", null),
        new Decision.RateLimited("read_file", "agent-1", List.of("/tools/read_*"), "/tools/read_*/limits/0", "slow down",
            "c", 1, java.time.Duration.ofMinutes(1), "grant", java.time.Duration.ofSeconds(1)),
        new Decision.Deny("no_such_tool", "agent-1", List.of(), "/default", "no"));
    observe(metrics, calls, decisions, context, CALLS); // warm-up: every meter registered, code compiled
    long thread = Thread.currentThread().getId();

    long before = threads.getThreadAllocatedBytes(thread);
    observe(metrics, calls, decisions, context, CALLS);
    long allocated = threads.getThreadAllocatedBytes(thread) - before;

    assertThat(allocated).as("bytes allocated by %d observed calls", CALLS).isLessThan(CALLS / 10);
  }

  private static void observe(ToolgateMetrics metrics, List<ToolCall> calls, List<Decision> decisions,
      CallContext context, int n) {
    for (int i = 0; i < n; i++) {
      int k = i % 3;
      CallObservation observation = metrics.start(calls.get(k), context);
      observation.decided(decisions.get(k), 100);
      observation.finished(k == 0 ? Outcome.SUCCEEDED : Outcome.NOT_RUN, 1_000, null);
      metrics.storeCalled("InMemoryCounterStore", "reserve", 50, null);
    }
  }
}
