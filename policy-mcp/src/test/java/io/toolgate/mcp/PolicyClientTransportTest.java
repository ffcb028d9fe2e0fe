package io.toolgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCRequest;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse;
import io.toolgate.api.AuditEvent;
import io.toolgate.api.CallContext;
import io.toolgate.api.CallEnvelope;
import io.toolgate.api.CallObservation;
import io.toolgate.api.CallObserver;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** The client-side transport against a server that never answers, on a clock the test moves. */
class PolicyClientTransportTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T10:00:30Z"), ZoneOffset.UTC);

  /** Accepts every message and never answers; records what it was sent. */
  static final class SilentServer implements McpClientTransport {
    final List<JSONRPCMessage> sent = new CopyOnWriteArrayList<>();
    Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler;

    @Override
    public Mono<Void> connect(Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
      this.handler = handler;
      return Mono.empty();
    }

    @Override
    public Mono<Void> closeGracefully() {
      return Mono.empty();
    }

    @Override
    public Mono<Void> sendMessage(JSONRPCMessage message) {
      sent.add(message);
      return Mono.empty();
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
      return McpJsonDefaults.getMapper().convertValue(data, typeRef);
    }

    /** What the server would answer to request {@code id}, late. */
    void answer(Object id) {
      JSONRPCResponse response =
          new JSONRPCResponse(McpSchema.JSONRPC_VERSION, id, Map.of("content", List.of()), null);
      handler.apply(Mono.just(response)).block(Duration.ofSeconds(30));
    }
  }

  final List<AuditEvent> audit = new CopyOnWriteArrayList<>();
  final AtomicLong nanos = new AtomicLong();
  final SilentServer server = new SilentServer();

  PolicyEngine engine(String policy) {
    return PolicyEngine.builder(Policy.parse(policy)).audit(audit::add).clock(CLOCK).build();
  }

  PolicyClientTransport.Builder transport(PolicyEngine engine) {
    return PolicyClientTransport.builder(server, engine)
        .context(CallContext.of("agent"))
        .responseTimeout(Duration.ofMinutes(10))
        .ticker(nanos::get)
        .executor(Runnable::run);
  }

  static JSONRPCRequest toolCall(Object id) {
    return new JSONRPCRequest(
        McpSchema.JSONRPC_VERSION, McpSchema.METHOD_TOOLS_CALL, id, Map.of("name", "slow_tool", "arguments", Map.of()));
  }

  static void send(PolicyClientTransport transport, Object id) {
    transport.sendMessage(toolCall(id)).block(Duration.ofSeconds(30)); // hang guard only
  }

  long toolCallsSent() {
    return server.sent.stream().filter(m -> m instanceof JSONRPCRequest).count();
  }

  @Test
  void callsWhoseResponseNeverComesExpireCountAsFailedAndAreRefunded() {
    PolicyClientTransport transport =
        transport(engine(String.join("\n",
            "version: \"1\"",
            "default: deny",
            "tools:",
            "  slow_tool:",
            "    limits: [ { counter: slow, max: 3, window: day, refund_on_error: true } ]")))
            .build();
    transport.connect(m -> m).block(Duration.ofSeconds(30));

    for (int id = 1; id <= 4; id++) {
      send(transport, id);
    }
    assertThat(toolCallsSent()).isEqualTo(3); // the 4th was refused before it left
    assertThat(transport.inFlight()).isEqualTo(3);

    nanos.addAndGet(TimeUnit.MINUTES.toNanos(10) + 1);

    assertThat(transport.inFlight()).isZero();
    assertThat(audit)
        .extracting(e -> e.decision().kind() + " " + e.outcome())
        .containsExactly("RATE_LIMITED NOT_RUN", "ALLOW FAILED", "ALLOW FAILED", "ALLOW FAILED"); // audited when settled
    // the three expired calls gave their counts back: three more calls leave
    for (int id = 5; id <= 7; id++) {
      send(transport, id);
    }
    assertThat(toolCallsSent()).isEqualTo(6);

    // a response that comes after its call expired touches nothing
    server.answer(1);
    assertThat(transport.inFlight()).isEqualTo(3);
  }

  @Test
  void manyRequestsWithoutResponsesLeaveTheInFlightMapBounded() {
    PolicyClientTransport transport =
        transport(engine("version: \"1\"\ndefault: allow\n")).maxInFlight(100).build();
    transport.connect(m -> m).block(Duration.ofSeconds(30));

    for (int id = 0; id < 2_000; id++) {
      send(transport, "r" + id);
    }
    assertThat(toolCallsSent()).isEqualTo(2_000);
    assertThat(transport.inFlight()).isLessThanOrEqualTo(100);

    nanos.addAndGet(TimeUnit.MINUTES.toNanos(11));
    send(transport, "late");

    assertThat(transport.inFlight()).isEqualTo(1);
    assertThat(audit.stream().filter(e -> e.outcome() == AuditEvent.Outcome.FAILED).count()).isEqualTo(2_000);
  }

  @Test
  void aResponseInTimeSettlesItsCallAsSucceeded() {
    PolicyClientTransport transport = transport(engine("version: \"1\"\ndefault: allow\n")).build();
    transport.connect(m -> m).block(Duration.ofSeconds(30));

    send(transport, 42);
    server.answer(42);

    assertThat(transport.inFlight()).isZero();
    assertThat(audit).extracting(e -> e.decision().kind() + " " + e.outcome()).containsExactly("ALLOW SUCCEEDED");
  }

  /** An observer that writes {@code entries} into each call's envelope and notes what it saw. */
  static CallObserver writing(Map<String, String> entries, List<String> seen) {
    return (call, context) -> {
      CallEnvelope envelope = call.envelope();
      seen.add(envelope.side() + " " + envelope.method() + " " + envelope.requestId());
      entries.forEach(envelope::putMetadata);
      return CallObservation.NONE;
    };
  }

  @Test
  void metadataAnObserverAddsIsWrittenIntoTheRequestsMetaOverTheCallersOwn() {
    List<String> seen = new CopyOnWriteArrayList<>();
    PolicyEngine engine = PolicyEngine.builder(Policy.parse("version: \"1\"\ndefault: allow\n"))
        .observe(writing(Map.of("traceparent", "00-abc-def-01", "tracestate", "k=v"), seen))
        .build();
    PolicyClientTransport transport = transport(engine).build();
    transport.connect(m -> m).block(Duration.ofSeconds(30));
    JSONRPCRequest request = new JSONRPCRequest(McpSchema.JSONRPC_VERSION, McpSchema.METHOD_TOOLS_CALL, 7,
        Map.of("name", "slow_tool", "arguments", Map.of("x", 1),
            "_meta", Map.of("progressToken", "p1", "traceparent", "stale")));

    transport.sendMessage(request).block(Duration.ofSeconds(30));

    assertThat(seen).containsExactly("CLIENT tools/call 7");
    JSONRPCRequest sent = (JSONRPCRequest) server.sent.get(0);
    assertThat(sent.id()).isEqualTo(7);
    Map<String, Object> params = server.unmarshalFrom(sent.params(), new TypeRef<Map<String, Object>>() {});
    assertThat(params).containsEntry("name", "slow_tool").containsEntry("arguments", Map.of("x", 1));
    assertThat(params.get("_meta")).isEqualTo(
        Map.of("progressToken", "p1", "traceparent", "00-abc-def-01", "tracestate", "k=v"));
  }

  @Test
  void aRequestIsSentAsItCameWhenNoObserverAddsMetadata() {
    List<String> seen = new CopyOnWriteArrayList<>();
    PolicyEngine engine = PolicyEngine.builder(Policy.parse("version: \"1\"\ndefault: allow\n"))
        .observe(writing(Map.of(), seen))
        .build();
    PolicyClientTransport transport = transport(engine).build();
    transport.connect(m -> m).block(Duration.ofSeconds(30));
    JSONRPCRequest request = toolCall(8);

    transport.sendMessage(request).block(Duration.ofSeconds(30));

    assertThat(seen).containsExactly("CLIENT tools/call 8");
    assertThat(server.sent).singleElement().isSameAs(request);
  }
}
