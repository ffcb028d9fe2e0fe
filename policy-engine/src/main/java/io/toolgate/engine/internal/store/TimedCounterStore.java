package io.toolgate.engine.internal.store;

import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterStore;
import io.toolgate.api.ReserveResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A store the engine stops waiting for after a timeout, as {@link CounterStore#blocking()} allows:
 * a {@link Blocking#SYNC_FORMS} store through its asynchronous forms only, an {@link
 * Blocking#ANY_FORM} store on a small pool of this wrapper's threads. Each call completes one
 * {@code answer} that the store and the timeout race to complete: when the timeout wins and the
 * store then grants the reservation anyway, the reservation is given back, so a call denied for
 * the timeout takes no count. A store call still queued when its caller gave up is not made.
 *
 * <p>The caller never waits longer than the timeout; a store that hangs holds at most {@link
 * #THREADS} pool threads, after which calls wait in a queue of {@link #QUEUE} and then are refused
 * at once (the engine denies them as for a failed store).
 */
public final class TimedCounterStore implements CounterStore {
  /** Threads that make the calls of a store whose every form may wait. */
  public static final int THREADS = 16;
  /** Calls that wait for one of those threads before the next is refused. */
  public static final int QUEUE = 1024;

  private static final System.Logger LOG = System.getLogger(TimedCounterStore.class.getName());
  private static final AtomicInteger POOLS = new AtomicInteger();

  private final CounterStore store;
  private final boolean anyForm;
  private final boolean confirms;
  private final long timeoutNanos;
  private final String timeoutText;
  private final ThreadPoolExecutor pool;
  /**
   * Fails asynchronous calls at their timeout. One per engine, not one for the JVM: the thread that
   * fails a call runs what depends on it (the refusal, the audit), and a slow one of those must
   * delay no other engine's timeouts.
   */
  private final ScheduledThreadPoolExecutor timer;

  TimedCounterStore(CounterStore store, Duration timeout) {
    this.store = store;
    this.anyForm = store.blocking() != Blocking.SYNC_FORMS;
    this.confirms = store.confirmsReservations();
    this.timeoutNanos = saturatedNanos(timeout);
    this.timeoutText = timeout.toMillis() + "ms";
    int id = POOLS.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    ThreadFactory factory =
        task -> {
          Thread t = new Thread(task, "toolgate-store-" + id + "-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    this.pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), factory);
    pool.allowCoreThreadTimeOut(true); // an idle engine keeps no thread
    this.timer = new ScheduledThreadPoolExecutor(1, task -> {
      Thread t = new Thread(task, "toolgate-store-" + id + "-timer");
      t.setDaemon(true);
      return t;
    });
    timer.setKeepAliveTime(30, TimeUnit.SECONDS);
    timer.allowCoreThreadTimeOut(true);
    timer.setRemoveOnCancelPolicy(true); // a call that answered in time leaves nothing queued
  }

  /**
   * {@code store} itself when it declares {@link Blocking#NONE} (no wrapper, no hop: the in-memory
   * store's path is unchanged), else {@code store} bounded by {@code timeout}.
   */
  public static CounterStore around(CounterStore store, Duration timeout) {
    if (store.blocking() == Blocking.NONE) {
      return store;
    }
    return new TimedCounterStore(store, timeout);
  }

  /** The wrapped store's answer: the evaluator holds a reservation to commit only when it is true. */
  @Override
  public boolean confirmsReservations() {
    return confirms;
  }

  /**
   * On the pool, when the store {@linkplain CounterStore#confirmsReservations() confirms
   * reservations} (commit has no asynchronous form, so it may wait whatever the store declares);
   * else nothing, with no hop.
   */
  @Override
  public void commit(List<CounterRequest> requests, long reservedAtMillis) {
    if (!confirms) {
      return;
    }
    CompletableFuture<Void> answer = new CompletableFuture<>();
    onPool(answer, () -> {
      store.commit(requests, reservedAtMillis);
      answer.complete(null);
    });
    await(answer, "commit");
  }

  /** What the engine's calls wait for: never longer than the timeout. */
  @Override
  public Blocking blocking() {
    return Blocking.SYNC_FORMS;
  }

  @Override
  public ReserveResult reserve(List<CounterRequest> requests, long nowMillis) {
    return await(reserving(requests, nowMillis), "reserve");
  }

  @Override
  public CompletionStage<ReserveResult> reserveAsync(List<CounterRequest> requests, long nowMillis) {
    return bounded(reserving(requests, nowMillis), "reserve");
  }

  @Override
  public void refund(List<CounterRequest> requests, long reservedAtMillis) {
    await(refunding(requests, reservedAtMillis), "refund");
  }

  @Override
  public CompletionStage<Void> refundAsync(List<CounterRequest> requests, long reservedAtMillis) {
    return bounded(refunding(requests, reservedAtMillis), "refund");
  }

  /** A reservation's answer, which the store completes unless the caller gave up first. */
  private CompletableFuture<ReserveResult> reserving(List<CounterRequest> requests, long nowMillis) {
    CompletableFuture<ReserveResult> answer = new CompletableFuture<>();
    if (anyForm) {
      onPool(answer, () -> {
        ReserveResult result = store.reserve(requests, nowMillis);
        if (!answer.complete(result)) {
          giveBack(result, requests, nowMillis);
        }
      });
      return answer;
    }
    CompletionStage<ReserveResult> stage;
    try {
      stage = store.reserveAsync(requests, nowMillis);
    } catch (RuntimeException e) {
      answer.completeExceptionally(e);
      return answer;
    }
    stage.whenComplete(
        (result, error) -> {
          if (error != null) {
            answer.completeExceptionally(unwrap(error));
          } else if (!answer.complete(result)) {
            giveBack(result, requests, nowMillis);
          }
        });
    return answer;
  }

  private CompletableFuture<Void> refunding(List<CounterRequest> requests, long reservedAtMillis) {
    CompletableFuture<Void> answer = new CompletableFuture<>();
    if (anyForm) {
      onPool(answer, () -> {
        store.refund(requests, reservedAtMillis);
        answer.complete(null);
      });
      return answer;
    }
    try {
      store.refundAsync(requests, reservedAtMillis)
          .whenComplete((ignored, error) -> {
            if (error != null) {
              answer.completeExceptionally(unwrap(error));
            } else {
              answer.complete(null);
            }
          });
    } catch (RuntimeException e) {
      answer.completeExceptionally(e);
    }
    return answer;
  }

  /**
   * The store granted a reservation after its caller stopped waiting: the call was denied, so it
   * must take nothing. On the pool (any form may wait) or the store's own completion thread
   * (asynchronous forms never wait).
   */
  private void giveBack(ReserveResult result, List<CounterRequest> requests, long nowMillis) {
    if (!result.isGranted()) {
      return;
    }
    LOG.log(System.Logger.Level.WARNING,
        "counter store granted a reservation after the engine's timeout of " + timeoutText + "; giving it back");
    if (anyForm) {
      try {
        store.refund(requests, nowMillis);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "counter store failed to give back a reservation that timed out", e);
      }
      return;
    }
    try {
      store.refundAsync(requests, nowMillis).whenComplete((ignored, error) -> {
        if (error != null) {
          LOG.log(System.Logger.Level.WARNING, "counter store failed to give back a reservation that timed out", error);
        }
      });
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "counter store failed to give back a reservation that timed out", e);
    }
  }

  /**
   * Runs {@code call} on the pool unless {@code answer} is done when its turn comes (the caller
   * gave up while it was queued); a failure completes {@code answer}.
   */
  void onPool(CompletableFuture<?> answer, Runnable call) {
    try {
      pool.execute(() -> {
        if (answer.isDone()) {
          return;
        }
        try {
          call.run();
        } catch (RuntimeException | Error e) {
          answer.completeExceptionally(e);
        }
      });
    } catch (RejectedExecutionException e) {
      answer.completeExceptionally(new IllegalStateException(
          "counter store busy: " + THREADS + " calls running and " + QUEUE + " waiting"));
    }
  }

  /** Waits for {@code answer} up to the timeout, in the caller's thread. */
  <T> T await(CompletableFuture<T> answer, String what) {
    try {
      return answer.get(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw unchecked(e.getCause());
    } catch (TimeoutException e) {
      return giveUp(answer, timedOut(what));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return giveUp(answer, new StoreTimeoutException("interrupted while waiting for the counter store to " + what));
    }
  }

  /** Completes {@code answer} with {@code why} unless the store completed it first. */
  private static <T> T giveUp(CompletableFuture<T> answer, StoreTimeoutException why) {
    if (answer.completeExceptionally(why)) {
      throw why;
    }
    try {
      return answer.join();
    } catch (CompletionException e) {
      throw unchecked(e.getCause());
    }
  }

  /** {@code answer}, failed by the timer if the store has not completed it in time: no thread waits. */
  private <T> CompletableFuture<T> bounded(CompletableFuture<T> answer, String what) {
    if (answer.isDone()) {
      return answer;
    }
    ScheduledFuture<?> timeout =
        timer.schedule(() -> answer.completeExceptionally(timedOut(what)), timeoutNanos, TimeUnit.NANOSECONDS);
    answer.whenComplete((result, error) -> timeout.cancel(false));
    return answer;
  }

  private StoreTimeoutException timedOut(String what) {
    return new StoreTimeoutException("no answer to " + what + " within " + timeoutText);
  }

  private static long saturatedNanos(Duration timeout) {
    try {
      return timeout.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException completion && completion.getCause() != null ? completion.getCause() : error;
  }

  private static RuntimeException unchecked(Throwable error) {
    return error instanceof RuntimeException e ? e : new IllegalStateException("counter store failed", error);
  }

  @Override
  public String toString() {
    return "TimedCounterStore[" + store + ", " + timeoutText + "]";
  }

  /** A counter store did not answer in time (or could not be asked). */
  public static final class StoreTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StoreTimeoutException(String message) {
      super(message, null, false, false); // no stack: it says all there is to say
    }
  }
}
