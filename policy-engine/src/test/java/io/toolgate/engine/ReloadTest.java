package io.toolgate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.Decision.Kind;
import io.toolgate.api.ToolCall;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** DESIGN.md section 5: atomic reloads, bad files leave the old policy, counters survive. */
class ReloadTest {
  private static final CallContext AGENT = CallContext.of("agent-1");

  private static String limited(int max, String window) {
    return "version: '1'\ntools:\n  t: {limits: [{counter: c, max: " + max + ", window: " + window + "}]}\n";
  }

  @Test
  void countersSurviveAReloadAndANewMaxAppliesToTheCountTaken() {
    // A clock of its own: on the system clock an hour could end between two calls and reset the count.
    PolicyEngine e = PolicyEngine.builder(Policy.parse(limited(5, "hour"))).clock(new MutableClock("2026-01-01T10:00:00Z")).build();
    for (int i = 0; i < 3; i++) {
      assertThat(e.evaluate(ToolCall.of("t"), AGENT).isAllowed()).isTrue();
    }
    e.reload(Policy.parse(limited(4, "hour")));
    assertThat(e.evaluate(ToolCall.of("t"), AGENT).isAllowed()).isTrue();
    assertThat(e.evaluate(ToolCall.of("t"), AGENT).kind()).isEqualTo(Kind.RATE_LIMITED);
    e.reload(Policy.parse(limited(2, "hour")));
    assertThat(e.evaluate(ToolCall.of("t"), AGENT).kind()).isEqualTo(Kind.RATE_LIMITED);
    // a new window is a new counter
    e.reload(Policy.parse(limited(2, "day")));
    assertThat(e.evaluate(ToolCall.of("t"), AGENT).isAllowed()).isTrue();
  }

  @Test
  void aBadFileLeavesTheOldPolicyInForce(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("policy.yaml");
    Files.writeString(file, "version: '1'\ntools:\n  a: {}\n");
    PolicyEngine e = PolicyEngine.of(Policy.load(file));
    Files.writeString(file, "version: '1'\ntools:\n  a: {limits: [{max: 1, window: minit}]}\n");
    assertThatThrownBy(() -> e.reload(file)).isInstanceOf(PolicyLoadException.class).hasMessageContaining("minit");
    assertThat(e.evaluate(ToolCall.of("a"), AGENT).isAllowed()).isTrue();
    assertThat(e.policy().source()).isEqualTo(file.toString());
  }

  @Test
  void aHostileFileLeavesTheOldPolicyInForce(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("policy.json");
    Files.writeString(file, "{\"version\": \"1\", \"tools\": {\"self\": {}}}");
    PolicyEngine e = PolicyEngine.of(Policy.load(file));
    // This schema loaded, and then every call to the tool overflowed the stack.
    Files.writeString(file, "{\"version\": \"1\", \"tools\": {\"self\": {\"arguments\": {\"$ref\": \"#\"}}}}");
    assertThatThrownBy(() -> e.reload(file)).isInstanceOf(PolicyLoadException.class)
        .hasMessageContaining("/tools/self/arguments");
    assertThat(e.evaluate(ToolCall.of("self", java.util.Map.of("a", 1)), AGENT).isAllowed()).isTrue();
  }

  @Test
  @Timeout(30)
  void eachCallSeesOneWholePolicyWhileReloadsRun() throws Exception {
    // Under A, x passes a '?' entry's condition; under B, a deny entry refuses x and '*' matches.
    // A decision that mixed the two would be allowed while naming '*', or denied while naming '?'.
    Policy a = Policy.parse("version: '1'\ntools:\n  x: {}\n  '?': {conditions: [{path: args.v, op: eq, value: 1}]}\n");
    Policy b = Policy.parse("version: '1'\ntools:\n  x: {action: deny, reason: B}\n  '*': {}\n");
    List<String> underA = List.of("/tools/?", "/tools/x");
    List<String> underB = List.of("/tools/*", "/tools/x");
    PolicyEngine e = PolicyEngine.of(a);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<String> mixed = new AtomicReference<>();
    java.util.concurrent.atomic.AtomicInteger seenA = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger seenB = new java.util.concurrent.atomic.AtomicInteger();
    Thread reloader = new Thread(() -> {
      for (int i = 0; !stop.get(); i++) {
        e.reload(i % 2 == 0 ? b : a);
        Thread.onSpinWait();
      }
    });
    reloader.start();
    CountDownLatch done = new CountDownLatch(2);
    for (int caller = 0; caller < 2; caller++) {
      new Thread(() -> {
        for (int i = 0; i < 50_000; i++) {
          Decision d = e.evaluate(ToolCall.of("x", java.util.Map.of("v", 1)), AGENT);
          boolean wholeA = d.isAllowed() && d.matched().equals(underA);
          boolean wholeB = d.kind() == Kind.DENY && d.matched().equals(underB) && d.reason().endsWith(": B.");
          if (wholeA) {
            seenA.incrementAndGet();
          } else if (wholeB) {
            seenB.incrementAndGet();
          } else {
            mixed.set(d.toString());
          }
        }
        done.countDown();
      }).start();
    }
    assertThat(done.await(25, TimeUnit.SECONDS)).isTrue();
    stop.set(true);
    reloader.join();
    assertThat(mixed.get()).isNull();
    assertThat(seenA.get()).isPositive();
    assertThat(seenB.get()).isPositive();
  }
}
