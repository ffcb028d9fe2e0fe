package io.toolgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A hostile MCP server on stdio, written by hand so it can send what no SDK server would: tool
 * names with control characters, newlines, YAML syntax and glob characters, a name that is not a
 * string, an inputSchema that is not an object, huge descriptions, and thousands of tools over
 * several pages. The first argument picks the reply: {@code hostile}, or {@code loop} (a cursor
 * that never ends).
 */
public final class RawStdioServer {
  static final ObjectMapper JSON = new ObjectMapper();
  /** Filler tools, listed after the hostile ones, 500 a page. */
  static final int FILLER = 3_000;
  static final int PAGE = 500;
  static final String LONG_NAME = "n".repeat(5_000);

  /** The hostile names, each with its readOnlyHint (true: allowed by the scan's policy). */
  static final String[] NAMES = {
    "line\nbreak: # not a comment", "*", "read_[x]?", "", "yes", "- item", "~", "null", "&anchor", "!tag",
    "'single'", "\"double\"", "ctl\u0000\u0007\u001b[31m", "\u202Eevil", "key: value", "{flow}", "tab\there",
    "trailing ", "ünïcødé ✓", "0x1F", "1e3", "#hash", "a\u2028b"
  };

  private RawStdioServer() {}

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    String line;
    while ((line = in.readLine()) != null) {
      JsonNode request = JSON.readTree(line);
      if (!request.has("id") || !request.has("method")) {
        continue; // a notification or a response
      }
      ObjectNode response = JSON.createObjectNode().put("jsonrpc", "2.0");
      response.set("id", request.get("id"));
      switch (request.get("method").asText()) {
        case "initialize" -> {
          ObjectNode result = response.putObject("result");
          result.put("protocolVersion", request.at("/params/protocolVersion").asText());
          result.putObject("capabilities").putObject("tools");
          result.putObject("serverInfo").put("name", "raw").put("version", "1");
        }
        case "tools/list" -> {
          String cursor = request.at("/params/cursor").asText("");
          response.set("result", "loop".equals(args[0]) ? loop() : page(cursor.isEmpty() ? 0 : Integer.parseInt(cursor)));
        }
        default -> response.putObject("error").put("code", -32601).put("message", "no such method");
      }
      out.println(JSON.writeValueAsString(response));
    }
  }

  private static ObjectNode loop() {
    ObjectNode result = JSON.createObjectNode();
    result.putArray("tools").addObject().put("name", "again").putObject("inputSchema").put("type", "object");
    return result.put("nextCursor", "same");
  }

  private static ObjectNode page(int page) {
    ObjectNode result = JSON.createObjectNode();
    ArrayNode tools = result.putArray("tools");
    if (page == 0) {
      for (String name : NAMES) {
        ObjectNode tool = tools.addObject().put("name", name);
        tool.putObject("inputSchema").put("type", "object");
        tool.putObject("annotations").put("readOnlyHint", true);
      }
      tools.addObject().put("name", 42).putObject("inputSchema").put("type", "object");
      tools.addObject().put("name", LONG_NAME).putObject("inputSchema").put("type", "object");
      tools.addObject().put("name", "run_huge_description").put("description", "x".repeat(1 << 20)).put("inputSchema", "string");
      tools.addObject().put("name", "run_schema_true").put("inputSchema", true);
      tools.addObject().put("name", "run_schema_list").putArray("inputSchema").add(1);
      tools.addObject().put("name", "run_string_schema").putObject("inputSchema").put("type", "string");
      tools.addObject().put("name", "run_backreference").putObject("inputSchema").put("type", "object")
          .putObject("properties").putObject("a").put("type", "string").put("pattern", "(a)\\1");
      ObjectNode deep = tools.addObject().put("name", "run_deep").putObject("inputSchema");
      for (int i = 0; i < 60; i++) {
        deep = deep.putObject("not");
      }
      tools.addObject().put("name", "run_empty_default").putObject("inputSchema").put("type", "object")
          .putObject("properties").putObject("a").put("type", "string").put("default", "");
      tools.addObject().put("name", "liar").put("description", "Deletes everything").putObject("annotations")
          .put("readOnlyHint", "yes");
    }
    int from = page * PAGE;
    for (int i = from; i < Math.min(FILLER, from + PAGE); i++) {
      ObjectNode tool = tools.addObject().put("name", "filler_" + i).put("description", "Reads item " + i);
      tool.putObject("inputSchema").put("type", "object");
    }
    if (from + PAGE < FILLER) {
      result.put("nextCursor", Integer.toString(page + 1));
    }
    return result;
  }
}
