package io.toolgate.examples.mcpserver;

import io.toolgate.api.CallContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Bearer tokens and who they name. One line per token: {@code <token> <principal> [role,role]};
 * blank lines and lines starting with {@code #} are ignored.
 */
public final class TokenFile {
  private final Map<String, CallContext> identities;

  private TokenFile(Map<String, CallContext> identities) {
    this.identities = Map.copyOf(identities);
  }

  /** Reads {@code file}. */
  public static TokenFile load(Path file) {
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read token file " + file, e);
    }
  }

  /** The token file shipped with the example. */
  public static TokenFile shipped() {
    try (var in = TokenFile.class.getResourceAsStream("tokens.txt")) {
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "tokens.txt");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the shipped token file", e);
    }
  }

  /**
   * Parses token lines.
   *
   * @throws IllegalArgumentException naming the line, for a line without a principal or a token
   *     given twice
   */
  public static TokenFile parse(String text, String source) {
    Map<String, CallContext> identities = new HashMap<>();
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] fields = line.split("\\s+");
      if (fields.length < 2 || fields.length > 3) {
        throw new IllegalArgumentException(
            source + ":" + (i + 1) + ": expected <token> <principal> [role,role,...]");
      }
      CallContext identity = CallContext.of(fields[1]);
      if (fields.length == 3) {
        identity = identity.withRoles(Arrays.stream(fields[2].split(",")).filter(r -> !r.isEmpty()).toArray(String[]::new));
      }
      if (identities.put(fields[0], identity) != null) {
        throw new IllegalArgumentException(source + ":" + (i + 1) + ": token given twice");
      }
    }
    return new TokenFile(identities);
  }

  /** Who {@code token} names, if anyone. */
  public Optional<CallContext> identify(String token) {
    return Optional.ofNullable(token == null ? null : identities.get(token));
  }

  /** The tokens, for listing; not for logging in a real deployment. */
  public Set<String> tokens() {
    return identities.keySet();
  }
}
