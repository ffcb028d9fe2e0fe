package io.toolgate.engine.approval;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory queue's listeners and its bounded history of answers. The history is not
 * thread-safe (the queue calls it under its lock); listeners are told outside it.
 */
final class ApprovalEvents {
  private static final System.Logger LOG = System.getLogger(InMemoryApprovalQueue.class.getName());

  private final List<ApprovalQueue.Listener> listeners = new CopyOnWriteArrayList<>();
  private final int maximumHistory;
  /** Calls waiting for the answer to a pending request, by its id. */
  private final Map<String, Set<CompletableFuture<Void>>> waiters = new ConcurrentHashMap<>();
  /** The latest answers, newest last. */
  private final ArrayDeque<ApprovalAnswer> history = new ArrayDeque<>();

  ApprovalEvents(int maximumHistory) {
    this.maximumHistory = maximumHistory;
  }

  ApprovalQueue.Subscription subscribe(ApprovalQueue.Listener listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Keeps {@code answer}, dropping the oldest past the maximum. Under the queue's lock. */
  void record(ApprovalAnswer answer) {
    history.addLast(answer);
    if (history.size() > maximumHistory) {
      history.removeFirst();
    }
  }

  /** At most {@code max} answers, newest first. Under the queue's lock. */
  List<ApprovalAnswer> history(int max) {
    List<ApprovalAnswer> out = new ArrayList<>(Math.min(max, history.size()));
    for (var it = history.descendingIterator(); it.hasNext() && out.size() < max; ) {
      out.add(it.next());
    }
    return out;
  }

  void pending(PendingApproval pending) {
    for (ApprovalQueue.Listener listener : listeners) {
      try {
        listener.pending(pending);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "approval listener failed for request " + pending.id() + "; the request stays pending", e);
      }
    }
  }

  void answered(ApprovalAnswer answer) {
    for (ApprovalQueue.Listener listener : listeners) {
      try {
        listener.answered(answer);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "approval listener failed for the answer to " + answer.id(), e);
      }
    }
  }

  /** A stage completed when request {@code id} is answered; forgotten once completed or cancelled. */
  CompletableFuture<Void> waitFor(String id) {
    CompletableFuture<Void> waiter = new CompletableFuture<>();
    waiters.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(waiter);
    waiter.whenComplete((v, e) -> waiters.computeIfPresent(id, (k, set) -> {
      set.remove(waiter);
      return set.isEmpty() ? null : set;
    }));
    return waiter;
  }

  /** Whether a call still waits for the answer to request {@code id}. */
  boolean awaited(String id) {
    return waiters.containsKey(id);
  }

  /** Completes every stage waiting for request {@code id}. Outside the queue's lock. */
  void wake(String id) {
    Set<CompletableFuture<Void>> waiting = waiters.remove(id);
    if (waiting != null) {
      for (CompletableFuture<Void> waiter : waiting) {
        waiter.complete(null);
      }
    }
  }
}
