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
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Loads a policy: parse (JSON or YAML, with read limits), check against the document's JSON
 * Schema, then check what a schema cannot say while building the model. Every problem is
 * collected, located and returned; nothing here throws for any input text.
 */
public final class PolicyLoader {
  /** The largest policy accepted, in bytes of UTF-8 (text given as a string: in its UTF-8 length). */
  public static final int MAX_BYTES = 1 << 20;

  private PolicyLoader() {}

  /**
   * Loads policy bytes, which must be UTF-8 and at most {@link #MAX_BYTES}: a byte that is not
   * UTF-8 is reported at its line and column.
   *
   * @param sourceName the file or resource name problems carry, or {@code null}
   */
  public static LoadResult load(byte[] bytes, String sourceName) {
    if (bytes.length > MAX_BYTES) {
      return tooLarge(bytes.length, sourceName);
    }
    int start = bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf ? 3 : 0;
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      out.flip();
      int line = 1;
      int lineStart = 0;
      for (int i = 0; i < out.limit(); i++) {
        if (out.get(i) == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      int column = Character.codePointCount(out, lineStart, out.limit()) + 1;
      return failed(sourceName, line, column, String.format(
          "byte 0x%02x at offset %d is not UTF-8; a policy must be UTF-8 text", bytes[in.position()] & 0xff, in.position()));
    }
    return load(out.flip().toString(), sourceName);
  }

  /** The problem of a policy larger than {@link #MAX_BYTES}; nothing of it is parsed. */
  public static LoadResult tooLarge(long bytes, String sourceName) {
    return failed(sourceName, 0, 0, "the policy is " + bytes + " bytes; a policy may be at most " + MAX_BYTES
        + " bytes (1 MiB)");
  }

  /**
   * Loads policy text: JSON when its first non-blank character is <code>{</code>, else YAML.
   *
   * @param sourceName the file or resource name problems carry, or {@code null}
   */
  public static LoadResult load(String text, String sourceName) {
    long size = utf8Length(text);
    if (size > MAX_BYTES) {
      return tooLarge(size, sourceName);
    }
    Problems problems = new Problems();
    SourceMap map;
    boolean json = text.stripLeading().startsWith("{");
    try (JsonParser parser = (json ? Jackson.JSON : Jackson.YAML).getFactory().createParser(text)) {
      // Duplicate keys are reported by the source map, at the key, with the rest of the problems.
      parser.disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      map = SourceMap.parse(parser, text, problems);
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
    Problems problems = new Problems();
    SourceMap map = SourceMap.of(document, problems);
    if (!problems.isEmpty()) {
      // Infinity and NaN have no JSON form: the schema check could not even convert the tree.
      return new LoadResult(null, problems.located(map, sourceName));
    }
    return check(map, problems, sourceName);
  }

  /** The UTF-8 length of {@code text}, or its length when that is clearly within {@link #MAX_BYTES}. */
  private static long utf8Length(String text) {
    if ((long) text.length() * 3 <= MAX_BYTES) {
      return text.length();
    }
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }
    return bytes;
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
    return new LoadResult(model, List.of(), document);
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

  /** A load that failed with one problem about the whole document. */
  public static LoadResult failed(String sourceName, String message) {
    return failed(sourceName, 0, 0, message);
  }

  private static LoadResult failed(String sourceName, int line, int column, String message) {
    return new LoadResult(null, List.of(new PolicyProblem(sourceName, "", line, column, message)));
  }
}
