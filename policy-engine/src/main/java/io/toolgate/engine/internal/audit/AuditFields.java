package io.toolgate.engine.internal.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.api.AuditEvent;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.internal.CanonicalJson;
import java.util.Locale;

/**
 * The event values both built-in sinks write, computed one way; the decision's own fields are
 * {@link io.toolgate.engine.audit.DecisionFields}.
 */
public final class AuditFields {
  private AuditFields() {}

  /** {@code evaluated}, {@code not_run}, {@code succeeded} or {@code failed}. */
  public static String outcome(AuditEvent.Outcome outcome) {
    return outcome.name().toLowerCase(Locale.ROOT);
  }

  /**
   * A call's arguments as the audit sees them: the tree and its digest, or why there are none.
   * Exactly one of {@code digest} and {@code error} is non-null.
   *
   * @param tree the arguments, or {@code null} when they could not be read
   * @param digest {@link CanonicalJson#sha256Hex} of the arguments
   * @param error why the arguments could not be read; names the failure's class, never its
   *     message (which could quote an argument)
   */
  public record Arguments(JsonNode tree, String digest, String error) {

    /** Reads {@code call}'s arguments, never throwing. */
    public static Arguments of(ToolCall call) {
      try {
        JsonNode tree = call.arguments();
        return new Arguments(tree, CanonicalJson.sha256Hex(tree), null);
      } catch (RuntimeException | StackOverflowError e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        return new Arguments(null, null, "arguments could not be converted to JSON (" + cause.getClass().getSimpleName() + ")");
      }
    }
  }
}
