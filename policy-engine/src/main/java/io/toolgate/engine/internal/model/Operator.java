package io.toolgate.engine.internal.model;

/** A condition's operator, as the policy file spells it. */
public enum Operator {
  EQ("eq"),
  NEQ("neq"),
  IN("in"),
  NOT_IN("not_in"),
  LT("lt"),
  LTE("lte"),
  GT("gt"),
  GTE("gte"),
  REGEX("regex"),
  NOT_REGEX("not_regex"),
  CONTAINS("contains"),
  NOT_CONTAINS("not_contains"),
  EXISTS("exists"),
  STARTS_WITH("starts_with"),
  ENDS_WITH("ends_with");

  private final String text;

  Operator(String text) {
    this.text = text;
  }

  public String text() {
    return text;
  }

  /** The operator spelt {@code text}, or {@code null}. */
  public static Operator parse(String text) {
    for (Operator o : values()) {
      if (o.text.equals(text)) {
        return o;
      }
    }
    return null;
  }
}
