package io.toolgate.redis.internal;

import io.toolgate.engine.approval.ApprovalAnswer;
import io.toolgate.engine.approval.ApprovalQueue;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * The calls in this process that wait for the answer to a pending request of the Redis approval
 * queue, by its id. A waiter is completed when this process hears (pub/sub) an answer to its id,
 * or when it is found no longer pending; it is forgotten once completed or cancelled. Waiters are
 * completed on threads of their own, so the rest of a waiting call does not hold up the events.
 */
public final class ApprovalWaiters implements AutoCloseable {
  private final ApprovalSubscriptions subscriptions;
  private final Map<String, Set<CompletableFuture<Void>>> waiters = new ConcurrentHashMap<>();
  private final ExecutorService wake = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "toolgate-approval-wake");
    t.setDaemon(true);
    return t;
  });
  private boolean hearing;

  /** Waiters woken by the answers {@code subscriptions} hear. */
  public ApprovalWaiters(ApprovalSubscriptions subscriptions) {
    this.subscriptions = subscriptions;
  }

  /**
   * A waiter for request {@code id}, registered (and hearing answers) before {@code stillPending}
   * is asked, so an answer given meanwhile is not missed; completed at once if the request is no
   * longer pending or asking fails (the engine then asks the queue again, which fails closed).
   */
  public CompletableFuture<Void> register(String id, Predicate<String> stillPending) {
    CompletableFuture<Void> waiter = new CompletableFuture<>();
    try {
      synchronized (this) {
        if (!hearing) {
          subscriptions.subscribe(new ApprovalQueue.Listener() {
            @Override
            public void answered(ApprovalAnswer answer) {
              wake(answer.id());
            }
          });
          hearing = true;
        }
        waiters.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(waiter);
      }
      waiter.whenComplete((v, e) -> waiters.computeIfPresent(id, (k, set) -> {
        set.remove(waiter);
        return set.isEmpty() ? null : set;
      }));
      if (!stillPending.test(id)) {
        waiter.complete(null);
      }
    } catch (RuntimeException e) {
      waiter.complete(null);
    }
    return waiter;
  }

  /** Runs {@code withdraw} unless a call in this process still waits for request {@code id}. */
  public synchronized void unlessAwaited(String id, Runnable withdraw) {
    if (!waiters.containsKey(id)) {
      withdraw.run();
    }
  }

  /** Completes, on threads of their own, every waiter for request {@code id}. */
  public void wake(String id) {
    Set<CompletableFuture<Void>> waiting = waiters.remove(id);
    if (waiting != null) {
      for (CompletableFuture<Void> waiter : waiting) {
        try {
          wake.execute(() -> waiter.complete(null));
        } catch (RuntimeException e) {
          waiter.complete(null); // closed: complete here
        }
      }
    }
  }

  /** How many request ids calls in this process wait for. */
  public int size() {
    return waiters.size();
  }

  /** Completes every waiter (the calls ask again) and stops the threads. */
  @Override
  public void close() {
    for (String id : Set.copyOf(waiters.keySet())) {
      wake(id);
    }
    wake.shutdown();
  }
}
