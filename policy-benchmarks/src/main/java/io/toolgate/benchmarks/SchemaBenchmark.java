package io.toolgate.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.PolicyEngine;
import java.util.concurrent.TimeUnit;
import org.everit.json.schema.Schema;
import org.everit.json.schema.loader.SchemaLoader;
import org.json.JSONArray;
import org.json.JSONObject;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Argument validation with a JSON Schema of 6 properties, valid arguments given as a Jackson tree
 * (as an MCP SDK hands them over). Toolgate decides a tool whose entry has the schema; Everit
 * validates the same object with the same schema, the Jackson to org.json conversion included
 * (the engine's own direct tree walk, so both sides convert alike). Goal: at most 1.5 x Everit. The {@code
 * toolgate_noschema} row decides a tool without a schema called with the same arguments: goal,
 * no more than the plain allow of a tool called without arguments.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SchemaBenchmark {
  static final String SCHEMA =
      "{\"type\":\"object\",\"required\":[\"projectId\",\"name\",\"language\"],"
          + "\"additionalProperties\":false,\"properties\":{"
          + "\"projectId\":{\"type\":\"integer\",\"minimum\":1},"
          + "\"name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":64},"
          + "\"language\":{\"enum\":[\"py\",\"cs\"]},"
          + "\"dryRun\":{\"type\":\"boolean\"},"
          + "\"priority\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":10},"
          + "\"tags\":{\"type\":\"array\",\"maxItems\":5,\"items\":{\"type\":\"string\"}}}}";

  static final String POLICY =
      "{\"version\":\"1\",\"default\":\"deny\",\"tools\":{"
          + "\"create_backtest\":{\"arguments\":" + SCHEMA + "},"
          + "\"list_backtests\":{},"
          + "\"read_file\":{}}}";

  static final String ARGUMENTS =
      "{\"projectId\":7,\"name\":\"momentum-v2\",\"language\":\"py\",\"dryRun\":false,"
          + "\"priority\":3,\"tags\":[\"equities\",\"daily\"]}";

  private PolicyEngine engine;
  private final CallContext context = CallContext.of("agent-1");
  private ToolCall withSchema;
  private ToolCall withoutSchema;
  private final ToolCall plain = ToolCall.of("read_file");
  private JsonNode arguments;
  private Schema everit;

  @Setup
  public void setUp() throws Exception {
    arguments = new ObjectMapper().readTree(ARGUMENTS);
    engine = PolicyEngine.of(Policies.parse(POLICY));
    withSchema = ToolCall.of("create_backtest", arguments);
    withoutSchema = ToolCall.of("list_backtests", arguments);
    Checks.allowed(engine.evaluate(withSchema, context));
    Checks.allowed(engine.evaluate(withoutSchema, context));
    Checks.isTrue(
        !engine.evaluate(ToolCall.of("create_backtest", new ObjectMapper().readTree("{\"projectId\":0}")), context).isAllowed(),
        "the schema refuses bad arguments");
    everit = SchemaLoader.builder().draftV7Support().schemaJson(new JSONObject(SCHEMA)).build().load().build();
    everit.validate(orgJson(arguments));
  }

  @Benchmark
  public Decision toolgate() {
    return engine.evaluate(withSchema, context);
  }

  @Benchmark
  public Object everit() {
    Object subject = orgJson(arguments);
    everit.validate(subject);
    return subject;
  }

  @Benchmark
  public Decision toolgate_noschema() {
    return engine.evaluate(withoutSchema, context);
  }

  @Benchmark
  public Decision toolgate_plain() {
    return engine.evaluate(plain, context);
  }

  /** The org.json value of a Jackson tree, as Everit validates it. */
  private static Object orgJson(JsonNode node) {
    return switch (node.getNodeType()) {
      case OBJECT -> {
        JSONObject object = new JSONObject();
        node.fields().forEachRemaining(f -> object.put(f.getKey(), orgJson(f.getValue())));
        yield object;
      }
      case ARRAY -> {
        JSONArray array = new JSONArray();
        node.forEach(element -> array.put(orgJson(element)));
        yield array;
      }
      case STRING -> node.textValue();
      case NUMBER -> node.numberValue();
      case BOOLEAN -> node.booleanValue();
      default -> JSONObject.NULL;
    };
  }
}
