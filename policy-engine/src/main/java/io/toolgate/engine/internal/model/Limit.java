package io.toolgate.engine.internal.model;

import io.toolgate.api.CounterRequest.Algorithm;
import java.util.Objects;

/**
 * One validated limit (a {@code limits} element, or the {@code rate_limit} shorthand expanded).
 *
 * @param pointer JSON Pointer of the limit, e.g. {@code /tools/create_compile/limits/0} or
 *     {@code /tools/x/rate_limit}
 * @param counter the counter's name: the {@code counter} key, else {@link #pointer()}
 * @param maxMillionths the max in {@linkplain Millionths millionths}: between 0 and {@link
 *     io.toolgate.api.CounterRequest#MAX_MILLIONTHS}
 * @param windowMillis at least 1000
 * @param scope how the counter is keyed
 * @param algorithm fixed or sliding
 * @param costMillionths the fixed cost in millionths (one unit unless given); ignored when {@link
 *     #costFrom()} is set
 * @param costFrom the argument path the cost is read from, or {@code null}
 * @param refundOnError whether a failed tool gives its cost back
 */
public record Limit(
    String pointer,
    String counter,
    long maxMillionths,
    long windowMillis,
    Scope scope,
    Algorithm algorithm,
    long costMillionths,
    PolicyPath costFrom,
    boolean refundOnError) {
  public Limit {
    Objects.requireNonNull(pointer, "pointer");
    Objects.requireNonNull(counter, "counter");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(algorithm, "algorithm");
  }
}
