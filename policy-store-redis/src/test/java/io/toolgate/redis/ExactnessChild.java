package io.toolgate.redis;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The second JVM of {@link ExactnessTest}: a replica that reads a time (epoch millis) per line,
 * fires one round at that time and prints {@code admitted <fixed> <sliding> <other>}; it prints
 * {@code ready} once connected and ends at end of input.
 */
public final class ExactnessChild {
  private ExactnessChild() {}

  public static void main(String[] args) throws Exception {
    String uri = args[0];
    String prefix = args[1];
    int threads = Integer.parseInt(args[2]);
    int calls = Integer.parseInt(args[3]);
    try (Firing firing = new Firing(uri, prefix, threads)) {
      System.out.println("ready");
      System.out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        firing.clock.set(Instant.ofEpochMilli(Long.parseLong(line.trim())));
        Firing.Admitted a = firing.fire(calls);
        System.out.println("admitted " + a.fixed() + " " + a.sliding() + " " + a.other());
        System.out.flush();
      }
    }
  }
}
