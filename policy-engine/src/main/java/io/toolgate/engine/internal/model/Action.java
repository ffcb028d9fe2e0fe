package io.toolgate.engine.internal.model;

/** What a tool entry does with a call whose name its key matches. */
public enum Action {
  ALLOW("allow"),
  DENY("deny"),
  REQUIRE_APPROVAL("require_approval");

  private final String text;

  Action(String text) {
    this.text = text;
  }

  /** The action as the policy file spells it. */
  public String text() {
    return text;
  }

  /** The action spelt {@code text}, or {@code null}. */
  public static Action parse(String text) {
    for (Action a : values()) {
      if (a.text.equals(text)) {
        return a;
      }
    }
    return null;
  }
}
