package io.toolgate.redis.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.CallContext;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.approval.ApprovalAnswer;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.PendingApproval;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * How the Redis approval queue writes a request as JSON and reads it, its pending requests and
 * its answers back, so that another process can list and show them.
 */
public final class ApprovalCodec {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ApprovalCodec() {}

  /** {@code request} as JSON: tool, arguments, principal, roles, attributes, session, rule, reason, time. */
  public static String write(ApprovalRequest request) {
    ObjectNode node = JSON.createObjectNode();
    node.put("tool", request.call().tool());
    node.set("arguments", request.call().arguments());
    CallContext context = request.context();
    node.put("principal", context.principal());
    node.set("roles", JSON.valueToTree(context.roles()));
    node.set("attributes", JSON.valueToTree(context.attributes()));
    node.put("sessionId", context.sessionId());
    node.put("rule", request.rule());
    node.put("reason", request.reason());
    node.put("requestedAt", request.requestedAt().toString());
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the call cannot be written as JSON", e);
    }
  }

  /** The request {@link #write} wrote. */
  public static ApprovalRequest read(String json) {
    try {
      JsonNode node = JSON.readTree(json);
      Set<String> roles = new LinkedHashSet<>();
      node.path("roles").forEach(r -> roles.add(r.asText()));
      @SuppressWarnings("unchecked")
      Map<String, Object> attributes = JSON.convertValue(node.path("attributes"), LinkedHashMap.class);
      CallContext context = new CallContext(text(node, "principal"), roles, attributes, text(node, "sessionId"));
      ToolCall call = ToolCall.of(node.path("tool").asText(), node.path("arguments"));
      return new ApprovalRequest(call, context, node.path("rule").asText(), text(node, "reason"),
          Instant.parse(node.path("requestedAt").asText()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an approval request in Redis is not valid JSON", e);
    }
  }

  /** A pending request from its id, request JSON and times in epoch ms. */
  public static PendingApproval pending(String id, String request, String requestedAt, String expiresAt) {
    return new PendingApproval(id, read(request), millis(requestedAt), millis(expiresAt));
  }

  /** The flat list the PENDING script returns (id, request, requested at, expires at), oldest first. */
  public static java.util.List<PendingApproval> pendingList(java.util.List<Object> out) {
    java.util.List<PendingApproval> list = new java.util.ArrayList<>();
    for (int i = 0; i + 3 < out.size(); i += 4) {
      list.add(pending((String) out.get(i), (String) out.get(i + 1), (String) out.get(i + 2), (String) out.get(i + 3)));
    }
    list.sort(java.util.Comparator.comparing(PendingApproval::requestedAt));
    return list;
  }

  /** What the CHECK script's reply {@code out} says, as the queue answers {@code check}. */
  public static io.toolgate.api.ApprovalStatus status(java.util.List<Object> out, int maximumEntries,
      int maximumPendingPerPrincipal) {
    return switch ((String) out.get(0)) {
      case "N", "P" -> new io.toolgate.api.ApprovalStatus.Pending((String) out.get(1));
      case "A" -> new io.toolgate.api.ApprovalStatus.Approved((String) out.get(1), nonEmpty(out.get(2)));
      case "R" -> new io.toolgate.api.ApprovalStatus.Rejected((String) out.get(1), nonEmpty(out.get(2)),
          (String) out.get(3));
      case "F" -> new io.toolgate.api.ApprovalStatus.Rejected(null, null,
          "the approval queue is full (" + maximumEntries + " requests); try again later");
      default -> new io.toolgate.api.ApprovalStatus.Rejected(null, null,
          "too many approval requests pending for this principal (at most " + maximumPendingPerPrincipal
              + " at once); wait for an answer or for one to expire");
    };
  }

  private static String nonEmpty(Object value) {
    return value == null || "".equals(value) ? null : (String) value;
  }

  /** The {@code {id, req, at, exp}} object the check script publishes. */
  public static PendingApproval pendingEvent(String json) {
    JsonNode node = tree(json);
    return pending(node.path("id").asText(), node.path("req").asText(), node.path("at").asText(),
        node.path("exp").asText());
  }

  /** The history entry the answer script writes and publishes. */
  public static ApprovalAnswer answer(String json) {
    JsonNode node = tree(json);
    return new ApprovalAnswer(node.path("id").asText(), read(node.path("req").asText()),
        "A".equals(node.path("verdict").asText()) ? ApprovalQueue.Verdict.APPROVED : ApprovalQueue.Verdict.REJECTED,
        node.path("by").asText(), text(node, "why"), node.path("digest").asText(),
        millis(node.path("at").asText()), millis(node.path("answeredAt").asText()));
  }

  private static JsonNode tree(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an approval event from Redis is not valid JSON", e);
    }
  }

  private static Instant millis(String epochMillis) {
    return Instant.ofEpochMilli(Long.parseLong(epochMillis));
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }
}
