package io.toolgate.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Where the test upstream server runs from, and what it logged. */
final class Upstreams {
  private Upstreams() {}

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The command that runs {@link UpstreamTestServer}, logging its calls to {@code calls}. */
  static List<String> command(Path calls) {
    return List.of(java(), "-cp", System.getProperty("java.class.path"), UpstreamTestServer.class.getName(),
        calls.toString(), calls + ".crashed");
  }

  /**
   * The command that runs {@link UpstreamTestServer} with {@code --cancellable}: it also notes the
   * cancellations it is sent and offers {@code wait_for_cancel} and {@code cancellations}.
   */
  static List<String> cancellableCommand(Path calls) {
    List<String> command = new ArrayList<>(command(calls));
    command.add("--cancellable");
    return List.copyOf(command);
  }

  /**
   * {@link #command(Path)} with {@code properties} set for the server ({@link
   * UpstreamTestServer#HOLD}, {@link UpstreamTestServer#RESTART_GATE}).
   */
  static List<String> command(Path calls, Map<String, String> properties) {
    List<String> command = new ArrayList<>(List.of(java()));
    properties.forEach((name, value) -> command.add("-D" + name + "=" + value));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), UpstreamTestServer.class.getName(),
        calls.toString(), calls + ".crashed"));
    return command;
  }

  /** The tools the upstream really ran, in order. */
  static List<String> calls(Path calls) {
    try {
      if (!Files.exists(calls)) {
        return List.of();
      }
      List<String> tools = new ArrayList<>();
      for (String line : Files.readAllLines(calls)) {
        tools.add(line.substring(line.indexOf(' ') + 1));
      }
      return tools;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The process ids that ran tools, in order. */
  static List<Long> pids(Path calls) {
    try {
      return Files.readAllLines(calls).stream().map(line -> Long.parseLong(line.substring(0, line.indexOf(' ')))).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
