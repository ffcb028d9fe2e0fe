package io.toolgate.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One queue of deadlines fails every command that was not answered, never before its timeout. */
@Timeout(60)
class DeadlinesTest {
  private static final long TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final Deadlines deadlines = new Deadlines(TIMEOUT_NANOS, timer);

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  @Test
  void anUnansweredCommandFailsNotBeforeItsTimeoutAndAnAnsweredOneNever() throws Exception {
    CompletableFuture<Void> answered = new CompletableFuture<>();
    AtomicInteger answeredExpired = new AtomicInteger();
    deadlines.add(answered, answeredExpired::incrementAndGet);
    answered.complete(null);

    CompletableFuture<Void> unanswered = new CompletableFuture<>();
    long added = System.nanoTime();
    deadlines.add(unanswered, () -> unanswered.completeExceptionally(new TimeoutException()));
    assertThat(unanswered).failsWithin(30, TimeUnit.SECONDS);
    assertThat(System.nanoTime() - added).isGreaterThanOrEqualTo(TIMEOUT_NANOS);
    // Deadlines expire in order: the answered command's came first and was passed over.
    assertThat(answeredExpired).hasValue(0);
  }

  @Test
  void commandsAddedFromManyThreadsWhileSweepsRunAllFail() throws Exception {
    int threads = 4;
    int each = 500;
    CountDownLatch expired = new CountDownLatch(threads * each);
    ExecutorService callers = Executors.newFixedThreadPool(threads);
    try {
      List<CompletableFuture<?>> adding = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        adding.add(CompletableFuture.runAsync(() -> {
          for (int i = 0; i < each; i++) {
            deadlines.add(new CompletableFuture<>(), expired::countDown);
            if (i % 50 == 0) {
              Thread.yield();
            }
          }
        }, callers));
      }
      CompletableFuture.allOf(adding.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      assertThat(expired.await(30, TimeUnit.SECONDS)).as("every command failed").isTrue();
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void aCommandAddedAfterTheQueueEmptiedFailsToo() throws Exception {
    for (int round = 0; round < 3; round++) {
      CountDownLatch expired = new CountDownLatch(1);
      deadlines.add(new CompletableFuture<>(), expired::countDown);
      assertThat(expired.await(30, TimeUnit.SECONDS)).as("round %s", round).isTrue();
    }
  }
}
