package io.toolgate.mcp.internal;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ProgressNotification;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.PolicyEngine;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * The interceptor behind one {@code McpToolGuard}'s handlers: a {@code tools/call} decided by the
 * engine and run only if allowed, synchronously or as a stage; a call that may be held gets its
 * {@link HeldCall} (progress, cancellation), and a held call its client cancelled never runs.
 * Whether a tool may be held is the guard's per-tool rule ({@link #mayHold}), which a stdio input
 * wrapped for the guard asks too. Thread-safe.
 */
public final class GuardedCalls {
  private final PolicyEngine engine;
  private final Function<Decision, CallToolResult> onRefusal;
  private final Duration progressPeriod;
  private final HeldCall.Holding holding = new HeldCall.Holding();

  /** Calls of {@code engine}, refused through {@code onRefusal}, held ones heard every period. */
  public GuardedCalls(PolicyEngine engine, Function<Decision, CallToolResult> onRefusal, Duration progressPeriod) {
    this.engine = engine;
    this.onRefusal = onRefusal;
    this.progressPeriod = progressPeriod;
  }

  /** Whether the engine's policy, as it is now, may hold a call of {@code tool}. */
  public boolean mayHold(String tool) {
    return holding.mayHold(engine.policy(), tool == null ? "" : tool);
  }

  /**
   * What the call does if the engine holds it: progress to the client when its request carried a
   * {@code progressToken} and {@code notifier} can reach it, and cancellation by the client when
   * the transport context carries a {@code McpCancellation} slot or the call came in on a wrapped
   * stdio input; {@code null} (nothing allocated, nothing hashed) when neither applies or no
   * {@code require_approval} entry of the policy can match the tool.
   */
  public HeldCall heldCall(
      CallToolRequest request, Consumer<ProgressNotification> notifier, McpTransportContext transportContext) {
    if (!mayHold(request.name())) {
      StdioCalls.passed(request.name(), request.arguments(), request.meta()); // its own entry, if listed
      return null;
    }
    Object slot = transportContext.get(CancelSlot.CONTEXT_KEY); // HTTP; on stdio, by the call's content
    CancelSlot cancel = slot instanceof CancelSlot s
        ? s : StdioCalls.claim(request.name(), request.arguments(), request.meta());
    return HeldCall.of(request.progressToken(), notifier, progressPeriod, cancel);
  }

  /** The call decided and, if allowed, run on this thread. */
  public CallToolResult callSync(
      CallToolRequest request, CallContext context, HeldCall held, Supplier<CallToolResult> tool) {
    ToolCall call = received(request, context, held);
    if (held == null) {
      return engine.call(call, context, tool::get, onRefusal, Refusals::failed);
    }
    held.cancelsThisThread(); // the engine withdraws the request when the waiting thread is interrupted
    try {
      return engine.call(call, context,
          () -> {
            if (decided(held)) {
              throw new Withdrawn(); // cancelled after the decision, before the tool: it never runs
            }
            return tool.get();
          },
          decision -> {
            decided(held);
            return onRefusal.apply(decision);
          },
          Refusals::failed);
    } catch (Withdrawn e) {
      throw Refusals.cancelled();
    } finally {
      decided(held);
    }
  }

  /**
   * Stops {@code held}'s progress; clears the interrupt its cancellation sent this thread. True
   * when the client cancelled the call before.
   */
  private static boolean decided(HeldCall held) {
    if (held.decided()) {
      Thread.interrupted();
      return true;
    }
    return false;
  }

  /** A held call its client cancelled between the decision and the tool: it counts as failed. */
  private static final class Withdrawn extends CancellationException {
    private static final long serialVersionUID = 1L;

    Withdrawn() {
      super("the client cancelled the call");
    }
  }

  /** The call decided and, if allowed, run, as a {@link Mono}. */
  public Mono<CallToolResult> callAsync(
      CallToolRequest request, CallContext context, HeldCall held, Supplier<Mono<CallToolResult>> tool) {
    return Mono.deferContextual(
        reactorContext -> {
          Supplier<CompletionStage<CallToolResult>> calling =
              () -> engine.callAsync(
                  received(request, context, held),
                  context,
                  () -> {
                    if (held != null && held.decided()) { // cancelled: the tool never runs
                      return CompletableFuture.failedFuture(new CancellationException("the client cancelled the call"));
                    }
                    return Objects.requireNonNull(tool.get(), "the tool returned no Mono")
                        .contextWrite(reactorContext)
                        .toFuture();
                  },
                  decision -> {
                    if (held != null) {
                      held.decided();
                    }
                    return onRefusal.apply(decision);
                  },
                  Refusals::failed);
          if (held == null) {
            return Mono.fromCompletionStage(calling.get());
          }
          CompletionStage<CallToolResult> stage;
          try {
            stage = calling.get();
          } catch (RuntimeException | Error e) {
            held.decided(); // no stage to end the progress
            throw e;
          }
          return Mono.fromCompletionStage(held.cancels(stage)) // cancelling the stage withdraws
              .onErrorMap(CancellationException.class, e -> Refusals.cancelled());
        });
  }

  /** The call as the engine sees it: the request's name ({@code ""} if none) and arguments. */
  public static ToolCall call(CallToolRequest request) {
    String name = request.name() == null ? "" : request.name();
    return ToolCall.of(name, request.arguments());
  }

  /**
   * The call, with its envelope when the engine has observers or the call may be held: the
   * request's {@code _meta}, read only if an observer asks.
   */
  private ToolCall received(CallToolRequest request, CallContext context, HeldCall held) {
    ToolCall call = call(request);
    return engine.isObserved() || held != null
        ? call.withEnvelope(McpEnvelopes.received(request.meta(), context.sessionId(), held))
        : call;
  }
}
