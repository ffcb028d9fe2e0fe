package io.toolgate.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Waits for a file to appear or to say something, on the file system's change events (no polling
 * loop with sleeps): the test upstream's {@code hold} tool waits for its release file, a test for
 * the upstream's call log to name a tool.
 */
final class FileEvents {
  private FileEvents() {}

  /** Waits until {@code file} exists; false if {@code timeout} passed first. */
  static boolean awaitExists(Path file, Duration timeout) {
    return await(file, Files::exists, timeout);
  }

  /** Waits until {@code file} has a line that ends with {@code text}; false if {@code timeout} passed first. */
  static boolean awaitLine(Path file, String text, Duration timeout) {
    return await(file, path -> {
      try {
        return Files.exists(path) && Files.readAllLines(path).stream().anyMatch(line -> line.endsWith(text));
      } catch (IOException e) {
        return false; // being written; the next event reads it again
      }
    }, timeout);
  }

  private static boolean await(Path file, Predicate<Path> done, Duration timeout) {
    Path dir = file.toAbsolutePath().getParent();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (WatchService watch = FileSystems.getDefault().newWatchService()) {
      dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
      while (!done.test(file)) { // checked after registering, so no change is missed
        long left = deadline - System.nanoTime();
        WatchKey key = left > 0 ? watch.poll(left, TimeUnit.NANOSECONDS) : null;
        if (key == null) {
          return done.test(file);
        }
        key.pollEvents();
        key.reset();
      }
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
