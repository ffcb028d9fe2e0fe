package io.toolgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import io.modelcontextprotocol.spec.McpServerTransport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * A session transport that emits when subscribed to, as the SDK's stdio server transport does,
 * with its first sender held inside the emission: the second sender waits for it, and both
 * messages are emitted, in order.
 */
class OneSenderServerTransportProviderTest {
  private final ExecutorService senders = Executors.newFixedThreadPool(2);
  private final CountDownLatch inside = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<String> emitted = new CopyOnWriteArrayList<>();

  /** Emits on subscription; the sender of {@code notifications/hold} stops inside. */
  private final McpServerTransport lazy = new McpServerTransport() {
    @Override
    public Mono<Void> sendMessage(JSONRPCMessage message) {
      return Mono.fromRunnable(() -> {
        String method = ((McpSchema.JSONRPCNotification) message).method();
        if (method.equals("notifications/hold")) {
          inside.countDown();
          OneSenderTransportTest.await(release);
        }
        emitted.add(method);
      });
    }

    @Override
    public Mono<Void> closeGracefully() {
      return Mono.empty();
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
      throw new UnsupportedOperationException();
    }
  };

  @AfterEach
  void stop() {
    release.countDown();
    senders.shutdownNow();
  }

  @Test
  void theSecondSenderWaitsUntilTheFirstHasEmittedAndBothAreSentInOrder() throws Exception {
    OneSenderServerTransportProvider.OneSender transport = new OneSenderServerTransportProvider.OneSender(lazy);
    CompletableFuture<Void> held = CompletableFuture.runAsync(() -> transport.sendMessage(
        OneSenderTransportTest.note("notifications/hold")).block(Duration.ofSeconds(60)), senders);
    OneSenderTransportTest.await(inside);
    CompletableFuture<Thread> secondSender = new CompletableFuture<>();
    CompletableFuture<Void> second = CompletableFuture.runAsync(() -> {
      secondSender.complete(Thread.currentThread());
      transport.sendMessage(OneSenderTransportTest.note("notifications/second")).block(Duration.ofSeconds(60));
    }, senders);
    Thread sender = secondSender.get(60, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!transport.isWaiting(sender) && !second.isDone() && System.nanoTime() < deadline) {
      Thread.yield();
    }
    assertThat(transport.isWaiting(sender)).as("the second sender waits for the first").isTrue();
    assertThat(emitted).isEmpty();
    release.countDown();
    held.get(60, TimeUnit.SECONDS);
    second.get(60, TimeUnit.SECONDS);
    assertThat(emitted).containsExactly("notifications/hold", "notifications/second");
  }
}
