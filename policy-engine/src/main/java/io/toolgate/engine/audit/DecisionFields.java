package io.toolgate.engine.audit;

import io.toolgate.api.Decision;
import java.time.Duration;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * The one mapping from a {@link Decision} to named fields, used by both built-in audit sinks
 * ({@link JsonLinesAuditSink}, {@link Slf4jAuditSink}) and by the MCP adapter's refusals.
 *
 * <p>Names: the audit sinks use each field's {@link Field#key() key} (snake_case: {@code
 * decision}, {@code rule}, {@code reason}, {@code matched}, {@code retry_after_ms}, {@code
 * counter}, {@code approval_id}); the MCP refusal's {@code _meta} (and a JSON-RPC error's {@code
 * data}) uses each field's {@link Field#metaKey() metaKey}, camelCase as MCP's own fields are:
 * {@code kind}, {@code tool}, {@code rule}, {@code reason}, {@code retryAfterMillis}, {@code
 * counter}, {@code approvalId}, plus {@code retryAfterSeconds} ({@link #retryAfterSeconds},
 * rounded up), which only {@code _meta} carries.
 *
 * <p>Values: the decision's kind in lower case ({@link #kind}); a retry-after in whole
 * milliseconds ({@link #retryAfterMillis}); every other value as the decision holds it.
 */
public final class DecisionFields {
  private DecisionFields() {}

  /** A field of a decision, with its name in the audit and in MCP's {@code _meta}. */
  public enum Field {
    /** The decision's kind: {@code allow}, {@code deny}, {@code rate_limited}, {@code approval_required}. */
    DECISION("decision", "kind"),
    /** The tool name, exactly as called (writers quote it as agent text). */
    TOOL("tool", "tool"),
    /** The rule that decided: a JSON Pointer or one of {@link Decision.Rules}. */
    RULE("rule", "rule"),
    /** The one-line reason. */
    REASON("reason", "reason"),
    /** The JSON Pointers of the matched entries. */
    MATCHED("matched", "matched"),
    /** A rate limit's retry-after in whole milliseconds, or {@code null} when unknown. */
    RETRY_AFTER_MS("retry_after_ms", "retryAfterMillis"),
    /** A rate limit's counter name. */
    COUNTER("counter", "counter"),
    /** A held call's approval id, or the approval an allowed call was admitted on. */
    APPROVAL_ID("approval_id", "approvalId");

    private final String key;
    private final String metaKey;

    Field(String key, String metaKey) {
      this.key = key;
      this.metaKey = metaKey;
    }

    /** The field's name in the audit (JSON Lines and SLF4J). */
    public String key() {
      return key;
    }

    /** The field's name in an MCP refusal's {@code _meta}. */
    public String metaKey() {
      return metaKey;
    }
  }

  /** {@code allow}, {@code deny}, {@code rate_limited} or {@code approval_required}. */
  public static String kind(Decision decision) {
    return decision.kind().name().toLowerCase(Locale.ROOT);
  }

  /**
   * Gives {@code out} the fields only some kinds of decision have, in order: for a rate limit
   * {@link Field#RETRY_AFTER_MS} (a {@code Long}, or {@code null} when unknown) then {@link
   * Field#COUNTER}; for a held call {@link Field#APPROVAL_ID}, and for an allow admitted on an
   * approval the same field naming the approval it used; nothing for the others.
   */
  public static void details(Decision decision, BiConsumer<Field, Object> out) {
    if (decision instanceof Decision.RateLimited limited) {
      out.accept(Field.RETRY_AFTER_MS, retryAfterMillis(limited.retryAfter()));
      out.accept(Field.COUNTER, limited.counter());
    } else if (decision instanceof Decision.ApprovalRequired held) {
      out.accept(Field.APPROVAL_ID, held.approvalId());
    } else if (decision instanceof Decision.Allow allow && allow.approvalId() != null) {
      out.accept(Field.APPROVAL_ID, allow.approvalId());
    }
  }

  /** {@code retryAfter} in whole milliseconds (rounded down), or {@code null} for {@code null}. */
  public static Long retryAfterMillis(Duration retryAfter) {
    return retryAfter == null ? null : retryAfter.toMillis();
  }

  /**
   * {@code retryAfter} in whole seconds, rounded up so that waiting that long is enough; 0 for a
   * zero or negative duration, {@code null} for {@code null}.
   */
  public static Long retryAfterSeconds(Duration retryAfter) {
    if (retryAfter == null) {
      return null;
    }
    long millis = retryAfter.toMillis();
    return millis <= 0 ? 0 : (millis + 999) / 1000;
  }
}
