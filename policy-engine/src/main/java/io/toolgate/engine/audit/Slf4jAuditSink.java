package io.toolgate.engine.audit;

import io.toolgate.api.AgentText;
import io.toolgate.api.ApprovalAnswerEvent;
import io.toolgate.api.AuditEvent;
import io.toolgate.api.AuditSink;
import io.toolgate.api.Decision;
import io.toolgate.engine.internal.audit.AuditFields;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs one line per decision to an SLF4J logger ({@value #DEFAULT_LOGGER} unless told
 * otherwise): allowed calls at INFO, refusals (deny, rate_limited, approval_required) at WARN, so
 * a logger set to WARN shows only what was refused. A line is a list of {@code key=value} fields:
 *
 * <pre>{@code
 * tool=create_charge principal=agent-1 session=- decision=deny rule=/tools/create_charge/conditions/0
 *   outcome=not_run latency_ns=18250 args_digest=9b1e... reason="Policy denied create_charge: ..."
 * }</pre>
 *
 * <p>Fields, in this order: {@code tool}, {@code principal}, {@code session}, {@code decision},
 * {@code rule}, {@code outcome}, {@code latency_ns}, {@code retry_after_ms} and {@code counter}
 * for {@code rate_limited}, {@code approval_id} for {@code approval_required} and for an {@code
 * allow} admitted on an approval (the approval it used up), {@code args_digest}
 * (as in {@link JsonLinesAuditSink}, or {@code unreadable} when the arguments are not JSON), and
 * {@code reason} last. A missing value is {@code -}; a value with anything but letters, digits
 * and {@code . _ : / @ + ~ -} is quoted, with {@code "}, {@code \} and control characters escaped,
 * so a tool name cannot forge a field or a line. {@code tool}, {@code principal} and {@code
 * session} are first cut as {@link AgentText#excerpt} cuts agent text (at most {@value
 * AgentText#MAX_CHARS} characters, control characters replaced). The raw arguments are never
 * logged. Nothing is computed when the level is disabled. Thread-safe if the logger is, as SLF4J
 * loggers are.
 *
 * <p>It logs on the calling thread: an appender that blocks (a synchronous file or network
 * appender) holds up the calls being decided. Wrap it in an {@link AsyncAuditSink}, or use an
 * asynchronous appender.
 */
public final class Slf4jAuditSink implements AuditSink {
  /** The logger's name unless another is given. */
  public static final String DEFAULT_LOGGER = "io.toolgate.audit";

  private final Logger logger;

  private Slf4jAuditSink(Logger logger) {
    this.logger = Objects.requireNonNull(logger, "logger");
  }

  /** A sink logging to {@value #DEFAULT_LOGGER}. */
  public static Slf4jAuditSink create() {
    return named(DEFAULT_LOGGER);
  }

  /** A sink logging to the logger named {@code loggerName}. */
  public static Slf4jAuditSink named(String loggerName) {
    return new Slf4jAuditSink(LoggerFactory.getLogger(Objects.requireNonNull(loggerName, "loggerName")));
  }

  /** A sink logging to {@code logger}. */
  public static Slf4jAuditSink of(Logger logger) {
    return new Slf4jAuditSink(logger);
  }

  /** Logs {@code event} as one line: INFO if it was allowed, WARN if it was refused. */
  @Override
  public void record(AuditEvent event) {
    if (event.decision().isAllowed()) {
      if (logger.isInfoEnabled()) {
        logger.info(line(event));
      }
    } else if (logger.isWarnEnabled()) {
      logger.warn(line(event));
    }
  }

  /**
   * Logs an approval answer at INFO: {@code event=approval_answered approval_id tool principal
   * verdict approver args_digest comment}.
   */
  @Override
  public void approvalAnswered(ApprovalAnswerEvent event) {
    if (!logger.isInfoEnabled()) {
      return;
    }
    StringBuilder out = new StringBuilder(192);
    field(out, "event", "approval_answered");
    field(out, "approval_id", AgentText.excerpt(event.approvalId()));
    field(out, DecisionFields.Field.TOOL.key(), AgentText.excerpt(event.tool()));
    field(out, "principal", AgentText.excerpt(event.principal()));
    field(out, "verdict", event.approved() ? "approved" : "rejected");
    field(out, "approver", AgentText.excerpt(event.approver()));
    field(out, "args_digest", event.argsDigest());
    field(out, "comment", AgentText.excerpt(event.comment()));
    logger.info(out.toString());
  }

  private static String line(AuditEvent event) {
    Decision d = event.decision();
    StringBuilder out = new StringBuilder(256);
    field(out, DecisionFields.Field.TOOL.key(), AgentText.excerpt(event.call().tool()));
    field(out, "principal", AgentText.excerpt(event.context().principal()));
    field(out, "session", AgentText.excerpt(event.context().sessionId()));
    field(out, DecisionFields.Field.DECISION.key(), DecisionFields.kind(d));
    field(out, DecisionFields.Field.RULE.key(), d.rule());
    field(out, "outcome", AuditFields.outcome(event.outcome()));
    field(out, "latency_ns", Long.toString(event.latencyNanos()));
    DecisionFields.details(d, (f, value) -> field(out, f.key(), value == null ? null : value.toString()));
    AuditFields.Arguments args = AuditFields.Arguments.of(event.call());
    field(out, "args_digest", args.digest() != null ? args.digest() : "unreadable");
    field(out, DecisionFields.Field.REASON.key(), d.reason());
    return out.toString();
  }

  private static void field(StringBuilder out, String key, String value) {
    if (out.length() > 0) {
      out.append(' ');
    }
    out.append(key).append('=');
    if (value == null) {
      out.append('-');
    } else if (plain(value)) {
      out.append(value);
    } else {
      quote(out, value);
    }
  }

  private static boolean plain(String value) {
    if (value.isEmpty() || value.equals("-")) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
              || ".:_/@+~-".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static void quote(StringBuilder out, String value) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f || c == 0x85 || c == 0x2028 || c == 0x2029) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  @Override
  public String toString() {
    return "Slf4jAuditSink[" + logger.getName() + "]";
  }
}
