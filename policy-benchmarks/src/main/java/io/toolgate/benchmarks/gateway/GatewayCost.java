package io.toolgate.benchmarks.gateway;

import io.modelcontextprotocol.client.McpSyncClient;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.gateway.Gateway;
import io.toolgate.gateway.GatewayServer;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * What the gateway's own threads spend per call over streamable HTTP: one SDK client calls {@code
 * echo} through the gateway in front of an SDK server, in rounds of a given length, and each
 * round prints the CPU time (and its user part) and the bytes allocated by the threads named
 * {@code toolgate-gateway*}, per call. Unlike latency, these hardly move with the machine's load;
 * the first rounds show the JIT's warm-up. Usage: {@code GatewayCost [seconds per round, default
 * 20]}, {@code -Drounds=N} (default 3).
 */
public final class GatewayCost {
  private GatewayCost() {}

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /** CPU time, bytes allocated and user time of each gateway thread alive now, by thread id. */
  private static Map<Long, long[]> gatewayThreads() {
    Map<Long, long[]> seen = new HashMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("toolgate-gateway")) {
        long id = t.getId();
        seen.put(id, new long[] {THREADS.getThreadCpuTime(id), THREADS.getThreadAllocatedBytes(id), THREADS.getThreadUserTime(id)});
      }
    }
    return seen;
  }

  public static void main(String[] args) throws Exception {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : 20;
    try (EchoServers.Http upstream = new EchoServers.Http();
        GatewayServer gateway = GatewayServer.builder(Gateway.builder(
                PolicyEngine.of(Policy.parse(GatewayBenchmark.POLICY)), URI.create(upstream.url() + "/mcp")))
            .listen(new InetSocketAddress("127.0.0.1", 0)).maxSessions(32).start()) {
      McpSyncClient client =
          GatewayBenchmark.connect(GatewayBenchmark.http("http://127.0.0.1:" + gateway.address().getPort()));
      for (int round = 0; round < Integer.getInteger("rounds", 3); round++) {
        long stop = System.nanoTime() + seconds * 1_000_000_000L;
        long n = 0;
        Map<Long, long[]> before = gatewayThreads();
        while (System.nanoTime() < stop) {
          client.callTool(GatewayBenchmark.ECHO);
          n++;
        }
        Map<Long, long[]> after = gatewayThreads();
        long cpu = 0;
        long bytes = 0;
        long user = 0;
        for (Map.Entry<Long, long[]> e : after.entrySet()) {
          long[] b = before.getOrDefault(e.getKey(), new long[3]);
          cpu += e.getValue()[0] - b[0];
          bytes += e.getValue()[1] - b[1];
          user += e.getValue()[2] - b[2];
        }
        System.out.printf("round %d: %d calls; gateway threads: %.1f us CPU (%.1f user) and %d bytes per call%n",
            round + 1, n, cpu / 1000.0 / n, user / 1000.0 / n, bytes / n);
      }
      client.closeGracefully();
    }
    System.exit(0);
  }
}
