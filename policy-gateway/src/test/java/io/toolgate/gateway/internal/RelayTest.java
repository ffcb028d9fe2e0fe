package io.toolgate.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.api.CallContext;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The relay between a scripted client and a scripted server: what passes, what is answered here. */
class RelayTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String POLICY = """
      {"version":"1","default":"deny","tools":{
        "create_compile":{"limits":[{"counter":"c","window":"hour","max":1,"refund_on_error":true}]},
        "x":{}, "a":{}, "b":{}}}""";

  final BlockingQueue<Message> toServer = new LinkedBlockingQueue<>();
  final BlockingQueue<String> toClient = new LinkedBlockingQueue<>();
  final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
  final Upstream server = new Upstream() {
    @Override
    public void start(Listener listener) {}

    @Override
    public void send(Message message) {
      toServer.add(message);
    }

    @Override
    public void forget(JsonNode id) {
      forgotten.add(id);
    }

    @Override
    public void close() {}
  };
  final List<JsonNode> forgotten = new java.util.concurrent.CopyOnWriteArrayList<>();

  Relay relay(int maxInFlight, Duration timeout) {
    PolicyEngine engine = PolicyEngine.of(Policy.parse(POLICY));
    return new Relay(engine, CallContext.of("agent").withSession("s"), server, toClient::add, maxInFlight, 2048, timeout,
        timer);
  }

  Relay relay() {
    return relay(8, Duration.ofMinutes(10));
  }

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  static LineReader.Line line(String text) {
    return new LineReader.Line.Text(text);
  }

  static Message message(String text) throws Exception {
    return new Message(text, (ObjectNode) JSON.readTree(text));
  }

  JsonNode reply() throws Exception {
    String next = toClient.poll(60, TimeUnit.SECONDS);
    assertThat(next).as("a message to the client").isNotNull();
    return JSON.readTree(next);
  }

  @Test
  void everyOtherMessagePassesUnchangedBothWays() throws Exception {
    Relay relay = relay();
    List<String> fromClient = List.of(
        "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"x/unknown\",\"params\":{\"b\":1,   \"a\":2.50}}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/roots/list_changed\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"s-1\",\"result\":{\"model\":\"m\"}}");
    for (String text : fromClient) {
      relay.fromAgent(line(text));
    }
    assertThat(toServer).extracting(Message::text).containsExactlyElementsOf(fromClient);

    List<String> fromServer = List.of(
        "{\"jsonrpc\":\"2.0\",\"id\":\"s-2\",\"method\":\"sampling/createMessage\",\"params\":{\"maxTokens\":5}}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":1,\"progress\":0.5}}",
        "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"weird\":   true}}");
    for (String text : fromServer) {
      relay.received(message(text));
    }
    assertThat(List.of(toClient.poll(), toClient.poll(), toClient.poll())).containsExactlyElementsOf(fromServer);
  }

  @Test
  void toolsListKeepsListedToolsAndItsCursor() throws Exception {
    Relay relay = relay();
    relay.fromAgent(line("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"cursor\":\"c1\"}}"));
    assertThat(toServer.poll().text()).contains("\"cursor\":\"c1\"");
    relay.received(message("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tools\":[{\"name\":\"delete_project\"},"
        + "{\"name\":\"create_compile\",\"inputSchema\":{\"type\":\"object\"}},{\"nameless\":1}],\"nextCursor\":\"c2\"}}"));
    JsonNode listed = reply();
    assertThat(listed.get("id").asInt()).isEqualTo(1);
    assertThat(listed.at("/result/tools")).hasSize(1);
    assertThat(listed.at("/result/tools/0/name").asText()).isEqualTo("create_compile");
    assertThat(listed.at("/result/tools/0/inputSchema/type").asText()).isEqualTo("object");
    assertThat(listed.at("/result/nextCursor").asText()).isEqualTo("c2");
  }

  @Test
  void hostileInputGetsAJsonRpcErrorAndNeverReachesTheServer() throws Exception {
    Relay relay = relay();
    record Case(String text, int code, String id) {}
    List<Case> cases = List.of(
        new Case("not json", JsonRpc.PARSE_ERROR, null),
        new Case("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\"", JsonRpc.PARSE_ERROR, null),
        new Case("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"x\"}}]",
            JsonRpc.INVALID_REQUEST, null),
        new Case("{}", JsonRpc.INVALID_REQUEST, null),
        new Case("42", JsonRpc.INVALID_REQUEST, null),
        new Case("{\"jsonrpc\":\"2.0\",\"id\":{\"o\":1},\"method\":\"ping\"}", JsonRpc.INVALID_REQUEST, null),
        new Case("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\"}", JsonRpc.INVALID_PARAMS, "2"),
        new Case("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"arguments\":{}}}",
            JsonRpc.INVALID_PARAMS, "3"),
        new Case("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":7}}",
            JsonRpc.INVALID_PARAMS, "4"),
        new Case("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"x\",\"arguments\":[1]}}",
            JsonRpc.INVALID_PARAMS, "5"),
        new Case("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":{\"name\":\"x\",\"name\":\"evil\"}}",
            JsonRpc.PARSE_ERROR, null),
        new Case("{\"a\":".repeat(100) + "1" + "}".repeat(100), JsonRpc.PARSE_ERROR, null));
    for (Case c : cases) {
      relay.fromAgent(line(c.text()));
      JsonNode error = reply();
      assertThat(error.at("/error/code").asInt()).as(c.text()).isEqualTo(c.code());
      assertThat(error.get("id").isNull() ? null : error.get("id").asText()).as(c.text()).isEqualTo(c.id());
    }
    LineReader reader = new LineReader(new ByteArrayInputStream(
        ("{\"x\":\"" + "y".repeat(5000) + "\"}\n\u00ff\n").getBytes(StandardCharsets.ISO_8859_1)), 2048);
    relay.fromAgent(reader.next());
    assertThat(reply().at("/error/message").asText()).contains("over the gateway's limit of 2048 bytes");
    relay.fromAgent(reader.next());
    assertThat(reply().at("/error/message").asText()).contains("not UTF-8");
    assertThat(toServer).isEmpty();
  }

  @Test
  void requestsBeyondTheInFlightLimitOrWithAnIdInFlightAreRefusedWithoutTakingACount() throws Exception {
    Relay relay = relay(2, Duration.ofMinutes(10));
    String compile = "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/call\",\"params\":{\"name\":\"create_compile\"}}";
    relay.fromAgent(line("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/list\"}"));
    relay.fromAgent(line("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"prompts/list\"}"));
    assertThat(reply().at("/error/message").asText()).contains("already in flight");
    relay.fromAgent(line(compile.formatted(1)));
    assertThat(reply().at("/error/message").asText()).contains("already in flight");
    relay.fromAgent(line("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"prompts/list\"}"));
    relay.fromAgent(line(compile.formatted(3)));
    assertThat(reply().at("/error/code").asInt()).isEqualTo(JsonRpc.BUSY);
    assertThat(toServer).extracting(Message::method).containsExactly("resources/list", "prompts/list");
    assertThat(relay.inFlight()).isEqualTo(2);

    relay.received(message("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}"));
    assertThat(reply().get("id").asInt()).isEqualTo(2);
    // create_compile allows one call an hour and refunds nothing: the refused calls took no count
    toServer.clear();
    relay.fromAgent(line(compile.formatted(4)));
    assertThat(toServer.poll(60, TimeUnit.SECONDS).id().asInt()).isEqualTo(4);
    relay.received(message("{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":{\"content\":[]}}"));
    assertThat(reply().get("id").asInt()).isEqualTo(4);
    relay.received(message("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}"));
    assertThat(reply().get("id").asInt()).isEqualTo(1);
    assertThat(relay.inFlight()).isZero();
  }

  @Test
  void aLostCallIsAnsweredWithAnErrorAndRefunded() throws Exception {
    Relay relay = relay();
    String call = "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/call\",\"params\":{\"name\":\"create_compile\"}}";
    relay.fromAgent(line(call.formatted(1)));
    assertThat(toServer.poll(60, TimeUnit.SECONDS).id().asInt()).isEqualTo(1);
    relay.lost(JSON.readTree("1"), "the upstream server exited");
    JsonNode error = reply();
    assertThat(error.at("/error/code").asInt()).isEqualTo(JsonRpc.UPSTREAM_UNAVAILABLE);
    assertThat(error.at("/error/message").asText()).isEqualTo("the upstream server exited");
    // max 1 an hour, refund_on_error: the lost call gave its count back
    relay.fromAgent(line(call.formatted(2)));
    assertThat(toServer.poll(60, TimeUnit.SECONDS).id().asInt()).isEqualTo(2);
    relay.received(message("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"content\":[]}}"));
    assertThat(reply().get("id").asInt()).isEqualTo(2);
    relay.fromAgent(line(call.formatted(3)));
    assertThat(reply().at("/result/_meta").toString()).contains("rate_limited");
  }

  @Test
  void aRequestTheServerDoesNotAnswerInTimeGetsAnErrorAndTheServerACancellation() throws Exception {
    Relay relay = relay(8, Duration.ofMillis(20));
    relay.fromAgent(line("{\"jsonrpc\":\"2.0\",\"id\":\"slow\",\"method\":\"tools/call\",\"params\":{\"name\":\"x\"}}"));
    JsonNode error = reply();
    assertThat(error.get("id").asText()).isEqualTo("slow");
    assertThat(error.at("/error/message").asText()).contains("did not answer within");
    assertThat(toServer.poll(60, TimeUnit.SECONDS).method()).isEqualTo("tools/call");
    Message cancel = toServer.poll(60, TimeUnit.SECONDS);
    assertThat(cancel.method()).isEqualTo("notifications/cancelled");
    assertThat(cancel.json().at("/params/requestId").asText()).isEqualTo("slow");
    assertThat(forgotten).extracting(JsonNode::asText).containsExactly("slow");
    relay.received(message("{\"jsonrpc\":\"2.0\",\"id\":\"slow\",\"result\":{}}"));
    assertThat(relay.inFlight()).isZero();
    assertThat(toClient).isEmpty();
  }

  @Test
  void aCancelledCallGetsNoResponseAndIsForwardedAsCancelled() throws Exception {
    Relay relay = relay();
    relay.fromAgent(line("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":\"x\"}}"));
    relay.fromAgent(line("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":9}}"));
    relay.received(message("{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":{}}"));
    assertThat(toServer).extracting(Message::method).containsExactly("tools/call", "notifications/cancelled");
    assertThat(forgotten).extracting(JsonNode::asInt).containsExactly(9);
    assertThat(relay.inFlight()).isZero();
    assertThat(toClient).isEmpty();
  }
}
