package io.toolgate.engine;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Reloads an engine's policy when its file changes. A file that fails to load leaves the policy
 * in force and is reported to the {@link Listener}; the next good save is picked up.
 *
 * <p>A file is reloaded only once it has stopped changing: its content must be the same on two
 * checks at least {@link #QUIET} apart, so a file still being written (a truncated policy could
 * permit what the whole one forbids) is not loaded. Write policies by rename (write a temporary
 * file, then move it over the policy) and a reload never sees a partial file at all.
 *
 * <p>Symbolic links are followed on every check, so a policy reached through links that are
 * swapped, as Kubernetes mounts a ConfigMap ({@code policy.yaml -> ..data/policy.yaml}, {@code
 * ..data -> ..2026_12_05_...} replaced atomically), is reloaded when the link's target changes.
 * The watcher listens for changes in the file's directory and in its target's directory, and also
 * checks the file every {@link #POLL}, for changes that raise no event (links elsewhere, network
 * file systems).
 *
 * <pre>{@code
 * try (PolicyWatcher watcher = PolicyWatcher.watch(engine, Path.of("policy.yaml"), listener)) {
 *   ... serve ...
 * }
 * }</pre>
 */
public final class PolicyWatcher implements AutoCloseable {
  /** How long a changed file must stay the same before it is loaded. */
  public static final Duration QUIET = Duration.ofMillis(200);

  /** How often the file is checked when no change was heard. */
  public static final Duration POLL = Duration.ofSeconds(1);

  private static final System.Logger LOG = System.getLogger(PolicyWatcher.class.getName());

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
  private final LongSupplier nanoTime;
  private final WatchService service;
  private final Map<Path, WatchKey> watched = new HashMap<>();
  private final Thread thread;

  private byte[] inForce;
  private byte[] refused;
  private byte[] pending;
  private long pendingSince;
  private String unreadable;

  private PolicyWatcher(PolicyEngine engine, Path file, Listener listener, LongSupplier nanoTime, boolean run)
      throws IOException {
    this.engine = engine;
    this.file = file.toAbsolutePath().normalize();
    this.listener = listener;
    this.nanoTime = nanoTime;
    try {
      this.inForce = read();
    } catch (IOException e) {
      this.inForce = null;
    }
    if (run) {
      this.service = FileSystems.getDefault().newWatchService();
      Path directory = this.file.getParent();
      watched.put(directory, register(directory)); // this one must work; the target's is best effort
      watchDirectories();
      this.thread = new Thread(this::run, "toolgate-policy-watcher-" + this.file.getFileName());
      this.thread.setDaemon(true);
      this.thread.start();
    } else {
      this.service = null;
      this.thread = null;
    }
  }

  /**
   * Starts watching {@code file} for {@code engine}. The engine's current policy is kept until the
   * file changes.
   *
   * @throws UncheckedIOException if the file's directory cannot be watched
   */
  public static PolicyWatcher watch(PolicyEngine engine, Path file, Listener listener) {
    return create(engine, file, listener, System::nanoTime, true);
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
   * A watcher on {@code nanoTime}; with {@code run} false it has no thread and checks only when
   * {@link #checkNow()} is called (for tests).
   */
  static PolicyWatcher create(PolicyEngine engine, Path file, Listener listener, LongSupplier nanoTime, boolean run) {
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(listener, "listener");
    try {
      return new PolicyWatcher(engine, file, listener, nanoTime, run);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot watch " + file, e);
    }
  }

  /**
   * Checks the file now, as the watcher's thread does on each change and every {@link #POLL}:
   * loads it if its content differs from the policy in force and was the same on the previous
   * check, at least {@link #QUIET} ago. Returns whether a new policy was put in force.
   */
  public synchronized boolean checkNow() {
    byte[] content = readOrReport();
    if (content == null || Arrays.equals(content, inForce) || Arrays.equals(content, refused)) {
      pending = null;
      return false;
    }
    long now = nanoTime.getAsLong();
    if (!Arrays.equals(content, pending)) {
      pending = content;
      pendingSince = now;
      return false;
    }
    if (now - pendingSince < QUIET.toNanos()) {
      return false;
    }
    return load(content);
  }

  /**
   * Reloads now if the file's content differs from the policy in force, without waiting for it
   * to stop changing: for a caller who knows the file is whole. Returns whether a new policy was
   * put in force; content that already failed to load is not tried (or reported) again.
   */
  public synchronized boolean reloadIfChanged() {
    byte[] content = readOrReport();
    if (content == null || Arrays.equals(content, inForce) || Arrays.equals(content, refused)) {
      return false;
    }
    return load(content);
  }

  private boolean load(byte[] content) {
    pending = null;
    Policy next;
    try {
      next = Policy.load(new ByteArrayInputStream(content), file.toString());
    } catch (RuntimeException e) {
      refused = content; // do not report the same broken content again
      listener.failed(file, e);
      return false;
    } catch (Error e) {
      // Policy.load turns an Error into a problem already; this is for one it could not catch.
      refused = content;
      listener.failed(file, new PolicyLoadException(List.of(new PolicyProblem(file.toString(), "", 0, 0,
          "the policy could not be loaded: " + e))));
      return false;
    }
    engine.reload(next);
    inForce = content;
    refused = null;
    listener.reloaded(file, next);
    return true;
  }

  /** The file's content through any symbolic links, or null after reporting why it is unreadable. */
  private byte[] readOrReport() {
    try {
      byte[] content = read();
      unreadable = null;
      return content;
    } catch (IOException e) {
      String why = e.toString();
      if (!why.equals(unreadable)) { // once per cause, not on every poll
        unreadable = why;
        listener.failed(file, new UncheckedIOException("cannot read " + file, e));
      }
      return null;
    }
  }

  /** At most one byte more than a policy may have: enough for the loader to refuse a larger one. */
  private byte[] read() throws IOException {
    try (InputStream in = Files.newInputStream(file.toRealPath())) {
      return in.readNBytes(Policy.MAX_BYTES + 1);
    }
  }

  private void run() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        boolean waiting;
        synchronized (this) {
          waiting = pending != null;
        }
        WatchKey key = service.poll((waiting ? QUIET : POLL).toMillis(), TimeUnit.MILLISECONDS);
        while (key != null) {
          key.pollEvents();
          key.reset();
          key = service.poll();
        }
        try {
          watchDirectories();
          checkNow();
        } catch (RuntimeException | Error e) {
          // A listener that throws, or a file system that fails, must not stop the watching.
          LOG.log(System.Logger.Level.WARNING, "checking policy " + file + " failed; will check again", e);
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Listens in the file's directory (where a link is replaced) and in its target's directory
   * (where the target is written), and stops listening where neither is any more.
   */
  private synchronized void watchDirectories() {
    Set<Path> wanted = new HashSet<>();
    wanted.add(file.getParent());
    try {
      wanted.add(file.toRealPath().getParent());
    } catch (IOException e) {
      // no target now (a link being swapped, a file being replaced): the next check will see
    }
    watched.entrySet().removeIf(entry -> {
      boolean stale = !wanted.contains(entry.getKey()) || !entry.getValue().isValid();
      if (stale) {
        entry.getValue().cancel();
      }
      return stale;
    });
    for (Path dir : wanted) {
      if (!watched.containsKey(dir)) {
        try {
          watched.put(dir, register(dir));
        } catch (IOException e) {
          LOG.log(System.Logger.Level.DEBUG, "cannot watch " + dir + "; polling every " + POLL, e);
        }
      }
    }
  }

  private WatchKey register(Path directory) throws IOException {
    return directory.register(service,
        StandardWatchEventKinds.ENTRY_CREATE,
        StandardWatchEventKinds.ENTRY_MODIFY,
        StandardWatchEventKinds.ENTRY_DELETE);
  }

  /** Stops watching. */
  @Override
  public void close() {
    if (service == null) {
      return;
    }
    thread.interrupt();
    try {
      service.close();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.DEBUG, "closing watch service", e);
    }
  }
}
