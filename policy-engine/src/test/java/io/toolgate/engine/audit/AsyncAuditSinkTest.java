package io.toolgate.engine.audit;

import static io.toolgate.engine.audit.AuditEvents.allow;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.toolgate.api.AuditEvent;
import io.toolgate.api.AuditSink;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.audit.AsyncAuditSink.Overflow;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** DESIGN.md "No caller can stall another": audit I/O happens off the callers' threads and locks. */
class AsyncAuditSinkTest {
  private final CountDownLatch release = new CountDownLatch(1);
  private final BlockedSink blocked = new BlockedSink();

  @AfterEach
  void releaseTheSink() {
    release.countDown();
  }

  /** A sink that records, but whose first event blocks until the test releases it. */
  private final class BlockedSink implements AuditSink, AutoCloseable {
    final List<AuditEvent> recorded = new CopyOnWriteArrayList<>();
    final CountDownLatch entered = new CountDownLatch(1);
    volatile boolean closed;

    @Override
    public synchronized void record(AuditEvent event) {
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      recorded.add(event);
    }

    @Override
    public void close() {
      closed = true;
    }

    void awaitEntered() throws InterruptedException {
      assertThat(entered.await(30, SECONDS)).as("the sink's thread took the first event").isTrue();
    }
  }

  private static AuditEvent event(int i) {
    return allow(ToolCall.of("tool-" + i));
  }

  private static List<String> tools(List<AuditEvent> events) {
    List<String> out = new ArrayList<>();
    events.forEach(e -> out.add(e.call().tool()));
    return out;
  }

  @Test
  void aSinkBlockedOnALatchDoesNotHoldUpOtherCallersDecisions() throws Exception {
    AsyncAuditSink audit = AsyncAuditSink.wrap(blocked).capacity(1_000).build();
    PolicyEngine engine = PolicyEngine.builder(Policy.parse("{\"version\":\"1\",\"default\":\"allow\"}")).audit(audit).build();
    engine.evaluate(ToolCall.of("first"), CallContext.of("agent-0"));
    blocked.awaitEntered(); // the sink is now stuck in I/O, holding its own lock

    ExecutorService callers = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        CallContext who = CallContext.of("agent-" + (t + 1));
        done.add(callers.submit(() -> {
          for (int i = 0; i < 25; i++) {
            assertThat(engine.evaluate(ToolCall.of("t" + i), who).isAllowed()).isTrue();
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(30, SECONDS); // every caller finishes while the sink is still blocked
      }
    } finally {
      callers.shutdownNow();
    }
    assertThat(blocked.recorded).as("the sink is still blocked").isEmpty();
    assertThat(audit.queued()).isEqualTo(100);

    release.countDown();
    audit.close();
    assertThat(blocked.recorded).hasSize(101);
    assertThat(audit.dropped()).isZero();
  }

  @Test
  void aFullQueueDropsAndReportsTheLossInTheAuditItself() throws Exception {
    AsyncAuditSink audit = AsyncAuditSink.wrap(blocked).capacity(2).build();
    audit.record(event(1));
    blocked.awaitEntered();
    audit.record(event(2));
    audit.record(event(3)); // the queue is full now
    audit.record(event(4));
    audit.record(event(5));
    assertThat(audit.dropped()).isEqualTo(2);

    release.countDown();
    audit.close();
    assertThat(tools(blocked.recorded))
        .containsExactly("tool-1", AsyncAuditSink.OVERFLOW_TOOL, "tool-2", "tool-3");
    AuditEvent report = blocked.recorded.get(1);
    assertThat(report.decision().rule()).isEqualTo(AsyncAuditSink.OVERFLOW_RULE);
    assertThat(report.decision().reason()).isEqualTo("2 audit events were dropped: the audit queue (capacity 2) was full.");
    assertThat(report.outcome()).isEqualTo(AuditEvent.Outcome.NOT_RUN);
  }

  @Test
  void theOverflowReportIsALineOfTheJsonAudit() throws Exception {
    StringWriter out = new StringWriter();
    try (JsonLinesAuditSink json = JsonLinesAuditSink.to(out)) {
      json.record(AsyncAuditSink.overflowEvent(1, 8, AuditEvents.TIME));
    }
    assertThat(out.toString()).startsWith("{\"time\":\"2026-01-01T10:00:00.123Z\",\"tool\":\"toolgate.audit\",")
        .contains("\"decision\":\"deny\",\"rule\":\"audit-overflow\",\"reason\":\"1 audit event was dropped:");
  }

  @Test
  void withBlockTheCallerWaitsForRoomAndNothingIsDropped() throws Exception {
    AsyncAuditSink audit = AsyncAuditSink.wrap(blocked).capacity(1).onOverflow(Overflow.BLOCK).build();
    audit.record(event(1));
    blocked.awaitEntered();
    audit.record(event(2)); // fills the queue
    Thread caller = new Thread(() -> audit.record(event(3)));
    caller.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // a hang guard only
    while (caller.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(caller.getState()).as("the third caller waits for room").isEqualTo(Thread.State.WAITING);

    release.countDown();
    caller.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(caller.isAlive()).isFalse();
    audit.close();
    assertThat(tools(blocked.recorded)).containsExactly("tool-1", "tool-2", "tool-3");
    assertThat(audit.dropped()).isZero();
  }

  @Test
  void closeRecordsEverythingQueuedThenClosesTheSink() throws Exception {
    AsyncAuditSink audit = AsyncAuditSink.wrap(blocked).capacity(1_000).build();
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      audit.record(event(i));
      sent.add("tool-" + i);
    }
    release.countDown();
    CompletableFuture.runAsync(audit::close).get(30, SECONDS);
    assertThat(tools(blocked.recorded)).isEqualTo(sent);
    assertThat(blocked.closed).isTrue();
    assertThatThrownBy(() -> audit.record(event(500))).isInstanceOf(IllegalStateException.class);
    audit.close(); // twice: nothing more
  }

  @Test
  void aSinkThatThrowsIsReportedAndTheThreadGoesOn() throws Exception {
    List<AuditEvent> recorded = new CopyOnWriteArrayList<>();
    AsyncAuditSink audit = AsyncAuditSink.wrap(event -> {
      if (event.call().tool().equals("tool-1")) {
        throw new IllegalStateException("disk full");
      }
      recorded.add(event);
    }).build();
    audit.record(event(1));
    audit.record(event(2));
    audit.close();
    assertThat(tools(recorded)).containsExactly("tool-2");
  }

  @Test
  void theBuilderRefusesANonPositiveCapacity() {
    assertThatThrownBy(() -> AsyncAuditSink.wrap(AuditSink.NONE).capacity(0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(AsyncAuditSink.DEFAULT_CAPACITY).isEqualTo(1024);
    Decision d = AsyncAuditSink.overflowEvent(3, 5, AuditEvents.TIME).decision();
    assertThat(d.reason()).isEqualTo("3 audit events were dropped: the audit queue (capacity 5) was full.");
  }
}
