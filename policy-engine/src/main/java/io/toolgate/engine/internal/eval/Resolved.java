package io.toolgate.engine.internal.eval;

import io.toolgate.engine.internal.model.Action;
import io.toolgate.engine.internal.model.ArgumentSchema;
import io.toolgate.engine.internal.model.Condition;
import io.toolgate.engine.internal.model.Limit;
import io.toolgate.engine.internal.model.PolicyPath;
import io.toolgate.engine.internal.model.Scope;
import io.toolgate.engine.internal.model.ToolEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Every entry that applies to one tool name for one set of grants, sorted into the order the
 * decision procedure reads them. Built once per (tool, grants) and reused for every call.
 * Entries are sorted top level first, then grants, each by pointer, so that the outcome and its
 * reason never depend on the order of keys in the file.
 */
final class Resolved {
  static final Comparator<ToolEntry> CANONICAL =
      Comparator.comparing((ToolEntry e) -> e.pointer().startsWith("/grants/"))
          .thenComparing(ToolEntry::pointer);

  final List<String> matched;
  final List<ToolEntry> denies;
  final boolean permitted;
  final List<ArgumentSchema> schemas;
  final List<Condition> conditions;
  final List<ToolEntry> approvals;
  final List<Limit> limits;
  final boolean anyLimitRefunds;
  /** Pointer of the first allow or require_approval entry: the rule an allowance names. */
  final String allowRule;
  /** The reason an allowance by {@link #allowRule} gives, worded once. */
  final String allowReason;
  /** The reasons a decision by {@code default} gives, worded once. */
  final String allowedByDefault;
  final String notPermitted;
  /** Whether nothing past step 3 reads the call: an allowance needs no more work. */
  final boolean unconditional;
  /**
   * Whether limits are all there is past step 3: the call is permitted, no rule but a limit
   * applies, and no limit reads the arguments (its scope and cost come from the context).
   */
  final boolean onlyLimits;

  Resolved(String tool, List<ToolEntry> entries) {
    List<ToolEntry> sorted = new ArrayList<>(entries);
    sorted.sort(CANONICAL);
    List<String> pointers = new ArrayList<>();
    List<ToolEntry> denyList = new ArrayList<>();
    List<ArgumentSchema> schemaList = new ArrayList<>();
    List<Condition> conditionList = new ArrayList<>();
    List<ToolEntry> approvalList = new ArrayList<>();
    List<Limit> limitList = new ArrayList<>();
    String firstPermit = null;
    for (ToolEntry e : sorted) {
      pointers.add(e.pointer());
      if (e.action() == Action.DENY) {
        denyList.add(e);
        continue;
      }
      if (firstPermit == null) {
        firstPermit = e.pointer();
      }
      if (e.arguments() != null) {
        schemaList.add(e.arguments());
      }
      conditionList.addAll(e.conditions());
      if (e.action() == Action.REQUIRE_APPROVAL) {
        approvalList.add(e);
      }
      limitList.addAll(e.limits());
    }
    this.matched = List.copyOf(pointers);
    this.denies = List.copyOf(denyList);
    this.permitted = firstPermit != null;
    this.allowRule = firstPermit;
    this.allowReason = firstPermit == null ? null : Reasons.allowed(tool, firstPermit);
    this.allowedByDefault = Reasons.allowedByDefault(tool);
    this.notPermitted = Reasons.notPermitted(tool);
    this.schemas = List.copyOf(schemaList);
    this.conditions = List.copyOf(conditionList);
    this.approvals = List.copyOf(approvalList);
    this.limits = List.copyOf(limitList);
    this.anyLimitRefunds = limitList.stream().anyMatch(Limit::refundOnError);
    this.unconditional =
        schemaList.isEmpty() && conditionList.isEmpty() && approvalList.isEmpty() && limitList.isEmpty();
    this.onlyLimits =
        permitted && denyList.isEmpty() && schemaList.isEmpty() && conditionList.isEmpty() && approvalList.isEmpty()
            && !limitList.isEmpty()
            && limitList.stream().noneMatch(l -> l.costFrom() != null || l.scope().kind() == Scope.Kind.ARGS);
  }

  /** Whether any rule of this plan reads the arguments (so they must be converted). */
  boolean readsArguments() {
    if (!schemas.isEmpty()) {
      return true;
    }
    for (ToolEntry e : denies) {
      if (e.when().stream().anyMatch(c -> c.path().root() == PolicyPath.Root.ARGS)) {
        return true;
      }
    }
    return conditions.stream().anyMatch(c -> c.path().root() == PolicyPath.Root.ARGS)
        || limits.stream()
            .anyMatch(l -> l.costFrom() != null || l.scope().kind() == Scope.Kind.ARGS);
  }
}
