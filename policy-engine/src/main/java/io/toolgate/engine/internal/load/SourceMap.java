package io.toolgate.engine.internal.load;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A policy document as a Jackson tree, with where each key and value stands in the source (line
 * and column, when the source had lines) and the document order of every pointer, so problems can
 * be located and listed in the order a person reads the file.
 */
final class SourceMap {
  /** A 1-based line and column; 0 and 0 when unknown. */
  record Location(int line, int column) {
    static final Location UNKNOWN = new Location(0, 0);
  }

  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(false);

  private JsonNode tree;
  private final Map<String, Integer> order = new HashMap<>();
  private final Map<String, Location> values = new HashMap<>();
  private final Map<String, Location> keys = new HashMap<>();

  private SourceMap(JsonNode tree) {
    this.tree = tree;
  }

  JsonNode tree() {
    return tree;
  }

  /** The map of a tree that has no source text: document order only. */
  static SourceMap of(JsonNode tree) {
    SourceMap map = new SourceMap(tree);
    map.walk(tree, "");
    return map;
  }

  private void walk(JsonNode node, String pointer) {
    order.putIfAbsent(pointer, order.size());
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        walk(field.getValue(), pointer + "/" + escape(field.getKey()));
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), pointer + "/" + i);
      }
    }
  }

  /**
   * Reads one document from {@code parser} into a tree, noting every key's and value's location.
   * A key that appears twice in one mapping is reported to {@code problems} and the later value is
   * kept.
   *
   * @throws IOException when the text is not well-formed or breaks a read limit
   */
  static SourceMap parse(JsonParser parser, Problems problems) throws IOException {
    JsonToken token = parser.nextToken();
    if (token == null) {
      return null;
    }
    SourceMap map = new SourceMap(null);
    map.tree = map.read(parser, token, "", problems);
    if (parser.nextToken() != null) {
      throw new JsonParseException(parser, "more than one document in the policy");
    }
    return map;
  }

  /** Reads the value starting at {@code token}; recursion is bounded by the parser's nesting limit. */
  private JsonNode read(JsonParser parser, JsonToken token, String pointer, Problems problems) throws IOException {
    order.putIfAbsent(pointer, order.size());
    values.put(pointer, location(parser.currentTokenLocation()));
    switch (token) {
      case START_OBJECT: {
        ObjectNode object = NODES.objectNode();
        JsonToken next;
        while ((next = parser.nextToken()) == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          String child = pointer + "/" + escape(name);
          Location at = location(parser.currentTokenLocation());
          if (object.has(name)) {
            problems.atKey(child, "duplicate key \"" + name + "\"; each key may appear once in a mapping");
          }
          keys.put(child, at);
          object.set(name, read(parser, parser.nextToken(), child, problems));
        }
        return object;
      }
      case START_ARRAY: {
        ArrayNode array = NODES.arrayNode();
        JsonToken next;
        while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
          array.add(read(parser, next, pointer + "/" + array.size(), problems));
        }
        return array;
      }
      case VALUE_STRING:
        return NODES.textNode(parser.getText());
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return number(parser);
      case VALUE_TRUE:
        return NODES.booleanNode(true);
      case VALUE_FALSE:
        return NODES.booleanNode(false);
      case VALUE_NULL:
        return NODES.nullNode();
      case VALUE_EMBEDDED_OBJECT:
        Object embedded = parser.getEmbeddedObject();
        return embedded == null ? NODES.nullNode() : NODES.textNode(embedded.toString());
      default:
        throw new JsonParseException(parser, "unexpected " + token);
    }
  }

  private static JsonNode number(JsonParser parser) throws IOException {
    switch (parser.getNumberType()) {
      case INT:
        return NODES.numberNode(parser.getIntValue());
      case LONG:
        return NODES.numberNode(parser.getLongValue());
      case BIG_INTEGER:
        return NODES.numberNode(parser.getBigIntegerValue());
      case BIG_DECIMAL:
        return NODES.numberNode(parser.getDecimalValue());
      default:
        return NODES.numberNode(parser.getDoubleValue());
    }
  }

  private static Location location(JsonLocation at) {
    return at == null || at.getLineNr() < 1
        ? Location.UNKNOWN
        : new Location(at.getLineNr(), Math.max(at.getColumnNr(), 1));
  }

  /** The document-order index of {@code pointer}, or of its nearest ancestor that exists. */
  int order(String pointer) {
    for (String p = pointer; ; p = parent(p)) {
      Integer index = order.get(p);
      if (index != null) {
        return index;
      }
      if (p.isEmpty()) {
        return Integer.MAX_VALUE;
      }
    }
  }

  /** Where a problem at {@code pointer} is shown: at the key or the value, else at the nearest ancestor. */
  Location locate(String pointer, boolean atKey) {
    Location found = atKey ? keys.get(pointer) : values.get(pointer);
    if (found == null) {
      found = atKey ? values.get(pointer) : keys.get(pointer);
    }
    if (found != null) {
      return found;
    }
    return pointer.isEmpty() ? Location.UNKNOWN : locate(parent(pointer), false);
  }

  static String parent(String pointer) {
    int slash = pointer.lastIndexOf('/');
    return slash <= 0 ? "" : pointer.substring(0, slash);
  }

  /** A JSON Pointer reference token: {@code ~} as {@code ~0}, {@code /} as {@code ~1}. */
  static String escape(String key) {
    if (key.indexOf('~') < 0 && key.indexOf('/') < 0) {
      return key;
    }
    return key.replace("~", "~0").replace("/", "~1");
  }
}
