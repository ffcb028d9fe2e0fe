package io.toolgate.engine.approval;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory queue's listeners and its bounded history of answers. The history is not
 * thread-safe (the queue calls it under its lock); listeners are told outside it.
 */
final class ApprovalEvents {
  private static final System.Logger LOG = System.getLogger(InMemoryApprovalQueue.class.getName());

  private final List<ApprovalQueue.Listener> listeners = new CopyOnWriteArrayList<>();
  private final int maximumHistory;
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
}
