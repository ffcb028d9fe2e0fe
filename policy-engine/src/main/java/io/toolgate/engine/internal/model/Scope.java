package io.toolgate.engine.internal.model;

/**
 * How a limit's counter is keyed.
 *
 * @param kind global, per grant (principal), per session or per argument value
 * @param argument for {@link Kind#ARGS}, the argument path; else {@code null}
 */
public record Scope(Kind kind, PolicyPath argument) {

  public static final Scope GLOBAL = new Scope(Kind.GLOBAL, null);
  public static final Scope GRANT = new Scope(Kind.GRANT, null);
  public static final Scope SESSION = new Scope(Kind.SESSION, null);

  /** The kinds of scope. */
  public enum Kind {
    GLOBAL,
    GRANT,
    SESSION,
    ARGS
  }

  /** The scope as the policy file spells it: global, grant, session or args.&lt;path&gt;. */
  public String text() {
    switch (kind) {
      case GLOBAL:
        return "global";
      case GRANT:
        return "grant";
      case SESSION:
        return "session";
      default:
        return argument.text();
    }
  }

  @Override
  public String toString() {
    return text();
  }
}
