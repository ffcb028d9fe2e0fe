package io.toolgate.scenarios;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyLoadException;
import io.toolgate.engine.internal.Jackson;
import io.toolgate.engine.internal.load.LoadResult;
import io.toolgate.engine.internal.load.PolicyLoader;
import io.toolgate.engine.internal.model.PolicyModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A policy as the testkit needs it: the compiled policy the engine enforces, the validated model
 * (for coverage and the ready-made properties), the document tree and a name for reports. Shared
 * by the scenario runner and the testkit; not meant for users' code.
 */
public final class PolicySource {
  private final String name;
  private final Policy policy;
  private final PolicyModel model;
  private final JsonNode document;

  private PolicySource(String name, Policy policy, PolicyModel model, JsonNode document) {
    this.name = name;
    this.policy = policy;
    this.model = model;
    this.document = document;
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
    LoadResult result = PolicyLoader.load(text, named ? name : null);
    if (!result.problems().isEmpty()) {
      throw new PolicyLoadException(result.problems());
    }
    JsonNode document;
    try {
      document = (text.stripLeading().startsWith("{") ? Jackson.JSON : Jackson.YAML).readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the policy loaded but does not parse again", e);
    }
    Policy policy = named
        ? Policy.load(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), name)
        : Policy.parse(text);
    return new PolicySource(name, policy, result.model(), document);
  }

  public static PolicySource tree(JsonNode document, String name) {
    LoadResult result = PolicyLoader.load(document, name);
    if (!result.problems().isEmpty()) {
      throw new PolicyLoadException(result.problems());
    }
    return new PolicySource(name, Policy.fromTree(document), result.model(), document.deepCopy());
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

  public PolicyModel model() {
    return model;
  }

  /** A copy of the document tree. */
  public JsonNode document() {
    return document.deepCopy();
  }
}
