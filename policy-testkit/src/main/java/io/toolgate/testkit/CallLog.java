package io.toolgate.testkit;

import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.scenarios.TestEngine;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers, for each decision a {@link PolicyTester} returned, the call that led to it, so an
 * assertion on the decision alone can show the call in its failure message. Entries go away with
 * their decisions (weak keys, compared by identity).
 */
final class CallLog {
  private static final ReferenceQueue<Decision> QUEUE = new ReferenceQueue<>();
  private static final Map<Key, String> CALLS = new ConcurrentHashMap<>();

  private CallLog() {}

  static void remember(Decision decision, ToolCall call, CallContext context, Instant at, boolean toolFails) {
    expunge();
    CALLS.put(new Key(decision, QUEUE), TestEngine.describe(call, context, at, toolFails));
  }

  /** The call that led to {@code decision}, or {@code null} when no tester made it. */
  static String callOf(Decision decision) {
    return decision == null ? null : CALLS.get(new Key(decision, null));
  }

  private static void expunge() {
    for (Reference<? extends Decision> ref; (ref = QUEUE.poll()) != null; ) {
      CALLS.remove(ref);
    }
  }

  private static final class Key extends WeakReference<Decision> {
    private final int hash;

    Key(Decision decision, ReferenceQueue<Decision> queue) {
      super(decision, queue);
      this.hash = System.identityHashCode(decision);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object other) {
      if (this == other) {
        return true;
      }
      if (!(other instanceof Key key)) {
        return false;
      }
      Decision mine = get();
      return mine != null && mine == key.get();
    }
  }
}
