package io.toolgate.engine;

import java.util.Objects;

/**
 * One problem found while loading a policy, located like a compiler diagnostic.
 *
 * @param source the file or resource name, or {@code null} for text given directly
 * @param pointer JSON Pointer of the offending value or key ({@code ""} for the whole document)
 * @param line 1-based line in the source, or 0 when unknown
 * @param column 1-based column in the source, or 0 when unknown
 * @param message what is wrong and what was expected
 */
public record PolicyProblem(String source, String pointer, int line, int column, String message) {
  public PolicyProblem {
    Objects.requireNonNull(pointer, "pointer");
    Objects.requireNonNull(message, "message");
  }

  /**
   * The problem as one line: {@code /tools/x/limits/0/window (line 7, col 19): "minit" is not a
   * window; expected ...}, prefixed with the source when there is one.
   */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    if (source != null) {
      out.append(source).append(": ");
    }
    out.append(pointer.isEmpty() ? "(document)" : pointer);
    if (line > 0) {
      out.append(" (line ").append(line).append(", col ").append(column).append(')');
    }
    return out.append(": ").append(message).toString();
  }
}
