package io.toolgate.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.util.concurrent.RateLimiter;
import io.github.bucket4j.Bucket;
import io.toolgate.api.CallContext;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.store.InMemoryCounterStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.openjdk.jol.info.GraphLayout;

/**
 * Bytes per live counter key, measured with JOL: the retained object graph of a store (or a
 * peer's map of limiters) holding 100,000 keys (or {@code -Dtoolgate.memory.keys}), minus that of the empty one, divided by
 * the number of keys. Everything reachable counts, key strings included. Not a JMH benchmark:
 * a size does not need timing. Writes a JSON object {@code {"toolgate": bytes, "bucket4j": ...}}.
 *
 * <p>Usage: {@code MemoryFootprint <out.json>}
 */
public final class MemoryFootprint {
  static final int KEYS = Integer.getInteger("toolgate.memory.keys", 100_000);

  private MemoryFootprint() {}

  public static void main(String[] args) throws Exception {
    String[] principals = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      principals[i] = String.format("agent-%05d", i);
    }
    ObjectNode out = new ObjectMapper().createObjectNode();
    out.put("keys", KEYS);
    out.put("toolgate", toolgate(principals));
    out.put("bucket4j", perKey(principals, k -> Peers.bucket4j()));
    out.put("guava", perKey(principals, k -> Peers.guava()));
    out.put("resilience4j", perKey(principals, Peers::resilience4j));
    String json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(out);
    if (args.length > 0) {
      Files.writeString(Path.of(args[0]), json);
    }
    System.out.println(json);
  }

  /** The in-memory store after the seed policy admitted one call from each principal. */
  static double toolgate(String[] principals) {
    InMemoryCounterStore store = InMemoryCounterStore.create();
    PolicyEngine engine = PolicyEngine.builder(Policies.parse(Policies.SEED)).counterStore(store).build();
    ToolCall call = ToolCall.of("create_compile");
    // One key first, so the empty measure includes the store's fixed structures once used.
    Checks.allowed(engine.evaluate(call, CallContext.of("warm-up")));
    long empty = GraphLayout.parseInstance(store).totalSize();
    for (String principal : principals) {
      Checks.allowed(engine.evaluate(call, CallContext.of(principal)));
    }
    Checks.isTrue(store.keyCount() == principals.length + 1, "one key per principal");
    long full = GraphLayout.parseInstance(store).totalSize();
    return round((full - empty) / (double) principals.length);
  }

  /** A pre-sized map of one peer limiter per principal, each used once. */
  static <T> double perKey(String[] principals, Function<String, T> limiter) {
    ConcurrentHashMap<String, T> map = new ConcurrentHashMap<>(2 * principals.length);
    long empty = GraphLayout.parseInstance(map).totalSize();
    for (String principal : principals) {
      T value = map.computeIfAbsent(principal, limiter);
      if (value instanceof Bucket) {
        ((Bucket) value).tryConsume(1);
      } else if (value instanceof RateLimiter) {
        ((RateLimiter) value).tryAcquire();
      } else {
        ((io.github.resilience4j.ratelimiter.RateLimiter) value).acquirePermission();
      }
    }
    long full = GraphLayout.parseInstance(map).totalSize();
    return round((full - empty) / (double) principals.length);
  }

  private static double round(double bytes) {
    return Math.round(bytes * 10) / 10.0;
  }
}
