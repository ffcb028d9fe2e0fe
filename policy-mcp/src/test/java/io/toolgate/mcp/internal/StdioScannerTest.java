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
import org.junit.jupiter.api.Test;

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

  @Test
  void hostileLinesChangeNothing() throws IOException {
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
    try (StdioScanner scanner = new StdioScanner(new ByteArrayInputStream(all.toByteArray()), MAX_LINE)) {
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
      StdioCalls.passed("x"); // id 1, while x could not be held
      StdioCalls.passed("nothing-called-so");
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
}
