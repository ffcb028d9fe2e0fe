package io.toolgate.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import org.json.JSONArray;
import org.json.JSONObject;

/** Converts Jackson trees to the org.json values Everit validates. */
public final class OrgJson {
  private OrgJson() {}

  /** The org.json value of {@code node}: JSONObject, JSONArray, String, Number, Boolean or NULL. */
  public static Object convert(JsonNode node) {
    switch (node.getNodeType()) {
      case OBJECT:
        JSONObject object = new JSONObject();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> field = it.next();
          object.put(field.getKey(), convert(field.getValue()));
        }
        return object;
      case ARRAY:
        JSONArray array = new JSONArray();
        for (JsonNode element : node) {
          array.put(convert(element));
        }
        return array;
      case STRING:
        return node.textValue();
      case NUMBER:
        return node.numberValue();
      case BOOLEAN:
        return node.booleanValue();
      default:
        return JSONObject.NULL;
    }
  }
}
