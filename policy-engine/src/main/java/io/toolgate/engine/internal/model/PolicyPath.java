package io.toolgate.engine.internal.model;

import java.util.ArrayList;
import java.util.List;

/**
 * A path into a call: {@code args.<a>.<b>} (array elements by index, {@code args.items.0}),
 * {@code identity.id}, {@code identity.roles}, {@code identity.attributes.<key>} or {@code
 * session.id}.
 *
 * @param root where the path starts
 * @param segments the steps below the root: argument keys or indexes, or the attribute key
 * @param text the path as written
 */
public record PolicyPath(Root root, List<String> segments, String text) {

  /** Where a path starts. */
  public enum Root {
    ARGS,
    IDENTITY_ID,
    IDENTITY_ROLES,
    IDENTITY_ATTRIBUTES,
    SESSION_ID
  }

  public PolicyPath {
    segments = List.copyOf(segments);
  }

  /** Paths a policy may use, for error messages. */
  public static final String EXPECTED =
      "args.<name>[.<name or index>...], identity.id, identity.roles, identity.attributes.<key>"
          + " or session.id";

  /**
   * Parses {@code text}, or returns {@code null} when it is not a path. Segments are separated by
   * dots and must not be empty.
   */
  public static PolicyPath parse(String text) {
    if (text == null) {
      return null;
    }
    switch (text) {
      case "identity.id":
        return new PolicyPath(Root.IDENTITY_ID, List.of(), text);
      case "identity.roles":
        return new PolicyPath(Root.IDENTITY_ROLES, List.of(), text);
      case "session.id":
        return new PolicyPath(Root.SESSION_ID, List.of(), text);
      default:
        break;
    }
    if (text.startsWith("args.")) {
      List<String> segments = split(text.substring("args.".length()));
      return segments == null ? null : new PolicyPath(Root.ARGS, segments, text);
    }
    if (text.startsWith("identity.attributes.")) {
      String key = text.substring("identity.attributes.".length());
      return key.isEmpty() ? null : new PolicyPath(Root.IDENTITY_ATTRIBUTES, List.of(key), text);
    }
    return null;
  }

  private static List<String> split(String rest) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= rest.length(); i++) {
      if (i == rest.length() || rest.charAt(i) == '.') {
        if (i == start) {
          return null;
        }
        out.add(rest.substring(start, i));
        start = i + 1;
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return text;
  }
}
