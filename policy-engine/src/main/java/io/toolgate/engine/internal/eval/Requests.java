package io.toolgate.engine.internal.eval;

import io.toolgate.api.CounterRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The counters of one decision: a request per limit, and the distinct counters the store is asked
 * for. Limits that name one counter (same name, scope, window and algorithm) become one request
 * with their summed cost, as the {@link io.toolgate.api.CounterStore} contract promises stores.
 */
final class Requests {
  /** One request per limit of the plan, in the plan's order. */
  final List<CounterRequest> perLimit;
  /** What the store is asked for: no two requests address the same counter. */
  final List<CounterRequest> distinct;
  /** For each distinct request, the first limit it stands for; {@code null} when one per limit. */
  private final int[] firstLimit;
  /** The first limit whose counter's summed cost exceeds its max (it could never pass), or -1. */
  final int neverFits;

  private Requests(List<CounterRequest> perLimit, List<CounterRequest> distinct, int[] firstLimit, int neverFits) {
    this.perLimit = perLimit;
    this.distinct = distinct;
    this.firstLimit = firstLimit;
    this.neverFits = neverFits;
  }

  /** A single limit's request: nothing to merge. */
  static Requests one(CounterRequest request) {
    List<CounterRequest> list = Collections.singletonList(request);
    return new Requests(list, list, null, -1);
  }

  /** The requests of several limits, merged per counter. */
  static Requests of(List<CounterRequest> perLimit) {
    int n = perLimit.size();
    int[] first = new int[n];
    long[] costs = new long[n];
    int size = 0;
    for (int i = 0; i < n; i++) {
      CounterRequest request = perLimit.get(i);
      int slot = slotOf(perLimit, first, size, request);
      if (slot < 0) {
        slot = size++;
        first[slot] = i;
      }
      costs[slot] += request.costMillionths(); // each at most 10^15: no overflow for any plan
    }
    if (size == n) {
      return new Requests(perLimit, perLimit, null, -1);
    }
    List<CounterRequest> distinct = new ArrayList<>(size);
    int neverFits = -1;
    for (int slot = 0; slot < size; slot++) {
      CounterRequest r = perLimit.get(first[slot]);
      if (costs[slot] > r.maxMillionths()) {
        neverFits = neverFits < 0 ? first[slot] : neverFits;
        continue;
      }
      distinct.add(costs[slot] == r.costMillionths() ? r : withCost(r, costs[slot]));
    }
    return new Requests(perLimit, List.copyOf(distinct), first, neverFits);
  }

  /** The limit that the store's {@code index} into {@link #distinct} stands for (the first, if several). */
  int limitOf(int index) {
    return firstLimit == null ? index : firstLimit[index];
  }

  /** {@code requests} with those addressing one counter merged into one with the summed cost. */
  static List<CounterRequest> merged(List<CounterRequest> requests) {
    return requests.size() < 2 ? requests : of(requests).distinct;
  }

  private static int slotOf(List<CounterRequest> perLimit, int[] first, int size, CounterRequest request) {
    for (int slot = 0; slot < size; slot++) {
      if (perLimit.get(first[slot]).sameCounter(request)) {
        return slot;
      }
    }
    return -1;
  }

  private static CounterRequest withCost(CounterRequest r, long cost) {
    return new CounterRequest(r.counter(), r.scopeKind(), r.scopeValue(), r.windowMillis(), r.algorithm(), r.maxMillionths(), cost);
  }

  @Override
  public String toString() {
    return distinct.toString();
  }
}
