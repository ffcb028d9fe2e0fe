package io.toolgate.approvals.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.api.ApprovalRequest;
import io.toolgate.engine.approval.ApprovalAnswer;
import io.toolgate.engine.approval.PendingApproval;
import io.toolgate.engine.audit.AuditRedaction;
import java.time.Duration;
import java.time.Instant;

/**
 * The JSON shapes of pending requests and answers, arguments redacted as the audit redacts them and
 * every agent string cut at {@link #MAX_SHOWN_CHARS}.
 */
public final class Views {
  private Views() {}

  /** A pending request as the API, the pages' script and the webhook show it. */
  public static ObjectNode pending(PendingApproval p, Instant now) {
    ApprovalRequest r = p.request();
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("id", p.id());
    o.put("tool", cut(r.call().tool()));
    o.put("principal", cut(r.context().principal()));
    o.put("session", cut(r.context().sessionId()));
    o.put("rule", r.rule());
    o.put("reason", cut(r.reason()));
    o.set("arguments", redactedArguments(r));
    o.put("requestedAt", p.requestedAt().toString());
    o.put("expiresAt", p.expiresAt().toString());
    o.put("waitedSeconds", Math.max(0, Duration.between(p.requestedAt(), now).toSeconds()));
    o.put("expiresInSeconds", Math.max(0, Duration.between(now, p.expiresAt()).toSeconds()));
    return o;
  }

  /** An answer as the API shows it. */
  public static ObjectNode answer(ApprovalAnswer a) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("id", a.id());
    o.put("tool", a.request().call().tool());
    o.put("principal", a.request().context().principal());
    o.put("rule", a.request().rule());
    o.put("verdict", a.verdict().name());
    o.put("approver", a.approver());
    o.put("comment", a.comment());
    o.put("argsDigest", a.argsDigest());
    o.put("requestedAt", a.requestedAt().toString());
    o.put("answeredAt", a.answeredAt().toString());
    return o;
  }

  /**
   * The call's arguments with secrets redacted and every string (key or value) longer than {@link
   * #MAX_SHOWN_CHARS} cut ({@link #cut}), so no view prints megabytes; an empty object for none.
   */
  public static JsonNode redactedArguments(ApprovalRequest r) {
    JsonNode args = r.call().arguments();
    return args == null ? JsonNodeFactory.instance.objectNode() : cutStrings(AuditRedaction.redact(args));
  }

  /** How many chars of one agent string a view shows: 4 KiB. */
  public static final int MAX_SHOWN_CHARS = 4096;

  /**
   * {@code s} cut to {@link #MAX_SHOWN_CHARS} chars (never inside a surrogate pair) with {@code
   * …(+N chars)} saying how many were left out; {@code null} and shorter strings as they are.
   */
  public static String cut(String s) {
    if (s == null || s.length() <= MAX_SHOWN_CHARS) {
      return s;
    }
    int keep = MAX_SHOWN_CHARS;
    if (Character.isHighSurrogate(s.charAt(keep - 1))) {
      keep--;
    }
    return s.substring(0, keep) + "…(+" + (s.length() - keep) + " chars)";
  }

  private static JsonNode cutStrings(JsonNode node) {
    if (node.isTextual()) {
      String text = node.textValue();
      return text.length() <= MAX_SHOWN_CHARS ? node : JsonNodeFactory.instance.textNode(cut(text));
    }
    if (node.isObject()) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      node.fields().forEachRemaining(e -> out.set(cut(e.getKey()), cutStrings(e.getValue())));
      return out;
    }
    if (node.isArray()) {
      var out = JsonNodeFactory.instance.arrayNode(node.size());
      node.forEach(element -> out.add(cutStrings(element)));
      return out;
    }
    return node;
  }
}
