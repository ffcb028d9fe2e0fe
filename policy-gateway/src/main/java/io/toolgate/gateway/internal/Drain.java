package io.toolgate.gateway.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A relay's drain on shutdown: whether it has begun (new requests are then refused), and when the
 * last request in flight was answered. The relay keeps its requests waiting for the server itself;
 * here it counts its tool calls from the decision to the answer, which may not be waiting for the
 * server at the moment (being decided, or being settled and audited).
 */
final class Drain {
  /** What a request gets once the drain has begun. */
  static final String REFUSAL = "the gateway is shutting down; no new requests are taken";

  private final AtomicInteger calls = new AtomicInteger();
  private volatile CompletableFuture<Void> done;

  /** Whether new requests are refused. */
  boolean begun() {
    return done != null;
  }

  /** Begins (once); the future completes when {@link #left} finds nothing in flight. */
  synchronized CompletableFuture<Void> begin() {
    if (done == null) {
      done = new CompletableFuture<>();
    }
    return done;
  }

  void callStarted() {
    calls.incrementAndGet();
  }

  void callEnded() {
    calls.decrementAndGet();
  }

  /** A request was answered; {@code nonePending}: the relay waits for no other. */
  void left(boolean nonePending) {
    CompletableFuture<Void> drained = done;
    if (drained != null && nonePending && calls.get() == 0) {
      drained.complete(null);
    }
  }
}
