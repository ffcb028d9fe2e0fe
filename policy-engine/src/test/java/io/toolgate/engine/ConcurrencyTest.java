package io.toolgate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Counters through the whole engine under contention: 8 threads hammer one counter for many
 * windows of a test clock, and admissions per window equal the max exactly, never more.
 */
@Timeout(60)
class ConcurrencyTest {
  private static final int THREADS = 8;
  private static final int WINDOWS = 40;
  private static final int CALLS_PER_THREAD = 25;
  private static final CallContext AGENT = CallContext.of("agent-1").withSession("s1");

  private final MutableClock clock = new MutableClock("2026-01-01T10:00:00Z");
  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  private int hammer(PolicyEngine engine, String tool, boolean async) throws Exception {
    AtomicInteger admitted = new AtomicInteger();
    List<Callable<Void>> callers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      callers.add(() -> {
        for (int i = 0; i < CALLS_PER_THREAD; i++) {
          Decision d = async
              ? engine.evaluateAsync(ToolCall.of(tool), AGENT).toCompletableFuture().join()
              : engine.evaluate(ToolCall.of(tool), AGENT);
          if (d.isAllowed()) {
            admitted.incrementAndGet();
          }
        }
        return null;
      });
    }
    for (Future<Void> f : pool.invokeAll(callers)) {
      f.get();
    }
    return admitted.get();
  }

  @Test
  void fixedWindowAdmitsExactlyMaxPerWindow() throws Exception {
    PolicyEngine engine = PolicyEngine.builder(Policy.parse(
        "version: '1'\ntools:\n  t: {limits: [{counter: c, max: 7, window: 10s, scope: session}]}\n")).clock(clock).build();
    for (int w = 0; w < WINDOWS; w++) {
      assertThat(hammer(engine, "t", w % 2 == 1)).as("window %d", w).isEqualTo(7);
      clock.advance(Duration.ofSeconds(10));
    }
  }

  @Test
  void slidingWindowAdmitsExactlyMaxPerWindow() throws Exception {
    PolicyEngine engine = PolicyEngine.builder(Policy.parse(
        "version: '1'\ntools:\n  t: {limits: [{counter: c, max: 5, window: 10s, algorithm: sliding}]}\n")).clock(clock).build();
    for (int w = 0; w < WINDOWS; w++) {
      assertThat(hammer(engine, "t", false)).as("window %d", w).isEqualTo(5);
      clock.advance(Duration.ofSeconds(10));
    }
  }

  @Test
  void anExhaustedCounterCostsTheOtherCounterNothing() throws Exception {
    PolicyEngine engine = PolicyEngine.builder(Policy.parse(String.join("\n",
        "version: '1'",
        "tools:",
        "  t:",
        "    limits:",
        "      - {counter: small, max: 3, window: minute, scope: global}",
        "      - {counter: big, max: 500, window: minute, scope: global}",
        "  u:",
        "    limits: [{counter: big, max: 500, window: minute, scope: global}]",
        ""))).clock(clock).build();
    for (int w = 0; w < 10; w++) {
      assertThat(hammer(engine, "t", w % 2 == 0)).as("t in window %d", w).isEqualTo(3);
      int u = 0;
      while (engine.evaluate(ToolCall.of("u"), AGENT).isAllowed()) {
        u++;
      }
      assertThat(u).as("u in window %d", w).isEqualTo(497);
      clock.advance(Duration.ofMinutes(1));
    }
  }
}
