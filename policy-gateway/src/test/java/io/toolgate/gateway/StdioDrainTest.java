package io.toolgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stdio gateway's drain, on the code path {@link Main} uses ({@link Gateway#serve} ends in
 * {@link Gateway#close()} when stdin closes; the SIGTERM hook calls {@link Gateway#close()}): calls
 * in flight get the grace period and their responses are written, new requests get {@code -32001}
 * and never reach the server, then the server is stopped. The server's {@code hold} tool answers
 * once the test creates its release file. The real process on SIGTERM: {@code StdioDrainIT}.
 */
class StdioDrainTest {
  static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  Path calls;
  Path release;

  InProcessGateway start(Duration grace) throws Exception {
    calls = dir.resolve("calls.log");
    release = dir.resolve("release");
    PolicyEngine engine = PolicyEngine.builder(Policy.fromResource("operations-policy.yaml")).build();
    return InProcessGateway.start(calls,
        Gateway.builder(engine, Upstreams.command(calls, Map.of(UpstreamTestServer.HOLD, release.toString())))
            .grace(grace));
  }

  static CompletableFuture<CallToolResult> call(McpSyncClient client, String tool) {
    return CompletableFuture.supplyAsync(() -> client.callTool(CallToolRequest.builder(tool).arguments(Map.of()).build()));
  }

  static String text(CallToolResult result) {
    return ((TextContent) result.content().get(0)).text();
  }

  /** Waits until the server runs {@code hold}; the process that runs it. */
  ProcessHandle holding() {
    assertThat(FileEvents.awaitLine(calls, " hold", WAIT)).as("the server runs hold").isTrue();
    return ProcessHandle.of(Upstreams.pids(calls).get(0)).orElseThrow();
  }

  /**
   * The "draining" line is logged once new requests are refused, so that whoever reads the log
   * (StdioDrainIT, an operator) may rely on it: printed before, a request sent on seeing it could
   * still reach the server on a loaded machine.
   */
  @Test
  void theDrainingLineIsLoggedOnceTheDrainHasBegun() throws Exception {
    try (InProcessGateway gateway = start(WAIT)) {
      gateway.client(); // initialized: the gateway serves, with its relay
      List<Boolean> begunAtTheLine = new CopyOnWriteArrayList<>();
      PrintStream err = System.err;
      System.setErr(new PrintStream(err, true) {
        @Override
        public void println(String line) {
          if (line != null && line.contains("toolgate-gateway: draining")) {
            begunAtTheLine.add(gateway.gateway.draining.isDone());
          }
          super.println(line);
        }
      });
      try {
        gateway.gateway.close();
      } finally {
        System.setErr(err);
      }
      assertThat(begunAtTheLine).containsExactly(true);
    }
  }

  @Test
  void whenStdinClosesACallInFlightFinishesAndItsResponseIsWrittenBeforeTheServerStops() throws Exception {
    try (InProcessGateway gateway = start(WAIT)) {
      CompletableFuture<CallToolResult> held = call(gateway.client(), "hold");
      ProcessHandle upstream = holding();
      gateway.toGateway.close();
      gateway.gateway.draining.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(upstream.isAlive()).as("the server runs until the call in flight is answered").isTrue();
      Files.createFile(release);
      assertThat(text(held.get(WAIT.toSeconds(), TimeUnit.SECONDS))).isEqualTo("hold ok");
      gateway.served.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      upstream.onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  @Test
  void aCallStillInFlightAfterTheGraceIsAnsweredWithAnErrorAndTheServerIsStopped() throws Exception {
    try (InProcessGateway gateway = start(Duration.ZERO)) {
      CompletableFuture<CallToolResult> held = call(gateway.client(), "hold");
      ProcessHandle upstream = holding();
      gateway.toGateway.close();
      assertThat(held).failsWithin(WAIT).withThrowableThat().havingRootCause().isInstanceOf(McpError.class)
          .withMessageContaining("grace period");
      gateway.served.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      upstream.onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  @Test
  void closingRefusesNewRequestsWithMinus32001AndLetsTheCallInFlightFinish() throws Exception {
    try (InProcessGateway gateway = start(WAIT)) {
      McpSyncClient client = gateway.client();
      CompletableFuture<CallToolResult> held = call(client, "hold");
      ProcessHandle upstream = holding();
      CompletableFuture<Void> closed = CompletableFuture.runAsync(gateway.gateway::close); // what SIGTERM runs
      gateway.gateway.draining.get(WAIT.toSeconds(), TimeUnit.SECONDS);

      assertThatThrownBy(() -> client.callTool(CallToolRequest.builder("echo").arguments(Map.of()).build()))
          .isInstanceOf(McpError.class)
          .satisfies(e -> assertThat(((McpError) e).getJsonRpcError().code()).isEqualTo(-32001))
          .hasMessageContaining("shutting down");
      assertThatThrownBy(client::listTools).isInstanceOf(McpError.class).hasMessageContaining("shutting down");
      assertThat(closed).isNotDone();

      Files.createFile(release);
      assertThat(text(held.get(WAIT.toSeconds(), TimeUnit.SECONDS))).isEqualTo("hold ok");
      closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      upstream.onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(Upstreams.calls(calls)).containsExactly("hold");
    }
  }
}
