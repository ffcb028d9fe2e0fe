package io.toolgate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.Decision.Kind;
import io.toolgate.api.ToolCall;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The engine returns a decision with a reason for any input; it never throws. */
class NeverThrowsTest {
  private static final String POLICY = String.join("\n",
      "version: '1'",
      "tools:",
      "  t:",
      "    arguments: {type: object, properties: {n: {type: integer}}}",
      "    conditions: [{path: args.s, op: regex, value: '^a'}]",
      "    limits: [{max: 5, window: minute, scope: args.s}, {max: 5, window: minute, scope: session}]",
      "");

  private final PolicyEngine engine = PolicyEngine.of(Policy.parse(POLICY));

  @Test
  void argumentsOfAnyShapeGetADecision() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    JsonNode deep = f.objectNode();
    JsonNode cursor = deep;
    for (int i = 0; i < 20_000; i++) {
      ObjectNode next = f.objectNode();
      ((ObjectNode) cursor).set("s", next);
      cursor = next;
    }
    ArrayNode array = f.arrayNode().add(1).add("a");
    List<JsonNode> inputs = List.of(array, f.textNode("a"), f.numberNode(1), f.booleanNode(true), f.nullNode(),
        f.objectNode().put("s", 5), f.objectNode().put("n", "x").put("s", "a"), deep);
    for (JsonNode args : inputs) {
      Decision d = engine.evaluate(ToolCall.of("t", args), CallContext.of("p").withSession("s1"));
      assertThat(d.reason()).as("%s", args.getNodeType()).isNotBlank();
    }
  }

  @Test
  void aMapThatIsNotJsonIsADenialNotAnException() {
    Map<String, Object> cyclic = new HashMap<>();
    cyclic.put("s", cyclic);
    Decision d = engine.evaluate(ToolCall.of("t", cyclic), CallContext.of("p"));
    assertThat(d.kind()).isEqualTo(Kind.DENY);
    assertThat(d.reason()).contains("arguments could not be read");
    Decision odd = engine.evaluate(ToolCall.of("t", Map.of("s", new Object())), CallContext.of("p"));
    assertThat(odd.kind()).isEqualTo(Kind.DENY);
  }

  @Test
  void aMissingContextIsDecidedNotRejected() {
    Decision d = engine.evaluate(ToolCall.of("t", Map.of("s", "abc")), CallContext.anonymous());
    assertThat(d.kind()).isEqualTo(Kind.DENY);
    assertThat(d.reason()).contains("no session id");
    assertThat(new CallContext(null, null, null, null)).isEqualTo(CallContext.anonymous());
  }
}
