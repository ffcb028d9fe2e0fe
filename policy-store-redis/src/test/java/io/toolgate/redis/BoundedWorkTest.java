package io.toolgate.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterRequest.Algorithm;
import io.toolgate.api.ReserveResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No caller can stall Redis for the others: whatever an agent has logged in a sliding window (here
 * {@value #ENTRIES} reservations of one millionth each, the tiny {@code cost_from} amounts of the
 * issue), one decision or refund runs a bounded number of commands in the script, none of which
 * reads the whole log. Checked with {@code MONITOR}, which lists every command a script runs, not
 * with a clock.
 */
@Timeout(120)
class BoundedWorkTest {
  private static final int ENTRIES = 20_000;
  /** How many of the filling reservations are in flight at once. */
  private static final int FILL_BATCH = 500;
  /** O(log n) for n = 20,000: about 15 tree fields per read, a few reads per decision. */
  private static final int MOST_COMMANDS = 120;
  private static final Pattern WHOLE_RANGE = Pattern.compile(
      "\"(LRANGE|ZRANGE|ZREVRANGE|ZRANGEBYSCORE|ZRANGEBYLEX)\" (?!.*\"LIMIT\").*\"0\" \"-1\"|\"(HGETALL|HKEYS|HVALS|SMEMBERS)\"");
  private static final long T0 = Instant.parse("2026-01-01T10:00:00Z").toEpochMilli();

  private static RedisClient client;

  @BeforeAll
  static void connect() {
    client = RedisServer.sharedClient();
  }

  @AfterAll
  static void disconnect() {
    client.shutdown();
  }

  @Test
  void aRefusalOrARefundOnAHugeSlidingLogRunsABoundedNumberOfCommands() throws Exception {
    String prefix = "bounded-" + System.nanoTime() + ":";
    try (RedisCounterStore store = RedisCounterStore.builder(client).keyPrefix(prefix).commandTimeout(Duration.ofSeconds(10)).build()) {
      CounterRequest tiny = new CounterRequest("log", "grant", "agent-1", 3_600_000, Algorithm.SLIDING, 1_000_000, 1);
      // Filled a batch at a time: each command's timeout runs from when it is sent, and 20,000 sent
      // at once could not all be answered within it on a loaded machine.
      for (int from = 0; from < ENTRIES; from += FILL_BATCH) {
        List<CompletableFuture<ReserveResult>> filling = new ArrayList<>();
        for (int i = from; i < Math.min(from + FILL_BATCH, ENTRIES); i++) {
          filling.add(store.reserveAsync(List.of(tiny), T0 + i).toCompletableFuture());
        }
        for (CompletableFuture<ReserveResult> f : filling) {
          assertThat(f.get(60, TimeUnit.SECONDS).isGranted()).isTrue();
        }
      }
      CounterRequest whole = new CounterRequest("log", "grant", "agent-1", 3_600_000, Algorithm.SLIDING, 1_000_000, 1_000_000);
      long now = T0 + ENTRIES;

      List<String> refusal = commandsRunBy(() -> {
        ReserveResult refused = store.reserve(List.of(whole), now);
        assertThat(refused.isGranted()).isFalse();
        assertThat(refused.retryAfterMillis()).as("every entry must leave: the last at T0 + %s + 1h", ENTRIES - 1)
            .isEqualTo(3_600_000 - 1);
      });
      assertThat(refusal).as("the script's commands").hasSizeBetween(1, MOST_COMMANDS).noneMatch(WHOLE_RANGE.asPredicate());

      List<String> refund = commandsRunBy(() -> store.refund(List.of(tiny), T0 + 100));
      assertThat(refund).hasSizeBetween(1, MOST_COMMANDS).noneMatch(WHOLE_RANGE.asPredicate());
      // 19,999 millionths left; this cost needs 101 entries to leave: T0 + 0..99 and, the one at
      // T0 + 100 refunded, T0 + 101.
      CounterRequest most = new CounterRequest("log", "grant", "agent-1", 3_600_000, Algorithm.SLIDING, 1_000_000, 980_102);
      assertThat(store.reserve(List.of(most), now).retryAfterMillis()).isEqualTo(3_600_000 + 101 - ENTRIES);
    }
  }

  /**
   * The common case, a decision whose every counter is a fixed window, runs the smaller script:
   * one read per counter, then, when granted, the token and one increment (a new window sets the
   * count and its expiry instead). Two counters' reads, and both counters' writes, at most.
   */
  @Test
  void aFixedWindowDecisionReadsEachCounterOnceAndWritesOnlyWhenGranted() throws Exception {
    String prefix = "bounded-fixed-" + System.nanoTime() + ":";
    try (RedisCounterStore store = RedisCounterStore.builder(client).keyPrefix(prefix).commandTimeout(Duration.ofSeconds(10)).build()) {
      CounterRequest limit = new CounterRequest("fixed", "grant", "agent-1", 60_000, Algorithm.FIXED, 2_000_000, 1_000_000);
      CounterRequest everyone = new CounterRequest("everyone", "global", null, 3_600_000, Algorithm.FIXED, 9_000_000, 1_000_000);

      List<String> first = commandsRunBy(() -> assertThat(store.reserve(List.of(limit), T0).isGranted()).isTrue());
      assertThat(names(first)).as("a new window").containsExactly("HMGET", "SET", "HSET", "PEXPIRE");
      assertThat(first.get(1)).as("the token: the time, set once, expiring").matches("\"SET\" \"[^\"]+\" \"\\d+\" \"NX\" \"PX\" \"\\d+\"");
      assertThat(first.get(2)).as("integers, never an exponent form").matches("\"HSET\" \"[^\"]+\" \"s\" \"\\d+\" \"c\" \"1000000\"");
      assertThat(first.get(3)).matches("\"PEXPIRE\" \"[^\"]+\" \"70000\"");
      List<String> second = commandsRunBy(() -> assertThat(store.reserve(List.of(limit), T0 + 1).isGranted()).isTrue());
      assertThat(names(second)).as("the same window").containsExactly("HMGET", "SET", "HINCRBY");
      List<String> refused = commandsRunBy(() -> assertThat(store.reserve(List.of(limit), T0 + 2).isGranted()).isFalse());
      assertThat(names(refused)).as("a refusal reads and writes nothing").containsExactly("HMGET");

      List<String> two = commandsRunBy(() -> assertThat(store.reserve(List.of(everyone, limit), T0 + 60_000).isGranted()).isTrue());
      assertThat(names(two)).as("two counters, both in new windows")
          .containsExactly("HMGET", "HMGET", "SET", "HSET", "PEXPIRE", "HSET", "PEXPIRE");
    }
  }

  /** The command names of MONITOR lines. */
  private static List<String> names(List<String> commands) {
    return commands.stream().map(c -> c.substring(1, c.indexOf('"', 1))).toList();
  }

  /** The commands the scripts ran while {@code action} ran, as MONITOR lists them. */
  private static List<String> commandsRunBy(Runnable action) throws IOException {
    RedisServer server = RedisServer.shared();
    String marker = "end-of-action-" + System.nanoTime();
    try (Socket monitor = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      monitor.setSoTimeout(30_000); // a hang guard, never reached when the marker arrives
      OutputStream out = monitor.getOutputStream();
      out.write("*1\r\n$7\r\nMONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8));
      assertThat(in.readLine()).isEqualTo("+OK");
      action.run();
      server.command("ECHO", marker);
      List<String> commands = new ArrayList<>();
      for (String line = in.readLine(); line != null && !line.contains(marker); line = in.readLine()) {
        if (line.contains(" lua] ")) {
          commands.add(line.substring(line.indexOf(" lua] ") + 6));
        }
      }
      return commands;
    }
  }
}
