package io.toolgate.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.engine.internal.CanonicalJson;
import io.toolgate.engine.internal.eval.CompiledPolicy;
import io.toolgate.engine.internal.load.LoadResult;
import io.toolgate.engine.internal.load.PolicyLoader;
import io.toolgate.engine.internal.load.RegexSize;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A validated, compiled, immutable policy. Load one from JSON or YAML (the same schema); a bad
 * document fails with a {@link PolicyLoadException} that lists every problem with its location.
 * Loading parses and checks once; deciding a call never parses again.
 *
 * <p>A policy is refused, with located problems, when it would be unsafe to run: text over
 * {@link #MAX_BYTES} (1 MiB, refused before it is parsed), bytes that are not UTF-8 (at their line
 * and column), YAML anchors and aliases (where they stand), numbers no double holds such as
 * {@code 1e999}, regular expressions whose compiled program would exceed {@link
 * #MAX_REGEX_SIZE} instructions (at the regex), and argument schemas whose {@code $ref}s loop
 * without descending into the arguments (at {@code /tools/<name>/arguments}). Loading never lets an
 * {@link Error} (a stack overflow, running out of memory) escape: it becomes a {@link
 * PolicyLoadException}.
 *
 * <pre>{@code
 * Policy policy = Policy.load(Path.of("policy.yaml"));
 * }</pre>
 */
public final class Policy {
  /** The largest policy accepted, in bytes of UTF-8: 1 MiB. */
  public static final int MAX_BYTES = PolicyLoader.MAX_BYTES;

  /**
   * The largest regular expression accepted ({@code regex} and {@code not_regex} values, {@code
   * pattern} and {@code patternProperties} in argument schemas), in instructions of its compiled
   * program as estimated before compiling: counted repetitions multiply, so {@code (a{43}){43}} is
   * just within it and {@code (a{44}){44}} is not, while {@code \d{1,1000}} fits. RE2/J's time per
   * character of input grows with this size: at the limit, 100 kB of argument costs about 0.1 s.
   */
  public static final int MAX_REGEX_SIZE = RegexSize.MAX;

  private final CompiledPolicy compiled;
  private final String source;
  private final JsonNode document;
  private final PolicyView view;
  private final String digest;
  private final Instant loadedAt;

  private Policy(CompiledPolicy compiled, String source, JsonNode document) {
    this.compiled = compiled;
    this.source = source;
    this.document = document;
    this.view = PolicyView.of(compiled.model());
    this.digest = CanonicalJson.sha256Hex(document);
    this.loadedAt = Instant.now();
  }

  /**
   * Parses policy text: JSON when it starts with <code>{</code>, else YAML.
   *
   * @throws PolicyLoadException listing every problem found
   */
  public static Policy parse(String text) {
    Objects.requireNonNull(text, "text");
    return of(() -> PolicyLoader.load(text, null), null);
  }

  /**
   * Loads a policy file.
   *
   * @throws PolicyLoadException listing every problem found
   * @throws UncheckedIOException if the file cannot be read
   */
  public static Policy load(Path file) {
    String name = file.toString();
    return of(() -> load(file, name), name);
  }

  /**
   * Loads a policy from a stream (read to its end, not closed), naming it {@code sourceName} in
   * problems.
   */
  public static Policy load(InputStream in, String sourceName) {
    return of(() -> {
      try {
        // One byte more than allowed is enough to know the policy is too large.
        byte[] bytes = in.readNBytes(MAX_BYTES + 1);
        return bytes.length > MAX_BYTES
            ? PolicyLoader.tooLarge(bytes.length, sourceName)
            : PolicyLoader.load(bytes, sourceName);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read policy " + sourceName, e);
      }
    }, sourceName);
  }

  /** Loads a policy from a classpath resource, e.g. {@code "policies/agent.yaml"}. */
  public static Policy fromResource(String resource) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = Policy.class.getClassLoader();
    }
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new UncheckedIOException(new IOException("no policy resource " + resource));
      }
      return load(in, resource);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read policy resource " + resource, e);
    }
  }

  /** A policy from an already parsed document (no line numbers in problems). */
  public static Policy fromTree(JsonNode document) {
    return fromTree(document, null);
  }

  /** A policy from an already parsed document, naming it {@code sourceName} in problems. */
  public static Policy fromTree(JsonNode document, String sourceName) {
    Objects.requireNonNull(document, "document");
    return of(() -> keepCopy(PolicyLoader.load(document, sourceName)), sourceName);
  }

  /** The result with a copy of its tree: the caller may change the tree it passed afterwards. */
  private static LoadResult keepCopy(LoadResult result) {
    return result.document() == null
        ? result
        : new LoadResult(result.model(), result.problems(), result.document().deepCopy());
  }

  /** Every problem in {@code text} (JSON or YAML); empty when it would load. Never throws. */
  public static List<PolicyProblem> check(String text, String sourceName) {
    return guarded(() -> PolicyLoader.load(text, sourceName), sourceName).problems();
  }

  /**
   * Every problem in {@code file}; empty when it would load.
   *
   * @throws UncheckedIOException if the file cannot be read
   */
  public static List<PolicyProblem> check(Path file) {
    String name = file.toString();
    return guarded(() -> load(file, name), name).problems();
  }

  /** The file or resource the policy came from, or {@code null}. */
  public String source() {
    return source;
  }

  /** The policy's {@code description}, or {@code null}. */
  public String description() {
    return compiled.model().description();
  }

  /** A read-only view of the policy's entries, grants, limits and hide list. */
  public PolicyView view() {
    return view;
  }

  /** A copy of the document tree the policy was loaded from. */
  public JsonNode document() {
    return document.deepCopy();
  }

  /**
   * The SHA-256 of the document, in 64 lowercase hex digits: of its canonical JSON (keys sorted,
   * numbers by value), so the same policy has the same digest whatever its format (JSON or YAML),
   * layout, comments or key order, and replicas can be compared by it.
   */
  public String digest() {
    return digest;
  }

  /** When this policy was loaded (parsed and compiled), by the system clock. */
  public Instant loadedAt() {
    return loadedAt;
  }

  /** The compiled form; engine internal. */
  CompiledPolicy compiled() {
    return compiled;
  }

  private static Policy of(Supplier<LoadResult> load, String source) {
    LoadResult result = guarded(load, source);
    if (!result.problems().isEmpty()) {
      throw new PolicyLoadException(result.problems());
    }
    return new Policy(new CompiledPolicy(result.model()), source, result.document());
  }

  /**
   * Runs a load, turning an {@link Error} into a problem: a policy that overflows the stack or
   * exhausts the heap while loading is refused like any bad policy, so that whoever reloads it
   * keeps the policy in force.
   */
  private static LoadResult guarded(Supplier<LoadResult> load, String source) {
    try {
      return load.get();
    } catch (StackOverflowError e) {
      return PolicyLoader.failed(source, "the policy could not be loaded: it nests or refers too deeply (stack overflow)");
    } catch (OutOfMemoryError e) {
      return PolicyLoader.failed(source, "the policy could not be loaded: it needs more memory than is available (out of memory)");
    } catch (Error e) {
      return PolicyLoader.failed(source, "the policy could not be loaded: " + e);
    }
  }

  private static LoadResult load(Path file, String name) {
    try {
      long size = Files.size(file);
      if (size > MAX_BYTES) {
        // Refused before a byte of it is read.
        return PolicyLoader.tooLarge(size, name);
      }
      try (InputStream in = Files.newInputStream(file)) {
        // Bounded even if the file grows after its size was read, or is a device or a pipe.
        return PolicyLoader.load(in.readNBytes(MAX_BYTES + 1), name);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read policy " + file, e);
    }
  }

  @Override
  public String toString() {
    return "Policy[" + (source != null ? source : "inline") + "]";
  }
}
