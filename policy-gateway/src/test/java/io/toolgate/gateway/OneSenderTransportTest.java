package io.toolgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Two threads sending on the SDK's stdio client transport at once, the second while the first is
 * still inside the transport's outbound sink (held there by a latch, as a descheduled thread is):
 * the SDK's transport refuses the second after spinning 100 ms; {@link OneSenderTransport} makes
 * it wait and sends both. The server is {@code cat}, so every message sent comes back.
 */
class OneSenderTransportTest {
  private final BlockingQueue<JSONRPCMessage> echoed = new LinkedBlockingQueue<>();
  private final HeldStdio stdio = new HeldStdio();
  private final ExecutorService senders = Executors.newFixedThreadPool(2);

  /** The SDK's stdio transport whose sender of {@code notifications/hold} stops inside the sink. */
  static final class HeldStdio extends StdioClientTransport {
    final CountDownLatch inside = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    HeldStdio() {
      super(ServerParameters.builder("cat").build(), McpJsonDefaults.getMapper());
    }

    @Override
    protected void handleOutbound(Function<Flux<JSONRPCMessage>, Flux<JSONRPCMessage>> consumer) {
      // hide(): no fusion with the SDK's publishOn, so this runs on the sending thread, in the sink
      super.handleOutbound(messages -> consumer.apply(messages.hide().doOnNext(message -> {
        if (message instanceof McpSchema.JSONRPCNotification n && n.method().equals("notifications/hold")) {
          inside.countDown();
          await(release);
        }
      })));
    }
  }

  static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(60, TimeUnit.SECONDS)).as("latch within a minute").isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static JSONRPCMessage note(String method) {
    return new McpSchema.JSONRPCNotification(McpSchema.JSONRPC_VERSION, method, Map.of("n", 1));
  }

  /** Sends {@code notifications/hold} on a thread of its own, and returns once it is in the sink. */
  CompletableFuture<Void> holdInside(McpClientTransport transport) {
    transport.connect(message -> message.doOnNext(echoed::add)).block(Duration.ofSeconds(60));
    CompletableFuture<Void> held = CompletableFuture.runAsync(
        () -> transport.sendMessage(note("notifications/hold")).block(Duration.ofSeconds(60)), senders);
    await(stdio.inside);
    return held;
  }

  String nextEchoed() throws InterruptedException {
    JSONRPCMessage message = echoed.poll(60, TimeUnit.SECONDS);
    assertThat(message).as("cat echoes what was sent within a minute").isNotNull();
    return ((McpSchema.JSONRPCNotification) message).method();
  }

  @AfterEach
  void close() {
    stdio.release.countDown();
    senders.shutdownNow();
    stdio.closeGracefully().block(Duration.ofSeconds(60));
  }

  @Test
  void theSdkStdioTransportRefusesASecondSenderWhileTheFirstIsInsideItsSink() throws Exception {
    CompletableFuture<Void> held = holdInside(stdio);
    Mono<Void> second = stdio.sendMessage(note("notifications/second"));
    Throwable refused = catchThrowable(() -> second.block(Duration.ofSeconds(60)));
    assertThat(refused).as("the SDK refuses a second sender (if it no longer does, OneSenderTransport may go)")
        .hasMessage("Failed to enqueue message")
        .hasCauseInstanceOf(Sinks.EmissionException.class);
    stdio.release.countDown();
    held.get(60, TimeUnit.SECONDS);
    assertThat(nextEchoed()).isEqualTo("notifications/hold");
  }

  @Test
  void oneSenderAtATimeTheSecondWaitsAndBothAreSentInOrder() throws Exception {
    OneSenderTransport transport = new OneSenderTransport(stdio);
    CompletableFuture<Void> held = holdInside(transport);
    CompletableFuture<Thread> secondSender = new CompletableFuture<>();
    CompletableFuture<Void> second = CompletableFuture.runAsync(() -> {
      secondSender.complete(Thread.currentThread());
      transport.sendMessage(note("notifications/second")).block(Duration.ofSeconds(60));
    }, senders);
    Thread sender = secondSender.get(60, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!transport.isWaiting(sender) && !second.isDone() && System.nanoTime() < deadline) {
      Thread.yield();
    }
    assertThat(second).as("the second sender is not refused").isNotDone();
    assertThat(transport.isWaiting(sender)).as("the second sender waits for the first").isTrue();
    stdio.release.countDown();
    held.get(60, TimeUnit.SECONDS);
    second.get(60, TimeUnit.SECONDS);
    assertThat(nextEchoed()).isEqualTo("notifications/hold");
    assertThat(nextEchoed()).isEqualTo("notifications/second");
  }
}
