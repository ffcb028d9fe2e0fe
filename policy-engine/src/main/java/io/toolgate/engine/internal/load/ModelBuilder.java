package io.toolgate.engine.internal.load;

import static io.toolgate.engine.internal.load.DocumentSchema.describe;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.engine.internal.OrgJson;
import io.toolgate.engine.internal.format.Formats;
import io.toolgate.engine.internal.model.Action;
import io.toolgate.engine.internal.model.ArgumentSchema;
import io.toolgate.engine.internal.model.Glob;
import io.toolgate.engine.internal.model.Grant;
import io.toolgate.engine.internal.model.HideRule;
import io.toolgate.engine.internal.model.PolicyModel;
import io.toolgate.engine.internal.model.ToolEntry;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.everit.json.schema.Schema;
import org.everit.json.schema.SchemaException;
import org.everit.json.schema.loader.SchemaLoader;
import org.everit.json.schema.regexp.RE2JRegexpFactory;

/**
 * The semantic checks that a JSON Schema cannot express, done while building the {@link
 * PolicyModel}: globs, argument schemas and which keys an action takes here; conditions (paths,
 * operators against their values, RE2 regexes) in {@link ConditionReader}; limits (amounts,
 * windows, scopes, counters shared by several limits) in {@link LimitReader}. Nodes of the wrong
 * type are skipped silently: the document schema has reported them already.
 */
final class ModelBuilder {
  private final Problems problems;
  private final ConditionReader conditions;
  private final LimitReader limits;

  private ModelBuilder(Problems problems) {
    this.problems = problems;
    this.conditions = new ConditionReader(problems);
    this.limits = new LimitReader(problems);
  }

  /** The model of {@code document}, with every semantic problem reported; null if not an object. */
  static PolicyModel build(JsonNode document, Problems problems) {
    if (!document.isObject()) {
      if (!problems.has("")) {
        problems.at("", "expected a policy (a mapping with version and tools), got " + describe(document));
      }
      return null;
    }
    return new ModelBuilder(problems).policy(document);
  }

  private PolicyModel policy(JsonNode doc) {
    boolean defaultAllow = "allow".equals(doc.path("default").asText(null));
    String description = text(doc.get("description"));
    List<HideRule> hide = new ArrayList<>();
    JsonNode hideNode = doc.get("hide");
    if (hideNode != null && hideNode.isArray()) {
      for (int i = 0; i < hideNode.size(); i++) {
        JsonNode name = hideNode.get(i);
        String pointer = "/hide/" + i;
        if (name.isTextual() && glob(name.textValue(), pointer, false)) {
          hide.add(new HideRule(name.textValue(), pointer));
        }
      }
    }
    List<ToolEntry> tools = tools(doc.get("tools"), "/tools");
    List<Grant> grants = new ArrayList<>();
    JsonNode grantsNode = doc.get("grants");
    if (grantsNode != null && grantsNode.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = grantsNode.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> grant = it.next();
        String pointer = "/grants/" + SourceMap.escape(grant.getKey());
        JsonNode body = grant.getValue();
        if (body.isObject()) {
          grants.add(new Grant(grant.getKey(), pointer, tools(body.get("tools"), pointer + "/tools")));
        }
      }
    }
    limits.checkSharedCounters();
    return new PolicyModel(defaultAllow, description, hide, tools, grants);
  }

  private List<ToolEntry> tools(JsonNode node, String pointer) {
    List<ToolEntry> out = new ArrayList<>();
    if (node == null || !node.isObject()) {
      return out;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String entryPointer = pointer + "/" + SourceMap.escape(field.getKey());
      boolean keyOk = glob(field.getKey(), entryPointer, true);
      ToolEntry entry = entry(field.getKey(), entryPointer, field.getValue());
      if (keyOk && entry != null) {
        out.add(entry);
      }
    }
    return out;
  }

  private boolean glob(String pattern, String pointer, boolean atKey) {
    String problem = Glob.problem(pattern);
    if (problem == null) {
      return true;
    }
    String message = "\"" + pattern + "\" is not a tool name or glob: " + problem
        + "; expected an exact name or a glob with * ? [abc] [a-z]";
    if (atKey) {
      problems.atKey(pointer, message);
    } else {
      problems.at(pointer, message);
    }
    return false;
  }

  private ToolEntry entry(String key, String pointer, JsonNode node) {
    if (node.isNull()) {
      return new ToolEntry(key, pointer, Action.ALLOW, null, null, List.of(), List.of(), List.of(), 0);
    }
    if (!node.isObject()) {
      return null;
    }
    Action action = node.has("action") ? Action.parse(node.get("action").asText()) : Action.ALLOW;
    if (action == null) {
      return null; // reported by the schema
    }
    if (action == Action.DENY) {
      for (String key2 : List.of("arguments", "conditions", "limits", "rate_limit")) {
        if (node.has(key2)) {
          problems.atKey(pointer + "/" + key2, "a deny entry takes no " + key2
              + "; it refuses the call (use when to say when it applies)");
        }
      }
    } else if (action == Action.ALLOW && node.has("when")) {
      problems.atKey(pointer + "/when", "only deny and require_approval entries take when;"
          + " an allow entry's conditions say what its calls must satisfy");
    }
    ArgumentSchema arguments = arguments(node.get("arguments"), pointer + "/arguments");
    return new ToolEntry(key, pointer, action, text(node.get("reason")), arguments,
        conditions.list(node.get("conditions"), pointer + "/conditions"), conditions.list(node.get("when"), pointer + "/when"),
        limits.ofEntry(node, pointer), waitMillis(action, node.get("wait"), pointer + "/wait"));
  }

  /** The longest {@code wait} a policy may give: a held call keeps a caller's request open. */
  static final long MAX_WAIT_MILLIS = 15 * 60_000L;

  /** A require_approval entry's {@code wait} in milliseconds, 0 when none or reported. */
  private long waitMillis(Action action, JsonNode node, String pointer) {
    if (node == null) {
      return 0;
    }
    if (action != Action.REQUIRE_APPROVAL) {
      problems.atKey(pointer, "only require_approval entries take wait; it says how long a held call waits for an answer");
      return 0;
    }
    if (!node.isTextual() && !node.isIntegralNumber()) {
      return 0; // reported by the schema
    }
    Long millis = Durations.parseMillis(node);
    if (millis == null) {
      problems.at(pointer, describe(node) + " is not a duration; expected " + Durations.EXPECTED);
      return 0;
    }
    if (millis > MAX_WAIT_MILLIS) {
      problems.at(pointer, describe(node) + " is too long a wait; expected at most 15m (900 seconds)");
      return 0;
    }
    return millis;
  }

  private ArgumentSchema arguments(JsonNode node, String pointer) {
    if (node == null || !(node.isObject() || node.isBoolean())) {
      return null;
    }
    if (!ArgumentSchemaChecks.patternsFit(node, pointer, problems)) {
      return null; // not loaded: loading compiles the patterns
    }
    try {
      // Everit's own format checks run backtracking regexes on the value: ours are linear and bounded.
      Schema schema = Formats.install(SchemaLoader.builder())
          .schemaJson(OrgJson.convert(node))
          .draftV7Support()
          .regexpFactory(new RE2JRegexpFactory())
          .schemaClient(uri -> {
            throw new IllegalArgumentException("remote $ref " + uri + " is not allowed; inline the schema");
          })
          .build()
          .load()
          .build();
      if (ArgumentSchemaChecks.loops(schema)) {
        problems.at(pointer, "the schema refers to itself through $ref without descending into the arguments"
            + " (through allOf, anyOf, oneOf, not, if/then/else or $ref alone), so checking a call would never end;"
            + " recursion must pass through properties, items or another keyword that reads a part of the value");
        return null;
      }
      return new ArgumentSchema(pointer, schema, node);
    } catch (SchemaException e) {
      String at = e.getSchemaLocation();
      String inner = at != null && at.startsWith("#") && at.length() > 1 ? at.substring(1) : "";
      problems.at(pointer + inner, "not a valid JSON Schema (draft-07): " + e.getMessage());
    } catch (RuntimeException e) {
      problems.at(pointer, "not a valid JSON Schema (draft-07): " + e.getMessage());
    }
    return null;
  }

  static String text(JsonNode node) {
    return node != null && node.isTextual() ? node.textValue() : null;
  }
}
