package io.toolgate.engine.internal.load;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.engine.PolicyProblem;
import io.toolgate.engine.internal.Jackson;
import io.toolgate.engine.internal.model.PolicyModel;
import java.io.IOException;
import java.util.List;

/**
 * Loads a policy: parse (JSON or YAML, with read limits), check against the document's JSON
 * Schema, then check what a schema cannot say while building the model. Every problem is
 * collected, located and returned; nothing here throws for any input text.
 */
public final class PolicyLoader {
  private PolicyLoader() {}

  /**
   * Loads policy text: JSON when its first non-blank character is <code>{</code>, else YAML.
   *
   * @param sourceName the file or resource name problems carry, or {@code null}
   */
  public static LoadResult load(String text, String sourceName) {
    Problems problems = new Problems();
    SourceMap map;
    boolean json = text.stripLeading().startsWith("{");
    try (JsonParser parser = (json ? Jackson.JSON : Jackson.YAML).getFactory().createParser(text)) {
      // Duplicate keys are reported by the source map, at the key, with the rest of the problems.
      parser.disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      map = SourceMap.parse(parser, problems);
    } catch (IOException | RuntimeException e) {
      return unreadable(e, json, sourceName);
    } catch (StackOverflowError e) {
      return failed(sourceName, 0, 0, "the document is nested too deeply");
    }
    if (map == null) {
      return failed(sourceName, 0, 0, "the document is empty; expected a policy with at least version: \"1\"");
    }
    return check(map, problems, sourceName);
  }

  /** Loads an already parsed document; problems carry pointers but no lines. */
  public static LoadResult load(JsonNode document, String sourceName) {
    return check(SourceMap.of(document), new Problems(), sourceName);
  }

  private static LoadResult check(SourceMap map, Problems problems, String sourceName) {
    JsonNode document = map.tree();
    PolicyModel model;
    try {
      DocumentSchema.check(document, problems);
      model = ModelBuilder.build(document, problems);
    } catch (RuntimeException | StackOverflowError e) {
      // A bug of ours must not surface as an exception from a load; say what happened.
      problems.at("", "the policy could not be checked (" + e + ")");
      model = null;
    }
    if (!problems.isEmpty() || model == null) {
      List<PolicyProblem> located = problems.located(map, sourceName);
      return new LoadResult(null, located.isEmpty() ? List.of(new PolicyProblem(sourceName, "", 0, 0, "not a policy")) : located);
    }
    return new LoadResult(model, List.of());
  }

  private static LoadResult unreadable(Exception e, boolean json, String sourceName) {
    int line = 0;
    int column = 0;
    String message = e.getMessage();
    if (e instanceof JsonProcessingException) {
      JsonProcessingException p = (JsonProcessingException) e;
      JsonLocation at = p.getLocation();
      if (at != null && at.getLineNr() > 0) {
        line = at.getLineNr();
        column = Math.max(at.getColumnNr(), 1);
      }
      message = p.getOriginalMessage();
    }
    String what = e instanceof StreamConstraintsException
        ? "the document breaks a read limit (nesting depth " + Jackson.MAX_NESTING_DEPTH + ", string length "
            + Jackson.MAX_STRING_LENGTH + ", document length " + Jackson.MAX_DOCUMENT_LENGTH + "): "
        : "not valid " + (json ? "JSON" : "YAML") + ": ";
    return failed(sourceName, line, column, what + firstLine(message));
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).strip();
  }

  private static LoadResult failed(String sourceName, int line, int column, String message) {
    return new LoadResult(null, List.of(new PolicyProblem(sourceName, "", line, column, message)));
  }
}
