package io.toolgate.benchmarks.report;

import java.util.List;

/**
 * The goals of the benchmark suite, in table order. A row that JMH measured and this list does
 * not name still appears (after these), compared with its fastest peer if it has any: a new
 * benchmark class needs no change here unless it has a goal.
 */
final class Goals {
  private Goals() {}

  /** Peers that find their limiter per call, as a per-grant limit does. */
  static final String LOOKUP = ".*(Map|Caffeine)";

  /** Peers whose limiters live in a bounded (Caffeine) cache, as Toolgate's counters do. */
  static final String BOUNDED = ".*Caffeine";

  /** Peers whose limiters live in an unbounded {@code ConcurrentHashMap}. */
  static final String BARE_MAP = ".*Map";

  /** The rate limiters on Redis beside Toolgate's Redis store. */
  static final String REDIS_LIMITERS = "bucket4jLettuce|redisson";

  static final List<Goal> ALL =
      List.of(
          Goal.atMost("PlainAllow", "plain allow (exact name, no counters, no conditions)", 50),
          Goal.vsBestOf("RateLimitOneKey", "one rate limit, one key, 1 thread (vs the fastest peer looking its limiter up)", LOOKUP, 1.0),
          Goal.vsBestOf("RateLimitOneKey/2threads", "one rate limit, one key, 2 threads (vs the fastest peer looking its limiter up)", LOOKUP, 1.0),
          Goal.vsBestOf("ManyKeys", "100k principals, Zipf, 1 thread (vs the best bounded peer: Caffeine)", BOUNDED, 0.8),
          Goal.vsBestOf("ManyKeys", "100k principals, Zipf, 1 thread (vs the best bare-map peer)", BARE_MAP, 1.1),
          Goal.vsBestOf("ManyKeys/2threads", "100k principals, Zipf, 2 threads (vs the best bounded peer: Caffeine)", BOUNDED, 0.8),
          Goal.vsBestOf("ManyKeys/2threads", "100k principals, Zipf, 2 threads (vs the best bare-map peer)", BARE_MAP, 1.1),
          Goal.vsPeer("Schema", "arguments schema, 6 properties, valid (vs Everit incl. conversion)", "everit", 1.5),
          Goal.vsRow("Schema/noschema", "tool without a schema, same 6 arguments (vs plain allow)", "Schema/plain", 1.1),
          Goal.vsRow("Schema/plain", "plain allow, no arguments (baseline)", "Schema/plain", Double.NaN),
          Goal.vsRow("PolicySize[entries=1,match=exact]", "policy of 1 entry, exact name (baseline)", "PolicySize[entries=1,match=exact]", Double.NaN),
          Goal.vsRow("PolicySize[entries=100,match=exact]", "policy of 100 entries, exact name", "PolicySize[entries=1,match=exact]", 1.2),
          Goal.vsRow("PolicySize[entries=10000,match=exact]", "policy of 10,000 entries, exact name", "PolicySize[entries=1,match=exact]", 1.2),
          Goal.vsRow("PolicySize[entries=1,match=glob]", "policy of 1 entry, glob (baseline)", "PolicySize[entries=1,match=glob]", Double.NaN),
          Goal.vsRow("PolicySize[entries=100,match=glob]", "policy of 100 entries, glob", "PolicySize[entries=1,match=glob]", 1.2),
          Goal.vsRow("PolicySize[entries=10000,match=glob]", "policy of 10,000 entries, glob", "PolicySize[entries=1,match=glob]", 1.2),
          Goal.vsRow("Interceptor/evaluate", "evaluate alone, seed policy (baseline)", "Interceptor/evaluate", Double.NaN),
          Goal.vsRow("Observer/plainAllow[observer=none]", "plain allow, engine with no observer (vs the PlainAllow row: no regression)", "PlainAllow", 1.1),
          Goal.overhead("Observer/seedAllow[observer=micrometer]", "one-limit decision with the Micrometer observer: added cost", "Observer/seedAllow[observer=none]", 50),
          Goal.overhead("Tracing/otelNoop[policy=seed]", "one-limit decision with the tracing observer on the no-op OpenTelemetry: added cost", "Tracing/noObserver[policy=seed]", 50),
          Goal.vsRow("Tracing/otelSdk[policy=seed]", "one-limit decision with the tracing observer on the SDK, spans dropped (vs no observer)", "Tracing/noObserver[policy=seed]", Double.NaN),
          Goal.vsRow("Interceptor/nanoTime", "one System.nanoTime read (baseline of the interceptor goal)", Goal.CLOCK_ROW, Double.NaN),
          Goal.overhead("Interceptor/call", "full interceptor: evaluate + no-op tool + commit + audit", "Interceptor/evaluate", 20),
          Goal.vsBestPeer("PolicyDecision", "policy decision by role (vs jCasbin, Cedar)", Double.NaN),
          Goal.vsPeer("RedisStore", "Redis store, sync, 1 thread (vs raw Lettuce sync EVALSHA)", "lettuce", 1.1),
          Goal.vsBestOf("RedisStore", "Redis store, sync, 1 thread (vs Bucket4j-Lettuce, Redisson)", REDIS_LIMITERS, 1.0),
          Goal.vsPeer("RedisStore/4threads", "Redis store, sync, 4 threads (vs raw Lettuce sync EVALSHA)", "lettuce", 1.1),
          Goal.vsBestOf("RedisStore/4threads", "Redis store, sync, 4 threads (vs Bucket4j-Lettuce, Redisson)", REDIS_LIMITERS, 1.0));

  /**
   * The memory row: bytes per live counter key, from {@code MemoryFootprint}. A stretch goal: shown
   * with the table, not required (Toolgate already holds a key in less than any peer).
   */
  static final Goal MEMORY = Goal.atMost("Memory", "bytes per live fixed-window counter key (JOL)", 150);
}
