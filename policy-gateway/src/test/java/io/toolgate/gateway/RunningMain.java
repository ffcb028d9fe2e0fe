package io.toolgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** {@link Main} running on this JVM's threads, on pipes, with an SDK client on the other ends. */
final class RunningMain implements AutoCloseable {
  final CompletableFuture<Integer> exit = new CompletableFuture<>();
  final McpSyncClient client;

  RunningMain(String... args) {
    Pipe in;
    Pipe out;
    try {
      in = Pipe.open();
      out = Pipe.open();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    InputStream gatewayIn = Channels.newInputStream(in.source());
    OutputStream gatewayOut = Channels.newOutputStream(out.sink());
    Thread main = new Thread(() -> {
      try (gatewayOut) {
        exit.complete(Main.run(gatewayIn, gatewayOut, args));
      } catch (Throwable e) {
        exit.completeExceptionally(e);
      }
    }, "test-main");
    main.setDaemon(true);
    main.start();
    client = McpClient.sync(new StreamClientTransport(Channels.newInputStream(out.source()),
            Channels.newOutputStream(in.sink()), McpJsonDefaults.getMapper()))
        .requestTimeout(Duration.ofSeconds(60))
        .initializationTimeout(Duration.ofSeconds(60))
        .build();
    client.initialize();
  }

  CallToolResult call(String tool) {
    return client.callTool(CallToolRequest.builder(tool).arguments(Map.of()).build());
  }

  List<String> tools() {
    return client.listTools().tools().stream().map(Tool::name).toList();
  }

  /** Closes the client (the gateway's stdin) and expects exit code 0. */
  @Override
  public void close() throws Exception {
    client.closeGracefully();
    assertThat(exit.get(60, TimeUnit.SECONDS)).isZero();
  }
}
