package io.toolgate.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Reloads an engine's policy when its file changes. A file that fails to load leaves the policy
 * in force and is reported to the {@link Listener}; the next good save is picked up. Changes are
 * debounced (editors save in several writes) and an unchanged file is not reloaded.
 *
 * <pre>{@code
 * try (PolicyWatcher watcher = PolicyWatcher.watch(engine, Path.of("policy.yaml"), listener)) {
 *   ... serve ...
 * }
 * }</pre>
 */
public final class PolicyWatcher implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(PolicyWatcher.class.getName());
  private static final Duration SETTLE = Duration.ofMillis(100);

  /** Hears about reloads. Both methods run on the watcher's thread and must not block long. */
  public interface Listener {
    /** The file loaded and is now in force. */
    default void reloaded(Path file, Policy policy) {}

    /** The file could not be read or loaded; the previous policy stays in force. */
    default void failed(Path file, RuntimeException error) {}
  }

  private final PolicyEngine engine;
  private final Path file;
  private final Listener listener;
  private final WatchService service;
  private final Thread thread;
  private byte[] lastLoaded;

  private PolicyWatcher(PolicyEngine engine, Path file, Listener listener) throws IOException {
    this.engine = engine;
    this.file = file.toAbsolutePath().normalize();
    this.listener = listener;
    this.lastLoaded = readOrNull();
    this.service = FileSystems.getDefault().newWatchService();
    this.file.getParent().register(
        service,
        StandardWatchEventKinds.ENTRY_CREATE,
        StandardWatchEventKinds.ENTRY_MODIFY,
        StandardWatchEventKinds.ENTRY_DELETE);
    this.thread = new Thread(this::run, "toolgate-policy-watcher-" + this.file.getFileName());
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /**
   * Starts watching {@code file} for {@code engine}. The engine's current policy is kept until the
   * file changes.
   *
   * @throws UncheckedIOException if the file's directory cannot be watched
   */
  public static PolicyWatcher watch(PolicyEngine engine, Path file, Listener listener) {
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(listener, "listener");
    try {
      return new PolicyWatcher(engine, file, listener);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot watch " + file, e);
    }
  }

  /** {@link #watch(PolicyEngine, Path, Listener)} reporting to {@code System.Logger}. */
  public static PolicyWatcher watch(PolicyEngine engine, Path file) {
    return watch(
        engine,
        file,
        new Listener() {
          @Override
          public void reloaded(Path f, Policy policy) {
            LOG.log(System.Logger.Level.INFO, "reloaded policy " + f);
          }

          @Override
          public void failed(Path f, RuntimeException error) {
            LOG.log(System.Logger.Level.WARNING, "policy " + f + " not reloaded; previous policy stays in force: " + error.getMessage());
          }
        });
  }

  /**
   * Reloads now if the file's content changed since the last load. Returns whether a new policy
   * was put in force.
   */
  public synchronized boolean reloadIfChanged() {
    byte[] content;
    try {
      content = Files.readAllBytes(file);
    } catch (IOException e) {
      listener.failed(file, new UncheckedIOException("cannot read " + file, e));
      return false;
    }
    if (Arrays.equals(content, lastLoaded)) {
      return false;
    }
    try {
      Policy next = Policy.load(new java.io.ByteArrayInputStream(content), file.toString());
      engine.reload(next);
      lastLoaded = content;
      listener.reloaded(file, next);
      return true;
    } catch (RuntimeException e) {
      lastLoaded = content; // do not report the same broken content again
      listener.failed(file, e);
      return false;
    }
  }

  private void run() {
    try {
      while (true) {
        WatchKey key = service.take();
        boolean ours = false;
        for (WatchEvent<?> event : key.pollEvents()) {
          Object context = event.context();
          ours |= event.kind() == StandardWatchEventKinds.OVERFLOW
              || (context instanceof Path && file.getFileName().equals(context));
        }
        key.reset();
        if (ours) {
          drainFor(SETTLE);
          if (Files.exists(file)) {
            reloadIfChanged();
          }
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "policy watcher for " + file + " stopped", e);
    }
  }

  /** Swallows further events until none came for {@code quiet}. */
  private void drainFor(Duration quiet) throws InterruptedException {
    WatchKey more;
    while ((more = service.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) != null) {
      more.pollEvents();
      more.reset();
    }
  }

  private byte[] readOrNull() {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      return null;
    }
  }

  /** Stops watching. */
  @Override
  public void close() {
    try {
      service.close();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.DEBUG, "closing watch service", e);
    }
    thread.interrupt();
  }
}
