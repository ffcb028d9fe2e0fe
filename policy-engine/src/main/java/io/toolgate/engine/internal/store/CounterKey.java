package io.toolgate.engine.internal.store;

import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterRequest.Algorithm;

/** What identifies one stored count: the parts of a {@link CounterRequest} that are not per call. */
public record CounterKey(String counter, String scope, long windowMillis, Algorithm algorithm) {

  public static CounterKey of(CounterRequest request) {
    return new CounterKey(request.counter(), request.scope(), request.windowMillis(), request.algorithm());
  }
}
