package io.toolgate.benchmarks.gateway;

import io.modelcontextprotocol.client.McpSyncClient;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * Two builds of the gateway compared under the same load: one SDK server over streamable HTTP,
 * two gateways in front of it in this JVM (each build in a class loader of its own), and client
 * threads that call {@code echo} directly, through build A and through build B in turn, rotating
 * the order. Prints, per number of clients, the p50/p90 of each, the added latency of each (median
 * of the per-round differences from the direct call) and the median of B minus A; with one client
 * also the mean CPU time the whole process (client, gateway and server) spent per call of each
 * side, a figure that a loaded machine disturbs less than latency. On a machine
 * whose load drifts by more than the difference sought, separate runs cannot show it; this can.
 *
 * <p>Usage: {@code GatewayAB <seconds per row> <build A> <build B>}, a build being a {@code
 * policy-gateway} jar or classes directory, with a class path that holds everything else but not
 * {@code policy-gateway}; {@code gateway-ab.sh} builds that class path.
 */
public final class GatewayAB {
  private GatewayAB() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: GatewayAB <seconds per row> <build A: jar or classes> <build B: jar or classes>");
      System.exit(2);
    }
    long seconds = Long.parseLong(args[0]);
    try (EchoServers.Http upstream = new EchoServers.Http()) {
      int a = start(Path.of(args[1]), upstream.url());
      int b = start(Path.of(args[2]), upstream.url());
      System.out.printf("| clients | rounds | direct p50 / p90 (us) | A p50 / p90 | B p50 / p90 | A adds | B adds | B - A "
          + "| CPU per call, direct / A / B (us) |%n");
      System.out.printf("|---:|---:|---|---|---|---:|---:|---:|---|%n");
      warmUp(upstream.url(), "http://127.0.0.1:" + a, "http://127.0.0.1:" + b);
      for (int clients : new int[] {1, 8}) {
        row(clients, seconds, upstream.url(), "http://127.0.0.1:" + a, "http://127.0.0.1:" + b);
      }
    }
    System.exit(0);
  }

  /**
   * 8 client threads calling through both builds until each had {@link
   * GatewayOverhead#WARM_UP_CALLS} calls (at most {@link GatewayOverhead#WARM_UP_SECONDS} s): the
   * rows then time compiled code, as a long-running gateway runs it.
   */
  private static void warmUp(String direct, String a, String b) throws InterruptedException {
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    long start = System.nanoTime();
    long stopAt = start + GatewayOverhead.WARM_UP_SECONDS * 1_000_000_000L;
    CountDownLatch done = new CountDownLatch(8);
    for (int i = 0; i < 8; i++) {
      McpSyncClient[] sides = {GatewayBenchmark.connect(GatewayBenchmark.http(direct)),
          GatewayBenchmark.connect(GatewayBenchmark.http(a)), GatewayBenchmark.connect(GatewayBenchmark.http(b))};
      new Thread(() -> {
        while (calls.getAndIncrement() < GatewayOverhead.WARM_UP_CALLS && System.nanoTime() < stopAt) {
          for (McpSyncClient side : sides) {
            side.callTool(GatewayBenchmark.ECHO);
          }
        }
        for (McpSyncClient side : sides) {
          side.closeGracefully();
        }
        done.countDown();
      }, "ab-warm-up-" + i).start();
    }
    done.await();
    System.err.printf(Locale.ROOT, "warmed up with %d calls through each build in %d s%n",
        Math.min(calls.get(), GatewayOverhead.WARM_UP_CALLS), (System.nanoTime() - start) / 1_000_000_000L);
  }

  /** Starts the gateway of one build (through reflection: its classes are that build's); its port. */
  private static int start(Path build, String upstream) throws Exception {
    ClassLoader loader = new URLClassLoader(new URL[] {build.toUri().toURL()}, GatewayAB.class.getClassLoader());
    if (loader.loadClass("io.toolgate.gateway.Gateway").getClassLoader() != loader) {
      throw new IllegalStateException("policy-gateway is on the class path: leave it out, so that each build is its own");
    }
    PolicyEngine engine = PolicyEngine.of(Policy.parse(GatewayBenchmark.POLICY));
    Class<?> gateway = loader.loadClass("io.toolgate.gateway.Gateway");
    Object sessions = gateway.getMethod("builder", PolicyEngine.class, URI.class)
        .invoke(null, engine, URI.create(upstream + "/mcp"));
    Object builder = loader.loadClass("io.toolgate.gateway.GatewayServer")
        .getMethod("builder", loader.loadClass("io.toolgate.gateway.Gateway$Builder")).invoke(null, sessions);
    builder.getClass().getMethod("listen", InetSocketAddress.class).invoke(builder, new InetSocketAddress("127.0.0.1", 0));
    builder.getClass().getMethod("maxSessions", int.class).invoke(builder, 32);
    Object server = builder.getClass().getMethod("start").invoke(builder);
    return ((InetSocketAddress) server.getClass().getMethod("address").invoke(server)).getPort();
  }

  private static void row(int clients, long seconds, String direct, String a, String b) throws InterruptedException {
    long[][][] times = new long[3][clients][];
    long[][] cpu = new long[3][]; // with one client: the process's CPU time over each call
    CountDownLatch done = new CountDownLatch(clients);
    long warmUntil = System.nanoTime() + Math.max(3, seconds / 3) * 1_000_000_000L;
    long stopAt = warmUntil + seconds * 1_000_000_000L;
    for (int i = 0; i < clients; i++) {
      int index = i;
      McpSyncClient[] sides = {GatewayBenchmark.connect(GatewayBenchmark.http(direct)),
          GatewayBenchmark.connect(GatewayBenchmark.http(a)), GatewayBenchmark.connect(GatewayBenchmark.http(b))};
      new Thread(() -> {
        long[][] own = new long[3][1 << 16];
        long[][] ownCpu = new long[3][1 << 16];
        int n = 0;
        for (int round = 0; System.nanoTime() < stopAt && n < own[0].length; round++) {
          boolean warm = System.nanoTime() < warmUntil;
          for (int k = 0; k < 3; k++) {
            int side = (k + round) % 3; // no side always goes first
            long c0 = clients == 1 ? OS.getProcessCpuTime() : 0;
            long t0 = System.nanoTime();
            sides[side].callTool(GatewayBenchmark.ECHO);
            own[side][n] = System.nanoTime() - t0;
            ownCpu[side][n] = clients == 1 ? OS.getProcessCpuTime() - c0 : 0;
          }
          if (!warm) {
            n++;
          }
        }
        for (int side = 0; side < 3; side++) {
          times[side][index] = Arrays.copyOf(own[side], n);
          if (clients == 1) {
            cpu[side] = Arrays.copyOf(ownCpu[side], n);
          }
        }
        for (McpSyncClient client : sides) {
          client.closeGracefully();
        }
        done.countDown();
      }, "ab-client-" + i).start();
    }
    done.await();
    long[] d = flat(times[0]);
    long[] x = flat(times[1]);
    long[] y = flat(times[2]);
    long[] addedA = new long[d.length];
    long[] addedB = new long[d.length];
    long[] bMinusA = new long[d.length];
    for (int i = 0; i < d.length; i++) {
      addedA[i] = x[i] - d[i];
      addedB[i] = y[i] - d[i];
      bMinusA[i] = y[i] - x[i];
    }
    System.out.printf(Locale.ROOT, "| %d | %d | %s | %s | %s | %d | %d | %d | %s |%n", clients, d.length,
        percentiles(d), percentiles(x), percentiles(y), median(addedA), median(addedB), median(bMinusA),
        clients == 1 ? mean(cpu[0]) + " / " + mean(cpu[1]) + " / " + mean(cpu[2]) : "-");
  }

  /** The rounds of every client, in the same order for each side (so that index i is one round). */
  private static long[] flat(long[][] parts) {
    return Arrays.stream(parts).flatMapToLong(Arrays::stream).toArray();
  }

  /** The process's CPU time (all its threads: client, gateway, server). */
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  private static long mean(long[] values) {
    return values.length == 0 ? -1 : Arrays.stream(values).sum() / values.length / 1000;
  }

  private static long median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted.length == 0 ? -1 : sorted[sorted.length / 2] / 1000;
  }

  private static String percentiles(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted.length == 0 ? "-" : sorted[sorted.length / 2] / 1000 + " / " + sorted[(int) (sorted.length * 0.9)] / 1000;
  }
}
