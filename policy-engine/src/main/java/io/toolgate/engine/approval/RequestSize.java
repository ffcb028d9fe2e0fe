package io.toolgate.engine.approval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.CallContext;
import io.toolgate.engine.internal.Jackson;

/**
 * How large a held request is: the UTF-8 bytes of the JSON the Redis queue stores for it (tool,
 * arguments, context, rule, reason, time), so both queues refuse the same calls.
 */
final class RequestSize {
  private RequestSize() {}

  /**
   * The size in bytes.
   *
   * @throws IllegalArgumentException if the request cannot be written as JSON (as the Redis queue)
   */
  static long of(ApprovalRequest request) {
    ObjectNode node = Jackson.JSON.createObjectNode();
    node.put("tool", request.call().tool());
    node.set("arguments", request.call().arguments());
    CallContext context = request.context();
    node.put("principal", context.principal());
    node.set("roles", Jackson.JSON.valueToTree(context.roles()));
    node.set("attributes", Jackson.JSON.valueToTree(context.attributes()));
    node.put("sessionId", context.sessionId());
    node.put("rule", request.rule());
    node.put("reason", request.reason());
    node.put("requestedAt", request.requestedAt().toString());
    try {
      return utf8Length(Jackson.JSON.writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the call cannot be written as JSON", e);
    }
  }

  /** {@code s.getBytes(UTF_8).length} without the copy: a lone surrogate is written as one byte. */
  static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        n += 1;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /** The reason a call too large to hold is rejected with, as the Redis queue words it. */
  static String tooLarge(long bytes, int maximum) {
    return "the call is too large to hold for approval (" + bytes + " bytes of JSON, at most " + maximum + ")";
  }
}
