package io.toolgate.redis.internal;

import io.toolgate.redis.RedisStoreException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The background queue of refunds that failed and of releases of reservations that timed out.
 * Each is retried with its own token (so a retry whose first attempt did reach Redis changes
 * nothing twice), with a doubling delay from 50 ms to 5 s, until it succeeds or its longest
 * window has passed; at most a bound of them wait at once, and one that cannot be queued is lost
 * and thrown to the caller. One given up (its windows ended, or the store closed) is lost too:
 * the count it should have given back stayed taken.
 */
public final class RefundRetries {
  /** Logged under the store's name: what an operator looks for. */
  private static final System.Logger LOG = System.getLogger("io.toolgate.redis.RedisCounterStore");
  private static final long FIRST_RETRY_MILLIS = 50;
  private static final long LONGEST_RETRY_MILLIS = 5_000;

  private final ScriptRunner scripts;
  private final ScheduledExecutorService scheduler;
  private final int maxPending;
  private final long timeoutMillis;
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicLong lost = new AtomicLong();
  /** Notified whenever a queued refund or release is settled (applied, given up or lost). */
  private final Object settled = new Object();
  private volatile boolean closed;

  /**
   * @param scripts runs the retries
   * @param scheduler where retries wait (Lettuce's event executors)
   * @param maxPending the most refunds and releases waiting at once
   * @param timeoutMillis the command timeout, for messages
   */
  public RefundRetries(ScriptRunner scripts, ScheduledExecutorService scheduler, int maxPending, long timeoutMillis) {
    this.scripts = scripts;
    this.scheduler = scheduler;
    this.maxPending = maxPending;
    this.timeoutMillis = timeoutMillis;
  }

  /** Refunds and releases waiting for a retry. */
  public int pending() {
    return pending.get();
  }

  /**
   * Refunds and releases lost: not queued (full, or closed), or given up (their windows ended
   * before Redis took them, or the store closed).
   */
  public long lost() {
    return lost.get();
  }

  /** From now on nothing is queued, and what waits is given up at its next attempt. */
  public void close() {
    closed = true;
  }

  /**
   * Waits until nothing waits for a retry, or {@code timeout} has passed; returns whether
   * nothing waits.
   */
  public boolean awaitEmpty(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (settled) {
      while (pending.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(settled, left);
      }
    }
    return true;
  }

  /**
   * After a reservation failed: when it timed out, Redis may run it yet, so its release is queued.
   * Returns {@code failure}, to be thrown, with a release that could not be queued attached.
   */
  public RedisStoreException releaseIfSent(ScriptArguments.Reserve reservation, RedisStoreException failure) {
    ScriptArguments.Refund release = failure.getCause() instanceof TimeoutException ? reservation.release() : null;
    if (release != null) {
      try {
        retryLater(release, failure);
      } catch (RedisStoreException lostRelease) {
        failure.addSuppressed(lostRelease);
      }
    }
    return failure;
  }

  /**
   * Queues {@code refund}, which failed with {@code error}, for a retry.
   *
   * @throws RedisStoreException if it cannot be queued (the queue is full or closed): it is lost
   */
  public void retryLater(ScriptArguments.Refund refund, Throwable error) {
    if (closed || pending.incrementAndGet() > maxPending) {
      if (!closed) {
        pending.decrementAndGet();
      }
      lost.incrementAndGet();
      RedisStoreException failure = Failures.of(refund.operation(), error, timeoutMillis);
      LOG.log(System.Logger.Level.ERROR, refund.operation() + " of " + refund.requests() + " is lost: "
          + failure.getMessage()
          + (closed ? " (store closed)" : " (the retry queue is full: " + maxPending + " refunds)"));
      throw failure;
    }
    LOG.log(System.Logger.Level.WARNING, refund.operation() + " of " + refund.requests() + " failed ("
        + Failures.of(refund.operation(), error, timeoutMillis).getMessage() + "); retrying in the background");
    schedule(refund, FIRST_RETRY_MILLIS);
  }

  /** One queued refund or release is settled: applied, given up or lost. */
  private void settle() {
    pending.decrementAndGet();
    synchronized (settled) {
      settled.notifyAll();
    }
  }

  private void schedule(ScriptArguments.Refund refund, long delayMillis) {
    try {
      scheduler.schedule(() -> retry(refund, delayMillis), delayMillis, TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) { // the client is shutting down
      giveUp(refund, "cannot schedule a retry: " + e);
    }
  }

  private void retry(ScriptArguments.Refund refund, long lastDelayMillis) {
    if (closed) {
      giveUp(refund, "the store was closed");
      return;
    }
    scripts.run(ScriptArguments.REFUND, refund.keys(), refund.args()).whenComplete((reply, error) -> {
      if (error == null) {
        settle();
        LOG.log(System.Logger.Level.INFO, refund.operation() + " of " + refund.requests() + " applied on retry");
      } else if (System.nanoTime() - refund.deadlineNanos() >= 0) {
        giveUp(refund, "its windows have ended before Redis took it, so it could no longer change a count");
      } else {
        schedule(refund, Math.min(lastDelayMillis * 2, LONGEST_RETRY_MILLIS));
      }
    });
  }

  private void giveUp(ScriptArguments.Refund refund, String why) {
    lost.incrementAndGet();
    settle();
    LOG.log(System.Logger.Level.ERROR, refund.operation() + " of " + refund.requests() + " is lost: " + why);
  }
}
