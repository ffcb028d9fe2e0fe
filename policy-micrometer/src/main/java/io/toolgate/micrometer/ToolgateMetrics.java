package io.toolgate.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.toolgate.api.CallContext;
import io.toolgate.api.CallObservation;
import io.toolgate.api.CallObserver;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.PolicyWatcher;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.micrometer.internal.Meters;
import io.toolgate.micrometer.internal.ToolTable;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Every tool call an engine decides, as Micrometer metrics: a {@link CallObserver} for {@link
 * PolicyEngine.Builder#observe}, plus gauges of the policy in force, approvals and store refunds.
 *
 * <pre>{@code
 * ToolgateMetrics metrics = ToolgateMetrics.builder(registry).build();
 * PolicyEngine engine = PolicyEngine.builder(policy).observe(metrics).build();
 * metrics.bindTo(engine); // the policy in force: tool tags and the policy gauges
 * }</pre>
 *
 * <p>Meters (Prometheus names in brackets):
 *
 * <ul>
 *   <li>{@value #DECISIONS} [{@code toolgate_decisions_total}], a counter; tags {@code kind}
 *       ({@code allow}, {@code deny}, {@code rate_limited}, {@code approval_required}), {@code
 *       tool} and {@code rule}, the kind of rule that decided ({@code entry}, {@code limit}, {@code
 *       condition}, {@code arguments}, {@code default}, {@code hide}, {@code store}, {@code
 *       fail-open}, {@code error}, {@code session}, {@code other});
 *   <li>{@value #CALL_DURATION} [{@code toolgate_call_duration_seconds}], a timer of the tool's
 *       run; tags {@code tool} and {@code outcome} ({@code succeeded}, {@code failed}, {@code
 *       not_run} with a duration of 0); calls only evaluated are not timed;
 *   <li>{@value #STORE_DURATION} [{@code toolgate_store_duration_seconds}], a timer, and {@value
 *       #STORE_FAILURES} [{@code toolgate_store_failures_total}], a counter; tags {@code store} (the
 *       store's class name) and {@code operation} ({@code reserve}, {@code commit}, {@code refund});
 *   <li>gauges {@value #POLICY_DIGEST}, {@value #POLICY_LOAD_TIME} (epoch seconds), and, when
 *       configured, {@value #APPROVALS_PENDING}, {@value #REFUNDS_PENDING} and {@value
 *       #REFUNDS_LOST}; counter {@value #POLICY_RELOADS} with tag {@code result} ({@code
 *       succeeded}, {@code failed}), counted by the {@link #reloadListener() reload listener}.
 * </ul>
 *
 * <p>The {@code tool} tag is the call's tool name only when the policy in force names it, as a key
 * of {@code tools} (top level or in a grant) or in {@code hide}, or when one of its globs matches
 * it; any other name is {@code other}, so an agent cannot create series by inventing names. A glob
 * matches unboundedly many names: at most {@link Builder#maxGlobbedTools} distinct glob-matched
 * names get a tag of their own, later ones are {@code other}. Until {@link #bindTo} names the
 * engine, every call is {@code other}.
 *
 * <p>On the decision path nothing is allocated: each tool tag's meters are registered once, the
 * first time they are needed, and found per call in tables keyed by the call's own tool name.
 * Thread-safe.
 */
public final class ToolgateMetrics implements CallObserver {
  /** Counter of decisions. */
  public static final String DECISIONS = Meters.DECISIONS;
  /** Timer of the tools' runs. */
  public static final String CALL_DURATION = Meters.CALL_DURATION;
  /** Timer of the counter store's calls. */
  public static final String STORE_DURATION = Meters.STORE_DURATION;
  /** Counter of the counter store's failed calls. */
  public static final String STORE_FAILURES = Meters.STORE_FAILURES;
  /** Gauge: the first 12 hex digits of the policy's {@link Policy#digest()}, as a number. */
  public static final String POLICY_DIGEST = "toolgate.policy.digest";
  /** Gauge: when the policy in force was loaded, in seconds since the epoch. */
  public static final String POLICY_LOAD_TIME = "toolgate.policy.load.time";
  /** Counter of policy reloads, by {@code result}. */
  public static final String POLICY_RELOADS = "toolgate.policy.reloads";
  /** Gauge: approval requests waiting for a person. */
  public static final String APPROVALS_PENDING = "toolgate.approvals.pending";
  /** Gauge: refunds a remote store still has to apply (Redis: {@code RedisCounterStore.pendingRefunds()}). */
  public static final String REFUNDS_PENDING = "toolgate.store.refunds.pending";
  /** Gauge: refunds a remote store gave up (Redis: {@code RedisCounterStore.lostRefunds()}). */
  public static final String REFUNDS_LOST = "toolgate.store.refunds.lost";

  private static final Supplier<Policy> UNBOUND = () -> null;

  private final Meters meters;
  private final ToolTable tools;
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, StoreMeters>> stores = new ConcurrentHashMap<>();
  private final Counter reloadsSucceeded;
  private final Counter reloadsFailed;
  private volatile Supplier<Policy> policy = UNBOUND;

  private ToolgateMetrics(Builder b) {
    this.meters = new Meters(b.registry, b.percentiles, b.histogram);
    this.tools = new ToolTable(meters, b.maxGlobbedTools);
    MeterRegistry registry = b.registry;
    this.reloadsSucceeded = reloads(registry, "succeeded");
    this.reloadsFailed = reloads(registry, "failed");
    Gauge.builder(POLICY_DIGEST, this, ToolgateMetrics::digest)
        .description("The first 12 hex digits of the SHA-256 of the policy in force, as a number")
        .strongReference(true)
        .register(registry);
    Gauge.builder(POLICY_LOAD_TIME, this, ToolgateMetrics::loadTime)
        .description("When the policy in force was loaded, in seconds since the epoch")
        .baseUnit("seconds")
        .strongReference(true)
        .register(registry);
    gauge(registry, APPROVALS_PENDING, b.approvalsPending, "Approval requests waiting for a person");
    gauge(registry, REFUNDS_PENDING, b.refundsPending, "Refunds the counter store has still to apply");
    gauge(registry, REFUNDS_LOST, b.refundsLost, "Refunds the counter store gave up");
  }

  /** A builder registering in {@code registry}. */
  public static Builder builder(MeterRegistry registry) {
    return new Builder(registry);
  }

  /**
   * Reads the policy in force from {@code engine} from now on: the {@code tool} tags follow its
   * reloads, and the policy gauges report it. Call it once the engine is built.
   *
   * @return this
   */
  public ToolgateMetrics bindTo(PolicyEngine engine) {
    Objects.requireNonNull(engine, "engine");
    this.policy = engine::policy;
    return this;
  }

  /** A {@link PolicyWatcher.Listener} that counts reloads in {@value #POLICY_RELOADS}. */
  public PolicyWatcher.Listener reloadListener() {
    return reloadListener(new PolicyWatcher.Listener() {});
  }

  /** A {@link PolicyWatcher.Listener} that counts reloads, then tells {@code next}. */
  public PolicyWatcher.Listener reloadListener(PolicyWatcher.Listener next) {
    Objects.requireNonNull(next, "next");
    return new PolicyWatcher.Listener() {
      @Override
      public void reloaded(Path file, Policy loaded) {
        reloadsSucceeded.increment();
        next.reloaded(file, loaded);
      }

      @Override
      public void failed(Path file, RuntimeException error) {
        reloadsFailed.increment();
        next.failed(file, error);
      }
    };
  }

  @Override
  public CallObservation start(ToolCall call, CallContext context) {
    return tools.lookup(policy.get(), call.tool());
  }

  @Override
  public void storeCalled(String store, String operation, long nanos, Throwable failure) {
    ConcurrentHashMap<String, StoreMeters> byOperation = stores.get(store);
    if (byOperation == null) {
      byOperation = stores.computeIfAbsent(store, s -> new ConcurrentHashMap<>());
    }
    StoreMeters found = byOperation.get(operation);
    if (found == null) {
      found = byOperation.computeIfAbsent(operation,
          op -> new StoreMeters(meters.store(store, op), meters.storeFailures(store, op)));
    }
    found.duration.record(nanos, TimeUnit.NANOSECONDS);
    if (failure != null) {
      found.failures.increment();
    }
  }

  @Override
  public String toString() {
    return "ToolgateMetrics[" + meters.registry().getClass().getSimpleName() + "]";
  }

  private double digest() {
    Policy inForce = policy.get();
    return inForce == null ? Double.NaN : HexFormat.fromHexDigitsToLong(inForce.digest(), 0, 12);
  }

  private double loadTime() {
    Policy inForce = policy.get();
    return inForce == null ? Double.NaN : inForce.loadedAt().toEpochMilli() / 1000.0;
  }

  private static Counter reloads(MeterRegistry registry, String result) {
    return Counter.builder(POLICY_RELOADS)
        .description("Policy reloads by the policy watcher, by result")
        .tag("result", result)
        .register(registry);
  }

  private static void gauge(MeterRegistry registry, String name, LongSupplier value, String description) {
    if (value != null) {
      Gauge.builder(name, value, v -> v.getAsLong()).description(description).strongReference(true).register(registry);
    }
  }

  private record StoreMeters(Timer duration, Counter failures) {}

  /**
   * Configures the metrics. Defaults: no percentiles and no histogram on the timers, 100
   * glob-matched tool names with a tag of their own, no approval or refund gauges.
   */
  public static final class Builder {
    /** The {@linkplain #maxGlobbedTools glob-matched names} with a tag of their own unless set: 100. */
    public static final int DEFAULT_MAX_GLOBBED_TOOLS = 100;

    private final MeterRegistry registry;
    private double[] percentiles = new double[0];
    private boolean histogram;
    private int maxGlobbedTools = DEFAULT_MAX_GLOBBED_TOOLS;
    private LongSupplier approvalsPending;
    private LongSupplier refundsPending;
    private LongSupplier refundsLost;

    private Builder(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Client-side percentiles the timers publish, e.g. {@code 0.5, 0.95, 0.99}; default none.
     *
     * @throws IllegalArgumentException if one is not within [0, 1]
     */
    public Builder percentiles(double... percentiles) {
      for (double p : percentiles) {
        if (!(p >= 0 && p <= 1)) {
          throw new IllegalArgumentException("a percentile must be within [0, 1], was " + p);
        }
      }
      this.percentiles = percentiles.clone();
      return this;
    }

    /**
     * Whether the timers publish a percentile histogram (for Prometheus, {@code _bucket} series
     * that {@code histogram_quantile} reads, as the shipped Grafana dashboard does); default false.
     */
    public Builder histogram(boolean histogram) {
      this.histogram = histogram;
      return this;
    }

    /**
     * How many distinct tool names that only a glob of the policy matches get a {@code tool} tag
     * of their own; later ones are tagged {@code other}. Default {@link #DEFAULT_MAX_GLOBBED_TOOLS}.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder maxGlobbedTools(int max) {
      if (max < 0) {
        throw new IllegalArgumentException("maxGlobbedTools must be >= 0, was " + max);
      }
      this.maxGlobbedTools = max;
      return this;
    }

    /** Reports {@value #APPROVALS_PENDING} from {@code pending}, read at each scrape. */
    public Builder approvalsPending(LongSupplier pending) {
      this.approvalsPending = Objects.requireNonNull(pending, "pending");
      return this;
    }

    /** Reports {@value #APPROVALS_PENDING} as the number of requests pending in {@code queue}. */
    public Builder approvalsPending(InMemoryApprovalQueue queue) {
      Objects.requireNonNull(queue, "queue");
      return approvalsPending(() -> queue.pending().size());
    }

    /** Reports {@value #REFUNDS_PENDING} from {@code pending}, e.g. {@code redisStore::refundsPending}. */
    public Builder refundsPending(LongSupplier pending) {
      this.refundsPending = Objects.requireNonNull(pending, "pending");
      return this;
    }

    /** Reports {@value #REFUNDS_LOST} from {@code lost}, e.g. {@code redisStore::refundsLost}. */
    public Builder refundsLost(LongSupplier lost) {
      this.refundsLost = Objects.requireNonNull(lost, "lost");
      return this;
    }

    /** The metrics; the meters that need no call to exist (gauges, reload counters) are registered now. */
    public ToolgateMetrics build() {
      return new ToolgateMetrics(this);
    }
  }
}
