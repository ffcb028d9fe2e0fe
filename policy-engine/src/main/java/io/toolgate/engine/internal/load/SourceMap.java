package io.toolgate.engine.internal.load;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
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
  /** While parsing: the source text, and a cursor from code point offsets to its indexes. */
  private String text;
  private long cursorCodePoints;
  private int cursorChars;

  private SourceMap(JsonNode tree) {
    this.tree = tree;
  }

  JsonNode tree() {
    return tree;
  }

  /**
   * The map of a tree that has no source text: document order only. Numbers no double holds are
   * reported to {@code problems}.
   */
  static SourceMap of(JsonNode tree, Problems problems) {
    SourceMap map = new SourceMap(tree);
    map.walk(tree, "", problems);
    return map;
  }

  private void walk(JsonNode node, String pointer, Problems problems) {
    order.putIfAbsent(pointer, order.size());
    if (node.isNumber() && !Double.isFinite(node.doubleValue())) {
      problems.at(pointer, notADouble(node.asText()));
    } else if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        walk(field.getValue(), pointer + "/" + escape(field.getKey()), problems);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), pointer + "/" + i, problems);
      }
    }
  }

  /**
   * Reads one document from {@code parser} into a tree, noting every key's and value's location.
   * A key that appears twice in one mapping is reported to {@code problems} and the later value is
   * kept. YAML anchors and aliases are reported where they stand, and read as null.
   *
   * @param text the text {@code parser} reads, to find the anchors of scalars
   * @throws IOException when the text is not well-formed or breaks a read limit
   */
  static SourceMap parse(JsonParser parser, String text, Problems problems) throws IOException {
    JsonToken token = parser.nextToken();
    if (token == null) {
      return null;
    }
    SourceMap map = new SourceMap(null);
    map.text = text;
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
    refuseAnchorOrAlias(parser, pointer, false, problems);
    switch (token) {
      case START_OBJECT: {
        ObjectNode object = NODES.objectNode();
        JsonToken next;
        while ((next = parser.nextToken()) == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          String child = pointer + "/" + escape(name);
          Location at = location(parser.currentTokenLocation());
          keys.put(child, at);
          refuseAnchorOrAlias(parser, child, true, problems);
          if (object.has(name)) {
            problems.atKey(child, "duplicate key \"" + name + "\"; each key may appear once in a mapping");
          }
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
        return number(parser, pointer, problems);
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

  /**
   * A YAML anchor ({@code &name}) or alias ({@code *name}) is refused where it stands: Jackson
   * reads an alias as the text of its name, so {@code value: *prod} would silently compare against
   * the string "prod", and aliases are also how a small file expands into a huge tree. The value
   * is read on as Jackson gives it; other problems at its pointer are not reported.
   */
  private void refuseAnchorOrAlias(JsonParser parser, String pointer, boolean atKey, Problems problems)
      throws IOException {
    if (!(parser instanceof YAMLParser yaml)) {
      return;
    }
    String anchor = yaml.getObjectId();
    if (anchor == null && !atKey && parser.currentToken().isScalarValue()) {
      anchor = scalarAnchor(parser.currentTokenLocation());
    }
    String message;
    if (yaml.isCurrentAlias()) {
      message = "YAML alias *" + yaml.getText() + " is not allowed in a policy; write the value out in full";
    } else if (anchor != null) {
      message = "YAML anchor &" + anchor + " is not allowed in a policy; write each value out in full";
    } else {
      return;
    }
    problems.only(pointer, atKey, message);
  }

  /**
   * The anchor of the scalar that starts at {@code at}, or {@code null}. Jackson does not report
   * anchors of scalar values, but a node's start in the source is its properties: an anchor
   * ({@code &name}), possibly after a tag ({@code !!str &name}). A plain scalar cannot start with
   * {@code &} or {@code !}, so this finds anchors and nothing else.
   */
  private String scalarAnchor(JsonLocation at) {
    if (text == null || at == null || at.getCharOffset() < 0) {
      return null;
    }
    int i = charIndex(at.getCharOffset());
    int end = text.length();
    if (i < end && text.charAt(i) == '!') {
      while (i < end && !Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      while (i < end && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
        i++;
      }
    }
    if (i >= end || text.charAt(i) != '&') {
      return null;
    }
    int nameEnd = i + 1;
    while (nameEnd < end && !Character.isWhitespace(text.charAt(nameEnd)) && ",[]{}".indexOf(text.charAt(nameEnd)) < 0) {
      nameEnd++;
    }
    return text.substring(i + 1, nameEnd);
  }

  /**
   * The index in {@link #text} of the code point at {@code codePoints} (SnakeYAML counts code
   * points). Tokens come in document order, so a cursor keeps this linear in the document.
   */
  private int charIndex(long codePoints) {
    if (codePoints < cursorCodePoints) {
      cursorCodePoints = 0;
      cursorChars = 0;
    }
    while (cursorCodePoints < codePoints && cursorChars < text.length()) {
      cursorChars += Character.charCount(text.codePointAt(cursorChars));
      cursorCodePoints++;
    }
    return cursorChars;
  }

  /**
   * A number as the tree holds it. One that no double holds ({@code 1e999} would become
   * Infinity) is reported at its pointer and kept as its exact decimal, so that later checks
   * neither fail on it nor report it again as something else.
   */
  private static JsonNode number(JsonParser parser, String pointer, Problems problems) throws IOException {
    JsonParser.NumberType type;
    try {
      type = parser.getNumberType();
    } catch (JsonParseException e) { // YAML's .inf and .nan, which Jackson types as numbers but cannot read
      problems.only(pointer, false, notADouble(parser.getText()));
      return NODES.textNode(parser.getText());
    }
    JsonNode node = switch (type) {
      case INT -> NODES.numberNode(parser.getIntValue());
      case LONG -> NODES.numberNode(parser.getLongValue());
      case BIG_INTEGER -> NODES.numberNode(parser.getBigIntegerValue());
      case BIG_DECIMAL -> NODES.numberNode(parser.getDecimalValue());
      default -> NODES.numberNode(parser.getDoubleValue());
    };
    if (Double.isFinite(node.doubleValue()) && !underflows(node, parser)) {
      return node;
    }
    problems.only(pointer, false, notADouble(parser.getText()));
    try {
      return NODES.numberNode(parser.getDecimalValue());
    } catch (NumberFormatException | ArithmeticException | IOException e) {
      return NODES.textNode(parser.getText());
    }
  }

  /** The problem of a number that no double holds. */
  static String notADouble(String text) {
    return "the number " + text + " is out of range: a policy's numbers must fit a double"
        + " (at most about 1.8e308 in size, and unless 0 at least about 4.9e-324)";
  }

  /** Whether a float that reads as 0 was not 0 in the text ({@code 1e-999}): it would silently become 0. */
  private static boolean underflows(JsonNode node, JsonParser parser) throws IOException {
    if (!node.isFloatingPointNumber() || node.doubleValue() != 0) {
      return false;
    }
    try {
      return parser.getDecimalValue().signum() != 0;
    } catch (NumberFormatException | ArithmeticException e) {
      return true;
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
