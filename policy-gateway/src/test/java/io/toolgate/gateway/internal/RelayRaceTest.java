package io.toolgate.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.api.CallContext;
import io.toolgate.api.CallObservation;
import io.toolgate.api.CallObserver;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.approval.PendingApproval;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Races around a held call, each staged with latches: a cancellation between the approval and
 * the forward keeps the call from the server; no progress follows the response; a client that
 * does not read its stream does not stall the timer the sessions share.
 */
class RelayRaceTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String POLICY = "version: '1'\ndefault: allow\ntools:\n"
      + "  deploy: {action: require_approval, wait: 10m, reason: production}\n";
  static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"deploy\","
      + "\"arguments\":{},\"_meta\":{\"progressToken\":\"p\"}}}";

  final BlockingQueue<Message> toServer = new LinkedBlockingQueue<>();
  final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
  final ExecutorService workers = Executors.newCachedThreadPool();
  final InMemoryApprovalQueue queue = InMemoryApprovalQueue.builder(Clock.systemUTC()).build();
  final BlockingQueue<PendingApproval> requested = new LinkedBlockingQueue<>();
  final CountDownLatch release = new CountDownLatch(1);
  final Upstream server = new Upstream() {
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

  RelayRaceTest() {
    timer.setRemoveOnCancelPolicy(true);
    queue.subscribe(new ApprovalQueue.Listener() {
      @Override
      public void pending(PendingApproval request) {
        requested.add(request);
      }
    });
  }

  @AfterEach
  void stop() {
    release.countDown();
    timer.shutdownNow();
    workers.shutdownNow();
  }

  Relay relay(CallObserver observer, Downstream client, Duration progressPeriod) {
    PolicyEngine.Builder engine = PolicyEngine.builder(Policy.parse(POLICY)).approvals(queue);
    if (observer != null) {
      engine.observe(observer);
    }
    return new Relay(engine.build(), CallContext.of("agent").withSession("s"), server, client, 8, 1 << 20,
        Duration.ofMinutes(10), timer, progressPeriod);
  }

  PendingApproval nextRequest() throws InterruptedException {
    PendingApproval request = requested.poll(60, TimeUnit.SECONDS);
    assertThat(request).as("an approval request").isNotNull();
    return request;
  }

  static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  @Test
  void aCancellationBetweenTheApprovalAndTheForwardKeepsTheCallFromTheServer() throws Exception {
    CountDownLatch inRunning = new CountDownLatch(1);
    CallObserver observer = (call, context) -> new CallObservation() {
      @Override
      public Scope running() {
        inRunning.countDown();
        try {
          release.await(60, TimeUnit.SECONDS); // the instant between the allow and the forward
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return Scope.NONE;
      }
    };
    BlockingQueue<String> toClient = new LinkedBlockingQueue<>();
    Relay relay = relay(observer, toClient::add, Duration.ofHours(1));
    relay.fromAgent(new LineReader.Line.Text(CALL));
    PendingApproval pending = nextRequest();
    Thread approver = new Thread(() -> queue.approve(pending.id(), "risk-officer"));
    approver.start(); // the engine resumes on this thread and waits in running()
    assertThat(inRunning.await(60, TimeUnit.SECONDS)).isTrue();
    relay.fromAgent(new LineReader.Line.Text(
        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":1}}"));
    release.countDown();
    approver.join(60_000);
    assertThat(approver.isAlive()).isFalse();
    assertThat(toServer).as("neither the cancelled call nor its cancellation reaches the server").isEmpty();
    toClient.removeIf(message -> message.contains("notifications/progress"));
    assertThat(toClient).as("no response to a cancelled call").isEmpty();
    assertThat(relay.inFlight()).isZero();
  }

  @Test
  void noProgressFollowsTheResponseEvenWhenATickIsBeingSentAsTheCallIsDecided() throws Exception {
    BlockingQueue<String> toClient = new LinkedBlockingQueue<>();
    AtomicBoolean blockProgress = new AtomicBoolean();
    CountDownLatch inSend = new CountDownLatch(1);
    Downstream client = message -> {
      if (message.contains("notifications/progress") && blockProgress.getAndSet(false)) {
        inSend.countDown();
        try {
          release.await(60, TimeUnit.SECONDS); // a slow write of the tick
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      toClient.add(message);
    };
    Relay relay = relay(null, client, Duration.ofHours(1));
    relay.fromAgent(new LineReader.Line.Text(CALL));
    PendingApproval pending = nextRequest();
    assertThat(toClient.poll(60, TimeUnit.SECONDS)).contains("notifications/progress"); // the first, at once
    Runnable tick = timer.getQueue().peek();
    assertThat(timer.getQueue().remove(tick)).isTrue();
    blockProgress.set(true);
    Thread ticker = new Thread(tick);
    ticker.start();
    assertThat(inSend.await(60, TimeUnit.SECONDS)).isTrue();
    Thread approver = new Thread(() -> queue.approve(pending.id(), "risk-officer"));
    approver.start();
    // Either the decision waits for the tick being sent, or (the bug) it went on to the server.
    await(() -> blockedBy(approver, ticker) || !toServer.isEmpty(), "the decision waits for the tick or goes on");
    String answer = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[]}}";
    boolean answered = !toServer.isEmpty();
    if (answered) {
      relay.received(new Message(answer, (ObjectNode) JSON.readTree(answer)));
    }
    release.countDown();
    ticker.join(60_000);
    approver.join(60_000);
    if (!answered) {
      assertThat(toServer.poll(60, TimeUnit.SECONDS)).isNotNull();
      relay.received(new Message(answer, (ObjectNode) JSON.readTree(answer)));
    }
    List<String> seen = new ArrayList<>(toClient);
    assertThat(seen).hasSize(2);
    assertThat(seen.get(0)).contains("notifications/progress");
    assertThat(JSON.readTree(seen.get(1)).has("result")).as("the response comes last: " + seen).isTrue();
  }

  static boolean blockedBy(Thread waiting, Thread owner) {
    ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(waiting.getId());
    return info != null && info.getLockOwnerId() == owner.getId();
  }

  @Test
  void progressAndValuesFractionsOfTheWaitNoTotalTimeLeftInTheMessage() throws Exception {
    BlockingQueue<String> toClient = new LinkedBlockingQueue<>();
    Relay relay = relay(null, toClient::add, Duration.ofHours(1));
    relay.fromAgent(new LineReader.Line.Text(CALL));
    nextRequest();
    List<JsonNode> seen = new ArrayList<>();
    seen.add(JSON.readTree(toClient.poll(60, TimeUnit.SECONDS)));
    Runnable tick = timer.getQueue().peek();
    for (int i = 0; i < 3; i++) {
      assertThat(timer.getQueue().remove(tick)).isTrue();
      tick.run();
      seen.add(JSON.readTree(toClient.poll(60, TimeUnit.SECONDS)));
    }
    double last = -1;
    for (JsonNode each : seen) {
      double progress = each.at("/params/progress").asDouble();
      assertThat(progress).isGreaterThan(last).isLessThan(1.0);
      last = progress;
      assertThat(each.at("/params").has("total")).isFalse();
      assertThat(each.at("/params/message").asText()).matches("waiting for approval \\S+, (10m|9m\\d+s) left");
    }
    relay.abandonAll("done");
  }

  @Test
  void aClientThatDoesNotReadItsStreamDoesNotStallTheSharedTimer() throws Exception {
    CountDownLatch blocked = new CountDownLatch(1);
    AtomicBoolean firstWritten = new AtomicBoolean();
    HttpSessionTest.Recorded unread = new HttpSessionTest.Recorded() {
      @Override
      void writing(String event) {
        if (firstWritten.getAndSet(true)) { // the first progress passes; the next never does
          blocked.countDown();
          try {
            release.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
    };
    HttpSession session = new HttpSession("s-1", CallContext.of("agent"), server, workers);
    Relay relay = relay(null, session, Duration.ofMillis(1));
    session.start(relay);
    HttpSession.Stream stream = new HttpSession.Stream(unread);
    stream.begin();
    assertThat(session.listen(stream)).isTrue();
    relay.fromAgent(new LineReader.Line.Text(CALL));
    nextRequest();
    assertThat(blocked.await(60, TimeUnit.SECONDS)).as("a tick's write blocks").isTrue();
    CountDownLatch otherSession = new CountDownLatch(1);
    timer.schedule(otherSession::countDown, 0, TimeUnit.MILLISECONDS);
    assertThat(otherSession.await(60, TimeUnit.SECONDS)).as("the timer still runs other sessions' tasks").isTrue();
    release.countDown();
    relay.abandonAll("done");
  }
}
