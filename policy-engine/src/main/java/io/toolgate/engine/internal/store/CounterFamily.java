package io.toolgate.engine.internal.store;

import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterRequest.Algorithm;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every counter of one policy counter name, window and algorithm, keyed by scope value. What the
 * keys share (name, window, algorithm) is kept here once, so a live key costs its map entry, its
 * scope string and a small counter.
 */
public final class CounterFamily {
  final String counter;
  final long windowMillis;
  final Algorithm algorithm;
  /** The families' creation order: with the scope, a total order to lock several counters in. */
  final long order;
  final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  /**
   * The decision time of the latest sweep: a call with an earlier time that finds no counter may
   * have had one swept, so it is counted no earlier than this (the store's own "now").
   */
  volatile long sweptAt = Long.MIN_VALUE;
  /** When to look for idle counters again: once a window, as none turns idle faster. */
  volatile long nextSweepAt = Long.MIN_VALUE;

  CounterFamily(String counter, long windowMillis, Algorithm algorithm, long order) {
    this.counter = counter;
    this.windowMillis = windowMillis;
    this.algorithm = algorithm;
    this.order = order;
  }

  boolean serves(CounterRequest request) {
    return windowMillis == request.windowMillis() && algorithm == request.algorithm();
  }

  Counter newCounter() {
    return algorithm == Algorithm.FIXED ? new FixedWindowCounter() : new SlidingLogCounter();
  }
}
