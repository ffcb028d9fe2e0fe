package io.toolgate.engine.internal.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.PatternSyntaxException;
import org.everit.json.schema.ArraySchema;
import org.everit.json.schema.CombinedSchema;
import org.everit.json.schema.ConditionalSchema;
import org.everit.json.schema.NotSchema;
import org.everit.json.schema.ObjectSchema;
import org.everit.json.schema.ReferenceSchema;
import org.everit.json.schema.Schema;

/**
 * What makes an {@code arguments} schema unsafe to run although it is a valid JSON Schema: a
 * {@code pattern} whose program would be too large (checked on the text, before Everit compiles
 * it), and a {@code $ref} chain that never ends (checked on Everit's loaded graph, which resolves
 * references exactly as validation will).
 */
final class ArgumentSchemaChecks {
  /** Keywords whose value is one subschema. */
  private static final Set<String> ONE = Set.of(
      "additionalProperties", "additionalItems", "items", "contains", "propertyNames", "not", "if", "then", "else");
  /** Keywords whose value is a list of subschemas. */
  private static final Set<String> LIST = Set.of("allOf", "anyOf", "oneOf", "items");
  /** Keywords whose value maps names to subschemas. */
  private static final Set<String> MAP = Set.of("properties", "patternProperties", "definitions", "$defs", "dependencies");

  private ArgumentSchemaChecks() {}

  /**
   * Reports every {@code pattern} value and {@code patternProperties} key under {@code schema}
   * whose program would exceed {@link RegexSize#MAX}. Only schema keywords are followed, so a
   * {@code const} or {@code enum} value that happens to hold a "pattern" key is data, not a regex.
   * Returns whether all were within the size.
   */
  static boolean patternsFit(JsonNode schema, String pointer, Problems problems) {
    boolean fit = true;
    Deque<Map.Entry<String, JsonNode>> todo = new ArrayDeque<>();
    todo.push(Map.entry(pointer, schema));
    while (!todo.isEmpty()) {
      Map.Entry<String, JsonNode> next = todo.pop();
      String at = next.getKey();
      JsonNode node = next.getValue();
      if (!node.isObject()) {
        continue;
      }
      JsonNode pattern = node.get("pattern");
      if (pattern != null && pattern.isTextual()) {
        String problem = RegexSize.problem(pattern.textValue());
        if (problem != null) {
          problems.at(at + "/pattern", "pattern " + DocumentSchema.describe(pattern) + " " + problem);
          fit = false;
        }
      }
      JsonNode patternProperties = node.get("patternProperties");
      if (patternProperties != null && patternProperties.isObject()) {
        for (Iterator<String> it = patternProperties.fieldNames(); it.hasNext(); ) {
          String key = it.next();
          String problem = RegexSize.problem(key);
          if (problem != null) {
            problems.atKey(at + "/patternProperties/" + SourceMap.escape(key),
                "patternProperties pattern " + DocumentSchema.describe(TextNode.valueOf(key)) + " " + problem);
            fit = false;
          }
        }
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String keyword = field.getKey();
        JsonNode value = field.getValue();
        String child = at + "/" + SourceMap.escape(keyword);
        if (LIST.contains(keyword) && value.isArray()) {
          for (int i = 0; i < value.size(); i++) {
            todo.push(Map.entry(child + "/" + i, value.get(i)));
          }
        } else if (ONE.contains(keyword)) {
          todo.push(Map.entry(child, value));
        } else if (MAP.contains(keyword) && value.isObject()) {
          for (Iterator<Map.Entry<String, JsonNode>> sub = value.fields(); sub.hasNext(); ) {
            Map.Entry<String, JsonNode> named = sub.next();
            todo.push(Map.entry(child + "/" + SourceMap.escape(named.getKey()), named.getValue()));
          }
        }
      }
    }
    return fit;
  }

  /**
   * Whether validating against {@code root} could recurse without end: whether its graph has a
   * cycle made only of edges that apply a subschema to the same value ({@code $ref}, {@code
   * allOf}/{@code anyOf}/{@code oneOf}, {@code not}, {@code if}/{@code then}/{@code else}, schema
   * {@code dependencies}). A cycle that passes through {@code properties}, {@code items} and the
   * like descends into a smaller value each time round, so it ends with the value: a tree schema.
   */
  static boolean loops(Schema root) {
    // Every schema reachable by any edge, each with its same-value successors.
    Map<Schema, List<Schema>> sameValue = new IdentityHashMap<>();
    Deque<Schema> todo = new ArrayDeque<>();
    todo.push(root);
    while (!todo.isEmpty()) {
      Schema schema = todo.pop();
      if (sameValue.containsKey(schema)) {
        continue;
      }
      List<Schema> same = new ArrayList<>();
      List<Schema> deeper = new ArrayList<>();
      edges(schema, same, deeper);
      sameValue.put(schema, same);
      same.forEach(todo::push);
      deeper.forEach(todo::push);
    }
    // Depth-first search for a back edge, without recursion: a long $ref chain must not overflow.
    Map<Schema, Boolean> done = new IdentityHashMap<>(); // false: on the current path
    for (Schema start : sameValue.keySet()) {
      if (done.containsKey(start)) {
        continue;
      }
      Deque<Map.Entry<Schema, Iterator<Schema>>> path = new ArrayDeque<>();
      done.put(start, false);
      path.push(Map.entry(start, sameValue.get(start).iterator()));
      while (!path.isEmpty()) {
        Iterator<Schema> successors = path.peek().getValue();
        if (!successors.hasNext()) {
          done.put(path.pop().getKey(), true);
          continue;
        }
        Schema next = successors.next();
        Boolean state = done.get(next);
        if (state == null) {
          done.put(next, false);
          path.push(Map.entry(next, sameValue.get(next).iterator()));
        } else if (!state) {
          return true;
        }
      }
    }
    return false;
  }

  private static void edges(Schema schema, List<Schema> same, List<Schema> deeper) {
    if (schema instanceof ReferenceSchema ref) {
      add(same, ref.getReferredSchema());
    } else if (schema instanceof CombinedSchema combined) {
      combined.getSubschemas().forEach(s -> add(same, s));
    } else if (schema instanceof NotSchema not) {
      add(same, not.getMustNotMatch());
    } else if (schema instanceof ConditionalSchema conditional) {
      conditional.getIfSchema().ifPresent(s -> add(same, s));
      conditional.getThenSchema().ifPresent(s -> add(same, s));
      conditional.getElseSchema().ifPresent(s -> add(same, s));
    } else if (schema instanceof ObjectSchema object) {
      object.getSchemaDependencies().values().forEach(s -> add(same, s));
      addAll(deeper, object.getPropertySchemas().values());
      addAll(deeper, patternPropertySchemas(object));
      add(deeper, object.getSchemaOfAdditionalProperties());
      add(deeper, object.getPropertyNameSchema());
    } else if (schema instanceof ArraySchema array) {
      add(deeper, array.getAllItemSchema());
      if (array.getItemSchemas() != null) {
        addAll(deeper, array.getItemSchemas());
      }
      add(deeper, array.getSchemaOfAdditionalItems());
      add(deeper, array.getContainedItemSchema());
    }
  }

  /**
   * The subschemas of {@code patternProperties}. Everit's public accessor keys them by
   * java.util.regex patterns, compiled on each call (policy text within {@link RegexSize#MAX};
   * compiling runs nothing); for RE2 syntax java.util.regex lacks, such as {@code (?P<name>...)},
   * the map Everit itself validates with is read instead.
   */
  @SuppressWarnings("unchecked")
  private static Collection<Schema> patternPropertySchemas(ObjectSchema object) {
    try {
      return object.getPatternProperties().values();
    } catch (PatternSyntaxException e) {
      try {
        Method own = ObjectSchema.class.getDeclaredMethod("getRegexpPatternProperties");
        own.setAccessible(true);
        return ((Map<?, Schema>) own.invoke(object)).values();
      } catch (ReflectiveOperationException | RuntimeException unreadable) {
        throw new IllegalStateException("cannot follow patternProperties " + e.getPattern() + " to check for $ref loops", e);
      }
    }
  }

  private static void add(List<Schema> to, Schema schema) {
    if (schema != null) {
      to.add(schema);
    }
  }

  private static void addAll(List<Schema> to, Collection<Schema> schemas) {
    schemas.forEach(s -> add(to, s));
  }
}
