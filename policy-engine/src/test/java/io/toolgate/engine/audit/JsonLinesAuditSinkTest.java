package io.toolgate.engine.audit;

import static io.toolgate.engine.audit.AuditEvents.allow;
import static io.toolgate.engine.audit.AuditEvents.approvalRequired;
import static io.toolgate.engine.audit.AuditEvents.deny;
import static io.toolgate.engine.audit.AuditEvents.rateLimited;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.api.AgentText;
import io.toolgate.api.AuditEvent;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.internal.Jackson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesAuditSinkTest {
  private final StringWriter out = new StringWriter();
  private final JsonLinesAuditSink sink = JsonLinesAuditSink.to(out);

  private static JsonNode json(String text) {
    try {
      return Jackson.JSON.readTree(text);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static ToolCall call(String tool, String args) {
    return ToolCall.of(tool, json(args));
  }

  private static List<JsonNode> lines(String text) {
    assertThat(text).endsWith("\n");
    List<JsonNode> parsed = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      if (!line.isEmpty()) {
        JsonNode node = json(line);
        assertThat(node.isObject()).as(line).isTrue();
        parsed.add(node);
      }
    }
    return parsed;
  }

  private JsonNode record(AuditEvent event) {
    StringWriter w = new StringWriter();
    JsonLinesAuditSink s = JsonLinesAuditSink.to(w);
    s.record(event);
    List<JsonNode> parsed = lines(w.toString());
    assertThat(parsed).hasSize(1);
    return parsed.get(0);
  }

  private static List<String> names(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static String sha256(String text) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void writesOneObjectPerLineWithEveryField() throws Exception {
    ToolCall compile = call("create_compile", "{\"projectId\":7,\"file\":\"main.py\"}");
    sink.record(allow(compile));
    sink.record(deny(compile));
    sink.record(rateLimited(compile));
    sink.record(approvalRequired(compile));
    List<JsonNode> lines = lines(out.toString());
    assertThat(lines).hasSize(4);

    JsonNode allow = lines.get(0);
    assertThat(names(allow))
        .containsExactly(
            "time", "tool", "principal", "session", "decision", "rule", "reason", "matched", "outcome",
            "latency_ns", "args_digest", "arguments");
    assertThat(allow.get("time").asText()).isEqualTo("2026-01-01T10:00:00.123Z");
    assertThat(allow.get("tool").asText()).isEqualTo("create_compile");
    assertThat(allow.get("principal").asText()).isEqualTo("agent-1");
    assertThat(allow.get("session").asText()).isEqualTo("s-9");
    assertThat(allow.get("decision").asText()).isEqualTo("allow");
    assertThat(allow.get("rule").asText()).isEqualTo("/tools/create_compile");
    assertThat(allow.get("reason").asText()).isEqualTo("Policy allowed create_compile (/tools/create_compile).");
    assertThat(allow.get("matched")).isEqualTo(json("[\"/tools/create_compile\"]"));
    assertThat(allow.get("outcome").asText()).isEqualTo("succeeded");
    assertThat(allow.get("latency_ns").asLong()).isEqualTo(41_250);
    assertThat(allow.get("args_digest").asText()).isEqualTo(sha256("{\"file\":\"main.py\",\"projectId\":7}"));
    assertThat(allow.get("arguments")).isEqualTo(json("{\"projectId\":7,\"file\":\"main.py\"}"));

    JsonNode deny = lines.get(1);
    assertThat(deny.get("decision").asText()).isEqualTo("deny");
    assertThat(deny.get("outcome").asText()).isEqualTo("not_run");
    assertThat(deny.get("principal").isNull()).isTrue();
    assertThat(deny.get("session").isNull()).isTrue();
    assertThat(deny.get("matched")).isEqualTo(json("[]"));
    assertThat(deny.has("retry_after_ms") || deny.has("approval_id")).isFalse();

    JsonNode limited = lines.get(2);
    assertThat(names(limited))
        .containsExactly(
            "time", "tool", "principal", "session", "decision", "rule", "reason", "matched", "outcome",
            "latency_ns", "retry_after_ms", "counter", "args_digest", "arguments");
    assertThat(limited.get("decision").asText()).isEqualTo("rate_limited");
    assertThat(limited.get("outcome").asText()).isEqualTo("evaluated");
    assertThat(limited.get("retry_after_ms").asLong()).isEqualTo(42_000);
    assertThat(limited.get("counter").asText()).isEqualTo("compile_rate");

    JsonNode held = lines.get(3);
    assertThat(held.get("decision").asText()).isEqualTo("approval_required");
    assertThat(held.get("approval_id").asText()).isEqualTo("ap-1");
    assertThat(held.has("retry_after_ms")).isFalse();
  }

  @Test
  void anAllowAdmittedOnAnApprovalNamesTheApprovalItUsedWhereTheHeldCallDid() {
    ToolCall pay = call("pay", "{\"amount\":5,\"api_key\":\"sk-secret\"}");
    sink.record(approvalRequired(pay));
    sink.record(AuditEvents.allowedOnApproval(pay));
    sink.record(allow(pay));
    List<JsonNode> lines = lines(out.toString());

    JsonNode used = lines.get(1);
    assertThat(names(used)).containsExactly(
        "time", "tool", "principal", "session", "decision", "rule", "reason", "matched", "outcome",
        "latency_ns", "approval_id", "args_digest", "arguments");
    assertThat(used.get("decision").asText()).isEqualTo("allow");
    assertThat(used.get("approval_id").asText()).isEqualTo(lines.get(0).get("approval_id").asText()).isEqualTo("ap-1");
    assertThat(used.get("args_digest")).isEqualTo(lines.get(0).get("args_digest"));
    assertThat(used.get("arguments")).isEqualTo(json("{\"amount\":5,\"api_key\":\"[REDACTED]\"}"));
    assertThat(lines.get(2).has("approval_id")).as("an allow that used no approval").isFalse();
  }

  @Test
  void everyOutcomeIsWrittenInLowerCase() {
    for (AuditEvent.Outcome outcome : AuditEvent.Outcome.values()) {
      AuditEvent base = allow(ToolCall.of("t"));
      AuditEvent event = new AuditEvent(base.time(), base.call(), base.context(), base.decision(), outcome, 1);
      assertThat(record(event).get("outcome").asText()).isEqualTo(outcome.name().toLowerCase());
    }
  }

  @Test
  void secretLookingKeysAreRedactedAtAnyDepthWhateverTheirCase() {
    String args =
        "{\"user\":\"ann\",\"Password\":\"hunter2\",\"db_passwd\":\"pw1\","
            + "\"nested\":{\"API_KEY\":\"k-1\",\"apiKey\":\"k-2\",\"list\":[{\"accessToken\":\"t-1\",\"ok\":1}]},"
            + "\"Authorization\":\"Bearer b-1\",\"x-auth\":\"a-1\",\"author\":\"Ann Author\","
            + "\"session_key\":\"sk-1\",\"sessionId\":\"keep-me\",\"clientSecret\":{\"inner\":\"cs-1\"},"
            + "\"PRIVATE-KEY\":\"pk-1\",\"Cookie\":\"c-1\",\"aws_credentials\":[\"cr-1\"]}";
    JsonNode line = record(allow(call("connect", args)));

    JsonNode a = line.get("arguments");
    assertThat(a.get("user").asText()).isEqualTo("ann");
    assertThat(a.get("author").asText()).isEqualTo("Ann Author");
    assertThat(a.get("sessionId").asText()).isEqualTo("keep-me");
    assertThat(a.at("/nested/list/0/ok").asInt()).isEqualTo(1);
    for (String pointer :
        List.of("/Password", "/db_passwd", "/nested/API_KEY", "/nested/apiKey", "/nested/list/0/accessToken",
            "/Authorization", "/x-auth", "/session_key", "/clientSecret", "/PRIVATE-KEY", "/Cookie",
            "/aws_credentials")) {
      assertThat(a.at(pointer).asText()).as(pointer).isEqualTo("[REDACTED]");
    }
    String text = line.toString();
    for (String secret : List.of("hunter2", "pw1", "k-1", "k-2", "t-1", "b-1", "a-1", "sk-1", "cs-1", "pk-1", "c-1", "cr-1")) {
      assertThat(text).doesNotContain("\"" + secret + "\"").doesNotContain(" " + secret);
    }
    // The digest is of the arguments as given, not as redacted.
    assertThat(line.get("args_digest").asText())
        .isNotEqualTo(record(allow(call("connect", a.toString()))).get("args_digest").asText());
  }

  @Test
  void moreKeysCanBeRedacted() {
    JsonLinesAuditSink custom = JsonLinesAuditSink.builder().redactKeysContaining("iban").to(out);
    custom.record(allow(call("pay", "{\"IBAN_number\":\"DE00\",\"amount\":5,\"token\":\"t\"}")));
    JsonNode a = lines(out.toString()).get(0).get("arguments");

    assertThat(a).isEqualTo(json("{\"IBAN_number\":\"[REDACTED]\",\"amount\":5,\"token\":\"[REDACTED]\"}"));
    assertThatThrownBy(() -> JsonLinesAuditSink.builder().redactKeysContaining("--"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theDigestIgnoresKeyOrderAndNumberSpelling() throws Exception {
    String expected = sha256("{\"a\":7,\"b\":{\"c\":[1,2.5],\"d\":null}}");
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("d", null);
    inner.put("c", List.of(1.0, 2.50));
    Map<String, Object> asMap = new LinkedHashMap<>();
    asMap.put("b", inner);
    asMap.put("a", 7L);

    for (ToolCall c :
        List.of(
            call("t", "{\"a\":7,\"b\":{\"c\":[1,2.5],\"d\":null}}"),
            call("t", "{\"b\":{\"d\":null,\"c\":[1.0,2.50]},\"a\":7.0}"),
            call("t", "{\"b\":{\"d\":null,\"c\":[1e0,25e-1]},\"a\":700e-2}"),
            ToolCall.of("t", asMap))) {
      assertThat(record(allow(c)).get("args_digest").asText()).as(c.toString()).isEqualTo(expected);
    }
    assertThat(record(allow(call("t", "{\"a\":7.5}"))).get("args_digest").asText())
        .isNotEqualTo(record(allow(call("t", "{\"a\":7}"))).get("args_digest").asText());
    assertThat(record(allow(ToolCall.of("t"))).get("args_digest").asText()).isEqualTo(sha256("{}"));
  }

  @Test
  void argumentsCanBeLeftOut() {
    JsonLinesAuditSink lean = JsonLinesAuditSink.builder().includeArguments(false).to(out);
    lean.record(allow(call("t", "{\"note\":\"visible-value\"}")));
    JsonNode line = lines(out.toString()).get(0);

    assertThat(line.has("arguments")).isFalse();
    assertThat(line.get("args_digest").asText()).hasSize(64);
    assertThat(out.toString()).doesNotContain("visible-value");
  }

  @Test
  void argumentsThatAreNotJsonGiveALineWithAnErrorMarker() {
    Map<String, Object> bad = Map.of("x", new Object());
    sink.record(rateLimited(ToolCall.of("t", bad)));
    ObjectNode deep = JsonNodeFactory.instance.objectNode();
    ObjectNode cursor = deep;
    for (int i = 0; i < 1_500; i++) {
      cursor = cursor.putObject("a");
    }
    sink.record(deny(ToolCall.of("t", deep)));
    sink.record(allow(ToolCall.of("t", Map.of("x", Double.NaN))));

    List<JsonNode> lines = lines(out.toString());
    assertThat(lines).hasSize(3);
    for (JsonNode line : lines.subList(0, 2)) {
      assertThat(line.get("args_digest").isNull()).isTrue();
      assertThat(line.get("error").asText()).contains("could not be converted to JSON");
      assertThat(line.has("arguments")).isFalse();
      assertThat(line.get("tool").asText()).isEqualTo("t");
    }
    assertThat(lines.get(0).get("counter").asText()).isEqualTo("compile_rate");
    assertThat(lines.get(2).get("args_digest").asText()).hasSize(64);
  }

  @Test
  void concurrentWritersProduceWholeLines() throws Exception {
    // A writer that takes a line one character at a time and does not lock (java.io.Writer's
    // own write(String) would).
    StringBuffer chars = new StringBuffer();
    Writer slow =
        new Writer() {
          @Override
          public void write(String s, int off, int len) {
            for (int i = 0; i < len; i++) {
              chars.append(s.charAt(off + i));
              if (i % 16 == 0) {
                Thread.yield();
              }
            }
          }

          @Override
          public void write(char[] buf, int off, int len) {
            write(new String(buf, off, len), 0, len);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    JsonLinesAuditSink shared = JsonLinesAuditSink.to(slow);
    int threads = 8;
    int each = 100; // enough to interleave: the writer yields every 16 characters
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < each; i++) {
                    shared.record(allow(call("t", "{\"thread\":" + thread + ",\"i\":" + i + ",\"pad\":\"" + "x".repeat(200) + "\"}")));
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(5, TimeUnit.MINUTES); // the writer yields ~40 times a line: slow on a loaded machine
      }
    } finally {
      pool.shutdownNow();
    }
    List<JsonNode> lines = lines(chars.toString());
    assertThat(lines).hasSize(threads * each);
    Set<String> seen = new HashSet<>();
    for (JsonNode line : lines) {
      seen.add(line.at("/arguments/thread").asInt() + ":" + line.at("/arguments/i").asInt());
    }
    assertThat(seen).hasSize(threads * each);
  }

  @Test
  void aFileIsCreatedAppendedToAndFlushedPerLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("logs/audit/audit.jsonl");
    JsonLinesAuditSink first = JsonLinesAuditSink.toFile(file);
    first.record(allow(ToolCall.of("first")));
    assertThat(lines(Files.readString(file))).hasSize(1); // flushed before close
    first.close();
    first.close();
    assertThatThrownBy(() -> first.record(allow(ToolCall.of("late")))).isInstanceOf(IllegalStateException.class);

    try (JsonLinesAuditSink second = JsonLinesAuditSink.toFile(file)) {
      second.record(deny(ToolCall.of("second")));
    }
    assertThat(lines(Files.readString(file))).extracting(n -> n.get("tool").asText()).containsExactly("first", "second");
  }

  @Test
  void aStreamIsWrittenInUtf8AndLeftOpen() throws Exception {
    boolean[] closed = {false};
    ByteArrayOutputStream bytes =
        new ByteArrayOutputStream() {
          @Override
          public void close() {
            closed[0] = true;
          }
        };
    JsonLinesAuditSink s = JsonLinesAuditSink.to(bytes);
    s.record(allow(ToolCall.of("überweisung \u2028 \"quoted\"\nnext")));
    assertThat(lines(bytes.toString(StandardCharsets.UTF_8)))
        .singleElement()
        .satisfies(n -> assertThat(n.get("tool").asText()).isEqualTo("überweisung ? \"quoted\"?next"));
    s.close();
    assertThat(closed[0]).isFalse();
  }

  @Test
  void agentTextIsQuotedBoundedAndOnOneLine() {
    String huge = "compile\n" + "x".repeat(100_000);
    ToolCall call = ToolCall.of(huge);
    CallContext who = CallContext.of("agent\n" + "p".repeat(100_000)).withSession("s\r" + "s".repeat(100_000));
    Decision d = new Decision.Deny(huge, who.principal(), List.of(), "/default", "Policy denied a tool: not permitted.");
    sink.record(new AuditEvent(AuditEvents.TIME, call, who, d, AuditEvent.Outcome.NOT_RUN, 1));

    assertThat(out.toString()).hasSizeLessThan(2_000);
    JsonNode line = lines(out.toString()).get(0);
    assertThat(line.get("tool").asText()).isEqualTo(AgentText.excerpt(huge)).startsWith("compile?xxx")
        .endsWith("…(+" + (huge.length() - AgentText.MAX_CHARS) + " chars)");
    assertThat(line.get("principal").asText()).isEqualTo(AgentText.excerpt(who.principal())).doesNotContain("\n");
    assertThat(line.get("session").asText()).isEqualTo(AgentText.excerpt(who.sessionId())).doesNotContain("\r");
  }

  @Test
  void aFailedWriteIsReportedAsUncheckedIoException() {
    Writer broken =
        new Writer() {
          @Override
          public void write(char[] buf, int off, int len) throws IOException {
            throw new IOException("disk full");
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    assertThatThrownBy(() -> JsonLinesAuditSink.to(broken).record(allow(ToolCall.of("t"))))
        .isInstanceOf(UncheckedIOException.class)
        .hasRootCauseMessage("disk full");
  }

  @Test
  void aFileThatCannotBeOpenedIsReportedAtOnce(@TempDir Path dir) throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("plain"), "x");
    assertThatThrownBy(() -> JsonLinesAuditSink.toFile(notADirectory.resolve("audit.jsonl")))
        .isInstanceOf(UncheckedIOException.class);
  }
}
