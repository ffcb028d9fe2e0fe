package io.toolgate.engine.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.engine.internal.audit.Redaction;
import java.util.List;

/**
 * The audit's redaction of tool arguments, for anything that shows arguments to people (an approvals
 * inbox, a webhook): the value of every secret-looking key, at any depth, becomes {@value #REDACTED},
 * exactly as in the audit log with no extra fragments configured.
 */
public final class AuditRedaction {
  /** What a secret value is replaced with. */
  public static final String REDACTED = Redaction.REDACTED;

  private static final Redaction DEFAULT = Redaction.withExtraFragments(List.of());

  private AuditRedaction() {}

  /** A redacted copy of {@code arguments} ({@code null} stays {@code null}); the input is not modified. */
  public static JsonNode redact(JsonNode arguments) {
    return arguments == null ? null : DEFAULT.redact(arguments);
  }
}
