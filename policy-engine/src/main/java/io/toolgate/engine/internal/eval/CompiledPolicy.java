package io.toolgate.engine.internal.eval;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.toolgate.engine.internal.model.Glob;
import io.toolgate.engine.internal.model.Grant;
import io.toolgate.engine.internal.model.HideRule;
import io.toolgate.engine.internal.model.PolicyModel;
import io.toolgate.engine.internal.model.ToolEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A policy compiled for deciding: per tool name a {@link ToolPlan}, computed once. Names that
 * some key or hide rule names exactly are planned up front in an immutable map; any other name
 * (matched by globs, or by nothing) is planned on first use and kept in a cache bounded in
 * characters, so an agent inventing names cannot grow memory without bound: a name longer than
 * {@link #MAX_CACHED_NAME_CHARS} is planned on every call and never kept, and the cache holds
 * names and plans weighing at most {@link #MAX_CACHE_WEIGHT} characters (each name weighs its
 * length plus {@link #PLAN_WEIGHT} for its plan), least recently used out first.
 */
public final class CompiledPolicy {
  /** Longest unknown or glob-matched name whose plan is kept. */
  static final int MAX_CACHED_NAME_CHARS = 1024;
  /** What a cached plan weighs besides its name, in characters: its objects and reasons. */
  static final int PLAN_WEIGHT = 128;
  /** Most characters (names plus {@link #PLAN_WEIGHT} each) the cache of other names holds. */
  static final long MAX_CACHE_WEIGHT = 2_560_000;

  private final PolicyModel model;
  private final List<Keyed<HideRule>> hideRules = new ArrayList<>();
  private final List<Keyed<ToolEntry>> topEntries = new ArrayList<>();
  private final Map<String, List<Keyed<ToolEntry>>> grantEntries = new LinkedHashMap<>();
  private final Map<String, ToolPlan> exactPlans;
  private final Cache<String, ToolPlan> otherPlans =
      Caffeine.newBuilder()
          .maximumWeight(MAX_CACHE_WEIGHT)
          .<String, ToolPlan>weigher((name, plan) -> name.length() + PLAN_WEIGHT)
          .executor(Runnable::run)
          .build();
  private final Function<String, ToolPlan> planner = this::plan;

  public CompiledPolicy(PolicyModel model) {
    this.model = model;
    for (HideRule rule : model.hide()) {
      hideRules.add(new Keyed<>(rule.pattern(), rule));
    }
    for (ToolEntry entry : model.tools()) {
      topEntries.add(new Keyed<>(entry.key(), entry));
    }
    for (Grant grant : model.grants()) {
      List<Keyed<ToolEntry>> entries = grantEntries.computeIfAbsent(grant.key(), k -> new ArrayList<>());
      for (ToolEntry entry : grant.tools()) {
        entries.add(new Keyed<>(entry.key(), entry));
      }
    }
    Map<String, ToolPlan> exact = new HashMap<>();
    for (Keyed<HideRule> k : hideRules) {
      k.exactName().ifPresent(name -> exact.computeIfAbsent(name, this::plan));
    }
    for (Keyed<ToolEntry> k : topEntries) {
      k.exactName().ifPresent(name -> exact.computeIfAbsent(name, this::plan));
    }
    for (List<Keyed<ToolEntry>> entries : grantEntries.values()) {
      for (Keyed<ToolEntry> k : entries) {
        k.exactName().ifPresent(name -> exact.computeIfAbsent(name, this::plan));
      }
    }
    // A HashMap even for one name: Map.copyOf would pick a shape per size, and a lookup would cost
    // less for a one-entry policy than for a large one.
    this.exactPlans = exact;
  }

  public PolicyModel model() {
    return model;
  }

  /** Whether {@code default} is allow. */
  boolean defaultAllow() {
    return model.defaultAllow();
  }

  /** The plan for {@code tool}: a map lookup for any name seen before. */
  ToolPlan planFor(String tool) {
    ToolPlan plan = exactPlans.get(tool);
    if (plan != null) {
      return plan;
    }
    if (tool.length() > MAX_CACHED_NAME_CHARS) {
      return plan(tool); // planning is linear in the name; keeping it would not be bounded
    }
    plan = otherPlans.getIfPresent(tool);
    return plan != null ? plan : otherPlans.get(tool, planner);
  }

  /** The characters of the names the cache of other names holds now (for tests). */
  long cachedNameChars() {
    otherPlans.cleanUp();
    long chars = 0;
    for (String name : otherPlans.asMap().keySet()) {
      chars += name.length();
    }
    return chars;
  }

  /**
   * Whether {@code tool} belongs in {@code context}'s tool list: not hidden, not denied by a deny
   * entry without {@code when}, and permitted by an entry or by {@code default: allow}.
   */
  public boolean lists(String tool, io.toolgate.api.CallContext context) {
    ToolPlan plan = planFor(tool);
    if (plan.hiddenBy != null) {
      return false;
    }
    Resolved resolved = plan.resolve(context);
    for (ToolEntry deny : resolved.denies) {
      if (deny.when().isEmpty()) {
        return false;
      }
    }
    return resolved.permitted || model.defaultAllow();
  }

  private ToolPlan plan(String tool) {
    HideRule hiddenBy = null;
    for (Keyed<HideRule> k : hideRules) {
      if (k.matches(tool)) {
        hiddenBy = k.value;
        break;
      }
    }
    List<ToolEntry> top = new ArrayList<>();
    for (Keyed<ToolEntry> k : topEntries) {
      if (k.matches(tool)) {
        top.add(k.value);
      }
    }
    Map<String, List<ToolEntry>> grants = new HashMap<>();
    grantEntries.forEach(
        (grant, entries) -> {
          for (Keyed<ToolEntry> k : entries) {
            if (k.matches(tool)) {
              grants.computeIfAbsent(grant, g -> new ArrayList<>()).add(k.value);
            }
          }
        });
    return new ToolPlan(tool, hiddenBy, top, grants);
  }

  /** A key (exact name or glob) with what it keys. */
  private static final class Keyed<T> {
    final String key;
    final Glob glob;
    final T value;

    Keyed(String key, T value) {
      this.key = key;
      this.glob = Glob.isGlob(key) ? Glob.compile(key) : null;
      this.value = value;
    }

    boolean matches(String tool) {
      return glob == null ? key.equals(tool) : glob.matches(tool);
    }

    java.util.Optional<String> exactName() {
      return glob == null ? java.util.Optional.of(key) : java.util.Optional.empty();
    }
  }
}
