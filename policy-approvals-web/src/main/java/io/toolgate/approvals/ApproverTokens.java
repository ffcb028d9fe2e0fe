package io.toolgate.approvals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Tokens from a file of {@code sha256:<hex> name [role...]} lines ({@code #} starts a comment), the
 * gateway's token file format. Only the tokens' SHA-256 hashes are held; a presented token is hashed
 * and compared with every entry in constant time, so neither its content nor its position shows in
 * the time taken.
 */
public final class ApproverTokens implements Approvers {
  /** One line of the file: a holder's name and roles. */
  public record Holder(String name, Set<String> roles) {}

  private record Entry(byte[] hash, Holder holder) {}

  private final List<Entry> entries;

  private ApproverTokens(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /**
   * Reads {@code file}.
   *
   * @throws IllegalArgumentException naming the line of an entry that is not {@code sha256:<64 hex> name ...}
   */
  public static ApproverTokens load(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read token file " + file + ": " + e.getMessage(), e);
    }
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] fields = line.split("\\s+");
      byte[] hash = null;
      if (fields[0].startsWith("sha256:") && fields[0].length() == 7 + 64) {
        try {
          hash = HexFormat.of().parseHex(fields[0].substring(7));
        } catch (IllegalArgumentException notHex) {
          hash = null;
        }
      }
      if (hash == null || fields.length < 2) {
        throw new IllegalArgumentException(file + " line " + (i + 1)
            + ": expected sha256:<64 hex digits> principal [role...]");
      }
      entries.add(new Entry(hash, new Holder(fields[1], Set.of(Arrays.copyOfRange(fields, 2, fields.length)))));
    }
    return new ApproverTokens(entries);
  }

  /** {@code sha256:<hex>} of {@code token}: what a token file holds for it. */
  public static String hash(String token) {
    return "sha256:" + HexFormat.of().formatHex(sha256(token));
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The holder of {@code token}, or empty. */
  public Optional<Holder> holder(String token) {
    if (token == null) {
      return Optional.empty();
    }
    byte[] presented = sha256(token);
    Holder found = null;
    for (Entry entry : entries) { // every entry, whatever matches: the time does not say where
      if (MessageDigest.isEqual(entry.hash, presented) && found == null) {
        found = entry.holder;
      }
    }
    return Optional.ofNullable(found);
  }

  @Override
  public Optional<String> byToken(String token) {
    return holder(token).map(Holder::name);
  }

  /**
   * Whether a token of this file is also in {@code other} (their hashes compared): a host that
   * authenticates agents with one file and approvers with another refuses to start on such a
   * token, since the agent that holds it could answer approval requests.
   */
  public boolean sharesATokenWith(ApproverTokens other) {
    for (Entry mine : entries) {
      for (Entry theirs : other.entries) {
        if (MessageDigest.isEqual(mine.hash(), theirs.hash())) {
          return true;
        }
      }
    }
    return false;
  }
}
