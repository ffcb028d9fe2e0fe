package io.toolgate.gateway;

import io.toolgate.mcp.LoopbackTomcat;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A load driver, not a test: tool calls per second and latency from the SDK's client to an SDK
 * server over streamable HTTP, directly and through the gateway (HTTP on both sides, the policy
 * deciding every call), with 1 and 8 concurrent clients. Run it (about 30 seconds) with
 * <pre>
 * mvn -q -pl policy-gateway -am package -DskipTests
 * java -cp policy-gateway/target/test-classes:policy-gateway/target/toolgate-gateway.jar:$(ls ~/.m2/repository/org/apache/tomcat/embed/tomcat-embed-core/11.0.27/*.jar):$(ls ~/.m2/repository/org/apache/tomcat/tomcat-annotations-api/11.0.27/*.jar) \
 *   io.toolgate.gateway.GatewayLoad [seconds per run, default 5]
 * </pre>
 */
public final class GatewayLoad {
  private GatewayLoad() {}

  public static void main(String[] args) throws Exception {
    Duration run = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 5);
    Path calls = Files.createTempFile("load-calls", ".log");
    Files.delete(calls);
    Path quiet = Path.of("/dev/null");
    HttpServletStreamableServerTransportProvider transport =
        HttpServletStreamableServerTransportProvider.builder().mcpEndpoint("/mcp").build();
    McpSyncServer server = UpstreamTestServer.features(McpServer.sync(transport), quiet, quiet).build();
    try (LoopbackTomcat tomcat = new LoopbackTomcat().serve("/mcp", transport).start();
        GatewayServer gateway = GatewayServer.builder(Gateway.builder(
                PolicyEngine.of(Policy.fromResource("gateway-test-policy.yaml")), URI.create(tomcat.url() + "/mcp")))
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .maxSessions(16)
            .start()) {
      String gatewayUrl = "http://127.0.0.1:" + gateway.address().getPort();
      System.out.printf("%-8s %7s %10s %10s %10s%n", "target", "clients", "calls/s", "p50 us", "p99 us");
      for (int clients : new int[] {1, 8}) {
        for (String[] target : new String[][] {{"direct", tomcat.url()}, {"gateway", gatewayUrl}}) {
          measure(target[0], target[1], clients, run);
        }
      }
    } finally {
      server.close();
    }
  }

  private static void measure(String name, String base, int clients, Duration run) throws Exception {
    List<McpSyncClient> sessions = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder(base).endpoint("/mcp").build())
          .requestTimeout(Duration.ofSeconds(60)).initializationTimeout(Duration.ofSeconds(60)).build();
      client.initialize();
      sessions.add(client);
    }
    CallToolRequest echo = CallToolRequest.builder("echo").arguments(Map.of("a", 1)).build();
    long[][] latencies = new long[clients][];
    CountDownLatch done = new CountDownLatch(clients);
    long warmUntil = System.nanoTime() + run.toNanos() / 5;
    long stopAt = warmUntil + run.toNanos();
    for (int i = 0; i < clients; i++) {
      int index = i;
      McpSyncClient client = sessions.get(i);
      Thread thread = new Thread(() -> {
        long[] seen = new long[1 << 16];
        int count = 0;
        for (long now; (now = System.nanoTime()) < stopAt; ) {
          client.callTool(echo);
          long took = System.nanoTime() - now;
          if (now >= warmUntil) {
            if (count == seen.length) {
              seen = Arrays.copyOf(seen, count * 2);
            }
            seen[count++] = took;
          }
        }
        latencies[index] = Arrays.copyOf(seen, count);
        done.countDown();
      });
      thread.start();
    }
    done.await();
    long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
    double perSecond = all.length / (run.toNanos() / 1e9);
    System.out.printf("%-8s %7d %10.0f %10d %10d%n", name, clients, perSecond,
        all[all.length / 2] / 1000, all[(int) (all.length * 0.99)] / 1000);
    sessions.forEach(McpSyncClient::closeGracefully);
  }
}
