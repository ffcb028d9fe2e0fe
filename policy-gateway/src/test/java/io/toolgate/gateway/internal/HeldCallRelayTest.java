package io.toolgate.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.api.CallContext;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.approval.PendingApproval;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A held {@code tools/call} in the relay, with a scripted client and server: which progress
 * tokens are echoed (strings and integers, exactly as sent) and which are ignored (objects,
 * arrays, fractions, booleans, null, huge strings), none of which stops the call from being held
 * and run once approved; progress stops once the call is decided; cancellations for unknown or
 * mistyped ids change nothing.
 */
class HeldCallRelayTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String POLICY = "version: '1'\ndefault: allow\ntools:\n"
      + "  deploy: {action: require_approval, wait: 10m, reason: production}\n";

  final BlockingQueue<Message> toServer = new LinkedBlockingQueue<>();
  final BlockingQueue<String> toClient = new LinkedBlockingQueue<>();
  final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
  final InMemoryApprovalQueue queue = InMemoryApprovalQueue.builder(Clock.systemUTC()).build();
  final BlockingQueue<PendingApproval> requested = new LinkedBlockingQueue<>();
  final Relay relay;

  HeldCallRelayTest() {
    timer.setRemoveOnCancelPolicy(true);
    queue.subscribe(new ApprovalQueue.Listener() {
      @Override
      public void pending(PendingApproval request) {
        requested.add(request);
      }
    });
    PolicyEngine engine = PolicyEngine.builder(Policy.parse(POLICY)).approvals(queue).build();
    Upstream server = new Upstream() {
      @Override
      public void start(Listener listener) {}

      @Override
      public void send(Message message) {
        toServer.add(message);
      }

      @Override
      public void forget(JsonNode id) {}

      @Override
      public void close() {}
    };
    relay = new Relay(engine, CallContext.of("agent").withSession("s"), server, toClient::add, 8, 1 << 20,
        Duration.ofMinutes(10), timer, Duration.ofHours(1));
  }

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  static String deploy(int id, String token) {
    String meta = token == null ? "" : ",\"_meta\":{\"progressToken\":" + token + "}";
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"deploy\","
        + "\"arguments\":{\"v\":" + id + "}" + meta + "}}";
  }

  PendingApproval nextRequest() throws InterruptedException {
    PendingApproval request = requested.poll(60, TimeUnit.SECONDS);
    assertThat(request).as("an approval request").isNotNull();
    return request;
  }

  /** Holds call {@code id} with {@code token}, approves it, answers it: what the client got, in order. */
  List<JsonNode> heldThenRun(int id, String token) throws Exception {
    relay.fromAgent(new LineReader.Line.Text(deploy(id, token)));
    assertThat(queue.approve(nextRequest().id(), "risk-officer")).isTrue();
    Message forwarded = toServer.poll(60, TimeUnit.SECONDS);
    assertThat(forwarded).isNotNull();
    assertThat(forwarded.id().asInt()).isEqualTo(id);
    String answer = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[]}}";
    relay.received(new Message(answer, (ObjectNode) JSON.readTree(answer)));
    List<JsonNode> seen = new ArrayList<>();
    while (true) {
      String next = toClient.poll(60, TimeUnit.SECONDS);
      assertThat(next).as("the response to " + id).isNotNull();
      JsonNode json = JSON.readTree(next);
      seen.add(json);
      if (json.has("result") || json.has("error")) {
        assertThat(json.get("id").asInt()).isEqualTo(id);
        assertThat(json.has("result")).as(next).isTrue();
        return seen;
      }
    }
  }

  @Test
  void stringAndIntegerTokensAreEchoedExactly() throws Exception {
    String bigInteger = "123456789012345678901234567890";
    String string = "\"" + "t".repeat(HeldCalls.MAX_TOKEN_CHARS) + "\"";
    int id = 1;
    for (String token : List.of("7", "-3", bigInteger, "\"tok\\u00e9n \\\"quoted\\\"\"", string)) {
      List<JsonNode> seen = heldThenRun(id++, token);
      assertThat(seen).as(token).hasSize(2);
      JsonNode progress = seen.get(0);
      assertThat(progress.get("method").asText()).isEqualTo("notifications/progress");
      assertThat(progress.at("/params/progressToken")).as(token).isEqualTo(JSON.readTree(token));
      assertThat(progress.at("/params/progressToken").toString()).isEqualTo(JSON.readTree(token).toString());
      assertThat(progress.at("/params/message").asText()).startsWith("waiting for approval ").endsWith("10m left");
      assertThat(timer.getQueue()).as("no progress after the decision").isEmpty();
    }
  }

  @Test
  void otherTokensAreIgnoredAndTheCallIsHeldAndRunAllTheSame() throws Exception {
    String huge = "\"" + "h".repeat(HeldCalls.MAX_TOKEN_CHARS + 1) + "\"";
    String enormous = "\"" + "e".repeat(500_000) + "\"";
    int id = 1;
    for (String token : List.of("{\"a\":1}", "[1]", "1.5", "1e400", "true", "null", "{}", huge, enormous)) {
      List<JsonNode> seen = heldThenRun(id++, token);
      assertThat(seen).as(token.length() > 40 ? token.length() + " chars" : token).hasSize(1);
      assertThat(timer.getQueue()).isEmpty();
    }
    assertThat(relay.inFlight()).isZero();
  }

  @Test
  void aCancellationForAnUnknownOrMistypedIdChangesNothingAndTheRightOneWithdraws() throws Exception {
    relay.fromAgent(new LineReader.Line.Text(deploy(5, "\"p\"")));
    PendingApproval request = nextRequest();
    assertThat(JSON.readTree(toClient.poll(60, TimeUnit.SECONDS)).get("method").asText())
        .isEqualTo("notifications/progress");
    for (String params : List.of("", ",\"params\":\"x\"", ",\"params\":{}", ",\"params\":{\"requestId\":null}",
        ",\"params\":{\"requestId\":{\"id\":5}}", ",\"params\":{\"requestId\":[5]}",
        ",\"params\":{\"requestId\":\"5\"}", ",\"params\":{\"requestId\":99}")) {
      relay.fromAgent(new LineReader.Line.Text("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\"" + params + "}"));
    }
    assertThat(queue.pending()).extracting(PendingApproval::id).containsExactly(request.id());
    assertThat(relay.inFlight()).isEqualTo(1);
    assertThat(toServer).as("passed on as before").hasSize(8);
    toServer.clear();

    relay.fromAgent(new LineReader.Line.Text(deploy(5, null)));
    assertThat(JSON.readTree(toClient.poll(60, TimeUnit.SECONDS)).at("/error/message").asText())
        .contains("already in flight");

    relay.fromAgent(new LineReader.Line.Text(
        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":5}}"));
    assertThat(queue.pending()).isEmpty();
    assertThat(relay.inFlight()).isZero();
    assertThat(toServer).as("the server never saw the call, nor its cancellation").isEmpty();
    assertThat(toClient).as("no response to a cancelled request").isEmpty();
    assertThat(timer.getQueue()).isEmpty();
  }

  @Test
  void theFirstProgressIsSentAtOnceAndTheNextOnTheTimer() throws Exception {
    relay.fromAgent(new LineReader.Line.Text(deploy(9, "9")));
    nextRequest();
    JsonNode first = JSON.readTree(toClient.poll(60, TimeUnit.SECONDS));
    assertThat(timer.getQueue()).as("the next ones are scheduled").hasSize(1);
    Runnable tick = timer.getQueue().peek();
    assertThat(timer.getQueue().remove(tick)).isTrue();
    tick.run(); // a tick, driven by the test (a periodic task puts itself back in the queue)
    assertThat(timer.getQueue()).containsExactly(tick);
    JsonNode second = JSON.readTree(toClient.poll(60, TimeUnit.SECONDS));
    assertThat(second.at("/params/progress").asDouble()).isGreaterThan(first.at("/params/progress").asDouble());
    assertThat(second.at("/params/total").asDouble()).isEqualTo(first.at("/params/total").asDouble());
    relay.abandonAll("the gateway is shutting down");
    JsonNode refused = JSON.readTree(toClient.poll(60, TimeUnit.SECONDS));
    assertThat(refused.get("id").asInt()).isEqualTo(9);
    assertThat(refused.at("/error/code").asInt()).isEqualTo(JsonRpc.UPSTREAM_UNAVAILABLE);
    assertThat(queue.pending()).isEmpty();
    assertThat(timer.getQueue()).isEmpty();
    assertThat(toClient).isEmpty();
  }
}
