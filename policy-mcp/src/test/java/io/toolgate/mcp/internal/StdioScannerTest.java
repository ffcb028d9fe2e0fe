package io.toolgate.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import io.toolgate.api.Decision;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The stdio input scanner: the bytes pass unchanged; cancellations are found in split lines. */
class StdioScannerTest {
  static final int MAX_LINE = 1 << 16;

  /** Hands out one byte per read, as a slow pipe may. */
  static InputStream trickle(byte[] bytes) {
    return new ByteArrayInputStream(bytes) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 1));
      }
    };
  }

  static byte[] lines(String... lines) {
    return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void everyBytePassesUnchangedAndInOrder() throws IOException {
    ByteArrayOutputStream input = new ByteArrayOutputStream();
    Random random = new Random(16);
    byte[] noise = new byte[300_000];
    random.nextBytes(noise); // invalid UTF-8, stray newlines and carriage returns
    input.write(noise);
    input.write(lines("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t\"}}"));
    input.write(("{\"method\":\"notifications/cancelled\",\"params\":{\"reason\":\"" + "y".repeat(3 * MAX_LINE))
        .getBytes(StandardCharsets.UTF_8)); // over-long, and no newline at the end
    byte[] bytes = input.toByteArray();

    try (StdioScanner scanner = new StdioScanner(trickle(bytes), MAX_LINE)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (int b = scanner.read(); b >= 0; b = scanner.read()) {
        out.write(b);
        if (out.size() % 1000 == 0) {
          byte[] chunk = new byte[777];
          int n = scanner.read(chunk, 0, chunk.length);
          out.write(chunk, 0, Math.max(0, n));
        }
      }
      assertThat(out.toByteArray()).isEqualTo(bytes);
    }
    try (StdioScanner scanner = new StdioScanner(new ByteArrayInputStream(bytes), MAX_LINE)) {
      assertThat(scanner.readAllBytes()).isEqualTo(bytes);
      assertThat(scanner.read()).isEqualTo(-1);
    }
  }

  @Test
  void aCancellationSplitAcrossOneByteReadsCancelsTheCallItNames() throws IOException {
    byte[] bytes = lines(
        "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"go\",\"arguments\":{\"b\":1,\"a\":[2.50,\"x\"]}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"7\",\"method\":\"tools/call\",\"params\":{\"name\":\"go\",\"arguments\":{\"a\":[2.5,\"x\"],\"b\":1}}}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":7}}");
    AtomicInteger fired = new AtomicInteger();
    try (StdioScanner scanner = new StdioScanner(trickle(bytes), MAX_LINE)) {
      int read = 0;
      while (read < bytes.length - 1) { // all but the last newline: the cancellation is not complete
        read += scanner.read(new byte[1], 0, 1);
      }
      Map<String, Object> arguments = Map.of("a", java.util.List.of(2.5, "x"), "b", 1);
      CancelSlot numeric = StdioCalls.claim("go", arguments, null); // the oldest: id 7
      CancelSlot text = StdioCalls.claim("go", arguments, Map.of()); // then id "7"
      assertThat(StdioCalls.claim("go", arguments, null)).isNull();
      assertThat(StdioCalls.claim("go", Map.of("a", 1), null)).isNull();
      assertThat(numeric).isNotNull().isNotSameAs(text);
      numeric.onCancel(fired::incrementAndGet);
      text.onCancel(() -> fired.addAndGet(100));
      numeric.held();
      text.held();
      assertThat(fired).hasValue(0);

      assertThat(scanner.read()).isEqualTo('\n');
      assertThat(fired).hasValue(1); // id 7, not "7"
    }
    assertThat(StdioCalls.claim("go", Map.of(), null)).as("a closed input is forgotten").isNull();
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void hostileLinesChangeNothing(boolean guarded) throws IOException {
    String call = "{\"jsonrpc\":\"2.0\",\"id\":\"c\",\"method\":\"tools/call\",\"params\":{\"name\":\"hostile\"}}";
    StringBuilder hostile = new StringBuilder();
    for (String id : new String[] {"{\"x\":\"c\"}", "[\"c\"]", "null", "true", "1.0", "1e999", "\"C\"", "\"c \""}) {
      hostile.append("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":")
          .append(id).append("}}\n");
    }
    hostile.append("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"c\"}}\n");
    hostile.append("{\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"c\",\"r\":\"")
        .append("z".repeat(MAX_LINE)).append("\"}}\n");
    hostile.append("notifications/cancelled {{{\n[\"notifications/cancelled\"]\n");
    byte[] head = lines(call);
    byte[] tail = hostile.toString().getBytes(StandardCharsets.UTF_8);
    byte[] broken = "{\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"c\",\"r\":\"\u00ff\"}}\n"
        .getBytes(StandardCharsets.ISO_8859_1); // 0xff: not UTF-8
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.write(head);
    all.write(tail);
    all.write(broken);
    AtomicInteger fired = new AtomicInteger();
    try (StdioScanner scanner = new StdioScanner(new ByteArrayInputStream(all.toByteArray()), MAX_LINE,
        guarded ? "hostile"::equals : null)) {
      scanner.readNBytes(head.length);
      CancelSlot slot = StdioCalls.claim("hostile", null, null);
      assertThat(slot).isNotNull();
      slot.onCancel(fired::incrementAndGet);
      slot.held();
      assertThat(scanner.readAllBytes()).hasSize(tail.length + broken.length);
      assertThat(fired).hasValue(0);
    }
  }

  /**
   * A call that could not be held is passed by its name: a later call with the same content, once
   * a hot reload lets its tool be held, claims its own slot and not the one of a call long done.
   */
  @Test
  void aPassedCallLeavesNoSlotBehindForALaterCallWithTheSameContent() throws IOException {
    String first = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"x\",\"arguments\":{\"a\":1}}}";
    String other = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"y\",\"arguments\":{\"a\":1}}}";
    String again = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"x\",\"arguments\":{\"a\":1}}}";
    String cancel = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":3}}";
    byte[] bytes = lines(first, other, again, cancel);
    byte[] calls = lines(first, other, again);
    AtomicInteger fired = new AtomicInteger();
    try (StdioScanner scanner = new StdioScanner(new ByteArrayInputStream(bytes), MAX_LINE)) {
      scanner.readNBytes(calls.length);
      StdioCalls.passed("x", Map.of("a", 1), null); // id 1, while x could not be held
      StdioCalls.passed("nothing-called-so", Map.of(), null);
      CancelSlot slot = StdioCalls.claim("x", Map.of("a", 1), null); // after a reload: id 3's
      assertThat(slot).isNotNull();
      assertThat(StdioCalls.claim("x", Map.of("a", 1), null)).isNull();
      assertThat(StdioCalls.claim("y", Map.of("a", 1), null)).as("y's call is still there").isNotNull();
      slot.onCancel(fired::incrementAndGet);
      slot.held();

      scanner.readAllBytes(); // the cancellation of id 3
      assertThat(fired).hasValue(1);
    }
  }

  /** The guard's rule for a policy whose approval entries are {@code create_live_*} and {@code deploy}. */
  static Predicate<String> rule() {
    PolicyEngine engine = PolicyEngine.of(Policy.parse("""
        version: "1"
        default: allow
        tools:
          "create_live_*": { action: require_approval, wait: 2m }
          deploy: { action: require_approval }
        """));
    return new GuardedCalls(engine, (Decision decision) -> null, Duration.ofSeconds(10))::mayHold;
  }

  static String call(Object id, String name, String arguments) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":"
        + name + ",\"arguments\":" + arguments + "}}";
  }

  static String cancel(Object id) {
    return "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":" + id + "}}";
  }

  /**
   * Given the guard's rule, a call of a tool no approval entry can match is read by the streaming
   * scan only: not parsed into a tree, not hashed, not listed, and its pass hashes nothing either;
   * a call of a tool that may be held (by an exact name, by a glob) is hashed, claimed and
   * cancelled as before.
   */
  @Test
  void aCallOfAToolThatCannotBeHeldIsNeitherParsedIntoATreeNorHashed() throws IOException {
    Map<String, Object> arguments = Map.of("path", "/tmp/a.txt", "limit", 100);
    byte[] calls = lines(
        call(1, "\"read_file\"", "{\"path\":\"/tmp/a.txt\",\"limit\":100}"),
        call("\"2\"", "\"read_file\"", "{\"limit\":100,\"path\":\"/tmp/a.txt\"}"),
        call(3, "\"create_live_algorithm\"", "{\"p\":1}"),
        call(4, "\"deploy\"", "{}"));
    byte[] cancels = lines(cancel(1), cancel(3), cancel(4));
    AtomicInteger fired = new AtomicInteger();
    try (StdioScanner scanner = new StdioScanner(new ByteArrayInputStream(concat(calls, cancels)), MAX_LINE, rule())) {
      scanner.readNBytes(calls.length);
      assertThat(scanner.calls().digested()).as("only the two calls that may be held").isEqualTo(2);

      StdioCalls.passed("read_file", arguments, null); // as the guard does for each of them
      StdioCalls.passed("read_file", arguments, null);
      assertThat(scanner.calls().digested()).as("nothing listed by that name: nothing hashed").isEqualTo(2);
      assertThat(StdioCalls.claim("read_file", arguments, null)).as("never listed").isNull();

      CancelSlot live = StdioCalls.claim("create_live_algorithm", Map.of("p", 1), null);
      CancelSlot deploy = StdioCalls.claim("deploy", null, null);
      assertThat(live).isNotNull();
      assertThat(deploy).isNotNull().isNotSameAs(live);
      live.onCancel(fired::incrementAndGet);
      deploy.onCancel(() -> fired.addAndGet(100));
      live.held();
      deploy.held();
      scanner.readAllBytes();
      assertThat(fired).hasValue(101);
    }
  }

  /**
   * With the guard's rule, hostile {@code tools/call} lines: a tool name in escapes or repeated
   * (the last counts, as for the SDK) is the tool the SDK calls; a name that is not a string is
   * hashed as before; a call of a tool that cannot be held that reuses a held call's id takes that
   * id, as any newer call does; broken JSON after a held tool's name, a repeated method that is not
   * a string, invalid UTF-8 and over-deep arguments are not calls at all.
   */
  @Test
  void hostileCallLinesAreReadAsTheSdkReadsThem() throws IOException {
    String deep = "[".repeat(2000) + "]".repeat(2000);
    byte[] calls = lines(
        call(1, "\"create\\u005flive_x\"", "{}"), // create_live_x: listed
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"read_file\"},"
            + "\"params\":{\"name\":\"deploy\",\"arguments\":{\"v\":2}}}", // the last params: deploy
        "{\"jsonrpc\":\"2.0\",\"id\":3,\"params\":{\"name\":\"deploy\",\"name\":\"read_file\"},"
            + "\"method\":\"tools/call\"}", // the last name: read_file, not listed
        call(4, "7", "{}"), // a number for a name: hashed, listed by its text
        call(5, "\"deploy\"", "{\"v\":5}"),
        call(5, "\"read_file\"", "{}"), // id 5 reused: the newest call is the one it names
        call(6, "\"deploy\"", "{\"v\":6} ,,, }"), // a held tool, then broken JSON after the value
        call(7, "\"deploy\"", deep), // nested past the parser's limit
        "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\",\"method\":5,\"params\":{\"name\":\"deploy\"}}");
    byte[] broken = ("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"arguments\":{\"r\":"
        + "\"\u00ff\"},\"name\":\"deploy\"}}\n").getBytes(StandardCharsets.ISO_8859_1); // 0xff: not UTF-8
    byte[] more = lines(cancel(5)); // the id now names a call that cannot be held
    try (StdioScanner scanner = new StdioScanner(new ByteArrayInputStream(concat(calls, broken, more)), MAX_LINE,
        rule())) {
      scanner.readNBytes(calls.length + broken.length);
      assertThat(scanner.calls().digested()).as("ids 1, 2, 4 and 5 (the first)").isEqualTo(4);
      assertThat(StdioCalls.claim("create_live_x", Map.of(), null)).isNotNull();
      assertThat(StdioCalls.claim("deploy", Map.of("v", 2), null)).isNotNull();
      assertThat(StdioCalls.claim("read_file", Map.of(), null)).isNull();
      assertThat(StdioCalls.claim("deploy", Map.of("v", 5), null)).as("its id now names another call").isNull();
      assertThat(StdioCalls.claim("deploy", Map.of("v", 6), null)).isNull();
      assertThat(StdioCalls.claim("deploy", null, null)).isNull();
      assertThat(StdioCalls.claim("deploy", Map.of("r", "\u00ff"), null)).isNull();
    }
  }

  /**
   * A passed call takes its own entry off the list, found by its content, not the oldest of its
   * tool: a reload may make the tool holdable again before the older call is claimed.
   */
  @Test
  void aPassedCallTakesItsOwnEntryNotTheOldestOfItsTool() throws IOException {
    byte[] calls = lines(call(1, "\"deploy\"", "{\"v\":1}"), call(2, "\"deploy\"", "{\"v\":2}"));
    AtomicInteger fired = new AtomicInteger();
    try (StdioScanner scanner = new StdioScanner(new ByteArrayInputStream(concat(calls, lines(cancel(1)))),
        MAX_LINE)) {
      scanner.readNBytes(calls.length);
      StdioCalls.passed("deploy", Map.of("v", 2), null); // id 2, while deploy could not be held
      CancelSlot first = StdioCalls.claim("deploy", Map.of("v", 1), null); // id 1, after a reload
      assertThat(first).isNotNull();
      assertThat(StdioCalls.claim("deploy", Map.of("v", 2), null)).isNull();
      first.onCancel(fired::incrementAndGet);
      first.held();
      scanner.readAllBytes();
      assertThat(fired).hasValue(1);
    }
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
