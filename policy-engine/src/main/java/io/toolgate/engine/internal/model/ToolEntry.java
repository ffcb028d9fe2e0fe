package io.toolgate.engine.internal.model;

import java.util.List;
import java.util.Objects;

/**
 * One validated entry of a {@code tools} map, top level or in a grant.
 *
 * @param key the tool name or glob, exactly as written
 * @param pointer JSON Pointer of the entry, e.g. {@code /tools/create_compile} or {@code
 *     /grants/ci-bot/tools/backtest_*}
 * @param action what the entry does
 * @param reason the text the agent sees when this entry denies or holds a call, or {@code null}
 * @param arguments the arguments schema, or {@code null}
 * @param conditions conditions that must all hold (allow and require_approval entries only)
 * @param when clauses that must all hold for the entry to apply (deny and require_approval only)
 * @param limits the entry's limits, {@code rate_limit} shorthand included (allow and
 *     require_approval only)
 * @param waitMillis how long a held call waits for an answer ({@code wait}, require_approval
 *     entries only), or 0 when it does not wait
 */
public record ToolEntry(
    String key,
    String pointer,
    Action action,
    String reason,
    ArgumentSchema arguments,
    List<Condition> conditions,
    List<Condition> when,
    List<Limit> limits,
    long waitMillis) {
  public ToolEntry {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(pointer, "pointer");
    Objects.requireNonNull(action, "action");
    conditions = List.copyOf(conditions);
    when = List.copyOf(when);
    limits = List.copyOf(limits);
    if (waitMillis < 0) {
      throw new IllegalArgumentException("waitMillis < 0");
    }
  }
}
