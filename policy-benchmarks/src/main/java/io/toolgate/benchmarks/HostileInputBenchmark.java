package io.toolgate.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.PolicyEngine;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A call with a normal argument beside the same call with a hostile one, for each rule an agent
 * might try to stall or slip past (DESIGN.md "Hostile input"): 100 kB of white space against an
 * {@code enum}, a {@code pattern} and a {@code format} (email, date-time) schema; a 100 kB string
 * in a {@code regex} condition; {@code 1e999} (read as +Infinity) against {@code lte}. Every
 * hostile call is denied with a short reason; the goal is time linear in the argument's size
 * (milliseconds at most for 100 kB), not seconds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HostileInputBenchmark {
  static final String POLICY =
      "{\"version\":\"1\",\"default\":\"deny\",\"tools\":{"
          + "\"enum\":{\"arguments\":{\"type\":\"object\",\"properties\":{\"v\":{\"enum\":[\"dev\",\"prod\"]}}}},"
          + "\"pattern\":{\"arguments\":{\"type\":\"object\",\"properties\":{\"v\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9-]+$\"}}}},"
          + "\"email\":{\"arguments\":{\"type\":\"object\",\"properties\":{\"v\":{\"type\":\"string\",\"format\":\"email\"}}}},"
          + "\"datetime\":{\"arguments\":{\"type\":\"object\",\"properties\":{\"v\":{\"type\":\"string\",\"format\":\"date-time\"}}}},"
          + "\"regex\":{\"conditions\":[{\"path\":\"args.v\",\"op\":\"regex\",\"value\":\"^[a-z0-9-]+$\"}]},"
          + "\"lte\":{\"conditions\":[{\"path\":\"args.v\",\"op\":\"lte\",\"value\":10000}]}}}";

  private static final int HOSTILE_CHARS = 100_000;

  /** {@code normal}: an argument the rule admits; {@code hostile}: a 100 kB (or non-finite) one. */
  @Param({"normal", "hostile"})
  public String input;

  private final CallContext context = CallContext.of("agent-1");
  private PolicyEngine engine;
  private ToolCall enumCall;
  private ToolCall patternCall;
  private ToolCall emailCall;
  private ToolCall dateTimeCall;
  private ToolCall regexCall;
  private ToolCall lteCall;

  @Setup
  public void setUp() throws Exception {
    engine = PolicyEngine.of(Policies.parse(POLICY));
    boolean hostile = input.equals("hostile");
    String spaces = " ".repeat(HOSTILE_CHARS);
    enumCall = call("enum", hostile ? spaces : "prod", hostile);
    patternCall = call("pattern", hostile ? spaces : "momentum-v2", hostile);
    emailCall = call("email", hostile ? spaces : "alice@example.com", hostile);
    dateTimeCall = call("datetime", hostile ? spaces : "2026-01-01T10:00:00Z", hostile);
    regexCall = call("regex", hostile ? "a".repeat(HOSTILE_CHARS) + "!" : "momentum-v2", hostile);
    JsonNode amount = new ObjectMapper().readTree(hostile ? "{\"v\": 1e999}" : "{\"v\": 500}");
    lteCall = check(ToolCall.of("lte", amount), hostile);
  }

  private ToolCall call(String tool, String value, boolean hostile) {
    ObjectNode args = new ObjectMapper().createObjectNode().put("v", value);
    return check(ToolCall.of(tool, args), hostile);
  }

  private ToolCall check(ToolCall call, boolean hostile) {
    Decision d = engine.evaluate(call, context);
    if (hostile) {
      Checks.isTrue(!d.isAllowed(), call.tool() + ": a hostile argument is refused");
      Checks.isTrue(d.reason().length() <= 300 && d.reason().indexOf('\n') < 0, call.tool() + ": a short one-line reason");
    } else {
      Checks.allowed(d);
    }
    return call;
  }

  @Benchmark
  public Decision toolgate_enum() {
    return engine.evaluate(enumCall, context);
  }

  @Benchmark
  public Decision toolgate_pattern() {
    return engine.evaluate(patternCall, context);
  }

  @Benchmark
  public Decision toolgate_email() {
    return engine.evaluate(emailCall, context);
  }

  @Benchmark
  public Decision toolgate_datetime() {
    return engine.evaluate(dateTimeCall, context);
  }

  @Benchmark
  public Decision toolgate_regex() {
    return engine.evaluate(regexCall, context);
  }

  @Benchmark
  public Decision toolgate_lte() {
    return engine.evaluate(lteCall, context);
  }
}
