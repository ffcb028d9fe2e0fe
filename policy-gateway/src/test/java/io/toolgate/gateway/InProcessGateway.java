package io.toolgate.gateway;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.toolgate.engine.PolicyEngine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A {@link Gateway} on this JVM's threads, between pipes, in front of {@link UpstreamTestServer}
 * run as a child process; the test talks to it with the SDK's client, or line by line.
 */
final class InProcessGateway implements AutoCloseable {
  final Path calls;
  final Gateway gateway;
  /** What the test writes to the gateway (its stdin). */
  final OutputStream toGateway;
  /** What the gateway writes (its stdout). */
  final InputStream fromGateway;
  final CompletableFuture<Void> served = new CompletableFuture<>();

  private InProcessGateway(PolicyEngine engine, UnaryOperator<Gateway.Builder> configure) throws IOException {
    this(callsFile(), calls -> configure.apply(Gateway.builder(engine, Upstreams.command(calls)).restartBackoff(Duration.ZERO)));
  }

  private static Path callsFile() throws IOException {
    Path calls = Files.createTempFile("gateway-upstream-calls", ".log");
    Files.delete(calls);
    return calls;
  }

  private InProcessGateway(Path calls, java.util.function.Function<Path, Gateway.Builder> builder) throws IOException {
    this.calls = calls;
    Pipe in = Pipe.open();
    Pipe out = Pipe.open();
    this.toGateway = Channels.newOutputStream(in.sink());
    this.fromGateway = Channels.newInputStream(out.source());
    this.gateway = builder.apply(calls).build();
    InputStream gatewayIn = Channels.newInputStream(in.source());
    OutputStream gatewayOut = Channels.newOutputStream(out.sink());
    Thread serving = new Thread(() -> {
      try {
        gateway.serve(gatewayIn, gatewayOut);
        served.complete(null);
      } catch (Throwable e) {
        served.completeExceptionally(e);
      } finally {
        try {
          gatewayOut.close();
        } catch (IOException ignored) {
          // closed
        }
      }
    }, "test-gateway");
    serving.setDaemon(true);
    serving.start();
  }

  static InProcessGateway start(PolicyEngine engine) throws IOException {
    return new InProcessGateway(engine, UnaryOperator.identity());
  }

  static InProcessGateway start(PolicyEngine engine, UnaryOperator<Gateway.Builder> configure) throws IOException {
    return new InProcessGateway(engine, configure);
  }

  /** An SDK client on the gateway's pipes, configured by {@code spec}, initialized. */
  /** A gateway built by {@code builder}, in front of whatever server it names; {@code calls} is that server's log. */
  static InProcessGateway start(Path calls, Gateway.Builder builder) throws IOException {
    return new InProcessGateway(calls, ignored -> builder);
  }

  McpSyncClient client(UnaryOperator<McpClient.SyncSpec> spec) {
    McpSyncClient client = spec.apply(
            McpClient.sync(new StreamClientTransport(fromGateway, toGateway, McpJsonDefaults.getMapper()))
                .requestTimeout(Duration.ofSeconds(60))
                .initializationTimeout(Duration.ofSeconds(60)))
        .build();
    client.initialize();
    return client;
  }

  McpSyncClient client() {
    return client(UnaryOperator.identity());
  }

  @Override
  public void close() throws Exception {
    toGateway.close();
    served.get(60, TimeUnit.SECONDS);
    gateway.close();
    Files.deleteIfExists(calls);
    Files.deleteIfExists(Path.of(calls + ".crashed"));
  }
}
