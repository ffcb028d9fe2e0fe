package io.toolgate.api;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the policy decided for one call. A decision is a value that explains itself: the kind,
 * the tool and principal it was made for, the policy entries whose keys matched the tool (as JSON
 * Pointers into the policy document), the rule that decided (a JSON Pointer such as {@code
 * /tools/delete_project} or {@code /tools/create_compile/limits/0}, or one of {@code /hide},
 * {@code /default}, {@code store}, {@code fail-open}, {@code error}: see {@link Rules}) and a reason: one line an
 * agent can act on.
 *
 * <p>Only {@link Allow} lets the tool run. The other three are refusals.
 */
public sealed interface Decision
    permits Decision.Allow, Decision.Deny, Decision.RateLimited, Decision.ApprovalRequired {

  /**
   * The names {@link #rule()} takes for a decision that no entry of the policy text made. Any
   * other rule is a JSON Pointer into the policy document ({@code /tools/create_compile/limits/0}).
   */
  final class Rules {
    /** The policy's {@code default} decided: no allow entry matched, or {@code default: allow}. */
    public static final String DEFAULT = "/default";
    /** The tool is hidden by the policy's {@code hide} list. */
    public static final String HIDE = "/hide";
    /** The counter store failed or timed out, and the call was refused (fail closed). */
    public static final String STORE = "store";
    /** The counter store failed or timed out, and the call was allowed as configured (fail open). */
    public static final String FAIL_OPEN = "fail-open";
    /** The engine failed while deciding, and the call was refused. */
    public static final String ERROR = "error";
    /** The call's arguments could not be read as JSON. */
    public static final String ARGUMENTS = "arguments";
    /** The call named a session another principal opened (the MCP adapter's refusal). */
    public static final String SESSION = "session";
    /** The event an {@code AsyncAuditSink} records for events it had to drop. */
    public static final String AUDIT_OVERFLOW = "audit-overflow";

    private Rules() {}
  }

  /** The four kinds of decision. */
  enum Kind {
    ALLOW,
    DENY,
    RATE_LIMITED,
    APPROVAL_REQUIRED
  }

  Kind kind();

  /** The tool name, exactly as called. */
  String tool();

  /** The principal the decision was made for, or {@code null} for an anonymous call. */
  String principal();

  /** JSON Pointers of the policy entries whose keys matched the tool, in a canonical order. */
  List<String> matched();

  /** JSON Pointer of the rule that decided, or a name for a decision no policy text made. */
  String rule();

  /** One line for the agent: what was decided and why, and for a rate limit when to retry. */
  String reason();

  /** Whether the tool may run. */
  default boolean isAllowed() {
    return kind() == Kind.ALLOW;
  }

  /**
   * The tool may run. The call holds its {@link #reservation()} of counters: the interceptor
   * commits it when the tool returns and rolls it back when the tool fails, for limits that
   * refund on error. Callers of {@code evaluate} who run the tool themselves do the same.
   *
   * @param approvalId the id of the approval this call was admitted on and used up (the id an
   *     earlier {@link ApprovalRequired} named), or {@code null} when no approval was used (or
   *     the approval service gave its approval no id)
   */
  record Allow(
      String tool,
      String principal,
      List<String> matched,
      String rule,
      String reason,
      Reservation reservation,
      String approvalId)
      implements Decision {
    public Allow {
      Objects.requireNonNull(tool, "tool");
      matched = List.copyOf(matched);
      reservation = reservation == null ? Reservation.NONE : reservation;
    }

    /** An allow that used no approval ({@link #approvalId()} is {@code null}). */
    public Allow(String tool, String principal, List<String> matched, String rule, String reason, Reservation reservation) {
      this(tool, principal, matched, rule, reason, reservation, null);
    }

    @Override
    public Kind kind() {
      return Kind.ALLOW;
    }
  }

  /** The call is refused; {@link #reason()} says why. */
  record Deny(String tool, String principal, List<String> matched, String rule, String reason)
      implements Decision {
    public Deny {
      Objects.requireNonNull(tool, "tool");
      matched = List.copyOf(matched);
    }

    @Override
    public Kind kind() {
      return Kind.DENY;
    }
  }

  /**
   * A limit is reached. {@link #retryAfter()} is exact: the earliest time, from the decision, at
   * which the same call could pass if nothing else is called meanwhile.
   *
   * @param counter the counter's name in the policy
   * @param max the limit's maximum per window
   * @param window the window's length
   * @param scope how the counter is keyed: {@code global}, {@code grant}, {@code session} or
   *     {@code args.<path>}
   * @param retryAfter how long to wait before the same call could pass
   */
  record RateLimited(
      String tool,
      String principal,
      List<String> matched,
      String rule,
      String reason,
      String counter,
      double max,
      Duration window,
      String scope,
      Duration retryAfter)
      implements Decision {
    public RateLimited {
      Objects.requireNonNull(tool, "tool");
      matched = List.copyOf(matched);
    }

    @Override
    public Kind kind() {
      return Kind.RATE_LIMITED;
    }
  }

  /**
   * The call waits for a person. {@link #approvalId()} names the pending request; the same call
   * gets the same id while it is pending, and passes once, after it is approved.
   */
  record ApprovalRequired(
      String tool,
      String principal,
      List<String> matched,
      String rule,
      String reason,
      String approvalId)
      implements Decision {
    public ApprovalRequired {
      Objects.requireNonNull(tool, "tool");
      matched = List.copyOf(matched);
    }

    @Override
    public Kind kind() {
      return Kind.APPROVAL_REQUIRED;
    }
  }
}
