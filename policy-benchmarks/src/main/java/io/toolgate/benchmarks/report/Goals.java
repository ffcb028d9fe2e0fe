package io.toolgate.benchmarks.report;

import java.util.List;

/**
 * The goals of the benchmark suite, in table order. A row that JMH measured and this list does
 * not name still appears (after these), compared with its fastest peer if it has any: a new
 * benchmark class needs no change here unless it has a goal.
 */
final class Goals {
  private Goals() {}

  static final List<Goal> ALL =
      List.of(
          Goal.atMost("PlainAllow", "plain allow (exact name, no counters, no conditions)", 50),
          Goal.vsPeer("RateLimitOneKey", "one rate limit, one key, 1 thread", "bucket4j", 1.0),
          Goal.vsPeer("RateLimitOneKey/2threads", "one rate limit, one key, 2 threads", "bucket4j", 1.0),
          Goal.vsBestPeer("ManyKeys", "100k principals, Zipf, 1 thread (peers: a map of limiters)", 0.5),
          Goal.vsBestPeer("ManyKeys/2threads", "100k principals, Zipf, 2 threads", 0.5),
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
          Goal.vsRow("Interceptor/call", "full interceptor: evaluate + no-op tool + commit + audit", "Interceptor/evaluate", 1.5),
          Goal.vsBestPeer("PolicyDecision", "policy decision by role (vs jCasbin, Cedar)", Double.NaN));

  /** The memory row: bytes per live counter key, from {@code MemoryFootprint}. */
  static final Goal MEMORY = Goal.atMost("Memory", "bytes per live fixed-window counter key (JOL)", 150);
}
