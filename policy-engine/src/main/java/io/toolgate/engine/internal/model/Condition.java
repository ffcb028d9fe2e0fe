package io.toolgate.engine.internal.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Pattern;
import java.util.Objects;

/**
 * One validated condition (or {@code when} clause).
 *
 * @param pointer JSON Pointer of the condition in the document, e.g. {@code
 *     /tools/create_charge/conditions/0}
 * @param path what it reads
 * @param op how it compares
 * @param value the value it compares with; already checked to fit the operator
 * @param regex the compiled RE2/J pattern for {@code regex} and {@code not_regex}, else {@code
 *     null}
 * @param reason the policy's reason text, or {@code null}
 */
public record Condition(
    String pointer, PolicyPath path, Operator op, JsonNode value, Pattern regex, String reason) {
  public Condition {
    Objects.requireNonNull(pointer, "pointer");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(value, "value");
  }

  /** How a failure of this condition is named: its reason, else path, operator and value. */
  public String describe() {
    return reason != null ? reason : path.text() + " " + op.text() + " " + value;
  }
}
