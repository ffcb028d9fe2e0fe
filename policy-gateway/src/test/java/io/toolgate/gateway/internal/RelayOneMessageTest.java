package io.toolgate.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One message in, one message out: nothing the agent (or the server) hides after or inside a
 * message may reach the other side as a second message the gateway never decided on.
 */
class RelayOneMessageTest {
  static final com.fasterxml.jackson.databind.ObjectMapper JSON = RelayTest.JSON;
  final RelayTest fixture = new RelayTest();
  final java.util.concurrent.BlockingQueue<Message> toServer = fixture.toServer;

  static final String DENIED_CALL =
      "{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"tools/call\",\"params\":{\"name\":\"delete_project\",\"arguments\":{}}}";
  static final String NOTIFICATION = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/roots/list_changed\"}";

  @Test
  void aSecondMessageAfterTheFirstIsRefusedAndNothingReachesTheServer() throws Exception {
    Relay relay = fixture.relay();
    for (String separator : List.of("\r", "\n", "\r\n", "", " ", "\u2028", "\u0085")) {
      relay.fromAgent(RelayTest.line(NOTIFICATION + separator + DENIED_CALL));
      JsonNode refusal = fixture.reply();
      assertThat(refusal.at("/error/code").asInt()).as("separator %s", escaped(separator)).isEqualTo(JsonRpc.PARSE_ERROR);
    }
    assertThat(toServer).isEmpty();
  }

  @Test
  void lineBreaksInsideOneMessageReachTheServerAsSpacesSoNoReaderSplitsIt() throws Exception {
    Relay relay = fixture.relay();
    // valid JSON, one notification; a reader that splits at CR or LF would find DENIED_CALL on a line of its own
    String nested = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\",\"params\":{\"a\":\r" + DENIED_CALL
        + "\r\n}}";
    relay.fromAgent(RelayTest.line(nested));
    Message passed = toServer.poll();
    assertThat(passed).isNotNull();
    assertThat(passed.text()).doesNotContain("\r", "\n").isEqualTo(nested.replace('\r', ' ').replace('\n', ' '));
    assertThat(JSON.readTree(passed.text())).isEqualTo(JSON.readTree(nested));
  }

  @Test
  void unicodeLineSeparatorsInStringsAreEscapedAndKeepTheirValue() throws Exception {
    Relay relay = fixture.relay();
    String text = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\",\"params\":{\"s\":\"a\u2028b\u2029c\u0085d\"}}";
    relay.fromAgent(RelayTest.line(text));
    Message passed = toServer.poll();
    assertThat(passed.text()).doesNotContain("\u2028", "\u2029", "\u0085").contains("a\\u2028b\\u2029c\\u0085d");
    assertThat(JSON.readTree(passed.text()).at("/params/s").asText()).isEqualTo("a\u2028b\u2029c\u0085d");
  }

  @Test
  void aServerLineWithASecondMessageAfterItIsNotParsedAsOne() {
    ObjectNode ignored = JSON.createObjectNode();
    assertThat(parses(JsonRpc.parser(1 << 20, false), "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\r" + DENIED_CALL))
        .isFalse();
    assertThat(parses(JsonRpc.parser(1 << 20, false), "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}  \t")).isTrue();
    assertThat(new Message("{\"a\":\r\n1}", ignored).text()).isEqualTo("{\"a\":  1}");
  }

  @Test
  void integerIdsBeyondWhatEverySdkReadsExactlyAreRefused() throws Exception {
    Relay relay = fixture.relay();
    for (String id : List.of("9007199254740992", "-9007199254740992", "123456789012345678901234567890")) {
      relay.fromAgent(RelayTest.line("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/list\"}"));
      JsonNode refusal = fixture.reply();
      assertThat(refusal.at("/error/code").asInt()).isEqualTo(JsonRpc.INVALID_REQUEST);
      assertThat(refusal.get("id").isNull()).isTrue();
    }
    assertThat(toServer).isEmpty();
    relay.fromAgent(RelayTest.line("{\"jsonrpc\":\"2.0\",\"id\":9007199254740991,\"method\":\"tools/list\"}"));
    assertThat(toServer.poll()).isNotNull();
  }

  @org.junit.jupiter.api.AfterEach
  void stop() {
    fixture.stop();
  }

  private static boolean parses(com.fasterxml.jackson.databind.ObjectMapper parser, String text) {
    try {
      parser.readTree(text);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static String escaped(String s) {
    StringBuilder out = new StringBuilder();
    s.chars().forEach(c -> out.append(String.format("\\u%04x", c)));
    return out.toString();
  }
}
