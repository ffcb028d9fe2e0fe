package io.toolgate.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Replicas that share one Redis enforce one limit exactly: 8 threads, in two engines and then in
 * two JVMs, fire far more calls than a limit of {@value Firing#MAX} per window admits, over
 * several windows of a test clock; each window admits exactly {@value Firing#MAX}, on a fixed and
 * on a sliding window.
 */
@Timeout(90)
class ExactnessTest {
  private static final int WINDOWS = 4;
  private static final int CALLS = 10; // per thread, per tool, per window: 80 > 25

  @Test
  void twoEnginesSharingOneRedisAdmitExactlyTheLimitPerWindow() throws Exception {
    String uri = RedisServer.shared().uri();
    String prefix = "exact-engines-" + System.nanoTime() + ":";
    ExecutorService starter = Executors.newFixedThreadPool(2);
    try (Firing a = new Firing(uri, prefix, 4); Firing b = new Firing(uri, prefix, 4)) {
      for (int w = 0; w < WINDOWS; w++) {
        CompletableFuture<Firing.Admitted> inA = CompletableFuture.supplyAsync(() -> fire(a), starter);
        CompletableFuture<Firing.Admitted> inB = CompletableFuture.supplyAsync(() -> fire(b), starter);
        Firing.Admitted total = inA.get().plus(inB.get());
        assertThat(total).as("window %d", w).isEqualTo(new Firing.Admitted(Firing.MAX, Firing.MAX, 0));
        a.clock.advance(Firing.WINDOW);
        b.clock.advance(Firing.WINDOW);
      }
    } finally {
      starter.shutdownNow();
    }
  }

  @Test
  void twoJvmsSharingOneRedisAdmitExactlyTheLimitPerWindow() throws Exception {
    String uri = RedisServer.shared().uri();
    String prefix = "exact-jvms-" + System.nanoTime() + ":";
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process child = new ProcessBuilder(java.toString(), "-cp", classPath, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            ExactnessChild.class.getName(), uri, prefix, "4", Integer.toString(CALLS))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    try (Firing here = new Firing(uri, prefix, 4);
        BufferedReader fromChild = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        Writer toChild = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8)) {
      assertThat(fromChild.readLine()).isEqualTo("ready");
      for (int w = 0; w < WINDOWS; w++) {
        toChild.write(here.clock.millis() + "\n");
        toChild.flush();
        Firing.Admitted mine = here.fire(CALLS);
        String[] line = fromChild.readLine().split(" ");
        assertThat(line[0]).isEqualTo("admitted");
        Firing.Admitted theirs = new Firing.Admitted(
            Integer.parseInt(line[1]), Integer.parseInt(line[2]), Integer.parseInt(line[3]));
        assertThat(mine.plus(theirs)).as("window %d", w).isEqualTo(new Firing.Admitted(Firing.MAX, Firing.MAX, 0));
        here.clock.advance(Firing.WINDOW);
      }
      toChild.close();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).isZero();
    } finally {
      child.destroyForcibly();
    }
  }

  private static Firing.Admitted fire(Firing firing) {
    try {
      return firing.fire(CALLS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
