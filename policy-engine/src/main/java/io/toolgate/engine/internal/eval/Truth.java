package io.toolgate.engine.internal.eval;

/**
 * Three-valued truth of a comparison: it holds, it fails, or the value cannot be compared (NaN,
 * or a type the operator has no meaning for). {@link Conditions} says what each means where.
 */
enum Truth {
  TRUE,
  FALSE,
  UNKNOWN;

  static Truth of(boolean value) {
    return value ? TRUE : FALSE;
  }

  /** Negation: {@link #UNKNOWN} stays unknown, so a {@code not_*} operator never turns it into a pass. */
  Truth not() {
    return this == TRUE ? FALSE : this == FALSE ? TRUE : UNKNOWN;
  }
}
