package io.toolgate.approvals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.toolgate.approvals.internal.Views;
import io.toolgate.engine.approval.ApprovalAnswer;
import io.toolgate.engine.approval.ApprovalQueue.AnswerResult;
import io.toolgate.engine.approval.ApprovalQueue.Verdict;
import io.toolgate.engine.approval.PendingApproval;
import java.time.Instant;
import java.util.Optional;

/**
 * The inbox's JSON API. The approver is the host's authenticated principal, else a bearer token's
 * holder; GETs also take the session cookie. Answers never come from the inbox's cookie (so no
 * CSRF); an answer from the host's principal must be {@code Content-Type: application/json}, which
 * a cross-site form cannot send (a cross-site script needs a CORS preflight the inbox never grants).
 */
final class Api {
  private Api() {}

  static InboxResponse handle(ApprovalInbox inbox, InboxRequest r) {
    String[] parts = r.path().substring("/api/".length()).split("/", -1);
    boolean get = r.method().equals("GET");
    Optional<String> approver = Optional.ofNullable(r.hostPrincipal());
    if (approver.isPresent() && !get && !isJson(r.header("content-type"))) {
      return ApprovalInbox.json(415, ApprovalInbox.error("unsupported_media_type",
          "an answer from the host's authenticated user needs Content-Type: application/json"));
    }
    if (approver.isEmpty()) {
      approver = inbox.bearer(r);
    }
    if (approver.isEmpty() && get) {
      approver = inbox.session(r).map(s -> s.approver());
    }
    if (approver.isEmpty()) {
      InboxResponse refused = ApprovalInbox.json(401, ApprovalInbox.error("unauthorized", "an approver's bearer token is required"));
      var headers = new java.util.HashMap<>(refused.headers());
      headers.put("WWW-Authenticate", "Bearer realm=\"toolgate-approvals\"");
      return new InboxResponse(401, java.util.Map.copyOf(headers), refused.body());
    }
    Instant now = inbox.now();
    if (parts.length == 1 && parts[0].equals("pending")) {
      if (!get) {
        return notAllowed();
      }
      ArrayNode out = ApprovalInbox.array();
      for (PendingApproval p : inbox.queue().pending()) {
        out.add(Views.pending(p, now));
      }
      return ApprovalInbox.json(200, out);
    }
    if (parts.length == 1 && parts[0].equals("history")) {
      if (!get) {
        return notAllowed();
      }
      ArrayNode out = ApprovalInbox.array();
      for (ApprovalAnswer a : inbox.queue().history(100)) {
        out.add(Views.answer(a));
      }
      return ApprovalInbox.json(200, out);
    }
    if (parts.length == 2 && parts[0].equals("pending")) {
      if (!get) {
        return notAllowed();
      }
      return inbox.queue().pending(parts[1])
          .map(p -> ApprovalInbox.json(200, Views.pending(p, now)))
          .orElseGet(() -> notPending(inbox, parts[1]));
    }
    if (parts.length == 3 && parts[0].equals("pending") && (parts[2].equals("approve") || parts[2].equals("reject"))) {
      if (!r.method().equals("POST")) {
        return notAllowed();
      }
      JsonNode body = ApprovalInbox.parse(r.body());
      JsonNode comment = body.path("comment");
      if (!body.isObject() || !(comment.isMissingNode() || comment.isNull() || comment.isTextual())) {
        return ApprovalInbox.json(400, ApprovalInbox.error("bad_request", "expected {\"comment\": string}"));
      }
      String text = ApprovalInbox.comment(comment.isTextual() ? comment.asText() : null);
      Verdict verdict = parts[2].equals("approve") ? Verdict.APPROVED : Verdict.REJECTED;
      AnswerResult result = inbox.queue().answer(parts[1], verdict, approver.get(), text);
      return switch (result) {
        case ANSWERED -> ApprovalInbox.json(200, com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
            .put("id", parts[1]).put("verdict", verdict.name()).put("approver", approver.get()).put("comment", text));
        case UNKNOWN -> notPending(inbox, parts[1]);
        case ALREADY_ANSWERED -> ApprovalInbox.json(409, ApprovalInbox.error("already_answered",
            "the request was answered before; the first answer stands"));
        case OWN_CALL -> ApprovalInbox.json(403, ApprovalInbox.error("own_call",
            "four eyes: an approver cannot approve their own call"));
      };
    }
    return ApprovalInbox.json(404, ApprovalInbox.error("not_found", "no such resource"));
  }

  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
    return type.equalsIgnoreCase("application/json");
  }

  private static InboxResponse notPending(ApprovalInbox inbox, String id) {
    boolean answered = inbox.queue().history(1000).stream().anyMatch(a -> a.id().equals(id));
    return answered
        ? ApprovalInbox.json(409, ApprovalInbox.error("already_answered", "the request was answered before; the first answer stands"))
        : ApprovalInbox.json(404, ApprovalInbox.error("not_found", "no pending request with that id"));
  }

  private static InboxResponse notAllowed() {
    return ApprovalInbox.json(405, ApprovalInbox.error("method_not_allowed", "method not allowed"));
  }
}
