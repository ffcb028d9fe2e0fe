package io.toolgate.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.api.CounterRequest.Algorithm;
import io.toolgate.engine.internal.model.Condition;
import io.toolgate.engine.internal.model.PolicyModel;
import io.toolgate.engine.internal.model.ToolEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A read-only view of a loaded {@link Policy}: its default, hide list, tool entries and grants,
 * each with its key and JSON Pointer, as {@link Policy#view()} gives it. Lists keep the document's
 * order. Built once per policy; immutable.
 *
 * @param defaultAllow whether {@code default} is {@code allow}
 * @param description the description, or {@code null}
 * @param hide the {@code hide} elements
 * @param tools the top-level tool entries
 * @param grants the grants
 */
public record PolicyView(boolean defaultAllow, String description, List<Hide> hide, List<Entry> tools, List<Grant> grants) {

  public PolicyView {
    hide = List.copyOf(hide);
    tools = List.copyOf(tools);
    grants = List.copyOf(grants);
  }

  /** Every tool entry: the top-level ones, then each grant's, in document order. */
  public List<Entry> entries() {
    List<Entry> all = new ArrayList<>(tools);
    grants.forEach(g -> all.addAll(g.tools()));
    return List.copyOf(all);
  }

  /** What a tool entry does with a call whose name its key matches. */
  public enum Action {
    ALLOW,
    DENY,
    REQUIRE_APPROVAL
  }

  /**
   * One {@code hide} element.
   *
   * @param pattern a tool name or glob
   * @param pointer JSON Pointer of the element, e.g. {@code /hide/0}
   */
  public record Hide(String pattern, String pointer) {}

  /**
   * One grant.
   *
   * @param key the principal id or role the grant is for
   * @param pointer JSON Pointer of the grant, e.g. {@code /grants/ci-bot}
   * @param tools the grant's tool entries
   */
  public record Grant(String key, String pointer, List<Entry> tools) {
    public Grant {
      tools = List.copyOf(tools);
    }
  }

  /**
   * One entry of a {@code tools} map, top level or in a grant.
   *
   * @param key the tool name or glob, exactly as written
   * @param pointer JSON Pointer of the entry, e.g. {@code /tools/create_compile}
   * @param action what the entry does
   * @param reason the entry's reason text, or {@code null}
   * @param arguments the {@code arguments} schema, or {@code null}
   * @param conditions the entry's conditions
   * @param when the entry's {@code when} clauses
   * @param limits the entry's limits, the {@code rate_limit} shorthand expanded
   */
  public record Entry(
      String key,
      String pointer,
      Action action,
      String reason,
      Arguments arguments,
      List<Clause> conditions,
      List<Clause> when,
      List<Limit> limits) {
    public Entry {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(pointer, "pointer");
      Objects.requireNonNull(action, "action");
      conditions = List.copyOf(conditions);
      when = List.copyOf(when);
      limits = List.copyOf(limits);
    }
  }

  /**
   * An entry's {@code arguments} JSON Schema.
   *
   * @param pointer JSON Pointer of the schema, e.g. {@code /tools/create_compile/arguments}
   * @param schema the schema as written (each call of the accessor returns a copy)
   */
  public record Arguments(String pointer, JsonNode schema) {
    public Arguments {
      Objects.requireNonNull(pointer, "pointer");
      schema = schema.deepCopy();
    }

    @Override
    public JsonNode schema() {
      return schema.deepCopy();
    }
  }

  /**
   * One condition or {@code when} clause.
   *
   * @param pointer JSON Pointer of the clause, e.g. {@code /tools/create_charge/conditions/0}
   * @param path the path it reads, as written (e.g. {@code args.amount})
   * @param operator the operator as written (e.g. {@code lte})
   */
  public record Clause(String pointer, String path, String operator) {}

  /**
   * One limit.
   *
   * @param pointer JSON Pointer of the limit, e.g. {@code /tools/x/limits/0} or {@code
   *     /tools/x/rate_limit}
   * @param counter the counter's name: the {@code counter} key, else the pointer
   * @param maxMillionths the max in millionths of a unit (10.5 is 10_500_000)
   * @param window the window's length
   * @param scope {@code global}, {@code grant}, {@code session} or an argument path {@code
   *     args.<name>...}
   * @param algorithm fixed or sliding window
   * @param costMillionths a call's fixed cost in millionths (ignored when {@code costFrom} is set)
   * @param costFrom the argument path a call's cost is read from, or {@code null}
   * @param refundOnError whether a failed tool gives its cost back
   */
  public record Limit(
      String pointer,
      String counter,
      long maxMillionths,
      Duration window,
      String scope,
      Algorithm algorithm,
      long costMillionths,
      String costFrom,
      boolean refundOnError) {
    public Limit {
      Objects.requireNonNull(pointer, "pointer");
      Objects.requireNonNull(counter, "counter");
      Objects.requireNonNull(window, "window");
      Objects.requireNonNull(scope, "scope");
      Objects.requireNonNull(algorithm, "algorithm");
    }
  }

  /** The view of a validated model. */
  static PolicyView of(PolicyModel model) {
    return new PolicyView(
        model.defaultAllow(),
        model.description(),
        model.hide().stream().map(h -> new Hide(h.pattern(), h.pointer())).toList(),
        model.tools().stream().map(PolicyView::entry).toList(),
        model.grants().stream()
            .map(g -> new Grant(g.key(), g.pointer(), g.tools().stream().map(PolicyView::entry).toList()))
            .toList());
  }

  private static Entry entry(ToolEntry e) {
    Action action = switch (e.action()) {
      case ALLOW -> Action.ALLOW;
      case DENY -> Action.DENY;
      case REQUIRE_APPROVAL -> Action.REQUIRE_APPROVAL;
    };
    Arguments arguments = e.arguments() == null ? null : new Arguments(e.arguments().pointer(), e.arguments().source());
    List<Limit> limits = e.limits().stream()
        .map(l -> new Limit(l.pointer(), l.counter(), l.maxMillionths(), Duration.ofMillis(l.windowMillis()),
            l.scope().text(), l.algorithm(), l.costMillionths(), l.costFrom() == null ? null : l.costFrom().text(),
            l.refundOnError()))
        .toList();
    return new Entry(e.key(), e.pointer(), action, e.reason(), arguments, clauses(e.conditions()), clauses(e.when()), limits);
  }

  private static List<Clause> clauses(List<Condition> conditions) {
    return conditions.stream().map(c -> new Clause(c.pointer(), c.path().text(), c.op().text())).toList();
  }
}
