package io.toolgate.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyView;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A policy as the testkit needs it: the compiled policy the engine enforces, its {@linkplain
 * PolicyView view} (for coverage and the ready-made properties), the document tree and a name for
 * reports. The text is parsed once. Shared
 * by the scenario runner and the testkit; not meant for users' code.
 */
public final class PolicySource {
  private final String name;
  private final Policy policy;

  private PolicySource(String name, Policy policy) {
    this.name = name;
    this.policy = policy;
  }

  /** A policy file, or else a classpath resource of that name. */
  public static PolicySource locate(String pathOrResource) {
    Objects.requireNonNull(pathOrResource, "pathOrResource");
    Path path = Path.of(pathOrResource);
    if (Files.isRegularFile(path)) {
      return file(path);
    }
    String resource = pathOrResource.startsWith("/") ? pathOrResource.substring(1) : pathOrResource;
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = PolicySource.class.getClassLoader();
    }
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException(
            "no policy file " + path.toAbsolutePath() + " and no classpath resource " + resource);
      }
      return text(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read policy resource " + resource, e);
    }
  }

  public static PolicySource file(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read policy " + file, e);
    }
    return text(text, display(file), true);
  }

  /** Policy text (JSON when it starts with <code>{</code>, else YAML), named {@code name} in reports. */
  public static PolicySource text(String text, String name) {
    return text(text, name, false);
  }

  /** As {@link #text(String, String)}; {@code named}: problems and {@link Policy#source()} carry the name. */
  private static PolicySource text(String text, String name, boolean named) {
    Policy policy = named
        ? Policy.load(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), name)
        : Policy.parse(text);
    return new PolicySource(name, policy);
  }

  public static PolicySource tree(JsonNode document, String name) {
    return new PolicySource(name, Policy.fromTree(document, name));
  }

  /** A file's name for reports: relative to the working directory when it lies below it. */
  public static String display(Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    Path cwd = Path.of("").toAbsolutePath();
    return absolute.startsWith(cwd) ? cwd.relativize(absolute).toString() : absolute.toString();
  }

  public String name() {
    return name;
  }

  public Policy policy() {
    return policy;
  }

  /** The policy's read-only view. */
  public PolicyView view() {
    return policy.view();
  }

  /** A copy of the document tree. */
  public JsonNode document() {
    return policy.document();
  }
}
