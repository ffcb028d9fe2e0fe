package io.toolgate.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.engine.internal.Jackson;
import io.toolgate.engine.internal.eval.CompiledPolicy;
import io.toolgate.engine.internal.load.LoadResult;
import io.toolgate.engine.internal.load.PolicyLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A validated, compiled, immutable policy. Load one from JSON or YAML (the same schema); a bad
 * document fails with a {@link PolicyLoadException} that lists every problem with its location.
 * Loading parses and checks once; deciding a call never parses again.
 *
 * <pre>{@code
 * Policy policy = Policy.load(Path.of("policy.yaml"));
 * }</pre>
 */
public final class Policy {
  private final CompiledPolicy compiled;
  private final String source;

  private Policy(CompiledPolicy compiled, String source) {
    this.compiled = compiled;
    this.source = source;
  }

  /**
   * Parses policy text: JSON when it starts with <code>{</code>, else YAML.
   *
   * @throws PolicyLoadException listing every problem found
   */
  public static Policy parse(String text) {
    return of(PolicyLoader.load(Objects.requireNonNull(text, "text"), null), null);
  }

  /**
   * Loads a policy file.
   *
   * @throws PolicyLoadException listing every problem found
   * @throws UncheckedIOException if the file cannot be read
   */
  public static Policy load(Path file) {
    String name = file.toString();
    return of(PolicyLoader.load(read(file), name), name);
  }

  /**
   * Loads a policy from a stream (read to its end, not closed), naming it {@code sourceName} in
   * problems.
   */
  public static Policy load(InputStream in, String sourceName) {
    try {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return of(PolicyLoader.load(text, sourceName), sourceName);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read policy " + sourceName, e);
    }
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
    return of(PolicyLoader.load(Objects.requireNonNull(document, "document"), null), null);
  }

  /** Every problem in {@code text} (JSON or YAML); empty when it would load. Never throws. */
  public static List<PolicyProblem> check(String text, String sourceName) {
    return PolicyLoader.load(text, sourceName).problems();
  }

  /**
   * Every problem in {@code file}; empty when it would load.
   *
   * @throws UncheckedIOException if the file cannot be read
   */
  public static List<PolicyProblem> check(Path file) {
    try {
      return check(read(file), file.toString());
    } catch (PolicyLoadException e) {
      return e.problems();
    }
  }

  /** The file or resource the policy came from, or {@code null}. */
  public String source() {
    return source;
  }

  /** The policy's {@code description}, or {@code null}. */
  public String description() {
    return compiled.model().description();
  }

  /** The compiled form; engine internal. */
  CompiledPolicy compiled() {
    return compiled;
  }

  private static Policy of(LoadResult result, String source) {
    if (!result.problems().isEmpty()) {
      throw new PolicyLoadException(result.problems());
    }
    return new Policy(new CompiledPolicy(result.model()), source);
  }

  private static String read(Path file) {
    try {
      long size = Files.size(file);
      if (size > 4L * Jackson.MAX_DOCUMENT_LENGTH) {
        // Larger than any document the parser would accept: do not read it into memory at all.
        throw new PolicyLoadException(List.of(new PolicyProblem(file.toString(), "", 0, 0,
            "the file is " + size + " bytes; a policy may be at most " + Jackson.MAX_DOCUMENT_LENGTH + " characters")));
      }
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read policy " + file, e);
    }
  }

  @Override
  public String toString() {
    return "Policy[" + (source != null ? source : "inline") + "]";
  }
}
