package io.toolgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpAsyncServerExchange;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.toolgate.api.CallContext;
import io.toolgate.api.CallEnvelope;
import io.toolgate.api.CallObservation;
import io.toolgate.api.CallObserver;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The guard hands observers each call's envelope: side, method, session, and the request's _meta. */
class McpToolGuardEnvelopeTest {
  private final List<String> seen = new CopyOnWriteArrayList<>();

  /** Notes what an observer can read of each call's envelope, and tries to write to it. */
  private final CallObserver reading = (call, context) -> {
    CallEnvelope envelope = call.envelope();
    List<String> keys = new ArrayList<>();
    envelope.metadataKeys().forEach(keys::add);
    keys.sort(null);
    envelope.putMetadata("traceparent", "ignored on a server");
    seen.add(envelope.side() + " " + envelope.method() + " session=" + envelope.sessionId()
        + " id=" + envelope.requestId() + " traceparent=" + envelope.metadata("traceparent")
        + " progressToken=" + envelope.metadata("progressToken") + " keys=" + keys);
    return CallObservation.NONE;
  };

  private final McpToolGuard guard =
      McpToolGuard.builder(
              PolicyEngine.builder(Policy.parse("version: '1'\ndefault: allow\n")).observe(reading).build())
          .identity(McpIdentityResolver.fixed(CallContext.of("agent")))
          .build();

  private static final CallToolRequest REQUEST =
      new CallToolRequest("read_file", Map.of(), Map.of("traceparent", "00-abc-def-01", "progressToken", 5));

  private static CallToolResult ok() {
    return CallToolResult.builder().content(List.of()).build();
  }

  @Test
  void aSessionsCallCarriesItsSessionAndMetaToObservers() {
    var tool = guard.guard(
        new McpServerFeatures.SyncToolSpecification(TestTools.tool("read_file"), (exchange, request) -> ok()));
    var exchange = new McpSyncServerExchange(
        new McpAsyncServerExchange("session-1", null, null, null, McpTransportContext.EMPTY));

    tool.callHandler().apply(exchange, REQUEST);

    assertThat(seen).containsExactly(
        "SERVER tools/call session=session-1 id=null traceparent=00-abc-def-01 progressToken=null"
            + " keys=[progressToken, traceparent]");
    assertThat(REQUEST.meta()).doesNotContainValue("ignored on a server");
  }

  @Test
  void anEngineNobodyObservesGetsPlainCalls() {
    List<io.toolgate.api.AuditEvent> events = new CopyOnWriteArrayList<>();
    McpToolGuard unobserved = McpToolGuard.builder(
            PolicyEngine.builder(Policy.parse("version: '1'\ndefault: allow\n")).audit(events::add).build())
        .identity(McpIdentityResolver.fixed(CallContext.of("agent")))
        .build();
    var tool = unobserved.guard(
        new McpServerFeatures.SyncToolSpecification(TestTools.tool("read_file"), (exchange, request) -> ok()));
    var exchange = new McpSyncServerExchange(
        new McpAsyncServerExchange("session-1", null, null, null, McpTransportContext.EMPTY));

    tool.callHandler().apply(exchange, REQUEST);

    assertThat(events).singleElement().satisfies(e -> assertThat(e.call().envelope()).isSameAs(CallEnvelope.NONE));
  }

  @Test
  void aStatelessCallHasNoSessionAndACallWithoutMetaNoEntries() {
    var tool = guard.guard(new McpStatelessServerFeatures.SyncToolSpecification(
        TestTools.tool("read_file"), (context, request) -> ok()));

    tool.callHandler().apply(McpTransportContext.EMPTY, new CallToolRequest("read_file", Map.of()));

    assertThat(seen).containsExactly("SERVER tools/call session=null id=null traceparent=null progressToken=null keys=[]");
  }

  /** A policy that can hold calls: an unobserved engine, calls with and without a progressToken. */
  private final List<io.toolgate.api.AuditEvent> holdingEvents = new CopyOnWriteArrayList<>();

  private final McpToolGuard holding = McpToolGuard.builder(
          PolicyEngine.builder(Policy.parse("""
              version: '1'
              default: allow
              tools:
                create_live_algorithm: { action: require_approval, wait: 2m }
              """)).audit(holdingEvents::add).build())
      .identity(McpIdentityResolver.fixed(CallContext.of("agent")))
      .build();

  @Test
  void anUnobservedCallWithoutProgressTokenGetsNoEnvelopeEvenWhenCallsCanBeHeld() {
    var tool = holding.guard(
        new McpServerFeatures.SyncToolSpecification(TestTools.tool("read_file"), (exchange, request) -> ok()));
    var exchange = new McpSyncServerExchange(
        new McpAsyncServerExchange("session-1", null, null, null, McpTransportContext.EMPTY));

    tool.callHandler().apply(exchange, new CallToolRequest("read_file", Map.of(), Map.of("traceparent", "x")));
    tool.callHandler().apply(exchange, new CallToolRequest("read_file", Map.of(), Map.of("progressToken", Map.of())));
    tool.callHandler().apply(exchange, REQUEST);

    assertThat(holdingEvents).hasSize(3);
    assertThat(holdingEvents.get(0).call().envelope()).isSameAs(CallEnvelope.NONE);
    assertThat(holdingEvents.get(1).call().envelope()).isSameAs(CallEnvelope.NONE); // not a valid token
    assertThat(holdingEvents.get(2).call().envelope().side()).isEqualTo(CallEnvelope.Side.SERVER);
    assertThat(holdingEvents.get(2).call().envelope().sessionId()).isEqualTo("session-1");
  }

  @Test
  void aStatelessCallGetsNoProgressEnvelope() {
    var tool = holding.guard(new McpStatelessServerFeatures.SyncToolSpecification(
        TestTools.tool("read_file"), (context, request) -> ok()));

    tool.callHandler().apply(McpTransportContext.EMPTY, REQUEST);

    assertThat(holdingEvents).singleElement()
        .satisfies(e -> assertThat(e.call().envelope()).isSameAs(CallEnvelope.NONE));
  }
}
