package io.toolgate.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.api.CallContext;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.PolicyEngine;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session between an MCP client and an MCP server, relayed at the JSON-RPC level. Every
 * message passes unchanged both ways, whatever its method, except:
 *
 * <ul>
 *   <li>{@code tools/call} from the client is decided by the engine: an allowed call is forwarded
 *       and its response relayed back (an error or an {@code isError} result counts as failed for
 *       {@code refund_on_error}); a refused call is answered here, as {@code McpToolGuard}
 *       answers it, and never reaches the server;
 *   <li>the result of {@code tools/list} keeps only the tools the policy lists for the caller
 *       (everything else in it, {@code nextCursor} included, is kept);
 *   <li>what is not a JSON-RPC message, a batch, a message over the size limit, a request beyond
 *       the in-flight limit or a malformed {@code tools/call} gets a JSON-RPC error from here.
 * </ul>
 *
 * <p>Ids: the relay never sends a request of its own, so every request the server sees carries
 * the client's id and every request the client sees carries the server's; each side answers
 * its own ids, and nothing is rewritten. The relay answers some of the client's requests itself
 * (refusals, errors); those never reach the server, so no id is answered twice. It remembers the
 * client's requests in flight by id (refusing a second request with the id of one in flight), to
 * filter {@code tools/list}, to settle counters, and to answer with an error a request the server
 * will never answer (it exited, or did not answer within the request timeout). A response for an
 * id no longer in flight (after a timeout or a cancellation) is dropped.
 *
 * <p>A {@code tools/call} held by a {@code require_approval} entry with {@code wait} has not
 * reached the server: while it waits, a request that carried a {@code progressToken} gets {@code
 * notifications/progress} from here ({@link HeldCalls}); a {@code notifications/cancelled} for it
 * cancels the decision (the approval request is withdrawn), is not passed to the server, and no
 * response is sent (if the engine allowed it meanwhile, it is not sent to the server either, and
 * counts as failed); a shutdown that outlasts the grace period answers it with an error.
 *
 * <p>What the timer fires (progress, request timeouts) runs on the downstream's {@linkplain
 * Downstream#writer() writer}, so that a client that does not read never stalls the timer.
 */
public final class Relay implements Upstream.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(Relay.class);
  private static final String TOOLS_CALL = "tools/call";
  private static final String TOOLS_LIST = "tools/list";
  private static final String CANCELLED = "notifications/cancelled";
  /** How often a held call's client gets a progress notification, by default: every 10 seconds. */
  public static final Duration PROGRESS_PERIOD = HeldCalls.PROGRESS_PERIOD;

  /** What the client gets for one tool call: the response to send ({@code null}: none), and whether it failed. */
  record Outcome(String response, boolean failed) {}

  /** A client request waiting for the server's response. */
  private static final class Pending {
    final JsonNode id;
    final boolean filterTools;
    final CompletableFuture<Outcome> call;
    volatile ScheduledFuture<?> timeout;

    void stopTimer() {
      ScheduledFuture<?> scheduled = timeout;
      if (scheduled != null) {
        scheduled.cancel(false);
      }
    }

    Pending(JsonNode id, boolean filterTools, CompletableFuture<Outcome> call) {
      this.id = id;
      this.filterTools = filterTools;
      this.call = call;
    }
  }

  private final PolicyEngine engine;
  private final CallContext context;
  private final Upstream upstream;
  private final Downstream downstream;
  private final ObjectMapper parser;
  private final int maxInFlight;
  private final int maxMessageBytes;
  private final Duration requestTimeout;
  private final ScheduledExecutorService timer;
  private final Map<JsonNode, Pending> pending = new ConcurrentHashMap<>();
  private final HeldCalls deciding = new HeldCalls();
  private final Duration progressPeriod;
  private final Drain drain = new Drain();

  public Relay(
      PolicyEngine engine,
      CallContext context,
      Upstream upstream,
      Downstream downstream,
      int maxInFlight,
      int maxMessageBytes,
      Duration requestTimeout,
      ScheduledExecutorService timer) {
    this(engine, context, upstream, downstream, maxInFlight, maxMessageBytes, requestTimeout, timer,
        PROGRESS_PERIOD);
  }

  /**
   * A relay whose held calls get a progress notification every {@code progressPeriod} (by
   * default every 10 seconds), on {@code timer}.
   */
  public Relay(
      PolicyEngine engine,
      CallContext context,
      Upstream upstream,
      Downstream downstream,
      int maxInFlight,
      int maxMessageBytes,
      Duration requestTimeout,
      ScheduledExecutorService timer,
      Duration progressPeriod) {
    this.progressPeriod = progressPeriod;
    this.engine = engine;
    this.context = context;
    this.upstream = upstream;
    this.downstream = downstream;
    this.parser = JsonRpc.parser(maxMessageBytes, true);
    this.maxInFlight = maxInFlight;
    this.maxMessageBytes = maxMessageBytes;
    this.requestTimeout = requestTimeout;
    this.timer = timer;
  }

  /**
   * How many of the client's requests wait now: for the server, or for their decision (a call
   * held for an approval among them).
   */
  public int inFlight() {
    return pending.size() + deciding.size();
  }

  /**
   * Stops taking the client's requests (from now on each is answered with JSON-RPC error {@code
   * -32001} and never reaches the server; notifications and the client's answers to the server's
   * requests still pass); the future completes once every request in flight was answered, tool
   * calls settled and audited. Idempotent.
   */
  public CompletableFuture<Void> drain() {
    CompletableFuture<Void> drained = drain.begin();
    settled();
    return drained;
  }

  private void settled() {
    if (drain.begun()) {
      drain.left(pending.isEmpty());
    }
  }

  /**
   * Answers every request in flight with a JSON-RPC error ({@code reason}), as if the server had
   * gone away: the session is ending. A tool call among them counts as failed.
   */
  public void abandonAll(String reason) {
    for (JsonNode id : java.util.List.copyOf(pending.keySet())) {
      lost(id, reason);
    }
    for (JsonNode id : deciding.cancelAll()) { // held for an approval: withdrawn, then refused
      respond(id, JsonRpc.error(id, JsonRpc.UPSTREAM_UNAVAILABLE, reason));
    }
  }

  /** One line from the client. */
  public void fromAgent(LineReader.Line line) {
    if (line instanceof LineReader.Line.TooLarge tooLarge) {
      reply(JsonRpc.error(null, JsonRpc.INVALID_REQUEST,
          "message of " + tooLarge.bytes() + " bytes is over the gateway's limit of " + maxMessageBytes + " bytes"));
    } else if (line instanceof LineReader.Line.Text text) {
      if (!text.text().isBlank()) {
        fromAgent(text.text());
      }
    } else {
      reply(JsonRpc.error(null, JsonRpc.PARSE_ERROR, "message is not UTF-8"));
    }
  }

  private void fromAgent(String text) {
    JsonNode json;
    try {
      json = parser.readTree(text);
    } catch (IOException e) {
      reply(JsonRpc.error(null, JsonRpc.PARSE_ERROR, "message is not JSON (or breaks the gateway's read limits)"));
      return;
    }
    fromAgent(text, json);
  }

  /**
   * One message from the client, {@code json} being {@code text} as read by a parser with the
   * relay's limits ({@link JsonRpc#parser JsonRpc.parser(maxMessageBytes, true)}): for a client
   * side that has read it already. A blank message is ignored.
   */
  public void fromAgent(String text, JsonNode json) {
    if (json == null || json.isMissingNode()) {
      return; // blank: nothing to answer
    }
    if (json.isArray()) {
      reply(JsonRpc.error(null, JsonRpc.INVALID_REQUEST, "JSON-RPC batches are not supported"));
      return;
    }
    if (!(json instanceof ObjectNode object) || !wellFormed(object)) {
      JsonNode id = json != null && json.path("id").isValueNode() ? json.get("id") : null;
      if (JsonRpc.validId(id)) {
        respond(id, JsonRpc.error(id, JsonRpc.INVALID_REQUEST, "not a JSON-RPC 2.0 message"));
      } else {
        reply(JsonRpc.error(null, JsonRpc.INVALID_REQUEST, "not a JSON-RPC 2.0 message"));
      }
      return;
    }
    Message message = new Message(text, object);
    switch (message.kind()) {
      case REQUEST -> {
        if (drain.begun()) {
          respond(message.id(), JsonRpc.error(message.id(), JsonRpc.UPSTREAM_UNAVAILABLE, Drain.REFUSAL));
        } else if (TOOLS_CALL.equals(message.method())) {
          call(message);
        } else {
          Object admitted = admit(message.id(), TOOLS_LIST.equals(message.method()), null);
          if (admitted instanceof String refusal) {
            respond(message.id(), refusal);
          } else {
            upstream.send(message);
            startTimer((Pending) admitted);
          }
        }
      }
      case NOTIFICATION -> {
        if (CANCELLED.equals(message.method())) {
          JsonNode requestId = message.json().path("params").get("requestId");
          if (deciding.cancel(requestId)) {
            return; // the server never saw the request
          }
          cancelled(requestId);
        }
        upstream.send(message);
      }
      case RESPONSE -> upstream.send(message);
    }
  }

  private static boolean wellFormed(ObjectNode json) {
    JsonNode method = json.get("method");
    if (method != null) {
      return method.isTextual() && (!json.has("id") || JsonRpc.validId(json.get("id")));
    }
    return json.has("id") && (json.has("result") || json.has("error"));
  }


  private void call(Message request) {
    JsonNode id = request.id();
    JsonNode params = request.json().get("params");
    JsonNode name = params == null ? null : params.get("name");
    JsonNode arguments = params == null ? null : params.get("arguments");
    if (params == null || !params.isObject() || name == null || !name.isTextual()) {
      respond(id, JsonRpc.error(id, JsonRpc.INVALID_PARAMS, "tools/call needs params with a tool name (a string)"));
      return;
    }
    if (arguments != null && !arguments.isNull() && !arguments.isObject()) {
      respond(id, JsonRpc.error(id, JsonRpc.INVALID_PARAMS, "tools/call arguments must be an object"));
      return;
    }
    String busy = refusedBeforeDeciding(id);
    HeldCalls.Call held = busy == null ? deciding.start(id, params.get("_meta"), this::reply, timer, downstream.writer(),
        progressPeriod) : null;
    if (held == null) {
      // before the engine: a call the gateway cannot take must not take a count
      respond(id, busy != null ? busy : JsonRpc.error(id, JsonRpc.INVALID_REQUEST, "a request with this id is already in flight"));
      return;
    }
    drain.callStarted();
    ToolCall call = ToolCall.of(name.asText(), arguments);
    CompletableFuture<Outcome> stage = engine
        .callAsync(
            held.progress == null ? call : call.withEnvelope(held.progress),
            context,
            () -> forward(request, held),
            decision -> new Outcome(ToolMessages.refusal(id, decision), false),
            Outcome::failed)
        .toCompletableFuture();
    held.deciding(stage);
    stage.whenComplete((outcome, error) -> {
      deciding.done(held);
      if (held.cancelled()) {
        LOG.debug("tools/call {} was cancelled before it was decided", id);
      } else if (error != null) {
        LOG.error("tools/call failed in the gateway", error);
        respond(id, JsonRpc.error(id, JsonRpc.INTERNAL_ERROR, "the gateway could not relay this call"));
      } else if (outcome.response() != null) {
        respond(id, outcome.response());
      }
      drain.callEnded();
      settled();
    });
  }

  private CompletableFuture<Outcome> forward(Message request, HeldCalls.Call held) {
    CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    if (!deciding.allowed(held)) { // cancelled after the allow: the server must not get it (it failed, not ran)
      outcome.completeExceptionally(new CancellationException("the client cancelled the call before it was sent"));
      return outcome;
    }
    if (drain.begun()) { // decided while the drain began: it has not reached the server
      outcome.complete(new Outcome(JsonRpc.error(request.id(), JsonRpc.UPSTREAM_UNAVAILABLE, Drain.REFUSAL), true));
      return outcome;
    }
    Object admitted = admit(request.id(), false, outcome);
    if (admitted instanceof String refusal) {
      outcome.complete(new Outcome(refusal, true));
    } else {
      upstream.send(request);
      startTimer((Pending) admitted);
    }
    return outcome;
  }

  /** The error response for a request the gateway cannot take now, or {@code null}. */
  private String refusedBeforeDeciding(JsonNode id) {
    if (pending.size() + deciding.size() >= maxInFlight) {
      return JsonRpc.error(id, JsonRpc.BUSY, "the gateway has " + maxInFlight + " requests in flight; try again");
    }
    if (pending.containsKey(id) || deciding.contains(id)) {
      return JsonRpc.error(id, JsonRpc.INVALID_REQUEST, "a request with this id is already in flight");
    }
    return null;
  }

  /**
   * Registers a request for its response: the {@link Pending}, or the error response that refuses
   * it. Its timer starts once it was sent ({@link #startTimer}), so that a cancellation never goes
   * to the server before the request it cancels.
   */
  private Object admit(JsonNode id, boolean filterTools, CompletableFuture<Outcome> call) {
    String refused = refusedBeforeDeciding(id);
    if (refused != null) {
      return refused;
    }
    Pending entry = new Pending(id, filterTools, call);
    if (pending.putIfAbsent(id, entry) != null) {
      return JsonRpc.error(id, JsonRpc.INVALID_REQUEST, "a request with this id is already in flight");
    }
    return entry;
  }

  private void startTimer(Pending entry) {
    entry.timeout = timer.schedule(() -> downstream.writer().execute(() -> timedOut(entry)), requestTimeout.toMillis(),
        TimeUnit.MILLISECONDS);
    if (pending.get(entry.id) != entry) {
      entry.stopTimer(); // answered before its timer was set
    }
  }

  private void timedOut(Pending entry) {
    if (pending.remove(entry.id, entry)) {
      ObjectNode params = JsonNodeFactory.instance.objectNode();
      params.set("requestId", entry.id);
      params.put("reason", "the gateway's request timeout passed");
      ObjectNode cancel = JsonNodeFactory.instance.objectNode().put("jsonrpc", "2.0").put("method", CANCELLED);
      cancel.set("params", params);
      upstream.send(new Message(JsonRpc.write(cancel), cancel));
      upstream.forget(entry.id);
      answer(entry, JsonRpc.error(entry.id, JsonRpc.UPSTREAM_UNAVAILABLE,
          "the upstream server did not answer within " + requestTimeout.toSeconds() + "s"));
      settled();
    }
  }

  /** The client cancelled a request: no response goes to it; a tool call counts as run. */
  private void cancelled(JsonNode requestId) {
    Pending entry = requestId == null ? null : pending.remove(requestId);
    if (entry != null) {
      entry.stopTimer();
      upstream.forget(requestId);
      if (entry.call != null) {
        entry.call.complete(new Outcome(null, false));
      }
      settled();
    }
  }

  private void answer(Pending entry, String error) {
    if (entry.call != null) {
      entry.call.complete(new Outcome(error, true));
    } else {
      respond(entry.id, error);
    }
  }

  @Override
  public void received(Message message, JsonNode relatedTo) {
    if (message.kind() == Message.Kind.RESPONSE || relatedTo == null) {
      received(message);
      return;
    }
    try {
      downstream.send(message.text(), relatedTo);
    } catch (RuntimeException e) {
      LOG.debug("could not write to the client", e);
    }
  }

  @Override
  public void received(Message message) {
    if (message.kind() != Message.Kind.RESPONSE) {
      reply(message.text());
      return;
    }
    Pending entry = message.id() == null ? null : pending.remove(message.id());
    if (entry == null) {
      LOG.debug("dropped a response for a request no longer in flight: {}", message.id());
      return;
    }
    entry.stopTimer();
    if (entry.call != null) {
      entry.call.complete(new Outcome(message.text(), ToolMessages.failed(message)));
    } else if (entry.filterTools) {
      respond(entry.id, ToolMessages.listed(message, engine, context));
    } else {
      respond(entry.id, message.text());
    }
    settled();
  }

  @Override
  public void lost(JsonNode id, String reason) {
    Pending entry = pending.remove(id);
    if (entry != null) {
      entry.stopTimer();
      answer(entry, JsonRpc.error(id, JsonRpc.UPSTREAM_UNAVAILABLE, reason));
      settled();
    }
  }

  /** Sends the response to the client's request {@code id}. */
  private void respond(JsonNode id, String response) {
    try {
      downstream.respond(id, response);
    } catch (RuntimeException e) {
      LOG.debug("could not write to the client", e);
    }
  }

  private void reply(String message) {
    try {
      downstream.send(message);
    } catch (RuntimeException e) {
      LOG.debug("could not write to the client", e);
    }
  }
}
