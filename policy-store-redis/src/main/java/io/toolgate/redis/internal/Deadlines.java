package io.toolgate.redis.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Fails the commands Redis has not answered within the command timeout. Every command has the
 * same timeout, so deadlines come in the order commands are sent: one queue, drained by one task
 * that runs at the oldest deadline, at most {@link #SLACK_DIVISOR an eighth} of the timeout late
 * so that under load it runs a few hundred times a second rather than once per command. A timer
 * task per command would wake a timer thread for every decision, which on a small machine costs
 * more than the script.
 */
final class Deadlines {
  /** A command fails between its timeout and its timeout plus this fraction of it. */
  private static final int SLACK_DIVISOR = 8;

  private final long timeoutNanos;
  private final long slackNanos;
  private final ScheduledExecutorService timer;
  private final ConcurrentLinkedQueue<Deadline> queue = new ConcurrentLinkedQueue<>();
  /** Whether a sweep is scheduled or running: at most one is. */
  private final AtomicBoolean armed = new AtomicBoolean();

  /**
   * One command's deadline and what fails it then; {@code expire} is dropped once the command is
   * answered, so an entry waiting for its turn holds no reply and no command.
   */
  private static final class Deadline {
    final long atNanos;
    volatile Runnable expire;

    Deadline(long atNanos, Runnable expire) {
      this.atNanos = atNanos;
      this.expire = expire;
    }
  }

  /**
   * @param timer where sweeps run (Lettuce's event executors, so that what follows a timed-out
   *     call never runs on a JDK-wide timer thread)
   */
  Deadlines(long timeoutNanos, ScheduledExecutorService timer) {
    this.timeoutNanos = timeoutNanos;
    this.slackNanos = timeoutNanos / SLACK_DIVISOR;
    this.timer = timer;
  }

  /**
   * Runs {@code expire} once the timeout has passed, unless {@code result} is done by then
   * ({@code expire} should itself do nothing to a done result: the two may race).
   *
   * @throws RejectedExecutionException if the timer no longer runs tasks (the client is shutting
   *     down)
   */
  void add(CompletableFuture<?> result, Runnable expire) {
    Deadline deadline = new Deadline(System.nanoTime() + timeoutNanos, expire);
    queue.add(deadline);
    result.whenComplete((reply, error) -> deadline.expire = null);
    if (armed.compareAndSet(false, true)) {
      schedule(timeoutNanos + slackNanos);
    }
  }

  private void sweep() {
    long now = System.nanoTime();
    Deadline head;
    while ((head = queue.peek()) != null && head.atNanos - now <= 0) {
      queue.poll();
      expire(head);
    }
    if (head != null) {
      schedule(head.atNanos - now + slackNanos);
      return;
    }
    armed.set(false);
    // A command added after the queue looked empty, while this sweep still held `armed`.
    if (!queue.isEmpty() && armed.compareAndSet(false, true)) {
      schedule(timeoutNanos + slackNanos);
    }
  }

  private void schedule(long delayNanos) {
    try {
      timer.schedule(this::sweep, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) { // the client is shutting down: nothing will answer
      armed.set(false);
      for (Deadline d; (d = queue.poll()) != null; ) {
        expire(d);
      }
      throw e;
    }
  }

  private static void expire(Deadline deadline) {
    Runnable expire = deadline.expire;
    if (expire != null) {
      expire.run();
    }
  }
}
