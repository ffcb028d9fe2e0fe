package io.toolgate.engine.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.api.AgentText;
import io.toolgate.api.ApprovalAnswerEvent;
import io.toolgate.api.AuditEvent;
import io.toolgate.api.AuditSink;
import io.toolgate.api.Decision;
import io.toolgate.engine.internal.Jackson;
import io.toolgate.engine.internal.audit.AuditFields;
import io.toolgate.engine.internal.audit.Redaction;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Writes one JSON object per decision, one per line (JSON Lines), in UTF-8:
 *
 * <pre>{@code
 * {"time":"2026-01-01T10:00:00Z","tool":"create_charge","principal":"agent-1","session":null,
 *  "decision":"approval_required","rule":"/tools/create_charge","reason":"Policy holds ...",
 *  "matched":["/tools/create_charge"],"outcome":"not_run","latency_ns":41250,
 *  "approval_id":"3f2c...","args_digest":"9b1e...","arguments":{"amount":50000,"api_key":"[REDACTED]"}}
 * }</pre>
 *
 * <p>Fields, in this order: {@code time} (ISO-8601, UTC), {@code tool}, {@code principal}, {@code
 * session} (either {@code null} when unknown), {@code decision} ({@code allow}, {@code deny},
 * {@code rate_limited} or {@code approval_required}), {@code rule}, {@code reason}, {@code
 * matched}, {@code outcome} ({@code evaluated}, {@code not_run}, {@code succeeded} or {@code
 * failed}), {@code latency_ns} (the decision's, tool excluded); for {@code rate_limited} also
 * {@code retry_after_ms} and {@code counter}, for {@code approval_required} also {@code
 * approval_id} (the pending request), and for an {@code allow} admitted on an approval also
 * {@code approval_id} (the approval it used up, the id its held call's line named); then {@code args_digest}, the lower-case hex SHA-256 of the arguments' canonical
 * JSON (object keys sorted, numbers by value, so {@code {"a":7,"b":1}} and {@code
 * {"b":1,"a":7.0}} have one digest: the same form the approval queue compares calls by), and
 * {@code arguments}, with the value of every key that looks secret replaced by {@code
 * "[REDACTED]"} at any depth (see {@link Builder#redactKeysContaining}), unless {@link
 * Builder#includeArguments(boolean) arguments are left out}. Arguments that cannot be read as
 * JSON give {@code "args_digest":null} and an {@code error} field instead of {@code arguments}.
 *
 * <p>{@code tool}, {@code principal} and {@code session} are quoted as {@link AgentText#excerpt}
 * gives them: at most {@value AgentText#MAX_CHARS} characters, control characters replaced. The
 * {@code arguments} are written whole (redacted), as JSON.
 *
 * <p>Thread-safe: each line is written whole, in one write, and flushed to the stream or file
 * before {@link #record} returns (flushed, not forced to disk). A write that fails throws {@link
 * UncheckedIOException}, which the engine reports without changing the decision.
 *
 * <p>The write happens on the calling thread, under a lock every caller shares: used directly, a
 * slow disk or a full pipe holds up every call being decided. In a server, wrap it in an {@link
 * AsyncAuditSink}, which writes on a thread of its own:
 *
 * <pre>{@code
 * AsyncAuditSink audit = AsyncAuditSink.wrap(JsonLinesAuditSink.toFile(Path.of("audit.jsonl"))).build();
 * PolicyEngine engine = PolicyEngine.builder(policy).audit(audit).build();
 * // on shutdown: audit.close() records what is queued, then closes the file
 * }</pre>
 */
public final class JsonLinesAuditSink implements AuditSink, Closeable {
  private final Writer out;
  private final boolean owned;
  private final boolean includeArguments;
  private final Redaction redaction;
  private final String target;
  private final Object lock = new Object();
  private boolean closed; // guarded by lock

  private JsonLinesAuditSink(Writer out, boolean owned, Builder b, String target) {
    this.out = out;
    this.owned = owned;
    this.includeArguments = b.includeArguments;
    this.redaction = Redaction.withExtraFragments(b.extraFragments);
    this.target = target;
  }

  /** A sink appending to {@code file} with the default options; see {@link Builder#toFile}. */
  public static JsonLinesAuditSink toFile(Path file) {
    return builder().toFile(file);
  }

  /** A sink writing to {@code out} with the default options; see {@link Builder#to(OutputStream)}. */
  public static JsonLinesAuditSink to(OutputStream out) {
    return builder().to(out);
  }

  /** A sink writing to {@code out} with the default options; see {@link Builder#to(Writer)}. */
  public static JsonLinesAuditSink to(Writer out) {
    return builder().to(out);
  }

  /** A builder for a sink with options other than the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Writes {@code event} as one line and flushes it.
   *
   * @throws UncheckedIOException if the write fails
   * @throws IllegalStateException if the sink is closed
   */
  @Override
  public void record(AuditEvent event) {
    String line = line(event) + "\n";
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("audit sink " + target + " is closed");
      }
      try {
        out.write(line);
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("audit sink " + target + " could not write", e);
      }
    }
  }

  /**
   * Writes an approval answer as one line: {@code event} ({@code approval_answered}) first, so a
   * reader tells it from a decision line at once, then {@code time}, {@code approval_id}, {@code tool}, {@code principal}, {@code verdict}
   * ({@code approved} or {@code rejected}), {@code approver}, {@code comment}, {@code
   * args_digest}.
   *
   * @throws UncheckedIOException if the write fails
   * @throws IllegalStateException if the sink is closed
   */
  @Override
  public void approvalAnswered(ApprovalAnswerEvent event) {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("event", "approval_answered");
    json.put("time", event.time().toString());
    json.put("approval_id", AgentText.excerpt(event.approvalId()));
    json.put(DecisionFields.Field.TOOL.key(), AgentText.excerpt(event.tool()));
    json.put("principal", AgentText.excerpt(event.principal()));
    json.put("verdict", event.approved() ? "approved" : "rejected");
    json.put("approver", AgentText.excerpt(event.approver()));
    json.put("comment", AgentText.excerpt(event.comment()));
    json.put("args_digest", event.argsDigest());
    String line;
    try {
      line = Jackson.JSON.writeValueAsString(json) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an approval answer is always JSON", e);
    }
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("audit sink " + target + " is closed");
      }
      try {
        out.write(line);
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("audit sink " + target + " could not write", e);
      }
    }
  }

  /**
   * Flushes; closes the file a {@link #toFile} sink opened, but leaves a stream or writer the
   * caller gave open. Later {@link #record} calls throw {@link IllegalStateException}. Closing
   * twice does nothing.
   */
  @Override
  public void close() throws IOException {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (owned) {
        out.close();
      } else {
        out.flush();
      }
    }
  }

  /** The event as one line of JSON, without the line break. */
  private String line(AuditEvent event) {
    AuditFields.Arguments args = AuditFields.Arguments.of(event.call());
    ObjectNode json = fields(event, args);
    if (args.error() != null) {
      json.put("error", args.error());
    } else if (includeArguments) {
      json.set("arguments", redaction.redact(args.tree()));
    }
    try {
      return Jackson.JSON.writeValueAsString(json);
    } catch (JsonProcessingException | RuntimeException e) {
      // Arguments Jackson cannot write (too deep, a POJO inside a tree): the line without them.
      ObjectNode fallback = fields(event, args);
      fallback.put("error", "arguments could not be written as JSON (" + e.getClass().getSimpleName() + ")");
      try {
        return Jackson.JSON.writeValueAsString(fallback);
      } catch (JsonProcessingException again) {
        throw new IllegalStateException("an audit line without arguments is always JSON", again);
      }
    }
  }

  private static ObjectNode fields(AuditEvent event, AuditFields.Arguments args) {
    Decision d = event.decision();
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("time", event.time().toString());
    json.put(DecisionFields.Field.TOOL.key(), AgentText.excerpt(event.call().tool()));
    json.put("principal", AgentText.excerpt(event.context().principal()));
    json.put("session", AgentText.excerpt(event.context().sessionId()));
    json.put(DecisionFields.Field.DECISION.key(), DecisionFields.kind(d));
    json.put(DecisionFields.Field.RULE.key(), d.rule());
    json.put(DecisionFields.Field.REASON.key(), d.reason());
    ArrayNode matched = json.putArray(DecisionFields.Field.MATCHED.key());
    d.matched().forEach(matched::add);
    json.put("outcome", AuditFields.outcome(event.outcome()));
    json.put("latency_ns", event.latencyNanos());
    DecisionFields.details(d, (field, value) -> {
      if (value instanceof Long number) {
        json.put(field.key(), number);
      } else if (value instanceof String text) {
        json.put(field.key(), text);
      } else {
        json.putNull(field.key());
      }
    });
    json.put("args_digest", args.digest());
    return json;
  }

  @Override
  public String toString() {
    return "JsonLinesAuditSink[" + target + "]";
  }

  /** Options for a {@link JsonLinesAuditSink}; the terminal methods name where it writes. */
  public static final class Builder {
    private boolean includeArguments = true;
    private final List<String> extraFragments = new ArrayList<>();

    private Builder() {}

    /**
     * Whether each line carries the (redacted) arguments; default true. Without them a line
     * still has {@code args_digest}, so identical calls can be matched up.
     */
    public Builder includeArguments(boolean includeArguments) {
      this.includeArguments = includeArguments;
      return this;
    }

    /**
     * Also hides the values of keys containing any of {@code fragments}, compared as the
     * built-in ones are: case and every character but letters and digits ignored. The built-in
     * fragments are {@code password}, {@code passwd}, {@code passphrase}, {@code secret}, {@code
     * token}, {@code apikey}, {@code authorization}, {@code credential}, {@code privatekey},
     * {@code cookie}, {@code sessionkey} and {@code accesskey}, plus the whole words {@code
     * auth}, {@code pwd} and {@code bearer}; they cannot be turned off.
     *
     * @throws IllegalArgumentException if a fragment has no letter or digit
     */
    public Builder redactKeysContaining(String... fragments) {
      List<String> added = Arrays.asList(fragments);
      Redaction.withExtraFragments(added); // validates
      extraFragments.addAll(added);
      return this;
    }

    /**
     * A sink appending to {@code file}, creating it and its parent directories if they do not
     * exist. {@link JsonLinesAuditSink#close()} closes the file.
     *
     * @throws UncheckedIOException if the file cannot be opened for appending
     */
    public JsonLinesAuditSink toFile(Path file) {
      Objects.requireNonNull(file, "file");
      try {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        Writer writer =
            Files.newBufferedWriter(
                file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE);
        return new JsonLinesAuditSink(writer, true, this, file.toString());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open audit file " + file, e);
      }
    }

    /**
     * A sink writing UTF-8 to {@code out}, which stays the caller's: {@link
     * JsonLinesAuditSink#close()} flushes it but does not close it.
     */
    public JsonLinesAuditSink to(OutputStream out) {
      Objects.requireNonNull(out, "out");
      return new JsonLinesAuditSink(new OutputStreamWriter(out, StandardCharsets.UTF_8), false, this, out.toString());
    }

    /**
     * A sink writing to {@code out}, which stays the caller's: {@link
     * JsonLinesAuditSink#close()} flushes it but does not close it.
     */
    public JsonLinesAuditSink to(Writer out) {
      Objects.requireNonNull(out, "out");
      return new JsonLinesAuditSink(out, false, this, out.toString());
    }
  }
}
