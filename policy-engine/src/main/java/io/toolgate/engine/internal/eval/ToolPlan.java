package io.toolgate.engine.internal.eval;

import io.toolgate.api.CallContext;
import io.toolgate.engine.internal.model.HideRule;
import io.toolgate.engine.internal.model.ToolEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything the policy says about one tool name, computed once: whether it is hidden, the
 * top-level entries, and per grant the grant's entries. {@link #resolve} picks the grants that
 * apply to a caller and returns the cached resolution for that combination.
 */
final class ToolPlan {
  final String tool;
  final HideRule hiddenBy;
  private final Resolved topLevel;
  private final List<ToolEntry> topEntries;
  private final Map<String, List<ToolEntry>> grantEntries;
  private final ConcurrentHashMap<String, Resolved> withGrants = new ConcurrentHashMap<>();

  ToolPlan(
      String tool,
      HideRule hiddenBy,
      List<ToolEntry> topEntries,
      Map<String, List<ToolEntry>> grantEntries) {
    this.tool = tool;
    this.hiddenBy = hiddenBy;
    this.topEntries = List.copyOf(topEntries);
    this.topLevel = new Resolved(tool, topEntries);
    this.grantEntries = Map.copyOf(grantEntries);
  }

  /** The resolution for a caller: top-level entries plus those of its principal's and roles' grants. */
  Resolved resolve(CallContext context) {
    if (grantEntries.isEmpty()) {
      return topLevel;
    }
    // Most callers match one grant: its key is the cache key, no set and no joined string.
    String first = null;
    TreeSet<String> keys = null;
    String principal = context.principal();
    if (principal != null && grantEntries.containsKey(principal)) {
      first = principal;
    }
    for (String role : context.roles()) {
      if (!grantEntries.containsKey(role) || role.equals(first)) {
        continue;
      }
      if (first == null) {
        first = role;
      } else {
        if (keys == null) {
          keys = new TreeSet<>();
          keys.add(first);
        }
        keys.add(role);
      }
    }
    if (first == null) {
      return topLevel;
    }
    String cacheKey = keys == null ? first : String.join("\u0000", keys);
    Resolved cached = withGrants.get(cacheKey);
    if (cached != null) {
      return cached;
    }
    List<ToolEntry> entries = new ArrayList<>(topEntries);
    for (String key : keys == null ? List.of(first) : keys) {
      entries.addAll(grantEntries.get(key));
    }
    return withGrants.computeIfAbsent(cacheKey, k -> new Resolved(tool, entries));
  }
}
