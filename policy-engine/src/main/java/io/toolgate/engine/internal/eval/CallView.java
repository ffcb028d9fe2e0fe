package io.toolgate.engine.internal.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import io.toolgate.api.CallContext;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.internal.Jackson;
import io.toolgate.engine.internal.model.PolicyPath;
import java.util.List;
import java.util.TreeSet;

/**
 * What rules read from one call: the arguments (converted on first read) and the context. Paths
 * resolve to a {@link JsonNode}, or {@code null} when missing; JSON {@code null} counts as
 * missing.
 */
final class CallView {
  final ToolCall call;
  final CallContext context;
  private JsonNode arguments;

  CallView(ToolCall call, CallContext context) {
    this.call = call;
    this.context = context;
  }

  /**
   * The arguments.
   *
   * @throws UnreadableArguments when a map of them is not JSON
   */
  JsonNode arguments() {
    JsonNode args = arguments;
    if (args == null) {
      try {
        args = call.arguments();
      } catch (IllegalArgumentException e) { // what ToolCall.arguments() throws, and only that
        throw new UnreadableArguments(e);
      }
      arguments = args;
    }
    return args;
  }

  /** The value at {@code path}, or {@code null} when missing. */
  JsonNode resolve(PolicyPath path) {
    return switch (path.root()) {
      case ARGS -> descend(arguments(), path.segments());
      case IDENTITY_ID -> text(context.principal());
      case SESSION_ID -> text(context.sessionId());
      case IDENTITY_ROLES -> {
        ArrayNode roles = JsonNodeFactory.instance.arrayNode();
        new TreeSet<>(context.roles()).forEach(roles::add);
        yield roles;
      }
      case IDENTITY_ATTRIBUTES -> {
        Object value = context.attributes().get(path.segments().get(0));
        yield value == null ? null : present(Jackson.JSON.valueToTree(value));
      }
    };
  }

  private static JsonNode descend(JsonNode node, List<String> segments) {
    for (int i = 0; i < segments.size() && node != null; i++) {
      String segment = segments.get(i);
      if (node.isObject()) {
        node = node.get(segment);
      } else if (node.isArray()) {
        int index = index(segment);
        node = index < 0 ? null : node.get(index);
      } else {
        return null;
      }
    }
    return present(node);
  }

  private static int index(String segment) {
    if (segment.isEmpty() || segment.length() > 9) {
      return -1;
    }
    int value = 0;
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c < '0' || c > '9' || (i == 0 && c == '0' && segment.length() > 1)) {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static JsonNode present(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode() ? null : node;
  }

  private static JsonNode text(String value) {
    return value == null ? null : TextNode.valueOf(value);
  }
}
