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

  /**
   * A policy that can hold calls of some tools: an unobserved engine; {@code deploy_*} needs an
   * approval without {@code wait}, so its calls are refused at once rather than held here.
   */
  private final List<io.toolgate.api.AuditEvent> holdingEvents = new CopyOnWriteArrayList<>();

  private final McpToolGuard holding = McpToolGuard.builder(
          PolicyEngine.builder(Policy.parse("""
              version: '1'
              default: allow
              tools:
                create_live_algorithm: { action: require_approval, wait: 2m }
                deploy_*: { action: require_approval }
              """)).audit(holdingEvents::add).build())
      .identity(McpIdentityResolver.fixed(CallContext.of("agent")))
      .build();

  /**
   * Whether a call may be held is decided per tool, not per policy: a call gets an envelope (and
   * with it progress and cancellation) only when some {@code require_approval} entry can match its
   * tool, by name or by glob. {@code read_file} is matched by none, so even its call with a valid
   * {@code progressToken} gets none (the policy's approval entry for another tool costs it
   * nothing); {@code deploy_prod}, matched by the glob {@code deploy_*}, gets one.
   */
  @Test
  void onlyACallOfAToolThatSomeApprovalEntryCanMatchGetsAnEnvelope() {
    var tool = holding.guard(
        new McpServerFeatures.SyncToolSpecification(TestTools.tool("read_file"), (exchange, request) -> ok()));
    var exchange = new McpSyncServerExchange(
        new McpAsyncServerExchange("session-1", null, null, null, McpTransportContext.EMPTY));

    tool.callHandler().apply(exchange, new CallToolRequest("read_file", Map.of(), Map.of("traceparent", "x")));
    tool.callHandler().apply(exchange, new CallToolRequest("read_file", Map.of(), Map.of("progressToken", Map.of())));
    tool.callHandler().apply(exchange, REQUEST);
    tool.callHandler().apply(exchange, new CallToolRequest("deploy_prod", Map.of(), Map.of("traceparent", "x")));
    tool.callHandler().apply(exchange, new CallToolRequest("deploy_prod", Map.of(), Map.of("progressToken", 5)));

    assertThat(holdingEvents).hasSize(5);
    assertThat(holdingEvents.get(0).call().envelope()).isSameAs(CallEnvelope.NONE);
    assertThat(holdingEvents.get(1).call().envelope()).isSameAs(CallEnvelope.NONE); // not a valid token
    assertThat(holdingEvents.get(2).call().envelope()).isSameAs(CallEnvelope.NONE); // no entry can hold read_file
    assertThat(holdingEvents.get(3).call().envelope()).isSameAs(CallEnvelope.NONE); // no token, no cancellation
    assertThat(holdingEvents.get(4).call().envelope().side()).isEqualTo(CallEnvelope.Side.SERVER);
    assertThat(holdingEvents.get(4).call().envelope().sessionId()).isEqualTo("session-1");
    assertThat(holdingEvents.get(4).decision().isAllowed()).isFalse(); // approval required, not held
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
