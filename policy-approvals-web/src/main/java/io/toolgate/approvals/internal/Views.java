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

/** The JSON shapes of pending requests and answers, arguments redacted as the audit redacts them. */
public final class Views {
  private Views() {}

  /** A pending request as the API, the pages' script and the webhook show it. */
  public static ObjectNode pending(PendingApproval p, Instant now) {
    ApprovalRequest r = p.request();
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("id", p.id());
    o.put("tool", r.call().tool());
    o.put("principal", r.context().principal());
    o.put("session", r.context().sessionId());
    o.put("rule", r.rule());
    o.put("reason", r.reason());
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

  /** The call's arguments with secrets redacted; an empty object for none. */
  public static JsonNode redactedArguments(ApprovalRequest r) {
    JsonNode args = r.call().arguments();
    return args == null ? JsonNodeFactory.instance.objectNode() : AuditRedaction.redact(args);
  }
}
