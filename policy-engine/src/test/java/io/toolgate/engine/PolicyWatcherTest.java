package io.toolgate.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.CallContext;
import io.toolgate.api.ToolCall;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN.md sections 5 and "Hostile input": the watcher reloads only whole files, follows
 * symbolic links that are swapped, and keeps the policy in force when a file fails to load. Most
 * tests drive the watcher by hand ({@code checkNow()} on a ticker they move); the threaded ones
 * wait for what the listener hears, with a bound that only a hang reaches.
 */
class PolicyWatcherTest {
  private static final CallContext AGENT = CallContext.of("agent-1");
  private static final String DENY_DEPLOY = "version: '1'\ndefault: allow\ntools:\n  deploy: {action: deny, reason: frozen}\n";
  private static final String ALLOW_DEPLOY = "version: '1'\ndefault: allow\ntools:\n  other: {}\n";

  private final AtomicLong nanos = new AtomicLong();
  private final List<String> heard = new CopyOnWriteArrayList<>();
  private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
  private final PolicyWatcher.Listener listener = new PolicyWatcher.Listener() {
    @Override
    public void reloaded(Path file, Policy policy) {
      heard.add("reloaded");
      events.add("reloaded");
    }

    @Override
    public void failed(Path file, RuntimeException error) {
      heard.add("failed: " + error.getMessage());
      events.add("failed: " + error.getMessage());
    }
  };

  private static boolean allowed(PolicyEngine engine, String tool) {
    return engine.evaluate(ToolCall.of(tool), AGENT).isAllowed();
  }

  private PolicyWatcher byHand(PolicyEngine engine, Path file) {
    return PolicyWatcher.create(engine, file, listener, nanos::get, false);
  }

  private void waitQuietPeriod() {
    nanos.addAndGet(PolicyWatcher.QUIET.toNanos());
  }

  @Test
  void aChangedFileIsLoadedOnlyOnceItHasStayedTheSameForTheQuietPeriod(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("policy.yaml");
    Files.writeString(file, DENY_DEPLOY);
    PolicyEngine engine = PolicyEngine.of(Policy.load(file));
    PolicyWatcher watcher = byHand(engine, file);
    assertThat(watcher.checkNow()).as("unchanged").isFalse();

    Files.writeString(file, ALLOW_DEPLOY);
    assertThat(watcher.checkNow()).as("first seen").isFalse();
    nanos.addAndGet(PolicyWatcher.QUIET.toNanos() - 1);
    assertThat(watcher.checkNow()).as("not quiet long enough").isFalse();
    assertThat(allowed(engine, "deploy")).isFalse();
    nanos.addAndGet(1);
    assertThat(watcher.checkNow()).isTrue();
    assertThat(allowed(engine, "deploy")).isTrue();
    assertThat(heard).containsExactly("reloaded");
  }

  @Test
  void aFileStillBeingWrittenIsNotLoadedUntilItIsWhole(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("policy.yaml");
    Files.writeString(file, DENY_DEPLOY);
    PolicyEngine engine = PolicyEngine.of(Policy.load(file));
    PolicyWatcher watcher = byHand(engine, file);
    // The new policy still denies deploy, but its first half alone is a policy that allows it.
    String whole = "version: '1'\ndefault: allow\ntools:\n  other: {}\n  deploy: {action: deny, reason: still frozen}\n";
    int half = whole.indexOf("  deploy");
    Files.writeString(file, whole.substring(0, half));
    assertThat(Policy.parse(whole.substring(0, half))).isNotNull();
    assertThat(watcher.checkNow()).isFalse();
    Files.writeString(file, whole.substring(half), StandardOpenOption.APPEND);
    waitQuietPeriod();
    assertThat(watcher.checkNow()).as("changed since the last check").isFalse();
    assertThat(allowed(engine, "deploy")).isFalse();
    waitQuietPeriod();
    assertThat(watcher.checkNow()).isTrue();
    assertThat(allowed(engine, "deploy")).isFalse();
    assertThat(allowed(engine, "other")).isTrue();
    assertThat(heard).containsExactly("reloaded");
  }

  @Test
  void aSwappedConfigMapSymlinkIsFollowed(@TempDir Path dir) throws Exception {
    Path file = configMap(dir, "..2026_12_05_10_00_00.1", DENY_DEPLOY);
    PolicyEngine engine = PolicyEngine.of(Policy.load(file));
    PolicyWatcher watcher = byHand(engine, file);
    swapConfigMap(dir, "..2026_12_05_10_05_00.2", ALLOW_DEPLOY);
    assertThat(watcher.checkNow()).isFalse();
    waitQuietPeriod();
    assertThat(watcher.checkNow()).isTrue();
    assertThat(allowed(engine, "deploy")).isTrue();
    assertThat(engine.policy().source()).isEqualTo(file.toString());
  }

  @Test
  @Timeout(60)
  void theWatchersThreadReloadsWhenAConfigMapSymlinkIsSwapped(@TempDir Path dir) throws Exception {
    Path file = configMap(dir, "..2026_12_05_10_00_00.1", DENY_DEPLOY);
    PolicyEngine engine = PolicyEngine.of(Policy.load(file));
    try (PolicyWatcher watcher = PolicyWatcher.watch(engine, file, listener)) {
      swapConfigMap(dir, "..2026_12_05_10_05_00.2", ALLOW_DEPLOY);
      assertThat(events.poll(30, TimeUnit.SECONDS)).isEqualTo("reloaded");
      assertThat(allowed(engine, "deploy")).isTrue();
    }
  }

  @Test
  @Timeout(60)
  void theWatchersThreadReloadsOnChangeAndKeepsTheOldPolicyOnABadSave(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("policy.yaml");
    Files.writeString(file, "version: '1'\ntools:\n  a: {}\n");
    PolicyEngine engine = PolicyEngine.of(Policy.load(file));
    try (PolicyWatcher watcher = PolicyWatcher.watch(engine, file, listener)) {
      writeByRename(file, "version: '1'\ntools:\n  b: {}\n");
      assertThat(events.poll(30, TimeUnit.SECONDS)).isEqualTo("reloaded");
      assertThat(allowed(engine, "b")).isTrue();
      assertThat(allowed(engine, "a")).isFalse();

      writeByRename(file, "version: 1\ntools:\n  c: {}\n");
      assertThat(events.poll(30, TimeUnit.SECONDS)).startsWith("failed").contains("/version");
      assertThat(allowed(engine, "b")).isTrue();
      assertThat(watcher.reloadIfChanged()).as("the same broken content is not tried again").isFalse();
    }
  }

  @Test
  void hostileFilesAreReportedAndTheOldPolicyStaysInForce(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("policy.yaml");
    Files.writeString(file, DENY_DEPLOY);
    PolicyEngine engine = PolicyEngine.of(Policy.load(file));
    PolicyWatcher watcher = byHand(engine, file);
    for (String hostile : List.of("regex-too-large.yaml", "ref-loop.json", "alias.yaml", "not-utf8.yaml")) {
      try (var in = getClass().getClassLoader().getResourceAsStream("hostile/" + hostile)) {
        Files.write(file, in.readAllBytes());
      }
      assertThat(watcher.checkNow()).isFalse();
      waitQuietPeriod();
      assertThat(watcher.checkNow()).as(hostile).isFalse();
      assertThat(heard).last().asString().as(hostile).startsWith("failed: ");
      assertThat(allowed(engine, "deploy")).isFalse();
    }
    assertThat(heard).hasSize(4);
  }

  @Test
  void anUnreadableFileIsReportedOnceAndTheOldPolicyStays(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("policy.yaml");
    Files.writeString(file, DENY_DEPLOY);
    PolicyEngine engine = PolicyEngine.of(Policy.load(file));
    PolicyWatcher watcher = byHand(engine, file);
    Files.delete(file);
    assertThat(watcher.checkNow()).isFalse();
    assertThat(watcher.checkNow()).isFalse();
    assertThat(heard).singleElement().asString().startsWith("failed: cannot read");
    assertThat(allowed(engine, "deploy")).isFalse();
  }

  /** A Kubernetes ConfigMap volume: policy.yaml -> ..data/policy.yaml, ..data -> the dated directory. */
  private static Path configMap(Path dir, String version, String policy) throws Exception {
    Path versioned = Files.createDirectory(dir.resolve(version));
    Files.writeString(versioned.resolve("policy.yaml"), policy);
    Files.createSymbolicLink(dir.resolve("..data"), dir.relativize(versioned));
    return Files.createSymbolicLink(dir.resolve("policy.yaml"), Path.of("..data", "policy.yaml"));
  }

  /** What the kubelet does on an update: a new dated directory, then ..data replaced by rename. */
  private static void swapConfigMap(Path dir, String version, String policy) throws Exception {
    Path versioned = Files.createDirectory(dir.resolve(version));
    Files.writeString(versioned.resolve("policy.yaml"), policy);
    Path link = Files.createSymbolicLink(dir.resolve("..data_tmp"), dir.relativize(versioned));
    Files.move(link, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void writeByRename(Path file, String text) throws Exception {
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(temporary, text.getBytes(UTF_8));
    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
