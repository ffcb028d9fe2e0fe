package io.toolgate.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.engine.internal.Jackson;
import io.toolgate.engine.internal.OrgJson;
import io.toolgate.engine.internal.load.LoadResult;
import io.toolgate.engine.internal.load.PolicyLoader;
import java.util.ArrayList;
import java.util.List;
import org.everit.json.schema.Schema;
import org.everit.json.schema.ValidationException;

/**
 * A tool entry's {@code arguments} JSON Schema, loaded and checked as the engine loads it
 * (draft-07, RE2/J patterns, the same size limits), to validate arguments the way the engine does.
 * Immutable and thread-safe.
 */
public final class ArgumentsSchema {
  private final Schema schema;

  private ArgumentsSchema(Schema schema) {
    this.schema = schema;
  }

  /**
   * One way arguments break the schema.
   *
   * @param pointer JSON Pointer into the arguments, {@code ""} for the arguments themselves
   * @param keyword the schema keyword broken, e.g. {@code maxLength}
   */
  public record Violation(String pointer, String keyword) {}

  /**
   * Loads {@code schema} as the {@code arguments} of a tool entry.
   *
   * @throws PolicyLoadException if a policy with it would not load
   */
  public static ArgumentsSchema of(JsonNode schema) {
    ObjectNode policy = Jackson.JSON.createObjectNode();
    policy.put("version", "1");
    policy.putObject("tools").putObject("t").set("arguments", schema.deepCopy());
    LoadResult result = PolicyLoader.load(policy, "schema");
    if (!result.problems().isEmpty()) {
      throw new PolicyLoadException(result.problems());
    }
    return new ArgumentsSchema(result.model().tools().get(0).arguments().schema());
  }

  /** Every leaf violation of the schema by {@code arguments}; empty when they are valid. */
  public List<Violation> violations(JsonNode arguments) {
    try {
      schema.validate(OrgJson.convert(arguments));
      return List.of();
    } catch (ValidationException e) {
      List<Violation> out = new ArrayList<>();
      leaves(e, out);
      return List.copyOf(out);
    }
  }

  private static void leaves(ValidationException e, List<Violation> out) {
    if (e.getCausingExceptions().isEmpty()) {
      String pointer = e.getPointerToViolation();
      out.add(new Violation(pointer == null || pointer.equals("#") ? "" : pointer.substring(1), String.valueOf(e.getKeyword())));
      return;
    }
    e.getCausingExceptions().forEach(c -> leaves(c, out));
  }
}
